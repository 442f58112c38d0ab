// The auditor console's page. Every figure comes from the WebAssembly
// verifier (window.ledgerd, client/console/wasm), which proves it against a
// header verified from the root of trust; this file only shows what it
// returns, with the verified mark or the red "not verified" and why.
"use strict";

const T = {
  en: {
    title: "ledgerd auditor console", nav_bank: "Bank", bank_title: "Issuance and supply", supply: "Supply",
    supply_chart: "Supply over time", last_blocks: "over the last blocks", each_point: "each point proven against its own verified header (hover for it)",
    skipped: "Heights left out: the node could not answer (pruned state or block)",
    issued: "Outstanding issuance", held: "Held by its wallets", sum: "Sum", invariant: "Invariant: supply = Σ issuance = Σ held",
    holds: "holds", broken: "BROKEN", nav_wallet: "Wallet",
    nav_aml: "AML", aml_title: "Large-value reports and alerts", reports: "Large-value reports", alerts: "Velocity alerts",
    day: "Day", direction: "Direction", payments: "Payments", by_day: "by day", by_bank: "by bank", by_wallet: "by wallet", aml_value: "YYYY-MM-DD, member id or 0x address", look_up: "Look up",
    newest_link: "newest records", ids_after: "ids after", index_more: "a full page of the index, proven complete up to its last id; more follow",
    index_complete: "the index proven complete: no other record", first_page: "← first page",
    newest: "the newest, complete up to the proven count", inflow: "inflow", outflow: "outflow",
    nav_gov: "Governance", gov_title: "Governance", threshold: "Threshold", eligible: "Eligible members", proposal: "Proposal",
    action: "Action", voting_end: "Voting ends", votes: "Votes", tally: "Tally (yes / needed)", recounted: "recounted here from proven state",
    recorded: "recorded by the chain when decided", passes: "passes", not_yet: "not yet", no_proposals: "No proposals.",
    yes: "yes", no: "no", abstain: "abstain", nav_network: "Network", nav_block: "Block",
    root: "Root of trust", trust_height: "Trust height", trust_hash: "Trust hash", pin: "Pin",
    tofu: "trusted on first use: compare this hash with another member's node and pin it", pinned: "pinned",
    verified: "verified", not_verified: "not verified", at_height: "state at height", header: "header",
    wallet: "Wallet", address: "Address", show: "Show", balances: "Balances", bank: "Bank of record", tier: "Tier",
    status: "Status", open: "open", closed: "closed", limits: "Limits and use", denom: "Denom",
    payment_limit: "Per payment", daily: "Today: used / limit", received_today: "Received today",
    annual: "This year: used / limit", balance_cap: "Balance cap", none: "none", no_limit: "no limit",
    freezes: "Freeze orders", authority: "Authority", kind: "Kind", legal_basis: "Legal basis", expires: "Expires",
    history: "History", seq: "#", time: "Time", counterparty: "Counterparty", amount: "Amount",
    balance_after: "Balance after", detail: "Detail", height: "Height", entries: "entries, complete",
    page: "Page", prev: "Previous", next: "Next", balance_chart: "Balance over the history",
    not_found: "No wallet with this address (proven absent).", loading: "verifying…", done: "done",
    network: "Network", chain: "Chain", members: "Members", id: "Id", name: "Name", roles: "Roles", nodes: "Nodes",
    power: "Power", validators: "Validators", member: "Member", latest_blocks: "Latest blocks", txs: "Txs",
    hash: "Hash", proposer: "Proposer", throughput: "Transactions per block", block: "Block",
    transactions: "Transactions", signer: "Signer", message: "Message", code: "Result", events: "Events",
    events_note: "events are the node's word: the results hash covers only each transaction's code, data and gas",
    results: "Result codes", go: "Go", error: "Error", connecting: "connecting to the node and verifying the root of trust…",
    enter_address: "Enter a wallet address (0x…).", enter_height: "Enter a block height.",
    nonce: "Nonce", ms: "ms",
    nav_credit: "Credit", credit_title: "Credit report", key: "Reader's key", load_key: "Load key", forget_key: "Forget key",
    key_placeholder: "private key (64 hex digits) or keystore JSON", passphrase: "keystore passphrase", key_none: "No key loaded: the node answers credit reads only to a reader the credit module allows (the borrower, an auditor, regulator or credit bureau, a lender of record or with an enquiry).",
    key_note: "The key stays in this page: it signs each read here and is never sent to the console, the relay or the node; it is forgotten when the page is closed or reloaded.",
    reads_signed_by: "Reads signed by", subject: "Credit subject", report_day: "Report day", score: "Score (recomputed in the browser)", computed: "Computed in this browser by the credit module's own report code (that of ledgerd query credit report --prove) over the proven records, each loan brought up to the report day.",
    part: "Characteristic", points: "Points", why: "Why", loans: "Loans", loan: "Loan", lender: "Lender", product: "Product",
    limit: "Limit", balance: "Balance", opened: "Opened", ended: "Ended", overdue_amt: "Overdue", class: "Classification",
    dpd: "Days past due", month_grid: "Monthly codes (last 24 months)", totals: "Totals", loans_open: "Loans / open",
    enquiries: "Enquiries", purpose: "Purpose", no_subject: "This wallet is attested to no credit subject (proven absent): it has no credit report.",
    dropped: "negative records past retention left out", disputes: "Disputes", disputed: "disputed", month: "Month", reason: "Reason", deadline: "Deadline", past_deadline: "past its deadline", answer: "Answer",
    refused: "The node refused the read", codes_legend: "N an installment fell due · * nothing due · M paid late after grace · 1–7 days past due by 30 · B written off · C settled · G ended otherwise · D paid by guarantor · Z paid with assets",
    enter_borrower: "Enter a borrower's wallet address (0x…).",
    nav_case: "Collection", case_title: "Collection case", case_no: "case number", enter_case: "Enter a case number.",
    no_case: "No case with this number (proven absent).", borrower: "Borrower", stage: "Stage", delegate: "Delegated to", until: "until",
    permits: "Permits", escalated: "escalated to", promise: "Promise to pay", due: "due", timeline: "Timeline (the case's history chain)",
    permit: "Permit", channel: "Channel", complaints: "Complaints against the lender", ruling: "Ruling",
  },
  zh: {
    title: "ledgerd 审计控制台", nav_bank: "发行", bank_title: "发行与流通量", supply: "流通量",
    supply_chart: "流通量变化", last_blocks: "最近区块数", each_point: "每个点都以其自身已验证的区块头证明（悬停查看）",
    skipped: "未显示的高度：节点无法应答（状态或区块已裁剪）",
    issued: "未偿发行额", held: "其钱包持有", sum: "合计", invariant: "不变式：流通量 = Σ发行 = Σ持有",
    holds: "成立", broken: "不成立", nav_wallet: "钱包",
    nav_aml: "反洗钱", aml_title: "大额交易报告与预警", reports: "大额交易报告", alerts: "交易频次预警",
    day: "日期", direction: "方向", payments: "笔数", by_day: "按日期", by_bank: "按银行", by_wallet: "按钱包", aml_value: "YYYY-MM-DD、成员标识或 0x 地址", look_up: "查询",
    newest_link: "最新记录", ids_after: "编号大于", index_more: "索引的一整页，至本页最后编号已证明完整；后面还有",
    index_complete: "索引已证明完整：没有其他记录", first_page: "← 第一页",
    newest: "最新记录，至已证明的总数为止完整", inflow: "流入", outflow: "流出",
    nav_gov: "治理", gov_title: "治理", threshold: "通过门槛", eligible: "有投票权的成员", proposal: "提案",
    action: "动作", voting_end: "投票截止", votes: "投票", tally: "计票（赞成 / 所需）", recounted: "在此依据已证明的状态重新计票",
    recorded: "决定时链上记录的计票", passes: "通过", not_yet: "尚未通过", no_proposals: "没有提案。",
    yes: "赞成", no: "反对", abstain: "弃权", nav_network: "网络", nav_block: "区块",
    root: "信任根", trust_height: "信任高度", trust_hash: "信任哈希", pin: "固定",
    tofu: "首次使用即信任：请与其他成员的节点核对此哈希后固定", pinned: "已固定",
    verified: "已验证", not_verified: "未验证", at_height: "状态高度", header: "区块头",
    wallet: "钱包", address: "地址", show: "查询", balances: "余额", bank: "开户银行", tier: "等级",
    status: "状态", open: "正常", closed: "已关闭", limits: "限额与已用", denom: "币种",
    payment_limit: "单笔", daily: "今日：已用 / 限额", received_today: "今日收入",
    annual: "本年：已用 / 限额", balance_cap: "余额上限", none: "无", no_limit: "不限",
    freezes: "冻结令", authority: "发令机构", kind: "类型", legal_basis: "法律依据", expires: "到期",
    history: "交易历史", seq: "序号", time: "时间", counterparty: "对方", amount: "金额",
    balance_after: "交易后余额", detail: "说明", height: "高度", entries: "条，完整",
    page: "页", prev: "上一页", next: "下一页", balance_chart: "余额变化",
    not_found: "此地址没有钱包（已证明不存在）。", loading: "验证中…", done: "完成",
    network: "网络", chain: "链", members: "成员", id: "标识", name: "名称", roles: "角色", nodes: "节点",
    power: "投票权", validators: "验证者", member: "成员", latest_blocks: "最新区块", txs: "交易数",
    hash: "哈希", proposer: "提议者", throughput: "每区块交易数", block: "区块",
    transactions: "交易", signer: "签名者", message: "消息", code: "结果", events: "事件",
    events_note: "事件为节点所述：结果哈希只覆盖每笔交易的结果码、数据与 gas",
    results: "结果码", go: "查看", error: "错误", connecting: "正在连接节点并验证信任根…",
    enter_address: "请输入钱包地址（0x…）。", enter_height: "请输入区块高度。",
    nonce: "序号", ms: "毫秒",
    nav_credit: "征信", credit_title: "信用报告", key: "查询人私钥", load_key: "载入私钥", forget_key: "清除私钥",
    key_placeholder: "私钥（64 位十六进制）或 keystore JSON", passphrase: "keystore 密码", key_none: "未载入私钥：节点只向征信模块允许的查询人提供征信数据（借款人本人、审计、监管或征信机构、记录中的贷款机构或已登记查询的机构）。",
    key_note: "私钥只留在本页面：每次查询都在此签名，从不发送给控制台、中继或节点；关闭或刷新页面即清除。",
    reads_signed_by: "查询签名人", subject: "信用主体", report_day: "报告日期", score: "信用评分（在浏览器中重新计算）", computed: "由本浏览器运行征信模块自身的报告代码（即 ledgerd query credit report --prove 所用代码）基于已证明的记录计算，每笔贷款均推算至报告日。",
    part: "评分项", points: "得分", why: "依据", loans: "贷款", loan: "贷款", lender: "贷款机构", product: "产品",
    limit: "授信额度", balance: "余额", opened: "发放日", ended: "结清日", overdue_amt: "逾期金额", class: "五级分类",
    dpd: "逾期天数", month_grid: "还款记录（近 24 个月）", totals: "汇总", loans_open: "笔数 / 未结清",
    enquiries: "查询记录", purpose: "查询原因", no_subject: "此钱包未认证任何信用主体（已证明不存在）：没有信用报告。",
    dropped: "笔超过保存期限的负面记录未列出", disputes: "异议", disputed: "有异议", month: "月份", reason: "理由", deadline: "答复期限", past_deadline: "已超过答复期限", answer: "答复",
    refused: "节点拒绝了查询", codes_legend: "N 当月有应还款 · * 当月无应还款 · M 宽限期后还清 · 1–7 逾期天数（每 30 天一级） · B 核销 · C 结清 · G 其他方式结束 · D 担保人代偿 · Z 以资抵债",
    enter_borrower: "请输入借款人钱包地址（0x…）。",
    nav_case: "催收", case_title: "催收案件", case_no: "案件编号", enter_case: "请输入案件编号。",
    no_case: "没有此编号的案件（已证明不存在）。", borrower: "借款人", stage: "阶段", delegate: "委托给", until: "至",
    permits: "联系许可数", escalated: "升级至", promise: "还款承诺", due: "到期", timeline: "案件时间线（案件历史链）",
    permit: "许可", channel: "方式", complaints: "针对该贷款机构的投诉", ruling: "裁决",
  },
};

