"""`creditfactory price`: price one loan; `price optimise`: churn-aware rate per grade;
`price portfolio`: RAROC by grade, product and channel for a book (CSV).

JSON output (`--format json`): every number is a decimal string in plain notation (never "1E+2")
with a fixed number of places per kind: rates (annual fractions) 8, bp (components, bp a year) 4,
money (CNY, half-up to 分) 2, ratios (RAROC, hurdle, PD, LGD, risk weight, churn) 6. Booleans and
lists are JSON's own. Bad input → exit 2 with one line "error: <field>: <rule>". Decimal inputs are
plain decimal text (no exponent); money at most 1e12 CNY in whole 分; rates and hurdles are
fractions in [0, 1] (5.5 % is 0.055). --method and --format ignore case.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
import typer
from typer._click.exceptions import ClickException as TyperClickException

from creditfactory.kernel.errors import CreditFactoryError, ValidationError
from creditfactory.kernel.money import Money
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.errors import ChurnTableInvalid
from creditfactory.pricing.offer import Offer, offer_rate
from creditfactory.pricing.optimisation import GradeOptimum, curves_from_rows, optimise_rates
from creditfactory.pricing.policy import DEFAULT_POLICY, DEFAULT_PRODUCT, Method
from creditfactory.pricing.portfolio import BookLoan, PortfolioRow, portfolio_raroc
from creditfactory.pricing.quote import MAX_EAD, PricingRequest, Relationship

price_app = typer.Typer(
    help="Risk-based pricing: LPR + spread, cost-plus, profitability, RAROC.",
    invoke_without_command=True,
)

# Domain field names → the CLI option that carries them.
_FIELD_TO_OPTION = {"pd_12m": "pd", "lgd": "lgd", "ead": "ead", "as_of": "as_of"}
_CHURN_TABLE_YEAR_END = "2019-12-31"
# Places per kind of figure in the output; quantised in a wide context so no figure overflows it.
_PLACES = {"bp": 4, "rate": 8, "money": 2, "ratio": 6}
_WIDE = Context(prec=100, rounding=ROUND_HALF_UP)


def register(app: typer.Typer) -> None:
    """Add `price` (with sub-commands `optimise`, `portfolio`) to the main app."""
    app.add_typer(price_app, name="price")


class BadInput(TyperClickException, click.ClickException):  # type: ignore[misc]  # two clicks
    """Exit 2 with one line "error: <field>: <rule>" — under `main()` and under CliRunner alike.

    Why not `main.fail`: it returns a `typer.Exit`, whose code is returned, not raised, in
    `standalone_mode=False`, so `main()` exits 0. Typer 0.29 vendors click (`typer._click`):
    typer's standalone mode catches its own ClickException, `main()` catches click's; this is both.
    """

    exit_code = 2  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        """Print the one line on stderr."""
        typer.echo(f"error: {self.message}", err=True)


def _bad(exc: CreditFactoryError) -> BadInput:
    if isinstance(exc, ValidationError):
        return BadInput(f"{_FIELD_TO_OPTION.get(exc.field, exc.field)}: {exc.rule}")
    return BadInput(str(exc))


def _decimal(value: str | None, field: str) -> Decimal:
    """Plain decimal text → Decimal; refuses exponents ("1e30") and non-finite values."""
    if value is None:
        raise ValidationError(field, "is required")
    text = value.strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(field, f"must be a decimal number, got {value!r}") from None
    if not number.is_finite():
        raise ValidationError(field, f"must be finite, got {value!r}")
    if "e" in text.lower():
        raise ValidationError(
            field, f"must be plain decimal text without an exponent, got {value!r}"
        )
    return number


def _amount(value: str | None, field: str) -> Money:
    """CNY amount: plain decimal text, at most MAX_EAD, a whole number of 分 (2 places)."""
    number = _decimal(value, field)
    if abs(number) > MAX_EAD:
        raise ValidationError(field, f"must be at most {MAX_EAD:f} CNY, got {value}")
    if number != number.quantize(Decimal("0.01"), context=_WIDE):
        raise ValidationError(
            field, f"must be a whole number of fen (2 decimal places), got {value}"
        )
    return Money(number)


def _fraction(value: str | None, field: str) -> Decimal:
    """A rate or hurdle as a fraction in [0, 1]; a value above 1 is a percent given as a fraction."""
    number = _decimal(value, field)
    if number < 0:
        raise ValidationError(field, f"must be >= 0, got {value}")
    if number > 1:
        raise ValidationError(
            field,
            f"must be a fraction <= 1 (a percent given as a fraction? 5.5% is 0.055), got {value}",
        )
    return number


def _date(value: str | None, field: str) -> date:
    if value is None:
        raise ValidationError(field, "is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _fmt(value: Decimal, kind: str) -> str:
    """`value` in plain notation with the places of its kind (bp, rate, money, ratio)."""
    if not value.is_finite():
        return str(value)  # RAROC with zero capital: "Infinity" / "-Infinity"
    quantized = value.quantize(Decimal(1).scaleb(-_PLACES[kind]), context=_WIDE)
    return format(quantized.copy_abs() if quantized.is_zero() else quantized, "f")


def _money(value: Money) -> str:
    return _fmt(value.amount, "money")


def _emit(payload: dict[str, Any], text: list[str], output: str) -> None:
    if output == "json":
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(text))


def _check_format(output: str) -> str:
    chosen = output.strip().lower()
    if chosen not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {output!r}")
    return chosen


@price_app.callback(invoke_without_command=True)
def price(
    ctx: typer.Context,
    method: str | None = typer.Option(None, help="raroc|cost_plus|base_rate_plus|profitability"),
    pd: str | None = typer.Option(None, help="12-month PD in [0, 1]"),
    lgd: str | None = typer.Option(None, help="LGD in [0, 1]"),
    ead: str | None = typer.Option(None, help="exposure at default, CNY"),
    term_months: int = typer.Option(12, help="loan term in months"),
    as_of: str | None = typer.Option(None, help="pricing date YYYY-MM-DD (from 2019-08-20)"),
    hurdle: str | None = typer.Option(None, help="RAROC hurdle (default: policy 0.12)"),
    rate: str | None = typer.Option(None, help="a proposed annual rate to check (fraction)"),
    product: str = typer.Option(DEFAULT_PRODUCT, help="product code"),
    fee_rate: str = typer.Option("0", help="the loan's fees a year, fraction of EAD"),
    deposits: str = typer.Option("0", help="relationship: average deposit balance, CNY"),
    deposit_margin: str = typer.Option("0.015", help="relationship: margin earned on deposits"),
    settlement_revenue: str = typer.Option("0", help="relationship: settlement revenue a year"),
    fee_revenue: str = typer.Option("0", help="relationship: other fee revenue a year"),
    output: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """Price one loan: offered annual rate, components in bp, EL, capital and RAROC."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        output = _check_format(output)
        chosen = _method(method)
        relationship = Relationship(
            _amount(deposits, "deposits"),
            _fraction(deposit_margin, "deposit_margin"),
            _amount(settlement_revenue, "settlement_revenue"),
            _amount(fee_revenue, "fee_revenue"),
        )
        request = PricingRequest(
            _decimal(pd, "pd_12m"),
            _decimal(lgd, "lgd"),
            _amount(ead, "ead"),
            term_months,
            _date(as_of, "as_of"),
            product,
            _fraction(fee_rate, "fee_rate"),
            relationship if relationship.annual_revenue() else None,
        )
        requested = None if rate is None else Rate(_fraction(rate, "rate"))
        h = None if hurdle is None else _fraction(hurdle, "hurdle")
        offer = offer_rate(request, chosen, hurdle=h, requested_rate=requested)
    except CreditFactoryError as exc:
        raise _bad(exc) from None
    _emit(_offer_payload(offer), _offer_text(offer), output)


