"""A realistic synthetic book for monitoring, with injected problems and their ground truth.

`simulate_book(borrowers, months, seed)` builds enterprises with valid USCCs (GB 32100-2015,
inner GB 11714 check), 1–2 loans each (10–100 万元, the CUMCM 2020 C range), monthly VAT sales
invoices, external events (as feed records), account transactions and month-end DPD. Monthly sales
are calibrated to CUMCM 2020 C (../shared/data/cumcm2020c_sme_invoices): each firm draws a
(mean monthly sales, coefficient of variation) pair from the empirical per-firm values of the 413
firms with ≥ 6 active months, and months vary log-normally with that CV (the fallback constants
are the fitted values: ln mean ~ N(13.16, 1.90), CV median 0.85).

About 12 % of borrowers are *distressed*: from an onset month they get 1–3 problem families
(registration, public lists, court, tax, invoice collapse, fund-flow diversion, delinquency); the
truth table records (borrower_id, family, onset). Healthy borrowers get benign noise that looks
alike — address and scope changes, a legal-representative change, a short 经营异常 listing, a
small penalty, suits as plaintiff, rent to a developer-landlord, a same-day payment to a big
supplier, seasonal dips, a few days late — so precision is not free.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from creditfactory.monitoring.fundflow import CounterpartyCategory, Disbursement, Transfer
from creditfactory.origination.identity import (
    USCC_CHARSET,
    org_code_check_character,
    uscc_check_character,
)
from creditfactory.scoring.features import Invoice

__all__ = ["FAMILIES", "SimBook", "SimLoan", "cumcm_calibration", "simulate_book"]

FAMILIES: Final = (
    "registration",
    "public_lists",
    "court",
    "tax",
    "invoice",
    "fund_flow",
    "internal",
)
START: Final = date(2024, 1, 1)  # first month of history (12 months before the book starts)
REGIONS: Final = ("310115", "440300", "330106", "110105", "320505", "510107", "420106", "370212")
FALLBACK_PAIRS: Final = [(math.exp(13.16 + 1.90 * z), cv) for z, cv in
                         [(-1.28, 0.45), (-0.67, 0.63), (0.0, 0.85), (0.67, 1.09), (1.28, 1.38)]]  # fmt: skip
C = CounterpartyCategory


def cumcm_calibration(directory: Path) -> list[tuple[float, float]]:
    """Per-firm (mean monthly valid sales, CV of monthly sales) from the CUMCM sales invoices;
    the fallback pairs when the files are absent."""
    files = sorted(directory.glob("*output_invoices*.csv.gz"))
    if not files:
        return list(FALLBACK_PAIRS)
    import duckdb

    names = ", ".join(f"'{f}'" for f in files)
    rows = (
        duckdb.connect()
        .execute(f"""
WITH inv AS (SELECT "企业代号" AS firm, strptime("开票日期", '%Y/%-m/%-d')::DATE AS d,
  TRY_CAST("金额" AS DOUBLE) AS amt, "发票状态" AS st
  FROM read_csv_auto([{names}], header=true, all_varchar=true)),
m AS (SELECT firm, date_trunc('month', d) AS mon, SUM(amt) AS sales FROM inv
      WHERE st = '有效发票' GROUP BY ALL)
