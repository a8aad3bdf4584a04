"""SQLAlchemy Core repositories for loans, the journal and idempotency keys.

Loans are stored as one row plus installment rows; `save` updates the loan row only where its
`version` is the one loaded (optimistic concurrency) and raises `ConcurrentUpdate` otherwise.
Journal entries are inserted, never updated; an unbalanced entry never reaches the database
(the domain refuses to build one and `JournalRepository.add` checks again).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from creditfactory.access.branches import HEAD_OFFICE
from creditfactory.adapters.storage.audit_store import defer_entries
from creditfactory.adapters.storage.ledger_digesters import ENTRIES_POSTED, entries_payload
from creditfactory.adapters.storage.ledger_tables import journal_entries, postings
from creditfactory.adapters.storage.pii import active_pii_cipher
from creditfactory.adapters.storage.servicing_tables import (
    facilities,
    idempotency_keys,
    installments,
    loans,
)
from creditfactory.audit import AuditEntry
from creditfactory.kernel.errors import CreditFactoryError
from creditfactory.kernel.idempotency import KeyClaimed, Stored
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.ledger.errors import UnbalancedEntry
from creditfactory.ledger.journal import JournalEntry
from creditfactory.servicing.classification import DPDBucket, LoanGrade
from creditfactory.servicing.facility import CreditFacility, FacilityStatus
from creditfactory.servicing.loan import InstallmentState, Loan, LoanStatus
from creditfactory.servicing.ports import AuditTrail
from creditfactory.servicing.products import PRODUCTS

_log = logging.getLogger(__name__)

__all__ = [
    "FacilityNotFound",
    "FacilityRepository",
    "ConcurrentUpdate",
    "IdempotencyRepository",
    "JournalRepository",
    "LoanNotFound",
    "LoanRepository",
    "REPLAY_REFUSED",
    "seal_context",
]


class ConcurrentUpdate(CreditFactoryError):
    """Another transaction changed the aggregate since it was loaded."""


class LoanNotFound(CreditFactoryError):
    """No loan with that id."""


class FacilityNotFound(CreditFactoryError):
    """No facility with that id."""


def _minor(amount: Decimal) -> int:
    return int(amount.scaleb(2))


def _major(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


def loan_row(loan: Loan, at: datetime) -> dict[str, Any]:
    """The `loans` row for `loan` (without `version`)."""
    return {
        "loan_id": loan.loan_id,
        "borrower_id": loan.borrower_id,
        "product_key": loan.product.key,
        "facility_id": loan.facility_id,
        "currency": loan.currency,
        "principal_minor": _minor(loan.principal),
        "annual_rate": loan.annual_rate.value,
        "disbursement_date": loan.disbursement_date,
        "status": loan.status.value,
        "last_closed_date": loan.last_closed_date,
        "accrued_through": loan.accrued_through,
        "penalty_carry": loan.penalty_carry,
        "compound_carry": loan.compound_carry,
        "penalty_posted_minor": _minor(loan.penalty_posted),
        "compound_posted_minor": _minor(loan.compound_posted),
        "penalty_paid_minor": _minor(loan.penalty_paid),
        "non_accrual": loan.non_accrual,
        "dpd": loan.dpd,
        "bucket": loan.bucket.value,
        "grade": loan.grade.value,
        "grade_floor": loan.grade_floor.value,
        "allowance_minor": _minor(loan.allowance),
        "overpayment_minor": _minor(loan.overpayment),
        "written_off_minor": _minor(loan.written_off),
        "recovered_minor": _minor(loan.recovered),
        "entry_seq": loan.entry_seq,
        "updated_at": at,
    }


def _installment_rows(loan: Loan) -> list[dict[str, Any]]:
    return [
        {
            "loan_id": loan.loan_id,
            "seq": r.seq,
            "period_start": r.period_start,
            "period_end": r.period_end,
            "due_date": r.due_date,
            "principal_due_minor": _minor(r.principal_due),
            "interest_due_minor": _minor(r.interest_due),
            "principal_paid_minor": _minor(r.principal_paid),
            "interest_paid_minor": _minor(r.interest_paid),
            "interest_accrued_minor": _minor(r.interest_accrued),
            "fell_due": r.fell_due,
        }
        for r in loan.installments
    ]


def _installment(row: Any) -> InstallmentState:
    return InstallmentState(
        seq=row.seq,
        period_start=row.period_start,
        period_end=row.period_end,
        due_date=row.due_date,
        principal_due=_major(row.principal_due_minor),
        interest_due=_major(row.interest_due_minor),
        principal_paid=_major(row.principal_paid_minor),
        interest_paid=_major(row.interest_paid_minor),
        interest_accrued=_major(row.interest_accrued_minor),
        fell_due=row.fell_due,
    )


def _loan(row: Any, rows: list[InstallmentState]) -> Loan:
    return Loan(
        loan_id=row.loan_id,
        borrower_id=row.borrower_id,
        product=PRODUCTS[row.product_key],
        principal=_major(row.principal_minor),
        annual_rate=Rate(row.annual_rate),
        disbursement_date=row.disbursement_date,
        installments=rows,
        currency=row.currency,
        facility_id=row.facility_id,
        status=LoanStatus(row.status),
        last_closed_date=row.last_closed_date,
        accrued_through=row.accrued_through,
        penalty_carry=row.penalty_carry,
        compound_carry=row.compound_carry,
        penalty_posted=_major(row.penalty_posted_minor),
        compound_posted=_major(row.compound_posted_minor),
        penalty_paid=_major(row.penalty_paid_minor),
        non_accrual=row.non_accrual,
        dpd=row.dpd,
        bucket=DPDBucket(row.bucket),
        grade=LoanGrade(row.grade),
        grade_floor=LoanGrade(row.grade_floor),
        allowance=_major(row.allowance_minor),
        overpayment=_major(row.overpayment_minor),
        written_off=_major(row.written_off_minor),
        recovered=_major(row.recovered_minor),
        entry_seq=row.entry_seq,
        version=row.version,
    )


# built once: every disbursement inserts through them
_INSERT_LOANS = insert(loans)
_INSERT_INSTALLMENTS = insert(installments)
_INSERT_JOURNAL_ENTRIES = insert(journal_entries)
_INSERT_POSTINGS = insert(postings)


class LoanRepository:
    """Loans on one connection (inside the unit of work's transaction)."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._db = connection
        self._now = now
        self._seen: dict[str, dict[int, dict[str, Any]]] = {}  # installment rows as loaded

    def add(self, loan: Loan, branch_id: str | None = None) -> None:
        """Insert a new loan and its installments; `branch_id` None: the head office."""
        row = {**loan_row(loan, self._now), "version": loan.version}
        self._db.execute(_INSERT_LOANS, {**row, "branch_id": branch_id or HEAD_OFFICE})
        rows = _installment_rows(loan)
        self._db.execute(_INSERT_INSTALLMENTS, rows)
        self._seen[loan.loan_id] = {r["seq"]: r for r in rows}

    def lock(self, loan_id: str) -> None:
        """Hold the loan row until the transaction ends (PostgreSQL `FOR UPDATE`; SQLite's one
        writer already serialises writers), so concurrent commands on one loan take turns
        instead of failing `save` with ConcurrentUpdate."""
        if self._db.dialect.name != "sqlite":
            self._db.execute(
                select(loans.c.loan_id).where(loans.c.loan_id == loan_id).with_for_update()
            )

    def get(self, loan_id: str) -> Loan:
        """Load a loan; raises LoanNotFound."""
        found = self.get_many([loan_id])
        if not found:
            raise LoanNotFound(f"loan_id: no loan {loan_id!r}")
        return found[0]

    def get_many(self, loan_ids: Sequence[str]) -> list[Loan]:
        """Load several loans (id order) with two queries; missing ids are left out."""
        heads = self._db.execute(select(loans).where(loans.c.loan_id.in_(loan_ids))).all()
        rows = self._db.execute(
            select(installments)
            .where(installments.c.loan_id.in_(loan_ids))
            .order_by(installments.c.loan_id, installments.c.seq)
        ).all()
        by_loan: dict[str, list[Any]] = {}
        for row in rows:
            by_loan.setdefault(row.loan_id, []).append(row)
        out = []
        for head in sorted(heads, key=lambda h: str(h.loan_id)):
            own = by_loan.get(head.loan_id, [])
            self._seen[head.loan_id] = {r.seq: dict(r._mapping) for r in own}
            out.append(_loan(head, [_installment(r) for r in own]))
        return out

    def save(self, loan: Loan) -> None:
        """Write the loan back if nobody changed it meanwhile; bumps `version`. Only changed
        installment rows are written."""
        result = self._db.execute(
            update(loans)
            .where(and_(loans.c.loan_id == loan.loan_id, loans.c.version == loan.version))
            .values(**loan_row(loan, self._now), version=loan.version + 1)
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"loan {loan.loan_id} changed since version {loan.version}")
        loan.version += 1
        self._save_installments(loan)

    def _save_installments(self, loan: Loan) -> None:
        before = self._seen.get(loan.loan_id, {})
        now = {r["seq"]: r for r in _installment_rows(loan)}
        changed = [r for seq, r in now.items() if seq in before and before[seq] != r]
        added = [r for seq, r in now.items() if seq not in before]
        gone = [seq for seq in before if seq not in now]
        if gone:
            self._db.execute(
                delete(installments).where(
                    installments.c.loan_id == loan.loan_id, installments.c.seq.in_(gone)
                )
            )
        if changed:
            columns = [k for k in changed[0] if k not in ("loan_id", "seq")]
            self._db.execute(
                update(installments)
                .where(
                    installments.c.loan_id == bindparam("b_loan_id"),
                    installments.c.seq == bindparam("b_seq"),
                )
                .values({k: bindparam(k) for k in columns}),
                [{**r, "b_loan_id": r["loan_id"], "b_seq": r["seq"]} for r in changed],
            )
        if added:
            self._db.execute(insert(installments), added)
        self._seen[loan.loan_id] = now

    def ids_after(self, after: str, limit: int) -> Sequence[str]:
        """Every loan id after `after`, in id order, at most `limit` (paging the whole book)."""
        query = (
            select(loans.c.loan_id).where(loans.c.loan_id > after).order_by(loans.c.loan_id)
        ).limit(limit)
        return list(self._db.execute(query).scalars())

    def ids_to_close(self, business_date: date, limit: int, after: str) -> Sequence[str]:
        """Active loans not yet closed for `business_date`, in id order after `after`."""
        query = (
            select(loans.c.loan_id)
            .where(
                loans.c.status == LoanStatus.ACTIVE.value,
                loans.c.last_closed_date < business_date,
                loans.c.loan_id > after,
            )
            .order_by(loans.c.loan_id)
            .limit(limit)
        )
        return list(self._db.execute(query).scalars())


class JournalRepository:
    """The append-only journal; every `add` also appends its audit leaf (same transaction)."""

    def __init__(self, connection: Connection, audit: AuditTrail) -> None:
        self._db = connection
        self._audit = audit

    def add(self, entries: Iterable[JournalEntry], posted_at: datetime) -> None:
        """Insert entries and their postings (checks each balances once more)."""
        written = list(entries)
        heads: list[dict[str, Any]] = []
        legs: list[dict[str, Any]] = []
        for entry in written:
            if sum(p.amount.to_minor() for p in entry.postings) != 0:
                raise UnbalancedEntry(f"{entry.entry_id} does not balance")
            heads.append(
                {
                    "entry_id": entry.entry_id,
                    "business_date": entry.business_date,
                    "event": entry.event,
                    "reference": entry.reference,
                    "reverses": entry.reverses,
                    "posted_at": posted_at,
                }
            )
            legs += [
                {
                    "entry_id": entry.entry_id,
                    "account": p.account,
                    "subledger": p.subledger,
                    "amount_minor": p.amount.to_minor(),
                    "currency": p.amount.currency,
                }
                for p in entry.postings
            ]
        if heads:
            self._db.execute(_INSERT_JOURNAL_ENTRIES, heads)
            self._db.execute(_INSERT_POSTINGS, legs)
            subject = (
                written[0].entry_id
                if len(written) == 1
                else f"{written[0].entry_id}+{len(written) - 1}"
            )
            self._audit.record(ENTRIES_POSTED, subject, entries_payload(written))

    def balances(self, subledger: str | None = None) -> dict[tuple[str, str], Money]:
        """Signed balances by (account, subledger); only one subledger when given."""
        query = select(
            postings.c.account,
            postings.c.subledger,
            postings.c.currency,
            func.sum(postings.c.amount_minor),
        ).group_by(postings.c.account, postings.c.subledger, postings.c.currency)
        if subledger is not None:
            query = query.where(postings.c.subledger == subledger)
        return {
            (account, sub): Money.from_minor(int(total), currency)
            for account, sub, currency, total in self._db.execute(query)
        }

    def trial_balance(self) -> dict[str, Money]:
        """Signed balance per account over the whole book."""
        query = select(
            postings.c.account, postings.c.currency, func.sum(postings.c.amount_minor)
        ).group_by(postings.c.account, postings.c.currency)
        return {a: Money.from_minor(int(t), c) for a, c, t in self._db.execute(query)}


class IdempotencyRepository:
    """(scope, key) → (request digest, sealed response JSON): the store of `kernel.idempotency`.

    The response is sealed when recorded (`PIICipher.seal`, the server key's seal subkey, bound
    to scope, key and request digest, kept in `response_mac`) and checked on every read: a
    response edited in the database, or moved to another key, reads as not intact and is never
    served (`kernel.idempotency`). `refused` records that as an `idempotency.replay_refused`
    audit leaf and an error log line (the alert)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self._claimed: dict[tuple[str, str], str] = {}

    def get(self, scope: str, key: str) -> Stored | None:
        """The stored key with its seal checked, or None."""
        c = idempotency_keys.c
        row = self._db.execute(
            select(c.request_digest, c.response, c.response_mac).where(
                c.scope == scope, c.key == key
            )
        ).one_or_none()
        if row is None:
            return None
        intact = active_pii_cipher().sealed(row[1], seal_context(scope, key, row[0]), row[2])
        return Stored(row[0], row[1], intact)

    def claim(self, scope: str, key: str, request_digest: str, at: datetime) -> None:
        """Insert the key with an empty response (the primary key refuses a duplicate; on
        PostgreSQL a concurrent insert waits for this transaction). raises KeyClaimed."""
        try:
            self._db.execute(
                insert(idempotency_keys).values(
                    scope=scope,
                    key=key,
                    request_digest=request_digest,
                    response="",
                    created_at=at,
                )  # fmt: skip
            )
        except IntegrityError as exc:
            raise KeyClaimed(f"{scope}:{key}") from exc
        self._claimed[(scope, key)] = request_digest

    def record(self, scope: str, key: str, response: str) -> None:
        """Store the response, sealed, on the key claimed in this transaction."""
        context = seal_context(scope, key, self._claimed.pop((scope, key)))
        self._db.execute(
            update(idempotency_keys)
            .where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
            .values(response=response, response_mac=active_pii_cipher().seal(response, context))
        )

    def refused(
        self, scope: str, key: str, at: datetime, reason: str = "stored response fails its seal"
    ) -> None:
        """The alert for a stored response not served (`reason`): an audit leaf (appended at
        this transaction's commit) and an error log line."""
        subject = f"idempotency_keys:{scope}/{key}"
        _log.error("stored idempotent response not served (%s): %s", reason, subject)
        payload = {"scope": scope, "key": key, "reason": reason}
        entry = AuditEntry("system:idempotency", REPLAY_REFUSED, subject, payload, at)
        defer_entries(self._db, [entry])


REPLAY_REFUSED = "idempotency.replay_refused"
"""The audit action of a refused replay (`IdempotencyRepository.refused`)."""


def seal_context(scope: str, key: str, request_digest: str) -> str:
    """What a stored response's seal is bound to: its scope, key and request digest."""
    return json.dumps([scope, key, request_digest], ensure_ascii=False)


class FacilityRepository:
    """Credit facilities with optimistic `version`."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, facility: CreditFacility) -> None:
        """Insert a new facility."""
        self._db.execute(insert(facilities).values(**_facility_row(facility)))

    def get(self, facility_id: str) -> CreditFacility:
        """Load a facility; raises FacilityNotFound."""
        row = self._db.execute(
            select(facilities).where(facilities.c.facility_id == facility_id)
        ).one_or_none()
        if row is None:
            raise FacilityNotFound(f"facility_id: no facility {facility_id!r}")
        return CreditFacility(
            facility_id=row.facility_id,
            borrower_id=row.borrower_id,
            product_key=row.product_key,
            limit=_major(row.limit_minor),
            start_date=row.start_date,
            expiry_date=row.expiry_date,
            revolving=row.revolving,
            status=FacilityStatus(row.status),
            drawn_total=_major(row.drawn_total_minor),
            pending=_major(row.pending_minor),
            version=row.version,
        )

    def save(self, facility: CreditFacility) -> None:
        """Write back if unchanged since loaded; bumps `version`."""
        result = self._db.execute(
            update(facilities)
            .where(
                facilities.c.facility_id == facility.facility_id,
                facilities.c.version == facility.version,
            )
            .values(**{**_facility_row(facility), "version": facility.version + 1})
        )
        if result.rowcount != 1:
            raise ConcurrentUpdate(f"facility {facility.facility_id} changed meanwhile")
        facility.version += 1

    def outstanding_principal(self, facility_id: str) -> Decimal:
        """Outstanding principal of the facility's loans (disbursed minus repaid)."""
        paid = (
            select(func.coalesce(func.sum(installments.c.principal_paid_minor), 0))
            .where(installments.c.loan_id == loans.c.loan_id)
            .scalar_subquery()
        )
        total = self._db.execute(
            select(
                func.coalesce(
                    func.sum(loans.c.principal_minor - paid - loans.c.written_off_minor), 0
                )
            ).where(loans.c.facility_id == facility_id, loans.c.status == LoanStatus.ACTIVE.value)
        ).scalar_one()
        return _major(int(total))


def _facility_row(f: CreditFacility) -> dict[str, Any]:
    return {
        "facility_id": f.facility_id,
        "borrower_id": f.borrower_id,
        "product_key": f.product_key,
        "limit_minor": _minor(f.limit),
        "start_date": f.start_date,
        "expiry_date": f.expiry_date,
        "revolving": f.revolving,
        "status": f.status.value,
        "drawn_total_minor": _minor(f.drawn_total),
        "pending_minor": _minor(f.pending),
        "version": f.version,
    }