const KIND = {
  zh: { VOTING: "投票中", EXECUTED: "已执行", REJECTED: "已否决", FAILED: "执行失败", YES: "赞成", NO: "反对", ABSTAIN: "弃权",
    OPENED: "开户", DEPOSIT: "存入", REDEEM: "赎回", TRANSFER_OUT: "转出", TRANSFER_IN: "转入", FREEZE: "冻结",
    RELEASE: "解冻", TIER_CHANGE: "等级变更", LIMITS_CHANGE: "限额变更", CLOSED: "销户", RECOVERY_STARTED: "开始恢复",
    RECOVERY_CANCELLED: "取消恢复", KEY_CHANGED: "更换密钥", SECOND_FACTOR: "第二因子", SUB_WALLET: "子钱包",
    FULL: "全部冻结", DEBIT: "只收不付",
    normal: "正常", special_mention: "关注", substandard: "次级", doubtful: "可疑", loss: "损失",
    current: "正常还款", overdue: "逾期", restructured: "重组", settled: "结清", settled_discount: "减免结清", written_off: "核销",
    paid_by_guarantor: "担保人代偿", paid_with_assets: "以资抵债", transferred: "已转让",
    loan_approval: "贷款审批", card_approval: "信用卡审批", guarantee_review: "担保资格审查", post_loan: "贷后管理",
    early: "早期", mid: "中期", late: "后期", write_off: "核销回收", opened: "立案", open: "处理中", closed: "结案",
    stage: "阶段变更", delegated: "委托", delegation_ended: "委托结束", permit: "联系许可", outcome: "联系结果", permit_missed: "未报结果",
    promise: "还款承诺", promise_confirmed: "承诺确认", promise_kept: "承诺履行", promise_broken: "承诺违约", repayment: "还款",
    assigned: "转让", written_off: "核销", plan_offered: "提出方案", plan_accepted: "接受方案", call: "电话", sms: "短信", visit: "上门", letter: "信函",
    upheld: "成立", dismissed: "驳回", proposed: "已提出", confirmed: "已确认", kept: "已履行", broken: "已违约",
    "payment history": "还款记录", "delinquency now": "当前逾期", utilisation: "额度使用率", "age of credit": "信用历史长度", "recent enquiries": "近期查询" },
};

let lang = localStorage.getItem("ledgerd-lang") || (navigator.language.startsWith("zh") ? "zh" : "en");
const t = (k) => (T[lang] && T[lang][k]) || T.en[k] || k;
const kind = (k) => (KIND[lang] && KIND[lang][k]) || String(k).toLowerCase().replace(/_/g, " ");
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const $ = (id) => document.getElementById(id);

