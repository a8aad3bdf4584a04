"""The schedule engine: terms in, a `RepaymentSchedule` out. Pure and exact (Decimal).

Each accrual period k has a rate factor r_k: the per-period rate (annual × the period's year
share, 月利率 = 年利率 ÷ 12) or, with a day count, annual × year_fraction(period). Interest for a
period is the opening balance × r_k, rounded to the minor unit (the named rounding point).

- EQUAL_INSTALLMENT (等额本息): level payment A = P·Π(1+r_k) / fn_n with fn_1 = 1 and
  fn_k = 1 + fn_{k−1}·(1+r_k). With equal factors this is the textbook A = P·r(1+r)^n/((1+r)^n−1)
  (DOMAIN.md §3.5); with unequal ones it is Fineract's progressive EMI. A is rounded (to the
  minor unit or `installment_multiple`); principal = A − interest; the last installment pays
  the remaining balance.
- EQUAL_PRINCIPAL (等额本金): principal = round(P / n); interest on the opening balance.
- INTEREST_ONLY_BULLET (先息后本) and BULLET (到期一次还本付息): simple interest on P.
- FLAT_INTEREST (等本等息): interest on the original principal every period.
Leading `grace_on_principal` periods pay interest only; the rest amortize over what remains.

Sources: DOMAIN.md §3.3–3.5; Apache Fineract ProgressiveEMICalculator (fn recursion, EMI
adjustment); checked against `../shared/cases/schedules_fineract.json` and
`china_loan_calculator_examples.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from creditfactory.kernel.daycount import year_fraction
from creditfactory.kernel.money import Money, quantize_to_minor
from creditfactory.servicing.due_dates import accrual_periods, scheduled_dates
from creditfactory.servicing.errors import ScheduleDoesNotAmortize
from creditfactory.servicing.schedule import (
    AmortizationMethod,
    Installment,
    RepaymentSchedule,
    ScheduleTerms,
)

__all__ = ["build_schedule", "level_payment", "rate_factors", "schedule_periods"]

Row = tuple[Decimal, Decimal]
"""(principal, interest) of one installment, rounded."""


def schedule_periods(terms: ScheduleTerms) -> list[tuple[date, date]]:
    """The unadjusted (from, to) accrual periods of `terms`, one per installment slot."""
    if terms.due_dates is not None:
        dates = list(terms.due_dates)
    else:
        dates = scheduled_dates(terms.start_date, terms.frequency, terms.term, terms.first_due_date)
    return accrual_periods(terms.start_date, dates)


def rate_factors(terms: ScheduleTerms, periods: Sequence[tuple[date, date]]) -> list[Decimal]:
    """Unrounded interest per unit of balance for each period (see the module docstring)."""
    annual = terms.annual_rate.value
    if terms.day_count is None:
        share = terms.frequency.year_share()
        return [annual * share for _ in periods]
    termination = periods[-1][1]
    return [annual * year_fraction(terms.day_count, a, b, termination) for a, b in periods]


def level_payment(principal: Decimal, factors: Sequence[Decimal]) -> Decimal:
    """Unrounded level payment that retires `principal` over periods with these rate factors.

    returns P·Π(1+r_k)/fn_n; P/n when every factor is zero. raises ValueError when empty.
    """
    if not factors:
        raise ValueError("level_payment needs at least one period")
    growth, fn = Decimal(1), Decimal(0)
    for factor in factors:
        growth *= 1 + factor
        fn = 1 + fn * (1 + factor)
    return principal * growth / fn


def build_schedule(terms: ScheduleTerms) -> RepaymentSchedule:
    """Build the repayment schedule for `terms`.

    returns: RepaymentSchedule whose principal sums to `terms.principal` exactly.
    raises: ValidationError on bad terms; ScheduleDoesNotAmortize when rounding makes the level
    payment retire the loan early or fall below a period's interest; CalendarError when a due
    date lies outside the calendar's data.
    """
    periods = schedule_periods(terms)
    factors = rate_factors(terms, periods)
    principal = _money(terms, terms.principal.amount)
    emi: Decimal | None = None
    if terms.method is AmortizationMethod.BULLET:
        interest = _money(terms, principal * sum(factors, Decimal(0)))
        periods, rows = [(periods[0][0], periods[-1][1])], [(principal, interest)]
    elif terms.method is AmortizationMethod.EQUAL_INSTALLMENT:
        emi, rows = _equal_installment(terms, principal, factors)
    else:
        rows = _ROW_BUILDERS[terms.method](terms, principal, factors)
    _check_amortizes(principal, rows)
    return _assemble(terms, periods, rows, emi)


def _money(terms: ScheduleTerms, amount: Decimal) -> Decimal:
    return quantize_to_minor(amount, terms.currency, terms.rounding)


def _installment_round(terms: ScheduleTerms, amount: Decimal) -> Decimal:
    multiple = terms.installment_multiple
    if multiple is None:
        return _money(terms, amount)
    steps = (amount / multiple).quantize(Decimal(1), rounding=terms.rounding.decimal_mode)
    return _money(terms, steps * multiple)


def _grace_rows(terms: ScheduleTerms, principal: Decimal, factors: Sequence[Decimal]) -> list[Row]:
    return [(Decimal(0), _money(terms, principal * f)) for f in factors[: terms.grace_on_principal]]


def _declining(
    terms: ScheduleTerms,
    principal: Decimal,
    factors: Sequence[Decimal],
    principal_part: Callable[[Decimal], Decimal],
) -> list[Row]:
    """Rows on a declining balance; `principal_part(interest)` sets each non-last principal."""
    rows = _grace_rows(terms, principal, factors)
    balance = principal
    amortizing = factors[terms.grace_on_principal :]
    for k, factor in enumerate(amortizing):
        interest = _money(terms, balance * factor)
        paid = balance if k == len(amortizing) - 1 else principal_part(interest)
        rows.append((paid, interest))
        balance -= paid
    return rows


def _equal_installment(
    terms: ScheduleTerms, principal: Decimal, factors: Sequence[Decimal]
) -> tuple[Decimal, list[Row]]:
    amortizing = factors[terms.grace_on_principal :]
    emi = _installment_round(terms, level_payment(principal, amortizing))
    rows = _declining(terms, principal, factors, lambda interest: emi - interest)
    if not terms.adjust_emi:
        return emi, rows
    residue = sum(rows[-1]) - emi
    step = _installment_round(terms, residue / len(amortizing))
    if not step:
        return emi, rows
    retry = _declining(terms, principal, factors, lambda interest: emi + step - interest)
    # Keep the retry only when it is strictly better (Fineract keeps the original on a tie).
    if abs(sum(retry[-1]) - emi - step) < abs(residue):
        return emi + step, retry
    return emi, rows


def _equal_principal(
    terms: ScheduleTerms, principal: Decimal, factors: Sequence[Decimal]
) -> list[Row]:
    share = _money(terms, principal / (len(factors) - terms.grace_on_principal))
    return _declining(terms, principal, factors, lambda _interest: share)


def _interest_only(
    terms: ScheduleTerms, principal: Decimal, factors: Sequence[Decimal]
) -> list[Row]:
    rows = [(Decimal(0), _money(terms, principal * f)) for f in factors]
    rows[-1] = (principal, rows[-1][1])
    return rows


def _flat(terms: ScheduleTerms, principal: Decimal, factors: Sequence[Decimal]) -> list[Row]:
    rows = _grace_rows(terms, principal, factors)
    amortizing = factors[terms.grace_on_principal :]
    share = principal / len(amortizing)
    balance = principal
    for k, factor in enumerate(amortizing):
        interest = _money(terms, principal * factor)
        last = k == len(amortizing) - 1
        paid = balance if last else _installment_round(terms, share + interest) - interest
        rows.append((paid, interest))
        balance -= paid
    return rows


_ROW_BUILDERS: dict[
    AmortizationMethod, Callable[[ScheduleTerms, Decimal, Sequence[Decimal]], list[Row]]
] = {
    AmortizationMethod.EQUAL_PRINCIPAL: _equal_principal,
    AmortizationMethod.INTEREST_ONLY_BULLET: _interest_only,
    AmortizationMethod.FLAT_INTEREST: _flat,
}


def _check_amortizes(principal: Decimal, rows: Sequence[Row]) -> None:
    balance = principal
    for seq, (paid, interest) in enumerate(rows, start=1):
        balance -= paid
        if paid < 0 or interest < 0 or (balance <= 0 and seq < len(rows)):
            raise ScheduleDoesNotAmortize(
                f"installment {seq} of {len(rows)}: principal {paid}, balance after {balance}; the "
                "rounded level payment does not amortize the loan (coarse installment multiple, or "
                "rounding compounded over a long, high-rate term)"
            )


def _assemble(
    terms: ScheduleTerms,
    periods: Sequence[tuple[date, date]],
    rows: Sequence[Row],
    emi: Decimal | None,
) -> RepaymentSchedule:
    currency = terms.currency
    zero = Money.zero(currency).rounded()
    balance = _money(terms, terms.principal.amount)
    installments = []
    for seq, ((begin, end), (paid, interest)) in enumerate(zip(periods, rows, strict=True), 1):
        balance -= paid
        due = terms.calendar.adjust(end, terms.date_adjustment) if terms.calendar else end
        installments.append(
            Installment(
                seq=seq,
                due_date=due,
                principal_due=Money(paid, currency),
                interest_due=Money(interest, currency),
                fee_due=zero,
                penalty_due=zero,
                period_start=begin,
                period_end=end,
                balance_after=Money(balance, currency),
            )
        )
    level = None if emi is None else Money(emi, currency)
    return RepaymentSchedule(terms, tuple(installments), level)
