#!/usr/bin/env python3
"""Recompute every golden schedule under this directory from the rules, independently of the Go code.

Usage: python3 check_golden.py [FILE.golden ...]   (default: every *.golden beside this script)

Each file names its terms on a `terms` line (and, for a reamortisation, the prepayment on a `prepay`
line); this script rebuilds the schedule from the rules as the package documentation states them, with
exact rational arithmetic (fractions.Fraction; no floating point anywhere), dates from Python's datetime
and calendar modules, and the textbook annuity formula P*r/(1-(1+r)^-n) rather than the integer form the
Go code uses. It then compares every row (due date, principal, interest, installment, balance) and the
totals with the file, and exits with status 1 on any difference.
"""

import calendar
import datetime
import math
import pathlib
import sys
from decimal import Decimal
from fractions import Fraction

MAX_U64 = 2**64 - 1


def half_up(x):
    """x >= 0 rounded to an integer, a half up."""
    assert x >= 0
    return math.floor(x + Fraction(1, 2))


def add_months(anchor, n):
    """The day n months after anchor, clamped to the month's last day."""
    months = anchor.year * 12 + (anchor.month - 1) + n
    y, m = divmod(months, 12)
    m += 1
    return datetime.date(y, m, min(anchor.day, calendar.monthrange(y, m)[1]))


class Terms:
    def __init__(self, fields):
        self.method = fields["method"]
        self.accrual = fields["accrual"]
        self.principal = int(fields["principal"])
        self.rate = int(fields["rate-bps"])
        self.months = int(fields["months"])
        self.grace = int(fields["grace"])
        self.basis = int(fields["basis"])
        self.start = datetime.date.fromisoformat(fields["start"])

    def monthly_rate(self):
        return Fraction(self.rate, 12 * 10000)

    def due(self, seq):
        if self.method == "bullet":
            return add_months(self.start, self.months)
        return add_months(self.start, seq)

    def count(self):
        return 1 if self.method == "bullet" else self.months


def daily_interest(balance, rate, basis, start, end):
    days = (end - start).days
    assert days >= 0
    return half_up(Fraction(balance * rate * days, 10000 * basis))


def emi(principal, t, n):
    """The annuity installment over n periods, exact, rounded half up once."""
    r = t.monthly_rate()
    if r == 0:
        return half_up(Fraction(principal, n))
    return half_up(principal * r / (1 - (1 + r) ** -n))


class Amortization(Exception):
    pass


def run(t, first, last, start, balance, repay_from, level, shorten, daily_first):
    """Installments first..last (fewer when shorten) as (seq, due, principal, interest)."""
    rows = []
    prev = start
    for seq in range(first, last + 1):
        due = t.due(seq)
        if t.method == "bullet" and t.accrual == "monthly" and not daily_first:
            interest = half_up(balance * t.rate * t.months * Fraction(1, 120000))
        elif t.accrual == "daily" or (daily_first and seq == first):
            interest = daily_interest(balance, t.rate, t.basis, prev, due)
        else:
            interest = half_up(balance * t.monthly_rate())
        end = False
        if seq == last:
            principal, end = balance, True
        elif seq < repay_from:
            principal = 0
        else:
            if t.method == "equal-installments":
                principal = level - half_up(balance * t.monthly_rate())
                if principal < 0:
                    raise Amortization(f"installment {seq}: EMI below interest")
            else:
                principal = level
            if principal >= balance and shorten:
                principal, end = balance, True
            elif principal > balance:
                raise Amortization(f"installment {seq} repays {principal} of {balance}")
        balance -= principal
        assert principal >= 0 and interest >= 0 and balance >= 0
        rows.append((seq, due, principal, interest))
        if end:
            break
        prev = due
    total = sum(p + i for _, _, p, i in rows)
    if total > MAX_U64:
        raise OverflowError("total exceeds 2^64-1")
    return rows