let connected = null; // {chain_id, root}
// readerKey is the key loaded on the credit page: kept in this page's
// memory only (and the verifier's), to load again into a verifier made by
// a new root of trust. Never sent anywhere, never stored.
let readerKey = "", readerPass = "";
let readerAddr = "";
let view = null;      // the last view, re-rendered on a language switch
let historyPage = 0;
const PAGE = 50; // verifier.HistoryPageSize

function setStatus(state, text) {
  const s = $("status");
  s.dataset.state = state;
  s.textContent = text;
}

// mark is the verified mark of a section, or the red "not verified".
function mark(sec, id) {
  if (sec && sec.verified) {
    const m = sec.mark;
    const state = m.height === m.header_height ? "" : ` · ${t("at_height")} ${m.height}`; // a block is its own header
    return `<span class="ok" id="${id}" data-verified="true" title="${esc(m.header_hash)}">✔ ${t("verified")}${state} · ${t("header")} ${m.header_height} ${esc(m.header_hash.slice(0, 16))}…</span>` +
      (sec.error ? ` <span class="warn">${esc(sec.error)}</span>` : "");
  }
  return `<div class="notverified" id="${id}" data-verified="false">✘ ${t("not_verified")}: ${esc(sec ? sec.error : "")}</div>`;
}

// Times in the consortium's time zone (utc_offset seconds east of UTC).
function fmtTime(unix, offset) {
  const d = new Date((Number(unix) + offset) * 1000);
  const p = (n) => String(n).padStart(2, "0");
  const sign = offset < 0 ? "-" : "+";
  const oh = Math.floor(Math.abs(offset) / 3600), om = Math.floor((Math.abs(offset) % 3600) / 60);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC${sign}${p(oh)}:${p(om)}`;
}
const isoUnix = (iso) => Math.floor(Date.parse(iso) / 1000);
const amt = (a) => a ? `${esc(a.text)} ${esc(a.denom)}` : "";

function renderRoot() {
  if (!connected) return;
  const r = connected.root;
  $("root").innerHTML = `<span class="mono">${esc(connected.chain_id)} · ${t("height")} ${r.height} · ${esc(r.hash)}</span> ` +
    (r.pinned ? `<span class="ok">${t("pinned")}</span>` : `<span class="warn" id="tofu">⚠ ${t("tofu")}</span>`);
  if (!$("trust-height").value) $("trust-height").value = r.height;
  if (!$("trust-hash").value) $("trust-hash").value = r.hash;
}

function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  document.querySelectorAll("[data-i18n]").forEach((e) => { e.textContent = t(e.dataset.i18n); });
  document.querySelectorAll("[data-i18n-ph]").forEach((e) => { e.placeholder = t(e.dataset.i18nPh); });
  $("lang-en").classList.toggle("active", lang === "en");
  $("lang-zh").classList.toggle("active", lang === "zh");
  renderRoot();
  if (view) view.render();
  const st = $("status");
  if (st.dataset.state === "done" && window.lastRenderMs !== undefined) st.textContent = `${t("done")} · ${window.lastRenderMs} ${t("ms")}`;
}

async function connect(height, hash) {
  $("trust-error").hidden = true;
  setStatus("loading", t("connecting"));
  try {
    connected = JSON.parse(await ledgerd.connect(location.origin + "/rpc", String(height || ""), hash || ""));
    renderRoot();
    if (readerKey) readerAddr = JSON.parse(await ledgerd.setKey(readerKey, readerPass)).reader;
    return true;
  } catch (e) {
    connected = null;
    $("root").innerHTML = `<span class="bad">✘ ${t("not_verified")}</span>`;
    $("trust-error").hidden = false;
    $("trust-error").textContent = String(e);
    $("page").innerHTML = `<div class="notverified" id="root-refused" data-verified="false">✘ ${t("not_verified")}: ${esc(e)}</div>`;
    setStatus("error", String(e));
    return false;
  }
}

// ---- wallet page ----

function walletPage(addr) {
  $("page").innerHTML = `<h1 data-i18n="wallet">${t("wallet")}</h1><form class="query" id="wq"><input id="addr" placeholder="0x…" value="${esc(addr || "")}"><button data-i18n="show">${t("show")}</button></form><div id="wallet"></div>`;
  $("wq").onsubmit = (e) => { e.preventDefault(); location.hash = "#/wallet/" + $("addr").value.trim(); };
  if (!addr) { $("wallet").textContent = t("enter_address"); setStatus("done", t("done")); return; }
  load(() => ledgerd.wallet(addr), (w) => ({ data: w, render() { renderWallet(w); } }));
}

function renderWallet(w) {
  const off = w.utc_offset || 0;
  let h = `<div class="card"><div class="mono">${esc(w.address)}</div>${mark(w.record, "record-mark")}`;
  if (!w.record.verified) { $("wallet").innerHTML = h + "</div>" + historyBlock(w, off); return; }
  if (!w.found) { $("wallet").innerHTML = h + `<p>${t("not_found")}</p></div>`; return; }
  h += `<div class="grid"><div><h2>${t("balances")}</h2><div id="balances">` +
    (w.balances || []).map((b) => `<div class="big" data-denom="${esc(b.denom)}">${amt(b)}</div>`).join("") +
    (w.balances && w.balances.length ? "" : `<div class="muted">${t("none")}</div>`) + `</div></div>` +
    `<div><h2>${t("bank")}</h2>${esc(w.bank)}<h2>${t("tier")} · ${t("status")}</h2>${w.tier} · ${w.closed ? t("closed") : t("open")}</div></div></div>`;
  const lim = (x) => x ? amt(x) : `<span class="muted">${t("no_limit")}</span>`;
  h += `<div class="card"><h2>${t("limits")}</h2><table id="limits"><tr><th>${t("denom")}</th><th class="num">${t("payment_limit")}</th><th class="num">${t("daily")}</th><th class="num">${t("received_today")}</th><th class="num">${t("annual")}</th><th class="num">${t("balance_cap")}</th></tr>` +
    (w.limits || []).map((l) => `<tr><td>${esc(l.denom)}</td><td class="num">${lim(l.payment)}</td><td class="num">${amt(l.used_today)} / ${lim(l.daily)}</td><td class="num">${amt(l.received_today)}</td><td class="num">${amt(l.used_this_year)} / ${lim(l.annual)}</td><td class="num">${lim(l.balance)}</td></tr>`).join("") + `</table></div>`;
  h += `<div class="card"><h2>${t("freezes")}</h2>` + (w.freezes && w.freezes.length ?
    `<table id="freezes"><tr><th>#</th><th>${t("authority")}</th><th>${t("kind")}</th><th>${t("legal_basis")}</th><th>${t("expires")}</th><th>${t("height")}</th></tr>` +
    w.freezes.map((f) => `<tr><td>${f.id}</td><td>${esc(f.authority)}</td><td>${esc(kind(f.kind))}</td><td>${esc(f.legal_basis)}</td><td>${f.expires ? fmtTime(f.expires, off) : "—"}</td><td>${f.height}</td></tr>`).join("") + `</table>` :
    `<div id="freezes" class="muted">${t("none")}</div>`) + `</div>`;
  $("wallet").innerHTML = h + historyBlock(w, off);
  const pager = $("pager");
  if (pager) {
    pager.querySelector(".prev").onclick = () => showPage(w, historyPage - 1);
    pager.querySelector(".next").onclick = () => showPage(w, historyPage + 1);
  }
}