def _method(value: str | None) -> Method:
    names = "|".join(m.value for m in Method)
    if value is None:
        raise ValidationError("method", f"is required ({names})")
    try:
        return Method(value.strip().lower())
    except ValueError:
        raise ValidationError("method", f"must be one of {names}, got {value!r}") from None


def _offer_payload(offer: Offer) -> dict[str, Any]:
    econ = offer.econ
    return {
        "method": offer.method.value,
        "as_of": econ.request.as_of.isoformat(),
        "currency": econ.request.ead.currency,
        "offered_annual_rate": _fmt(offer.annual_rate.value, "rate"),
        "spread_bp": str(offer.spread_bp),
        "lpr": {
            "tenor": econ.tenor.value,
            "rate": _fmt(econ.lpr.value, "rate"),
            "fixing_date": econ.lpr_fixing.effective_date.isoformat(),
            "confidence": econ.lpr_fixing.confidence,
        },
        "method_rate": _fmt(offer.quote.annual_rate.value, "rate"),
        "components_bp": {c.name: _fmt(c.bp, "bp") for c in offer.quote.components},
        "minimum_rate": _fmt(offer.minimum_rate.value, "rate"),
        "all_in_rate": _fmt(offer.all_in_rate.value, "rate"),
        "expected_loss": _money(offer.expected_loss),
        "el_rate_bp": _fmt(econ.el_rate * 10_000, "bp"),
        "risk_weight": _fmt(econ.risk_weight, "ratio"),
        "capital": _money(offer.capital),
        "raroc": _fmt(offer.raroc, "ratio"),
        "hurdle_rate": _fmt(offer.hurdle_rate, "ratio"),
        "meets_hurdle": offer.raroc >= offer.hurdle_rate,
        "flags": [f.value for f in offer.flags],
        "refused": offer.refused,
        "refusal_reason": offer.refusal_reason,
        "explanation": {
            "borrower_zh": offer.explain_to_borrower("zh"),
            "borrower_en": offer.explain_to_borrower("en"),
            "risk_officer": offer.explain_for_audit(),
        },
        "versions": offer.versions,
    }