def generate(t):
    m = t.months - t.grace
    level = 0
    repay_from = t.grace + 1
    if t.method == "equal-installments":
        assert t.accrual == "monthly"
        level = emi(t.principal, t, m)
    elif t.method == "equal-principal":
        level = half_up(Fraction(t.principal, m))
    else:
        repay_from = t.count()
    rows = run(t, 1, t.count(), t.start, t.principal, repay_from, level, False, False)
    assert sum(p for _, _, p, _ in rows) == t.principal
    return rows


def reamortize(t, old, k, day, balance, mode):
    """The installments k.. replacing old's after a prepayment on day leaving balance."""
    n = len(old)
    prev = t.start if k == 1 else t.due(k - 1)
    assert prev <= day < t.due(k)
    outstanding = sum(p for seq, _, p, _ in old if seq >= k)
    assert 0 < balance <= outstanding
    if t.method == "bullet":
        return [(1, t.due(1), balance, daily_interest(balance, t.rate, t.basis, day, t.due(1)))]
    a = max(k, t.grace + 1)  # the first installment that repays principal
    level = 0
    if t.method == "interest-only":
        a = n
    elif a < n:
        old_a = old[a - 1][2]
        remaining = n - a + 1
        if t.method == "equal-installments":
            # The current level installment: installment a's principal plus the monthly interest on
            # what was outstanding before it.
            old_balance = sum(p for seq, _, p, _ in old if seq >= a)
            old_level = old_a + half_up(old_balance * t.monthly_rate())
            new_level = emi(balance, t, remaining)
        else:
            old_level = old_a
            new_level = half_up(Fraction(balance, remaining))
        level = old_level if mode == "shorten-term" else min(new_level, old_level)
    rows = run(t, k, n, day, balance, a, level, mode == "shorten-term", True)
    assert sum(p for _, _, p, _ in rows) == balance
    return rows


def minor(text):
    d = Decimal(text) * 100
    assert d == d.to_integral_value(), text
    return int(d)


def parse(path):
    terms = prepay = None
    rows, total = [], None
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "terms":
            terms = Terms(dict(w.split("=", 1) for w in words[1:]))
        elif words[0] == "prepay":
            prepay = dict(w.split("=", 1) for w in words[1:])
        elif words[0] == "seq":
            continue
        elif words[0] == "total":
            total = tuple(minor(w) for w in words[1:])
        else:
            seq, due, p, i, inst, bal = words
            rows.append((int(seq), datetime.date.fromisoformat(due), minor(p), minor(i), minor(inst), minor(bal)))
    return terms, prepay, rows, total


def expected(terms, prepay):
    rows = generate(terms)
    balance = terms.principal
    if prepay is not None:
        balance = int(prepay["balance"])
        k = int(prepay["seq"])
        assert balance + int(prepay["amount"]) == sum(r[2] for r in rows if r[0] >= k), "balance + amount is not the outstanding"
        rows = reamortize(terms, rows, int(prepay["seq"]), datetime.date.fromisoformat(prepay["day"]), balance, prepay["mode"])
    out = []
    for seq, due, p, i in rows:
        balance -= p
        out.append((seq, due, p, i, p + i, balance))
    total = (sum(r[2] for r in out), sum(r[3] for r in out), sum(r[4] for r in out))
    return out, total


def check(path):
    terms, prepay, rows, total = parse(path)
    want, want_total = expected(terms, prepay)
    problems = []
    if len(rows) != len(want):
        problems.append(f"{len(rows)} rows, recomputed {len(want)}")
    for got, w in zip(rows, want):
        if got != w:
            problems.append(f"row {got}, recomputed {w}")
    if total != want_total:
        problems.append(f"total {total}, recomputed {want_total}")
    return problems


def main(args):
    here = pathlib.Path(__file__).resolve().parent
    paths = [pathlib.Path(a) for a in args] or sorted(here.glob("*.golden"))
    failed = 0
    for path in paths:
        problems = check(path)
        print(f"{'ok  ' if not problems else 'FAIL'} {path.name}")
        for p in problems:
            print(f"     {p}")
        failed += bool(problems)
    print(f"{len(paths) - failed} of {len(paths)} golden schedules recomputed exactly")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