function historyBlock(w, off) {
  let h = `<div class="card"><h2>${t("history")} ${mark(w.history, "history-mark")}</h2>`;
  if (!w.history.verified) return h + "</div>";
  const es = w.entries || [];
  const pages = Math.max(1, Math.ceil(w.history_count / PAGE));
  h += `<div class="muted" id="history-count">${w.history_count} ${t("entries")}</div>`;
  h += balanceChart(w.chart || []);
  h += `<table id="history"><tr><th>${t("seq")}</th><th>${t("time")}</th><th>${t("kind")}</th><th>${t("counterparty")}</th><th class="num">${t("amount")}</th><th class="num">${t("balance_after")}</th><th>${t("detail")}</th><th>${t("height")}</th></tr>` +
    es.map((e) => `<tr data-seq="${e.seq}"><td>${e.seq}</td><td>${fmtTime(e.time, off)}</td><td>${esc(kind(e.kind))}</td><td class="mono">${esc(e.counterparty)}</td><td class="num">${e.amount.minor !== "0" ? amt(e.amount) : ""}</td><td class="num">${e.amount.denom ? amt(e.balance_after) : ""}</td><td>${esc(e.detail)}</td><td><a href="#/block/${e.height}">${e.height}</a></td></tr>`).join("") + `</table>`;
  h += `<div class="pager" id="pager"><button class="prev" ${historyPage === 0 ? "disabled" : ""}>${t("prev")}</button><span>${t("page")} ${historyPage + 1} / ${pages}</span><button class="next" ${historyPage >= pages - 1 ? "disabled" : ""}>${t("next")}</button></div>`;
  return h + "</div>";
}

// showPage replaces the wallet's shown entries with page p of its verified
// history (decoded by the verifier on demand).
async function showPage(w, p) {
  try {
    const pg = JSON.parse(await ledgerd.historyPage(w.address, p));
    historyPage = pg.page;
    w.entries = pg.entries;
    w.history = pg.history;
  } catch (e) {
    w.history = { verified: false, error: String(e) };
  }
  renderWallet(w);
}

// balanceChart draws the balance over the history (sampled by the verifier).
function balanceChart(pts) {
  if (pts.length < 2) return "";
  const denom = pts[0].balance.denom;
  const vals = pts.map((p) => Number(p.balance.minor));
  const W = 760, H = 120, max = Math.max(...vals, 1);
  const xy = vals.map((v, i) => `${(i / (vals.length - 1)) * (W - 50) + 45},${H - 15 - (v / max) * (H - 25)}`).join(" ");
  return `<div><div class="muted">${t("balance_chart")} (${esc(denom)})</div><svg id="balance-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `<line x1="45" y1="${H - 15}" x2="${W - 5}" y2="${H - 15}" stroke="#dde2ea"/><text x="0" y="14">${esc(formatMajor(max, pts[pts.length - 1].balance.text))}</text><text x="0" y="${H - 15}">0</text>` +
    `<polyline fill="none" stroke="#1f5fbf" stroke-width="1.5" points="${xy}"/></svg></div>`;
}

// formatMajor writes minor units with as many decimals as sample has.
function formatMajor(minor, sample) {
  const d = sample.includes(".") ? sample.length - sample.indexOf(".") - 1 : 0;
  const s = String(minor).padStart(d + 1, "0");
  return d ? s.slice(0, s.length - d) + "." + s.slice(s.length - d) : s;
}

// ---- network page ----

function networkPage() {
  $("page").innerHTML = `<h1 data-i18n="network">${t("network")}</h1><div id="network"></div>`;
  load(() => ledgerd.network(), (n) => ({ data: n, render() { renderNetwork(n); } }));
}

function renderNetwork(n) {
  const off = n.utc_offset || 0;
  let h = `<div class="card">${t("chain")}: <span class="mono">${esc(n.chain_id)}</span> ${mark(n.header, "header-mark")}</div>`;
  h += `<div class="card"><h2>${t("members")} ${mark(n.members_proof, "members-mark")}</h2><table id="members"><tr><th>${t("id")}</th><th>${t("name")}</th><th>${t("roles")}</th><th>${t("nodes")}</th><th class="num">${t("power")}</th><th>${t("status")}</th></tr>` +
    (n.members || []).map((m) => `<tr><td>${esc(m.id)}</td><td>${esc(m.name)}</td><td>${esc((m.roles || []).join(", "))}</td><td class="mono">${esc((m.nodes || []).join(" "))}</td><td class="num">${m.power}</td><td>${esc(m.status)}</td></tr>`).join("") + `</table></div>`;
  h += `<div class="card"><h2>${t("validators")} ${mark(n.header, "validators-mark")}</h2><table id="validators"><tr><th>${t("address")}</th><th>${t("member")}</th><th class="num">${t("power")}</th></tr>` +
    (n.validators || []).map((v) => `<tr><td class="mono">${esc(v.address)}</td><td>${esc(v.member)}</td><td class="num">${v.power}</td></tr>`).join("") + `</table></div>`;
  const blocks = n.blocks || [];
  h += `<div class="card"><h2>${t("throughput")} ${mark(n.blocks_proof, "blocks-mark")}</h2>${throughputChart(blocks)}` +
    `<h2>${t("latest_blocks")}</h2><table id="blocks"><tr><th>${t("height")}</th><th>${t("time")}</th><th class="num">${t("txs")}</th><th>${t("hash")}</th></tr>` +
    blocks.map((b) => `<tr><td><a href="#/block/${b.height}">${b.height}</a></td><td>${fmtTime(isoUnix(b.time), off)}</td><td class="num">${b.num_txs}</td><td class="mono">${esc(b.hash)}</td></tr>`).join("") + `</table></div>`;
  $("network").innerHTML = h;
}

function throughputChart(blocks) {
  if (!blocks.length) return "";
  const bs = blocks.slice().reverse();
  const W = 760, H = 130, max = Math.max(1, ...bs.map((b) => b.num_txs));
  const bw = (W - 50) / bs.length;
  const bars = bs.map((b, i) => {
    const bh = (b.num_txs / max) * (H - 30);
    return `<rect x="${45 + i * bw + 1}" y="${H - 15 - bh}" width="${Math.max(1, bw - 2)}" height="${bh}" fill="#1f5fbf"><title>${b.height}: ${b.num_txs}</title></rect>`;
  }).join("");
  return `<svg id="throughput-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><line x1="45" y1="${H - 15}" x2="${W - 5}" y2="${H - 15}" stroke="#dde2ea"/>` +
    `<text x="0" y="16">${max}</text><text x="0" y="${H - 15}">0</text><text x="45" y="${H - 2}">${bs[0].height}</text><text x="${W - 40}" y="${H - 2}">${bs[bs.length - 1].height}</text>${bars}</svg>`;
}

// ---- bank page ----

