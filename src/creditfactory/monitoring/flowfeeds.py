"""Account-transaction and invoice feeds: record schemas, validation, and the sorting of a feed into
accepted / duplicates / rejects with the same rules as the external-event feed (`feeds`).

Account transactions (JSONL object or CSV row; docs/monitoring.md "Fund-flow feed"):

    txn_id                 text ≤ 128, the idempotency key
    uscc                   the monitored borrower the record is reported under (GB 32100-2015)
    account                party holding the account the bank sees: the borrower (its borrower id
                           or USCC), its controller / a related party (ids as enrolled), or a third
                           party (money moving between outsiders on the way back)
    counterparty           the other party (same keys)
    counterparty_category  supplier | customer | real_estate_developer | securities | futures |
                           lender | individual | other
    amount                 decimal string, yuan, > 0, at most 2 decimals (never a JSON number)
    direction              out (account pays counterparty) | in (counterparty pays account)
    value_date             YYYY-MM-DD
    loan_ref               optional: the loan id on the disbursement payment itself
    entrusted_payee        optional, on a 受托支付 disbursement line: the contract counterparty from
                           the payment instruction (the rule checks the money reached it)

Invoices: the CUMCM 2020 C layout (`adapters.gateways.invoices_file` headers) — 企业代号, 发票号码,
开票日期 (YYYY/M/D or YYYY-MM-DD), 购方单位代号 (a sales invoice, 销项) or 销方单位代号 (a purchase
invoice, 进项), 金额, 税额, 价税合计 (decimal text; negative for 红字), 发票状态 (有效发票 / 作废发票).
企业代号 is the borrower's USCC or borrower id. The key is 企业代号 | direction | 发票号码.

Nothing is lost: each line is accepted, a duplicate (same key, same content: ignored) or a reject
(`malformed` with field and rule, `unknown_borrower`, `conflicting_duplicate`). Accepted records
dated in a period already scanned, or before an earlier line of the same sequence (account;
borrower and direction), are flagged out of order and reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from creditfactory.kernel.money import Money
from creditfactory.monitoring.errors import MalformedEvent
from creditfactory.monitoring.feeds import FeedReject, record_digest
from creditfactory.monitoring.fundflow import CounterpartyCategory, Transfer
from creditfactory.origination.identity import CheckStatus, check_uscc
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice

__all__ = [
    "AccountTransaction",
    "AcceptedRecord",
    "RecordBatch",
    "invoice_key",
    "parse_invoice",
    "parse_transaction",
    "sort_records",
]

T = TypeVar("T")
INVOICE_STATUS = {"有效发票": InvoiceStatus.VALID, "作废发票": InvoiceStatus.VOID}
_CATEGORIES = ", ".join(c.value for c in CounterpartyCategory)


@dataclass(frozen=True)
class AccountTransaction:
    """One account transaction as the feed gives it (amount in yuan)."""

    txn_id: str
    uscc: str
    account: str
    counterparty: str
    counterparty_category: CounterpartyCategory
    amount: Decimal
    direction: str
    value_date: date
    loan_ref: str | None = None
    entrusted_payee: str | None = None

    def transfer(self, aliases: Mapping[str, str]) -> Transfer:
        """As a payer → payee `Transfer`; `aliases` maps party keys (e.g. the borrower's USCC) to
        the ids the group uses. The category is the payee's (known only for outflows)."""
        account = aliases.get(self.account, self.account)
        other = aliases.get(self.counterparty, self.counterparty)
        if self.direction == "out":
            return Transfer(
                self.txn_id,
                account,
                other,
                self.amount,
                self.value_date,
                self.counterparty_category,
                self.loan_ref,
            )
        return Transfer(
            self.txn_id,
            other,
            account,
            self.amount,
            self.value_date,
            CounterpartyCategory.OTHER,
            self.loan_ref,
        )


def _text(record: Mapping[str, Any], name: str, max_len: int, required: bool = True) -> str | None:
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MalformedEvent(name, "required non-empty text")
        return None
    if not isinstance(value, str):
        raise MalformedEvent(name, "text")
    if len(value.strip()) > max_len:
        raise MalformedEvent(name, f"at most {max_len} characters")
    return value.strip()


def _req(record: Mapping[str, Any], name: str, max_len: int) -> str:
    value = _text(record, name, max_len)
    assert value is not None  # required=True raises instead of returning None
    return value


def _amount(record: Mapping[str, Any], name: str, positive: bool) -> Decimal:
    raw = record.get(name)
    if not isinstance(raw, str):  # a JSON number may already have lost cents to binary floats
        raise MalformedEvent(name, "a decimal string")
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise MalformedEvent(name, "a decimal string") from None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or (isinstance(exponent, int) and exponent < -2):
        raise MalformedEvent(name, "at most 2 decimals")
    if positive and value <= 0:
        raise MalformedEvent(name, "greater than 0")
    return value


def _day(record: Mapping[str, Any], name: str) -> date:
    text = _req(record, name, 10)
    try:
        if "/" in text:
            year, month, day = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise MalformedEvent(name, "a date YYYY-MM-DD or YYYY/M/D") from None


def parse_transaction(record: Mapping[str, Any]) -> AccountTransaction:
    """Validate one account-transaction record; raises MalformedEvent(field, rule)."""
    txn_id = _req(record, "txn_id", 128)
    check = check_uscc(_req(record, "uscc", 32))
    if check.status is CheckStatus.INVALID:
        raise MalformedEvent("uscc", f"GB 32100-2015 {check.rule}")
    account = _req(record, "account", 64)
    counterparty = _req(record, "counterparty", 64)
    try:
        category = CounterpartyCategory(_req(record, "counterparty_category", 32))
    except ValueError:
        raise MalformedEvent("counterparty_category", f"one of {_CATEGORIES}") from None
    amount = _amount(record, "amount", positive=True)
    direction = _req(record, "direction", 8)
    if direction not in ("out", "in"):
        raise MalformedEvent("direction", "out or in")
    if account == counterparty:
        raise MalformedEvent("counterparty", "differs from account")
    return AccountTransaction(
        txn_id,
        check.value,
        account,
        counterparty,
        category,
        amount,
        direction,
        _day(record, "value_date"),
        _text(record, "loan_ref", 64, required=False),
        _text(record, "entrusted_payee", 64, required=False),
    )


def parse_invoice(record: Mapping[str, Any]) -> VATInvoice:
    """Validate one invoice row in the CUMCM layout; the counterparty column gives the direction
    (购方单位代号 → sales / OUTPUT, 销方单位代号 → purchase / INPUT). raises MalformedEvent."""
    buyer, seller = record.get("购方单位代号"), record.get("销方单位代号")
    if (buyer is None) == (seller is None):
        raise MalformedEvent("购方单位代号", "exactly one of 购方单位代号 / 销方单位代号")
    direction = InvoiceDirection.OUTPUT if buyer is not None else InvoiceDirection.INPUT
    party_field = "购方单位代号" if buyer is not None else "销方单位代号"
    status = INVOICE_STATUS.get(_req(record, "发票状态", 8))
    if status is None:
        raise MalformedEvent("发票状态", "有效发票 or 作废发票")
    return VATInvoice(
        enterprise_code=_req(record, "企业代号", 32),
        invoice_number=_req(record, "发票号码", 64),
        issue_date=_day(record, "开票日期"),
        counterparty_code=_req(record, party_field, 64),
        direction=direction,
        amount=Money(_amount(record, "金额", positive=False)),
        tax_amount=Money(_amount(record, "税额", positive=False)),
        total_amount=Money(_amount(record, "价税合计", positive=False)),
        status=status,
    )


def invoice_key(invoice: VATInvoice) -> str:
    """The idempotency key: 企业代号 | direction | 发票号码."""
    return f"{invoice.enterprise_code}|{invoice.direction.value}|{invoice.invoice_number}"


@dataclass(frozen=True)
class AcceptedRecord(Generic[T]):
    """An accepted record with its key, borrower, content digest and raw text."""

    line_no: int
    key: str
    record: T
    borrower_id: str
    digest: str
    raw: str
    out_of_order: bool = False


@dataclass
class RecordBatch(Generic[T]):
    """One feed sorted: accepted, duplicate line numbers, rejects."""

    accepted: list[AcceptedRecord[T]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    rejects: list[FeedReject] = field(default_factory=list)

    @property
    def lines(self) -> int:
        """Lines seen: accepted + duplicates + rejects."""
        return len(self.accepted) + len(self.duplicates) + len(self.rejects)

    @property
    def out_of_order(self) -> list[int]:
        """Line numbers of accepted records that arrived out of order."""
        return [a.line_no for a in self.accepted if a.out_of_order]


@dataclass(frozen=True)
class RecordSpec(Generic[T]):
    """How to read one kind of record: parse, key, borrower key, date and sequence."""

    parse: Callable[[Mapping[str, Any]], T]
    key: Callable[[T], str]
    subject: Callable[[T], str]
    dated: Callable[[T], date]
    sequence: Callable[[T], str]


TRANSACTIONS: RecordSpec[AccountTransaction] = RecordSpec(
    parse_transaction,
    lambda t: t.txn_id,
    lambda t: t.uscc,
    lambda t: t.value_date,
    lambda t: t.account,
)
INVOICES: RecordSpec[VATInvoice] = RecordSpec(
    parse_invoice,
    invoice_key,
    lambda i: i.enterprise_code,
    lambda i: i.issue_date,
    lambda i: f"{i.enterprise_code}|{i.direction.value}",
)


def sort_records(
    records: Iterable[tuple[int, str, Mapping[str, Any] | MalformedEvent]],
    spec: RecordSpec[T],
    borrowers: Mapping[str, str],
    seen: Mapping[str, str],
    is_late: Callable[[date], bool],
) -> RecordBatch[T]:
    """Sort decoded records (line number, raw text, object or the decoding error).

    Args:
        borrowers: borrower key (USCC or borrower id) → borrower id.
        seen: key → content digest of records stored before.
        is_late: whether a record's date falls in a period a run already scanned.
    """
    batch: RecordBatch[T] = RecordBatch()
    digests = dict(seen)
    latest: dict[str, date] = {}
    for line_no, raw, decoded in records:
        try:
            if isinstance(decoded, MalformedEvent):
                raise decoded
            record = spec.parse(decoded)
        except MalformedEvent as exc:
            batch.rejects.append(FeedReject(line_no, "malformed", str(exc), raw))
            continue
        key, digest = spec.key(record), record_digest(decoded)
        if key in digests:
            if digests[key] == digest:
                batch.duplicates.append(line_no)
            else:
                batch.rejects.append(FeedReject(line_no, "conflicting_duplicate", key, raw))
            continue
        borrower_id = borrowers.get(spec.subject(record))
        if borrower_id is None:
            batch.rejects.append(FeedReject(line_no, "unknown_borrower", spec.subject(record), raw))
            continue
        digests[key] = digest
        on, seq = spec.dated(record), spec.sequence(record)
        late = is_late(on) or on < latest.get(seq, on)
        latest[seq] = max(latest.get(seq, on), on)
        batch.accepted.append(AcceptedRecord(line_no, key, record, borrower_id, digest, raw, late))
    return batch