def _offer_text(offer: Offer) -> list[str]:
    payload = _offer_payload(offer)
    if offer.refused:
        return [
            f"REFUSED: {offer.refusal_reason}",
            f"flags: {', '.join(payload['flags'])}",
            "",
            offer.explain_to_borrower("zh"),
            offer.explain_to_borrower("en"),
        ]
    lines = [
        f"offered annual rate {payload['offered_annual_rate']} "
        f"(LPR {payload['lpr']['rate']} + {offer.spread_bp} bp), method {offer.method.value}",
        *(f"  {name:<22} {bp:>12} bp" for name, bp in payload["components_bp"].items()),
        f"expected loss {payload['expected_loss']}  capital {payload['capital']}  "
        f"RAROC {payload['raroc']} (hurdle {payload['hurdle_rate']})",
        f"flags: {', '.join(payload['flags']) or 'none'}",
        "",
        offer.explain_to_borrower("zh"),
        offer.explain_to_borrower("en"),
    ]
    return lines


def _pd_by_grade(value: str | None) -> dict[str, Decimal]:
    rule = f"expected GRADE=PD[,GRADE=PD…] with PD in [0, 1], got {value!r}"
    if not value:
        raise ValidationError("pd_by_grade", rule)
    result: dict[str, Decimal] = {}
    for item in value.split(","):
        grade, sep, pd_text = item.strip().partition("=")
        try:
            pd_12m = Decimal(pd_text.strip())
        except InvalidOperation:
            raise ValidationError("pd_by_grade", rule) from None
        if not sep or not grade.strip() or grade.strip() in result or not 0 <= pd_12m <= 1:
            raise ValidationError("pd_by_grade", rule)
        result[grade.strip()] = pd_12m
    return result