// #/bank[/SPAN]: the supply chart samples verifier.SupplyPoints heights
// over the last SPAN blocks (default 240).
function bankPage(span) {
  span = /^[0-9]+$/.test(span || "") ? span : "240";
  $("page").innerHTML = `<h1 data-i18n="bank_title">${t("bank_title")}</h1><div id="bank"></div><div class="card" id="supply-card"></div>`;
  let series = null;
  const chart = () => { if ($("supply-card")) $("supply-card").innerHTML = renderSupplySeries(series, span); };
  load(() => ledgerd.bank(), (b) => ({ data: b, render() { renderBank(b); chart(); } })).then(async () => {
    if (!$("supply-card")) return;
    $("supply-card").innerHTML = `<h2>${t("supply_chart")}</h2><div class="muted">${t("loading")}</div>`;
    try {
      series = JSON.parse(await ledgerd.supplyHistory(span));
    } catch (e) {
      series = { proof: { verified: false, error: String(e) }, points: [], skipped: [] };
    }
    chart();
  });
}

// renderSupplySeries draws the supply per denom at each proven height.
function renderSupplySeries(sr, span) {
  if (!sr) return "";
  const spans = ["24", "240", "2400", "24000"].map((n) => `<a href="#/bank/${n}"${n === span ? ' class="active"' : ""}>${n}</a>`).join(" ");
  let h = `<h2>${t("supply_chart")} ${mark(sr.proof, "supply-mark")}</h2><div class="muted">${t("last_blocks")}: ${spans} · ${t("each_point")}</div>`;
  const pts = sr.points || [];
  if (sr.proof && sr.proof.verified && pts.length) {
    const denoms = [...new Set(pts.flatMap((p) => p.supplies.map((a) => a.denom)))].sort();
    const colors = ["#1f5fbf", "#b8680e", "#2e7d32", "#7b1fa2", "#c4101d"];
    const W = 760, H = 150, x0 = 95, h0 = pts[0].mark.height, h1 = pts[pts.length - 1].mark.height;
    const X = (p) => x0 + (h1 === h0 ? 0 : ((p.mark.height - h0) / (h1 - h0)) * (W - x0 - 10));
    let svg = `<svg id="supply-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><line x1="${x0}" y1="${H - 20}" x2="${W - 5}" y2="${H - 20}" stroke="#dde2ea"/>` +
      `<text x="${x0}" y="${H - 4}">${h0}</text><text x="${W - 50}" y="${H - 4}">${h1}</text>`;
    denoms.forEach((d, k) => {
      const at = pts.map((p) => ({ p, a: p.supplies.find((a) => a.denom === d) })).filter((q) => q.a);
      const vals = at.map((q) => Number(q.a.minor));
      const lo = Math.min(...vals), hi = Math.max(...vals);
      const Y = (v) => hi === lo ? H / 2 : H - 25 - ((v - lo) / (hi - lo)) * (H - 40);
      const c = colors[k % colors.length];
      svg += `<text x="0" y="${14 + k * 30}" fill="${c}">${esc(at[at.length - 1].a.text)} ${esc(d)}</text>` +
        (hi !== lo ? `<text x="0" y="${H - 24 - k * 14}" fill="${c}">${esc(at.find((q) => Number(q.a.minor) === lo).a.text)}</text>` : "") +
        `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${at.map((q) => `${X(q.p)},${Y(Number(q.a.minor))}`).join(" ")}"/>` +
        at.map((q) => `<circle class="supply-point" cx="${X(q.p)}" cy="${Y(Number(q.a.minor))}" r="3" fill="${c}" data-height="${q.p.mark.height}"><title>${q.p.mark.height}: ${esc(q.a.text)} ${esc(d)} · ✔ ${t("header")} ${q.p.mark.header_height} ${esc(q.p.mark.header_hash.slice(0, 16))}…</title></circle>`).join("");
    });
    h += svg + `</svg>`;
  }
  if ((sr.skipped || []).length) {
    h += `<div class="warn" id="supply-skipped">${t("skipped")}: ` + sr.skipped.map((s) => `${s.height} (${esc(s.reason)})`).join("; ") + `</div>`;
  }
  return h;
}

function renderBank(b) {
  let h = `<div class="card">${mark(b.proof, "bank-mark")}</div>`;
  for (const d of b.denoms || []) {
    h += `<div class="card" data-denom="${esc(d.denom)}"><h2>${esc(d.denom)} · ${t("supply")} <span class="big">${amt(d.supply)}</span></h2>` +
      `<div id="invariant-${esc(d.denom)}" class="${d.holds ? "ok" : "bad"}" data-holds="${d.holds}">${d.holds ? "✔" : "✘"} ${t("invariant")}: ${d.holds ? t("holds") : t("broken")}</div>` +
      `<table><tr><th>${t("bank")}</th><th class="num">${t("issued")}</th><th class="num">${t("held")}</th></tr>` +
      d.banks.map((x) => `<tr><td>${esc(x.bank)}</td><td class="num">${esc(x.outstanding)} ${esc(d.denom)}</td><td class="num">${amt(x.held)}</td></tr>`).join("") +
      `<tr><th>${t("sum")}</th><th class="num">${esc(d.sum_issued)} ${esc(d.denom)}</th><th class="num">${esc(d.sum_held)} ${esc(d.denom)}</th></tr></table></div>`;
  }
  $("bank").innerHTML = h;
}

// ---- AML page ----

// #/aml: the newest records. #/aml/<kind>/<by>/<value>[/after/<id>]: a
// lookup through the node's index of a day, bank or wallet, a page of
// verifier.AMLPageSize records with ids greater than <id>.
function amlPage(kind, by, value, after) {
  const lookup = !!(kind && by && value);
  kind = kind || "reports"; by = by || "day";
  const opt = (v, key, sel) => `<option value="${v}"${v === sel ? " selected" : ""} data-i18n="${key}">${t(key)}</option>`;
  $("page").innerHTML = `<h1 data-i18n="aml_title">${t("aml_title")}</h1>` +
    `<form class="query" id="af"><select id="aml-kind">${opt("reports", "reports", kind)}${opt("alerts", "alerts", kind)}</select>` +
    `<select id="aml-by">${opt("day", "by_day", by)}${opt("bank", "by_bank", by)}${opt("wallet", "by_wallet", by)}</select>` +
    `<input id="aml-value" data-i18n-ph="aml_value" placeholder="${t("aml_value")}" value="${esc(value || "")}"><button data-i18n="look_up">${t("look_up")}</button>` +
    (lookup ? ` <a href="#/aml" data-i18n="newest_link">${t("newest_link")}</a>` : "") + `</form><div id="aml"></div>`;
  $("af").onsubmit = (e) => {
    e.preventDefault();
    const v = $("aml-value").value.trim();
    if (v) location.hash = `#/aml/${$("aml-kind").value}/${$("aml-by").value}/${encodeURIComponent(v)}`;
  };
  if (lookup) {
    load(() => ledgerd.amlIndex(kind, by, value, String(after || 0)), (a) => ({ data: a, render() { renderAMLIndex(a); } }));
  } else {
    load(() => ledgerd.aml(), (a) => ({ data: a, render() { renderAML(a); } }));
  }
}

// byLinks are a record's day and bank as links to their lookups.
function byLinks(kind, r) {
  return `<td><a href="#/aml/${kind}/day/${esc(r.day)}">${esc(r.day)}</a></td><td><a href="#/aml/${kind}/bank/${encodeURIComponent(r.bank)}">${esc(r.bank)}</a></td>`;
}

function reportRows(rs, off) {
  return `<table id="reports"><tr><th>#</th><th>${t("day")}</th><th>${t("bank")}</th><th>${t("wallet")}</th><th>${t("direction")}</th><th class="num">${t("amount")}</th><th>${t("time")}</th><th>${t("height")}</th></tr>` +
    rs.map((r) => `<tr><td>${r.id}</td>${byLinks("reports", r)}<td class="mono"><a href="#/wallet/${esc(r.wallet)}">${esc(r.wallet)}</a></td><td>${t(r.direction)}</td><td class="num">${amt(r.amount)}</td><td>${fmtTime(r.time, off)}</td><td><a href="#/block/${r.height}">${r.height}</a></td></tr>`).join("") + `</table>`;
}

