package collect

import "github.com/ledgerd/ledgerd/x/errcode"

// Codespace of collection errors.
const Codespace = "collect"

// Codes are part of the protocol: never renumber one.
var (
	ErrInvalidMsg         = errcode.Register(Codespace, 2, "invalid collection message")
	ErrInvalidGenesis     = errcode.Register(Codespace, 3, "invalid collection genesis")
	ErrInvalidParams      = errcode.Register(Codespace, 4, "invalid collection parameters")
	ErrCaseNotFound       = errcode.Register(Codespace, 5, "no such collection case")
	ErrCaseClosed         = errcode.Register(Codespace, 6, "the case is closed")
	ErrNotActing          = errcode.Register(Codespace, 7, "signer is neither an operator of the case's lender nor of its current delegate")
	ErrNotCollector       = errcode.Register(Codespace, 8, "the member is not an active collector")
	ErrCollectorSuspended = errcode.Register(Codespace, 9, "the collector is suspended by a regulator")
	ErrOutsideHours       = errcode.Register(Codespace, 10, "contact is not allowed at this time of day in the consortium's time zone")
	ErrDailyCap           = errcode.Register(Codespace, 11, "the borrower's daily contact cap for this channel is reached")
	ErrWeeklyCap          = errcode.Register(Codespace, 12, "the borrower's cap of contacts in 7 days for this channel is reached")
	ErrCaseCap            = errcode.Register(Codespace, 13, "the case's contact cap for this channel is reached")
	ErrUnauthorisedParty  = errcode.Register(Codespace, 14, "the party is neither the borrower nor a contact the borrower authorised")
	ErrContactCeased      = errcode.Register(Codespace, 15, "the borrower asked this lender to cease contact by this channel")
	ErrDisputeOpen        = errcode.Register(Codespace, 16, "a dispute on the loan is open: collection pauses until the lender answers it")
	ErrPermitNotFound     = errcode.Register(Codespace, 17, "no such permit")
	ErrPermitExpired      = errcode.Register(Codespace, 18, "the permit's deadline has passed: its outcome can no longer be recorded")
	ErrOutcomeRecorded    = errcode.Register(Codespace, 19, "the permit's outcome is already recorded")
	ErrPromise            = errcode.Register(Codespace, 20, "the case's promise does not allow this")
	ErrPromiseMismatch    = errcode.Register(Codespace, 21, "the confirmed figures differ from the promise")
	ErrNotLender          = errcode.Register(Codespace, 22, "signer is not an operator of the case's lender")
	ErrStage              = errcode.Register(Codespace, 23, "the case is at that stage or later already")
	ErrComplaintNotFound  = errcode.Register(Codespace, 24, "no such complaint")
	ErrComplaintRuled     = errcode.Register(Codespace, 25, "the complaint is ruled already")
	ErrNotRegulator       = errcode.Register(Codespace, 26, "signer is not an operator of an active regulator")
	ErrComplaintLate      = errcode.Register(Codespace, 27, "the contact is in the future or longer ago than complaints may reach")
	ErrNotBorrower        = errcode.Register(Codespace, 28, "only the borrower may sign this")
	ErrLenderNotFound     = errcode.Register(Codespace, 29, "no such lender")
	ErrSuspension         = errcode.Register(Codespace, 30, "the collector is already in that state")
	ErrNoCease            = errcode.Register(Codespace, 31, "there is no such cease request to lift")
	ErrContactNotFound    = errcode.Register(Codespace, 32, "no such authorised contact")
	ErrInvalidQuery       = errcode.Register(Codespace, 33, "invalid collection query")
	ErrPlanNotFound       = errcode.Register(Codespace, 34, "no such plan or settlement offered on the case")
	ErrPlanExpired        = errcode.Register(Codespace, 35, "the offer has expired")
	ErrPlanMismatch       = errcode.Register(Codespace, 36, "the accepted figures differ from the offer")
)