def _read_rows(path: Path, field: str) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        raise ValidationError(field, f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValidationError(field, f"{path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise ValidationError(field, f"{path} is not a readable CSV: {exc}") from None


@price_app.command("optimise")
def optimise(
    churn_table: Path | None = typer.Option(None, help="CSV: annual_rate, churn_rating_<G>…"),
    pd_by_grade: str | None = typer.Option(None, help="e.g. A=0.01,B=0.03,C=0.08"),
    lgd: str = typer.Option("0.45", help="LGD in [0, 1]"),
    ead: str = typer.Option("1000000", help="exposure per applicant, CNY"),
    as_of: str = typer.Option(
        _CHURN_TABLE_YEAR_END, help="funding date (default: the table's year)"
    ),
    hurdle: str | None = typer.Option(None, help="RAROC hurdle (default: policy 0.12)"),
    term_months: int = typer.Option(12, help="loan term in months"),
    output: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """Best observed rate per grade: maximum expected risk-adjusted profit with RAROC ≥ hurdle."""
    try:
        output = _check_format(output)
        grades = _pd_by_grade(pd_by_grade)
        if churn_table is None:
            raise ValidationError("churn_table", "is required (path to a CSV)")
        curves = curves_from_rows(_read_rows(churn_table, "churn_table"))
        lgd_value, ead_money = _decimal(lgd, "lgd"), _amount(ead, "ead")
        h = DEFAULT_POLICY.hurdle_rate if hurdle is None else _fraction(hurdle, "hurdle")
        optima = optimise_rates(
            curves,
            grades,
            lgd_value,
            ead_money,
            _date(as_of, "as_of"),
            hurdle=h,
            term_months=term_months,
        )
    except ChurnTableInvalid as exc:
        raise BadInput(f"churn_table: {exc}") from None
    except CreditFactoryError as exc:
        raise _bad(exc) from None
    rows = [_optimum_payload(o) for o in optima]
    payload = {
        "as_of": as_of,
        "lgd": _fmt(lgd_value, "ratio"),
        "ead": _money(ead_money),
        "churn_table": str(churn_table),
        "hurdle_rate": _fmt(h, "ratio"),
    }
    text = [
        f"{r['grade']}: rate {r['annual_rate']} acceptance {r['acceptance']} "
        f"RAROC {r['raroc']} expected profit {r['expected_profit']} "
        f"(min rate {r['minimum_rate']}{'' if r['feasible'] else ', INFEASIBLE'})"
        for r in rows
    ]
    _emit({**payload, "grades": rows}, text, output)


def _optimum_payload(o: GradeOptimum) -> dict[str, Any]:
    return {
        "grade": o.grade,
        "pd_12m": _fmt(o.pd_12m, "ratio"),
        "feasible": o.feasible,
        "annual_rate": _fmt(o.point.annual_rate.value, "rate"),
        "churn": _fmt(o.point.churn, "ratio"),
        "acceptance": _fmt(o.point.acceptance, "ratio"),
        "raroc": _fmt(o.raroc, "ratio"),
        "minimum_rate": _fmt(o.minimum_rate.value, "rate"),
        "expected_profit": _money(o.expected_profit),
        "economic_profit": _money(o.economic_profit),
        "points_meeting_hurdle": str(o.points_meeting_hurdle),
    }


def _book_loan(row: dict[str, str]) -> BookLoan:
    return BookLoan(
        loan_id=row["loan_id"],
        grade=row["grade"],
        product=row["product"],
        channel=row["channel"],
        ead=_amount(row["ead"], "ead"),
        annual_rate=Rate(_fraction(row["annual_rate"], "annual_rate")),
        pd_12m=_decimal(row["pd_12m"], "pd_12m"),
        lgd=_decimal(row["lgd"], "lgd"),
        term_months=_term_months(row.get("term_months")),
        fee_rate=_fraction(row.get("fee_rate") or "0", "fee_rate"),
    )


def _term_months(value: str | None) -> int:
    try:
        return int(value or 12)
    except ValueError:
        raise ValidationError(
            "term_months", f"must be a whole number of months, got {value!r}"
        ) from None


@price_app.command("portfolio")
def portfolio(
    book: Path | None = typer.Option(None, help="CSV: loan_id,grade,product,channel,ead,…"),
    as_of: str | None = typer.Option(None, help="valuation date YYYY-MM-DD"),
    output: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """RAROC by grade, product and channel (columns: loan_id, grade, product, channel, ead,
    annual_rate, pd_12m, lgd, optional term_months, fee_rate)."""
    try:
        output = _check_format(output)
        if book is None:
            raise ValidationError("book", "is required (path to a CSV)")
        day = _date(as_of, "as_of")
        loans = [_book_loan(r) for r in _read_rows(book, "book")]
        rows = portfolio_raroc(loans, day)
    except KeyError as exc:
        raise BadInput(f"book: missing column {exc}") from None
    except CreditFactoryError as exc:
        raise _bad(exc) from None
    table = [_portfolio_payload(r) for r in rows]
    text = [
        f"{r['dimension']:<8} {r['key']:<26} loans {r['loans']:>5} EAD {r['ead']:>16} "
        f"RAROC {r['raroc']}"
        for r in table
    ]
    _emit({"as_of": as_of, "rows": table}, text, output)


def _portfolio_payload(row: PortfolioRow) -> dict[str, Any]:
    value = row.raroc
    return {
        "dimension": row.dimension,
        "key": row.key,
        "loans": str(row.loans),
        "ead": _money(row.ead),
        "profit_after_tax": _money(row.profit_after_tax),
        "expected_loss": _money(row.expected_loss),
        "capital": _money(row.capital),
        "raroc": None if value is None else _fmt(value, "ratio"),
    }