SELECT AVG(sales), STDDEV_POP(sales) / AVG(sales) FROM m GROUP BY firm
HAVING COUNT(*) >= 6 AND AVG(sales) > 0 ORDER BY firm""")
        .fetchall()
    )
    return [(float(a), float(b)) for a, b in rows]


@dataclass
class SimLoan:
    """A simulated loan: disbursement, monthly DPD at each month end (index 0 = first book month)."""

    disbursement: Disbursement
    dpd_by_month: list[int] = field(default_factory=list)


@dataclass
class SimBook:
    """Everything the simulator made (see module docstring)."""

    months: int
    borrowers: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → uscc, name, group
    loans: list[SimLoan] = field(default_factory=list)
    invoices: dict[str, list[Invoice]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)  # feed records
    transfers: dict[str, list[Transfer]] = field(default_factory=dict)  # by loan id
    truth: list[tuple[str, str, date]] = field(default_factory=list)

    def month_end(self, m: int) -> date:
        """The last day of book month m (0-based; book month 0 is 12 months after START)."""
        first = _add_months(START, 12 + m + 1)
        return first - timedelta(days=1)


def _add_months(d: date, n: int) -> date:
    i = d.year * 12 + d.month - 1 + n
    return date(i // 12, i % 12 + 1, 1)


def _uscc(rng: random.Random, individual: bool) -> str:
    org = "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY"[: 10 + rng.randint(0, 21)]) for _ in range(8)
    )
    first17 = (
        ("92" if individual else "91") + rng.choice(REGIONS) + org + org_code_check_character(org)
    )
    if any(c not in USCC_CHARSET for c in first17):  # org check 'X' is outside the USCC charset
        return _uscc(rng, individual)
    return first17 + uscc_check_character(first17)


class _Builder:
    def __init__(self, book: SimBook, rng: random.Random, pairs: list[tuple[float, float]]) -> None:
        self.book, self.rng, self.pairs, self.n_events, self.n_txn = book, rng, pairs, 0, 0

    def event(self, b: str, event_type: str, on: date, source: str = "gsxt", **attrs: Any) -> None:
        self.n_events += 1
        rec = {"event_id": f"ev_{self.n_events:08d}", "source": source, "uscc": self.book.borrowers[b]["uscc"],
               "event_type": event_type, "occurred_on": on.isoformat(), "attrs": attrs}  # fmt: skip
        self.book.events.append(rec)

    def txn(
        self,
        loan_id: str,
        payer: str,
        payee: str,
        amount: Decimal,
        on: date,
        cat: C = C.OTHER,
        tag: bool = False,
    ) -> None:
        self.n_txn += 1
        t = Transfer(
            f"tx_{self.n_txn:09d}", payer, payee, amount, on, cat, loan_id if tag else None
        )
        self.book.transfers.setdefault(loan_id, []).append(t)

    def day(self, m: int) -> date:
        """A random day in book month m."""
        end = self.book.month_end(m)
        return end - timedelta(days=self.rng.randint(0, end.day - 1))

    def invoices(self, b: str, collapse_from: int | None) -> None:
        mean, cv = self.rng.choice(self.pairs)
        sigma = math.sqrt(math.log(1 + min(cv, 1.2) ** 2))
        out = []
        for k in range(12 + self.book.months):
            month = _add_months(START, k)
            level = mean * self.rng.lognormvariate(-sigma * sigma / 2, sigma)
            if collapse_from is not None and k >= 12 + collapse_from:
                level *= self.rng.uniform(0.1, 0.4)
            for j in range(self.rng.randint(1, 4)):
                amount = Decimal(str(round(level / (j + 1) / 2, 2)))
                out.append(
                    Invoice(
                        "sales",
                        month + timedelta(days=self.rng.randint(0, 27)),
                        f"cust_{j}",
                        amount,
                    )
                )
        self.book.invoices[b] = out


def _benign(bl: _Builder, b: str, loan: SimLoan) -> None:
    rng, m = bl.rng, bl.book.months
    roll = rng.random()
    if roll < 0.25:
        bl.event(
            b,
            "registration_change",
            bl.day(rng.randrange(m)),
            field=rng.choice(["address", "business_scope"]),
        )
    elif roll < 0.31:
        bl.event(b, "registration_change", bl.day(rng.randrange(m)), field="legal_representative")
    elif roll < 0.35:
        on = bl.day(rng.randrange(m))
        bl.event(b, "abnormal_operations", on, action="listed", reason="annual_report")
        bl.event(b, "abnormal_operations", on + timedelta(days=20), action="removed")
    elif roll < 0.39:
        bl.event(
            b, "administrative_penalty", bl.day(rng.randrange(m)), source="samr", amount="2000"
        )
    elif roll < 0.55:
        bl.event(b, "court_lawsuit", bl.day(rng.randrange(m)), source="court", role="plaintiff")
    if rng.random() < 0.3:
        bl.event(
            b, "tax_grade", bl.book.month_end(min(3, m - 1)), source="tax", grade="B", previous="B"
        )
    d, amount = loan.disbursement, loan.disbursement.amount
    if rng.random() < 0.05:  # rent to a developer-landlord: small
        bl.txn(
            d.loan_id,
            b,
            f"dev_{rng.randint(1, 40)}",
            (amount * Decimal("0.03")).quantize(Decimal("0.01")),
            d.disbursed_on + timedelta(days=5),
            C.REAL_ESTATE_DEVELOPER,
        )
    if (
        rng.random() < 0.04
    ):  # everything to one big non-supplier-tagged trading partner the same day
        bl.txn(d.loan_id, b, f"trader_{rng.randint(1, 99)}", amount, d.disbursed_on, C.OTHER)
    else:
        for k in range(rng.randint(2, 5)):
            share = Decimal(rng.randint(10, 25)) / 100
            bl.txn(
                d.loan_id,
                b,
                f"sup_{rng.randint(1, 500)}",
                (amount * share).quantize(Decimal("0.01")),
                d.disbursed_on + timedelta(days=3 + 6 * k),
                C.SUPPLIER,
            )


def _inject(bl: _Builder, b: str, loans: list[SimLoan], family: str, onset: int) -> None:
    rng, on = bl.rng, bl.day(onset)
    bl.book.truth.append((b, family, on))
    if family == "registration":
        bl.event(b, "registration_change", on, field="shareholder")
        bl.event(
            b,
            "registration_change",
            on + timedelta(days=10),
            field="registered_capital",
            old="5000000",
            new="1000000",
        )
    elif family == "public_lists":
        kind = rng.choice(["abnormal_operations", "serious_violation"])
        bl.event(b, kind, on, action="listed", reason="unreachable")
    elif family == "court":
        for kind in rng.sample(
            [
                "court_enforcement",
                "court_dishonest",
                "court_consumption_ban",
                "court_equity_freeze",
            ],
            2,
        ):
            bl.event(
                b, kind, on + timedelta(days=rng.randint(0, 20)), source="court", action="listed"
            )
    elif family == "tax":
        if rng.random() < 0.5:
            bl.event(b, "tax_grade", on, source="tax", grade=rng.choice(["C", "D"]), previous="B")
        else:
            bl.event(b, "tax_arrears", on, source="tax", amount="86000")
    elif family == "fund_flow":
        _divert(bl, b, loans[0])
    elif family == "internal":
        for loan in loans:
            for m in range(onset, bl.book.months):
                loan.dpd_by_month[m] = max(
                    loan.dpd_by_month[m], 30 * (m - onset) + rng.randint(5, 25)
                )


def _divert(bl: _Builder, b: str, loan: SimLoan) -> None:
    rng, d = bl.rng, loan.disbursement
    ctrl = next(iter(d.group))
    how, day1 = (
        rng.choice(["real_estate", "securities", "round_trip", "rapid", "round_trip"]),
        d.disbursed_on + timedelta(days=1),
    )
    amount = (d.amount * Decimal("0.9")).quantize(Decimal("0.01"))
    if how == "real_estate":
        bl.txn(
            d.loan_id,
            b,
            f"dev_{rng.randint(1, 40)}",
            amount,
            d.disbursed_on + timedelta(days=4),
            C.REAL_ESTATE_DEVELOPER,
        )
    elif how == "securities":
        bl.txn(
            d.loan_id,
            b,
            f"broker_{rng.randint(1, 9)}",
            amount,
            d.disbursed_on + timedelta(days=3),
            C.SECURITIES,
        )
    elif how == "round_trip":
        s1, s2 = f"shell_{rng.randint(1, 10**6)}", f"shell_{rng.randint(1, 10**6)}"
        bl.txn(d.loan_id, b, s1, amount, day1)
        bl.txn(d.loan_id, s1, s2, amount - 1000, day1 + timedelta(days=3))
        bl.txn(d.loan_id, s2, ctrl, amount - 2000, day1 + timedelta(days=7))
    else:
        bl.txn(d.loan_id, b, f"shell_{rng.randint(1, 10**6)}", d.amount, d.disbursed_on)


def simulate_book(
    borrowers: int, months: int, seed: int, calibration: list[tuple[float, float]] | None = None
) -> SimBook:
    """Generate the book (deterministic for a seed). `months` ≥ 4 book months after 12 months of
    invoice history."""
    rng = random.Random(seed)
    book = SimBook(months)
    bl = _Builder(book, rng, calibration or list(FALLBACK_PAIRS))
    for i in range(borrowers):
        b = f"bor_{i:06d}"
        book.borrowers[b] = {
            "uscc": _uscc(rng, rng.random() < 0.15),
            "name": f"模拟企业{i}",
            "controller": f"ctrl_{i:06d}",
        }
        loans = []
        for k in range(1 if rng.random() < 0.7 else 2):
            start = rng.randrange(0, max(1, months - 3))
            amount = Decimal(rng.randint(10, 100) * 10_000)
            payee = f"sup_{rng.randint(1, 500)}" if rng.random() < 0.3 else None
            d = Disbursement(
                f"loan_{i:06d}_{k}", b, amount, bl.day(start), frozenset({f"ctrl_{i:06d}"}), payee
            )
            loan = SimLoan(d, [0] * months)
            bl.txn(
                d.loan_id,
                "bank",
                payee or b,
                amount,
                d.disbursed_on,
                C.SUPPLIER if payee else C.OTHER,
                tag=True,
            )
            if payee and rng.random() < 0.5:
                bl.txn(
                    d.loan_id,
                    payee,
                    f"mill_{rng.randint(1, 50)}",
                    (amount * Decimal("0.6")).quantize(Decimal("0.01")),
                    d.disbursed_on + timedelta(days=6),
                    C.SUPPLIER,
                )
            for m in range(start, months):  # a few days late now and then
                if rng.random() < 0.03:
                    loan.dpd_by_month[m] = rng.randint(1, 6)
            loans.append(loan)
            _benign(bl, b, loan)
        book.loans += loans
        families: list[str] = []
        if rng.random() < 0.12:
            families = rng.sample(list(FAMILIES), rng.randint(1, 3))
            onset = rng.randrange(1, months - 1)
            for family in families:
                _inject(bl, b, loans, family, onset)
        bl.invoices(b, onset if "invoice" in families else None)
    return book