function alertRows(as, off) {
  return `<table id="alerts"><tr><th>#</th><th>${t("day")}</th><th>${t("bank")}</th><th>${t("wallet")}</th><th class="num">${t("payments")}</th><th>${t("time")}</th><th>${t("height")}</th></tr>` +
    as.map((r) => `<tr><td>${r.id}</td>${byLinks("alerts", r)}<td class="mono"><a href="#/wallet/${esc(r.wallet)}">${esc(r.wallet)}</a></td><td class="num">${r.payments}</td><td>${fmtTime(r.time, off)}</td><td><a href="#/block/${r.height}">${r.height}</a></td></tr>`).join("") + `</table>`;
}

function renderAML(a) {
  const off = a.utc_offset || 0;
  let h = `<div class="card">${mark(a.proof, "aml-mark")}</div>`;
  h += `<div class="card"><h2>${t("reports")} <span class="muted">${a.reports.length} / ${a.report_count} · ${t("newest")}</span></h2>${reportRows(a.reports || [], off)}</div>`;
  h += `<div class="card"><h2>${t("alerts")} <span class="muted">${a.alerts.length} / ${a.alert_count} · ${t("newest")}</span></h2>${alertRows(a.alerts || [], off)}</div>`;
  $("aml").innerHTML = h;
}

function renderAMLIndex(a) {
  const off = a.utc_offset || 0;
  const rows = a.kind === "alerts" ? a.alerts : a.reports;
  const base = `#/aml/${a.kind}/${a.by}/${encodeURIComponent(a.value)}`;
  let h = `<div class="card"><h2>${t(a.kind)} · ${t("by_" + a.by)}: <span class="mono">${esc(a.value)}</span> ${mark(a.proof, "aml-mark")}</h2>`;
  if (a.proof && a.proof.verified) {
    h += `<div class="muted" id="aml-scope">${rows.length} · ${a.after ? t("ids_after") + " " + a.after + " · " : ""}${t(a.next ? "index_more" : "index_complete")}</div>`;
    h += a.kind === "alerts" ? alertRows(rows, off) : reportRows(rows, off);
    h += `<div class="pager">${a.after ? `<a href="${base}">${t("first_page")}</a> ` : ""}${a.next ? `<a id="aml-next" href="${base}/after/${a.next}">${t("next")} →</a>` : ""}</div>`;
  }
  $("aml").innerHTML = h + `</div>`;
}

// ---- governance page ----

function govPage() {
  $("page").innerHTML = `<h1 data-i18n="gov_title">${t("gov_title")}</h1><div id="gov"></div>`;
  load(() => ledgerd.gov(), (g) => ({ data: g, render() { renderGov(g); } }));
}

function renderGov(g) {
  const off = g.utc_offset || 0;
  let h = `<div class="card">${mark(g.proof, "gov-mark")}<div>${t("threshold")}: ${esc(g.threshold || "")} · ${t("eligible")}: ${g.eligible || 0}</div></div>`;
  if (g.proof.verified && !(g.proposals || []).length) h += `<div class="card muted">${t("no_proposals")}</div>`;
  for (const p of g.proposals || []) {
    const tl = p.tally;
    h += `<div class="card" id="proposal-${p.id}"><h2>${t("proposal")} ${p.id}: ${esc(p.title)} <span class="muted">${esc(kind(p.status))}</span></h2>` +
      `<div>${t("action")}: <span class="mono">${esc(p.action)}</span> · ${esc(p.proposer)} · ${t("voting_end")} ${fmtTime(p.voting_end, off)}</div>` +
      `<div class="tally"><b>${t("tally")}: ${tl.yes} / ${tl.needed}</b> · ${t("no")} ${tl.no} · ${t("abstain")} ${tl.abstain} · ${t("eligible")} ${tl.eligible} · ` +
      `<span class="${tl.passes ? "ok" : "muted"}">${tl.passes ? t("passes") : t("not_yet")}</span> <span class="muted">(${p.recounted ? t("recounted") : t("recorded")})</span></div>` +
      `<table><tr><th>${t("member")}</th><th>${t("votes")}</th><th>${t("height")}</th></tr>` +
      (p.votes || []).map((v) => `<tr><td>${esc(v.member)}</td><td>${esc(kind(v.option))}</td><td>${v.height}</td></tr>`).join("") + `</table></div>`;
  }
  $("gov").innerHTML = h;
}

// ---- block page ----

function blockPage(height) {
  $("page").innerHTML = `<h1 data-i18n="block">${t("block")}</h1><form class="query" id="bq"><input id="height" placeholder="${t("height")}" value="${esc(height || "")}"><button data-i18n="go">${t("go")}</button></form><div id="block"></div>`;
  $("bq").onsubmit = (e) => { e.preventDefault(); location.hash = "#/block/" + $("height").value.trim(); };
  if (!height) { $("block").textContent = t("enter_height"); setStatus("done", t("done")); return; }
  load(() => ledgerd.block(height), (b) => ({ data: b, render() { renderBlock(b); } }));
}

function renderBlock(b) {
  const off = b.utc_offset || 0;
  let h = `<div class="card">${mark(b.block, "block-mark")}`;
  if (b.info) h += `<div>${t("height")} ${b.info.height} · ${fmtTime(isoUnix(b.info.time), off)} · ${b.info.num_txs} ${t("txs")}</div><div class="mono">${esc(b.info.hash)}</div>`;
  h += `</div><div class="card"><h2>${t("transactions")}</h2><div>${t("results")}: ${mark(b.results, "results-mark")}</div><div class="muted">${t("events")}: ${t("events_note")}</div>`;
  h += `<table id="txs"><tr><th>${t("hash")}</th><th>${t("signer")} / ${t("nonce")}</th><th>${t("message")}</th><th>${t("code")}</th><th>${t("events")}</th></tr>` +
    (b.txs || []).map((x) => `<tr><td class="mono">${esc(x.hash.slice(0, 16))}…</td><td class="mono">${esc(x.signer)} / ${x.nonce}</td><td><b>${esc(x.message)}</b><div class="mono">${esc(x.body)}</div></td><td>${x.code === 0 ? "OK" : `<span class="bad">${x.code}</span> ${esc(x.log)}`}</td><td class="mono">${(x.events || []).map((e) => esc(e.type) + " " + e.attrs.map((a) => esc(a[0]) + "=" + esc(a[1])).join(" ")).join("<br>")}</td></tr>`).join("") + `</table></div>`;
  $("block").innerHTML = h;
}

// ---- credit page ----

function keyForm() {
  return `<div class="card" id="keycard"><h2 data-i18n="key">${t("key")}</h2><form class="query" id="kf"><input id="key" type="password" autocomplete="off" spellcheck="false" data-i18n-ph="key_placeholder" placeholder="${t("key_placeholder")}"><input id="passphrase" type="password" autocomplete="off" class="pass" data-i18n-ph="passphrase" placeholder="${t("passphrase")}">` +
    `<button id="load-key" data-i18n="load_key">${t("load_key")}</button><button type="button" id="forget" data-i18n="forget_key">${t("forget_key")}</button></form>` +
    `<div id="reader">${readerAddr ? `<span data-i18n="reads_signed_by">${t("reads_signed_by")}</span> <span class="mono">${esc(readerAddr)}</span>` : `<span class="muted" data-i18n="key_none">${t("key_none")}</span>`}</div>` +
    `<div class="muted" data-i18n="key_note">${t("key_note")}</div><div id="key-error" class="bad"></div></div>`;
}

