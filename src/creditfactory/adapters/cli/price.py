"""`creditfactory price`: price one loan; `price optimise`: churn-aware rate per grade;
`price portfolio`: RAROC by grade, product and channel for a book (CSV).

JSON output (`--format json`): every number is a decimal string (exact, e.g. "0.0524", "245.0000");
booleans and lists are JSON's own. Rates are annual fractions, components are bp a year, money is in
CNY rounded to 分 for display. Bad input → exit 2 with one line "error: <field>: <rule>".
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
import typer
from typer._click.exceptions import ClickException as TyperClickException

from creditfactory.kernel.errors import CreditFactoryError, ValidationError
from creditfactory.kernel.money import Money, quantize_to_minor
from creditfactory.kernel.rates import Rate
from creditfactory.pricing.offer import Offer, offer_rate
from creditfactory.pricing.optimisation import GradeOptimum, curves_from_rows, optimise_rates
from creditfactory.pricing.policy import DEFAULT_POLICY, DEFAULT_PRODUCT, Method
from creditfactory.pricing.portfolio import BookLoan, PortfolioRow, portfolio_raroc
from creditfactory.pricing.quote import PricingRequest, Relationship

price_app = typer.Typer(
    help="Risk-based pricing: LPR + spread, cost-plus, profitability, RAROC.",
    invoke_without_command=True,
)

# Domain field names → the CLI option that carries them.
_FIELD_TO_OPTION = {"pd_12m": "pd", "lgd": "lgd", "ead": "ead", "as_of": "as_of"}
_CHURN_TABLE_YEAR_END = "2019-12-31"


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
    if value is None:
        raise ValidationError(field, "is required")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValidationError(field, f"must be a decimal number, got {value!r}") from None
    if not number.is_finite():
        raise ValidationError(field, f"must be finite, got {value!r}")
    return number


def _date(value: str | None, field: str) -> date:
    if value is None:
        raise ValidationError(field, "is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(field, f"must be a date YYYY-MM-DD, got {value!r}") from None


def _fmt(value: Decimal, places: int | None = None) -> str:
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def _money(value: Money) -> str:
    return _fmt(quantize_to_minor(value.amount, value.currency))


def _emit(payload: dict[str, Any], text: list[str], output: str) -> None:
    if output == "json":
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(text))


def _check_format(output: str) -> None:
    if output not in ("text", "json"):
        raise ValidationError("format", f"must be text or json, got {output!r}")


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
        _check_format(output)
        chosen = _method(method)
        relationship = Relationship(
            Money(_decimal(deposits, "deposits")),
            _decimal(deposit_margin, "deposit_margin"),
            Money(_decimal(settlement_revenue, "settlement_revenue")),
            Money(_decimal(fee_revenue, "fee_revenue")),
        )
        request = PricingRequest(
            _decimal(pd, "pd_12m"),
            _decimal(lgd, "lgd"),
            Money(_decimal(ead, "ead")),
            term_months,
            _date(as_of, "as_of"),
            product,
            _decimal(fee_rate, "fee_rate"),
            relationship if relationship.annual_revenue() else None,
        )
        requested = None if rate is None else Rate(_decimal(rate, "rate"))
        h = None if hurdle is None else _decimal(hurdle, "hurdle")
        offer = offer_rate(request, chosen, hurdle=h, requested_rate=requested)
    except CreditFactoryError as exc:
        raise _bad(exc) from None
    _emit(_offer_payload(offer), _offer_text(offer), output)


def _method(value: str | None) -> Method:
    names = "|".join(m.value for m in Method)
    if value is None:
        raise ValidationError("method", f"is required ({names})")
    try:
        return Method(value)
    except ValueError:
        raise ValidationError("method", f"must be one of {names}, got {value!r}") from None


def _offer_payload(offer: Offer) -> dict[str, Any]:
    econ = offer.econ
    return {
        "method": offer.method.value,
        "as_of": econ.request.as_of.isoformat(),
        "currency": econ.request.ead.currency,
        "offered_annual_rate": _fmt(offer.annual_rate.value),
        "spread_bp": str(offer.spread_bp),
        "lpr": {
            "tenor": econ.tenor.value,
            "rate": _fmt(econ.lpr.value),
            "fixing_date": econ.lpr_fixing.effective_date.isoformat(),
            "confidence": econ.lpr_fixing.confidence,
        },
        "method_rate": _fmt(offer.quote.annual_rate.value, 8),
        "components_bp": {c.name: _fmt(c.bp, 4) for c in offer.quote.components},
        "minimum_rate": _fmt(offer.minimum_rate.value, 8),
        "all_in_rate": _fmt(offer.all_in_rate.value),
        "expected_loss": _money(offer.expected_loss),
        "el_rate_bp": _fmt(econ.el_rate * 10_000, 4),
        "risk_weight": _fmt(econ.risk_weight, 6),
        "capital": _money(offer.capital),
        "raroc": _fmt(offer.raroc, 6) if offer.raroc.is_finite() else str(offer.raroc),
        "hurdle_rate": _fmt(offer.hurdle_rate),
        "meets_hurdle": offer.raroc >= offer.hurdle_rate,
        "flags": [f.value for f in offer.flags],
        "refused": offer.refused,
        "explanation": {
            "borrower_zh": offer.explain_to_borrower("zh"),
            "borrower_en": offer.explain_to_borrower("en"),
            "risk_officer": offer.explain_for_audit(),
        },
        "versions": offer.versions,
    }


def _offer_text(offer: Offer) -> list[str]:
    payload = _offer_payload(offer)
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
        _check_format(output)
        grades = _pd_by_grade(pd_by_grade)
        if churn_table is None:
            raise ValidationError("churn_table", "is required (path to a CSV)")
        curves = curves_from_rows(_read_rows(churn_table, "churn_table"))
        optima = optimise_rates(
            curves,
            grades,
            _decimal(lgd, "lgd"),
            Money(_decimal(ead, "ead")),
            _date(as_of, "as_of"),
            hurdle=None if hurdle is None else _decimal(hurdle, "hurdle"),
            term_months=term_months,
        )
    except CreditFactoryError as exc:
        raise _bad(exc) from None
    rows = [_optimum_payload(o) for o in optima]
    payload = {"as_of": as_of, "lgd": lgd, "ead": ead, "churn_table": str(churn_table)}
    payload["hurdle_rate"] = hurdle or _fmt(DEFAULT_POLICY.hurdle_rate)
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
        "pd_12m": _fmt(o.pd_12m),
        "feasible": o.feasible,
        "annual_rate": _fmt(o.point.annual_rate.value),
        "churn": _fmt(o.point.churn, 6),
        "acceptance": _fmt(o.point.acceptance, 6),
        "raroc": _fmt(o.raroc, 6),
        "minimum_rate": _fmt(o.minimum_rate.value, 6),
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
        ead=Money(_decimal(row["ead"], "ead")),
        annual_rate=Rate(_decimal(row["annual_rate"], "annual_rate")),
        pd_12m=_decimal(row["pd_12m"], "pd_12m"),
        lgd=_decimal(row["lgd"], "lgd"),
        term_months=int(row.get("term_months") or 12),
        fee_rate=_decimal(row.get("fee_rate") or "0", "fee_rate"),
    )


@price_app.command("portfolio")
def portfolio(
    book: Path | None = typer.Option(None, help="CSV: loan_id,grade,product,channel,ead,…"),
    as_of: str | None = typer.Option(None, help="valuation date YYYY-MM-DD"),
    output: str = typer.Option("text", "--format", help="text|json"),
) -> None:
    """RAROC by grade, product and channel (columns: loan_id, grade, product, channel, ead,
    annual_rate, pd_12m, lgd, optional term_months, fee_rate)."""
    try:
        _check_format(output)
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
        "raroc": None if value is None else _fmt(value, 6),
    }