// keyHandlers wires the key card; again re-renders the page after a key
// is loaded or forgotten.
function keyHandlers(again) {
  $("kf").onsubmit = async (e) => {
    e.preventDefault();
    const k = $("key").value.trim(), pass = $("passphrase").value;
    $("key").value = "";
    $("passphrase").value = "";
    $("key-error").textContent = "";
    try {
      readerAddr = JSON.parse(await ledgerd.setKey(k, pass)).reader;
      readerKey = k;
      readerPass = pass;
      again();
    } catch (err) {
      $("key-error").textContent = String(err);
    }
  };
  $("forget").onclick = async () => { await ledgerd.setKey("", ""); readerKey = ""; readerPass = ""; readerAddr = ""; again(); };
}

// refusal is a section the node refused to a reader (query/8), or its mark.
function refusalOr(sec, id) {
  if (!sec.verified && /code 8\b/.test(sec.error || "")) {
    return `<div class="notverified" id="${id}-refused" data-verified="false">✘ ${t("refused")} (query/8): ${esc(sec.error)}</div>`;
  }
  return mark(sec, id + "-mark");
}

function creditPage(addr) {
  $("page").innerHTML = `<h1 data-i18n="credit_title">${t("credit_title")}</h1><form class="query" id="cq"><input id="borrower" placeholder="0x…" value="${esc(addr || "")}"><button data-i18n="show">${t("show")}</button></form>${keyForm()}<div id="credit"></div>`;
  $("cq").onsubmit = (e) => { e.preventDefault(); location.hash = "#/credit/" + $("borrower").value.trim(); };
  keyHandlers(() => creditPage(addr));
  if (!addr) { $("credit").textContent = t("enter_borrower"); setStatus("done", t("done")); return; }
  load(() => ledgerd.credit(addr), (c) => ({ data: c, render() { renderCredit(c); } }));
}

function renderCredit(c) {
  let h = `<div class="card"><div class="mono">${esc(c.address)}</div>`;
  if (!c.report.verified) {
    $("credit").innerHTML = h + refusalOr(c.report, "credit") + `</div>`;
    return;
  }
  h += mark(c.report, "credit-mark");
  if (!c.found) { $("credit").innerHTML = h + `<p id="no-subject">${t("no_subject")}</p></div>`; return; }
  h += `<div>${t("subject")}: <span class="mono">${esc(c.subject)}</span> · ${t("report_day")} ${esc(c.day)}` +
    (c.reader ? ` · ${t("reads_signed_by")} <span class="mono">${esc(c.reader)}</span>` : "") + `</div></div>`;
  const s = c.score;
  h += `<div class="card"><h2>${t("score")} <span class="big" id="score">${s.points} / ${s.max}</span></h2>` +
    `<table id="score-parts"><tr><th>${t("part")}</th><th class="num">${t("points")}</th><th>${t("why")}</th></tr>` +
    s.parts.map((p) => `<tr><td>${esc(kind(p.name))}</td><td class="num">${p.points} / ${p.max}</td><td class="muted">${esc(p.why)}</td></tr>`).join("") + `</table>` +
    `<div class="muted" id="computed">${t("computed")}</div></div>`;
  const months = c.months || [];
  h += `<div class="card"><h2>${t("loans")}</h2><table id="loans"><tr><th>${t("loan")}</th><th>${t("lender")} · ${t("product")}</th><th class="num">${t("limit")}</th><th class="num">${t("balance")}</th><th>${t("opened")}</th><th>${t("class")}</th><th>${t("status")}</th><th class="num">${t("dpd")}</th><th class="num">${t("overdue_amt")}</th></tr>` +
    (c.loans || []).map((l) => `<tr data-loan="${l.id}"><td>${l.id}</td><td>${esc(l.lender)} · ${esc(l.product)}</td><td class="num">${amt(l.limit)}</td><td class="num">${amt(l.balance)}</td><td>${esc(l.opened)}${l.ended ? " – " + esc(l.ended) : ""}</td><td class="class-${esc(l.class)}">${esc(kind(l.class))}</td><td>${esc(kind(l.status))}${l.restructured ? " · " + esc(kind("restructured")) : ""}${l.disputed ? ` · <span class="warn">${t("disputed")}</span>` : ""}</td><td class="num">${l.days_past_due}</td><td class="num">${amt(l.overdue)}</td></tr>`).join("") + `</table>`;
  h += `<h2>${t("month_grid")}</h2><div class="gridwrap"><table id="month-grid" class="codes"><tr><th>${t("loan")}</th>` +
    months.map((m, i) => `<th title="${esc(m)}">${i === 0 || m.endsWith("-01") ? esc(m) : esc(m.slice(5))}</th>`).join("") + `</tr>` +
    (c.loans || []).map((l) => `<tr data-loan="${l.id}"><td>${l.id}</td>` + l.cells.map((x, i) => `<td class="code code-${x ? esc(x) : "none"}" title="${esc(months[i])}">${x ? esc(x) : "·"}</td>`).join("") + `</tr>`).join("") +
    `</table></div><div class="muted">${t("codes_legend")}</div>` + (c.dropped ? `<div class="muted">${c.dropped} ${t("dropped")}</div>` : "") + `</div>`;
  h += `<div class="card"><h2>${t("totals")}</h2><table id="totals"><tr><th>${t("denom")}</th><th class="num">${t("loans_open")}</th><th class="num">${t("limit")}</th><th class="num">${t("balance")}</th><th class="num">${t("overdue_amt")}</th></tr>` +
    (c.totals || []).map((x) => `<tr><td>${esc(x.denom)}</td><td class="num">${x.loans} / ${x.open}</td><td class="num">${amt(x.limit)}</td><td class="num">${amt(x.balance)}</td><td class="num">${amt(x.overdue)}</td></tr>`).join("") + `</table>`;
  h += `<h2>${t("enquiries")}</h2>` + ((c.enquiries || []).length ? `<table id="enquiries"><tr><th>#</th><th>${t("day")}</th><th>${t("lender")}</th><th>${t("purpose")}</th></tr>` +
    c.enquiries.map((e) => `<tr><td>${e.seq}</td><td>${esc(e.day)}</td><td>${esc(e.lender)}</td><td>${esc(kind(e.purpose))}</td></tr>`).join("") + `</table>` : `<div class="muted" id="enquiries">${t("none")}</div>`);
  if ((c.disputes || []).length) {
    h += `<h2>${t("disputes")}</h2><table id="disputes"><tr><th>#</th><th>${t("loan")}</th><th>${t("lender")}</th><th>${t("month")}</th><th>${t("reason")}</th><th>${t("opened")}</th><th>${t("deadline")}</th><th>${t("status")}</th><th>${t("answer")}</th></tr>` +
      c.disputes.map((d) => `<tr><td>${d.id}</td><td>${d.loan}</td><td>${esc(d.lender)}</td><td>${esc(d.month)}</td><td>${esc(d.reason)}</td><td>${esc(d.opened)}</td><td>${esc(d.deadline)}</td><td>${esc(kind(d.status))}${d.past_deadline ? ` · <span class="warn">${t("past_deadline")}</span>` : ""}</td><td>${esc(d.answer || "")}</td></tr>`).join("") + `</table>`;
  }
  h += `</div>`;
  $("credit").innerHTML = h;
}

// ---- collection case page ----

function casePage(id) {
  $("page").innerHTML = `<h1 data-i18n="case_title">${t("case_title")}</h1><form class="query" id="sq"><input id="case-id" placeholder="${t("case_no")}" value="${esc(id || "")}"><button data-i18n="show">${t("show")}</button></form>${keyForm()}<div id="case"></div>`;
  $("sq").onsubmit = (e) => { e.preventDefault(); location.hash = "#/case/" + $("case-id").value.trim(); };
  keyHandlers(() => casePage(id));
  if (!id) { $("case").textContent = t("enter_case"); setStatus("done", t("done")); return; }
  load(() => ledgerd.collectionCase(id), (c) => ({ data: c, render() { renderCase(c); } }));
}

function renderCase(c) {
  const off = c.utc_offset || 0;
  let h = `<div class="card"><h2>${t("case_title")} ${c.id}</h2>` + refusalOr(c.record, "case");
  if (!c.record.verified) { $("case").innerHTML = h + `</div>`; return; }
  if (!c.found) { $("case").innerHTML = h + `<p id="no-case">${t("no_case")}</p></div>`; return; }
  h += `<table id="case-record"><tr><th>${t("loan")}</th><th>${t("lender")}</th><th>${t("borrower")}</th><th>${t("status")}</th><th>${t("stage")}</th><th>${t("delegate")}</th><th>${t("opened")}</th><th>${t("permits")}</th></tr>` +
    `<tr><td>${c.loan}</td><td>${esc(c.lender)}</td><td class="mono"><a href="#/credit/${esc(c.borrower)}">${esc(c.borrower)}</a></td><td>${esc(kind(c.status))}${c.closed ? " " + esc(c.closed) + " " + esc(c.closed_reason) : ""}</td>` +
    `<td>${esc(kind(c.stage))}${c.escalated ? " (" + t("escalated") + " " + esc(kind(c.escalated)) + ")" : ""}</td><td>${c.delegate ? esc(c.delegate) + " · " + t("until") + " " + fmtTime(c.delegate_until, off) : t("none")}</td><td>${esc(c.opened)}</td><td>${c.permits}</td></tr></table>` +
    (c.promise ? `<div>${t("promise")}: ${amt(c.promise)} · ${t("due")} ${esc(c.promise_due)} · ${esc(kind(c.promise_state))}</div>` : "") + `</div>`;
  h += `<div class="card"><h2>${t("timeline")} ${mark(c.timeline, "timeline-mark")}</h2>`;
  if (c.timeline.verified) {
    h += `<div class="muted">${c.history_count} ${t("entries")}</div><table id="timeline"><tr><th>#</th><th>${t("day")}</th><th>${t("kind")}</th><th>${t("stage")}</th><th class="num">${t("dpd")}</th><th>${t("member")}</th><th>${t("permit")}</th><th>${t("channel")}</th><th class="num">${t("amount")}</th><th>${t("detail")}</th></tr>` +
      (c.events || []).slice().reverse().map((e) => `<tr data-seq="${e.seq}"><td>${e.seq}</td><td>${esc(e.day)}</td><td>${esc(kind(e.kind))}</td><td>${esc(kind(e.stage))}</td><td class="num">${e.days_past_due}</td><td>${esc(e.member)}${e.by ? ` <span class="mono">${esc(e.by)}</span>` : ""}</td><td>${e.permit || ""}</td><td>${esc(e.channel ? kind(e.channel) : "")}</td><td class="num">${e.amount ? amt(e.amount) : ""}</td><td>${esc(e.detail)}${e.hash ? ` <span class="mono">${esc(e.hash.slice(0, 16))}…</span>` : ""}</td></tr>`).join("") + `</table>`;
  }
  h += `</div><div class="card"><h2>${t("complaints")} ${refusalOr(c.complaints, "complaints")}</h2>`;
  if (c.complaints.verified) {
    h += (c.filed || []).length ? `<table id="complaints"><tr><th>#</th><th>${t("time")}</th><th>${t("channel")}</th><th>${t("permit")}</th><th>${t("status")}</th><th>${t("ruling")}</th></tr>` +
      c.filed.map((x) => `<tr><td>${x.id}</td><td>${fmtTime(x.time, off)}</td><td>${esc(kind(x.channel))}</td><td>${x.permit || ""}</td><td>${esc(kind(x.status))}</td><td>${esc(x.ruling)}</td></tr>`).join("") + `</table>` :
      `<div class="muted" id="complaints">${t("none")}</div>`;
  }
  $("case").innerHTML = h + `</div>`;
}

// ---- routing ----

async function load(call, make) {
  view = null;
  setStatus("loading", t("loading"));
  const started = performance.now();
  try {
    const answer = await call();
    const t0 = performance.now();
    const data = JSON.parse(answer);
    const t1 = performance.now();
    view = make(data);
    historyPage = 0;
    view.render();
    window.timings = Object.assign({}, data.millis || {}, { parse: Math.round(t1 - t0), render: Math.round(performance.now() - t1) });
    const ms = Math.round(performance.now() - started);
    window.lastRenderMs = ms;
    window.doneAt = performance.now();
    setStatus("done", `${t("done")} · ${ms} ${t("ms")}`);
  } catch (e) {
    $("page").insertAdjacentHTML("beforeend", `<div class="notverified" id="page-error" data-verified="false">✘ ${t("not_verified")}: ${esc(e)}</div>`);
    setStatus("error", String(e));
  }
}

function route() {
  if (!connected) return;
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.getAttribute("href") === "#/" + parts[0]));
  switch (parts[0]) {
    case "network": return networkPage();
    case "bank": return bankPage(parts[1]);
    case "gov": return govPage();
    case "aml": return amlPage(parts[1], parts[2], parts[3] && decodeURIComponent(parts[3]), parts[4] === "after" ? parts[5] : 0);
    case "block": return blockPage(parts[1]);
    case "credit": return creditPage(parts[1]);
    case "case": return casePage(parts[1]);
    default: return walletPage(parts[1]);
  }
}

async function start() {
  const go = new Go();
  const ready = new Promise((r) => window.addEventListener("ledgerd-ready", r, { once: true }));
  const res = await WebAssembly.instantiateStreaming(fetch("/static/console.wasm"), go.importObject);
  go.run(res.instance);
  await ready;
  const cfg = window.CONSOLE_CONFIG || {};
  const q = new URLSearchParams(location.search);
  const h = q.get("trust_height") || (cfg.trust_height ? String(cfg.trust_height) : "");
  const hash = q.get("trust_hash") || cfg.trust_hash || "";
  $("trust-height").value = h;
  $("trust-hash").value = hash;
  if (await connect(h, hash)) route();
}

$("lang-en").onclick = () => { lang = "en"; localStorage.setItem("ledgerd-lang", lang); applyLang(); };
$("lang-zh").onclick = () => { lang = "zh"; localStorage.setItem("ledgerd-lang", lang); applyLang(); };
$("pin").onsubmit = async (e) => {
  e.preventDefault();
  if (await connect($("trust-height").value.trim(), $("trust-hash").value.trim())) route();
};
window.addEventListener("hashchange", route);
applyLang();
start().catch((e) => { setStatus("error", String(e)); $("page").innerHTML = `<div class="notverified">✘ ${esc(e)}</div>`; });
