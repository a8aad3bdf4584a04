"""Synthetic 工商登记 / 司法 / 纳税 records for the 302 unrated CUMCM 2020 C firms, from a seed.

No public registry, court or tax data exists for the desensitised CUMCM firms, so the served
demo reads records generated here (data/fixtures/cn_records/SOURCE.md says so). Each firm's draws
come from `random.Random(f"{seed}:{firm id}")`: the same seed gives the same files, and one firm's
values do not depend on the others. Only invoice-derived facts tie a record to its firm:

- the registration date lies 3 months to ~20 years before the first invoice (a firm invoices only
  once registered); firms registered since 2015-10 get an "MA…" 主体标识码, older ones digits;
- 纳税信用等级 M for a firm registered within a year of the assessment year's end, else A/B/C/D;
- tax paid by year = output VAT − input VAT of the valid invoices that year, floored at zero;
- the declared annual sales start from the invoices' sales of the 12 months to `AS_OF`.

Everything else is drawn from stated distributions (see `_registry`, `_courts`, `_tax`,
`_declared`), independently of the invoice features and of any outcome, so no model can learn
from them. Identifiers pass the project's checks: USCC (GB 32100 + GB 11714) and, for 个体户,
the operator's resident ID (GB 11643, region in force in the birth year per GB/T 2260).

Files written by `write_fixtures(out, invoices_dir, seed)`: `firms.csv` (企业代号 → USCC, applicant
type, operator ID, what the firm declares), `registry.json`, `courts.json`, `tax.json` (the
`records_file.FileRecordSource` document shape, one section each, with "version" and "source").
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from creditfactory.adapters.gateways.invoices_file import CsvInvoiceSource, cumcm_files
from creditfactory.adapters.gateways.regions import StdnumRegionRegistry
from creditfactory.origination.identity import (
    USCC_CHARSET,
    CheckStatus,
    check_resident_id,
    org_code_check_character,
    resident_id_check_character,
    uscc_check_character,
)
from creditfactory.origination.limit_estimate import annual_invoice_revenue
from creditfactory.origination.ports import InvoiceDirection, InvoiceStatus, VATInvoice

__all__ = [
    "AS_OF",
    "CONSENT_CATEGORIES",
    "DEFAULT_SEED",
    "VERSION",
    "FirmFixture",
    "read_firms",
    "write_fixtures",
]

AS_OF: Final = date(2020, 1, 1)  # the CUMCM data end: the demo applies on this date
TAX_YEAR: Final = 2018  # the latest grade published by AS_OF (grades come out each April)
DEFAULT_SEED: Final = 20200101
VERSION: Final = "cn-records-synthetic-2020.1"
MA_SINCE: Final = date(2015, 10, 1)  # 统一社会信用代码 issued to new registrations from then
# County-level GB/T 2260 codes of commercial districts (region of the USCC and operator ID)
REGIONS: Final = ("110105", "310104", "320102", "330106", "350203", "420106", "440104",
                  "440305", "510104", "370202")  # fmt: skip
SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
FIRMS_FILE: Final = "enterprises_without_credit_record.csv"
CONSENT_CATEGORIES: Final = ("invoices", "registry", "courts", "tax")
"""The 授权书 categories an applicant gives so every fixture-backed source may be pulled."""
SOURCE_NAMES: Final = {
    "registry": "工商登记 business registry (synthetic fixture)",
    "courts": "司法 court records (synthetic fixture)",
    "tax_grade": "纳税 tax records (synthetic fixture)",
}


@dataclass(frozen=True, slots=True)
class FirmFixture:
    """One CUMCM firm as an applicant: its 企业代号, masked name, applicant type, USCC, the
    operator's resident ID (个体工商户 only) and what it declares when it applies."""

    firm_id: str
    name: str
    applicant_type: str
    uscc: str
    operator_id: str
    declared_annual_sales: int
    declared_established_date: str
    declared_lawsuits: int

    def applicant(self) -> dict[str, str]:
        """The `applicant` object of an API request."""
        out = {"applicant_type": self.applicant_type, "name": self.name, "uscc": self.uscc}
        return {**out, "operator_id": self.operator_id} if self.operator_id else out

    def declared(self) -> dict[str, int | str]:
        """The documented declared facts (`origination.declared.DOCUMENTED_FACTS`)."""
        return {"annual_sales": self.declared_annual_sales,
                "established_date": self.declared_established_date,
                "lawsuits_as_defendant": self.declared_lawsuits}  # fmt: skip


def read_firms(path: Path) -> list[FirmFixture]:
    """The firms of a `firms.csv` file."""
    with path.open(encoding="utf-8", newline="") as f:
        return [_firm(row) for row in csv.DictReader(f)]


def _firm(row: dict[str, str]) -> FirmFixture:
    return FirmFixture(
        row["firm_id"], row["name"], row["applicant_type"], row["uscc"], row["operator_id"],
        int(row["declared_annual_sales"]), row["declared_established_date"],
        int(row["declared_lawsuits"]),
    )  # fmt: skip


def _org_code(rng: random.Random, established: date) -> str:
    if established >= MA_SINCE:
        body = "MA" + "".join(rng.choice(USCC_CHARSET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    return body + org_code_check_character(body)


def _uscc(rng: random.Random, kind: str, region: str, established: date) -> str:
    first17 = ("91" if kind == "enterprise" else "92") + region + _org_code(rng, established)
    return first17 + uscc_check_character(first17)


def _operator_id(rng: random.Random, region: str) -> str:
    regions = StdnumRegionRegistry()
    while True:
        born = date(rng.randint(1962, 1992), rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        number = first17 + resident_id_check_character(first17)
        if check_resident_id(number, AS_OF, regions).status is CheckStatus.VALID:
            return number
        region = rng.choice(REGIONS)


def _established(rng: random.Random, first_invoice: date) -> date:
    """3 months plus an exponential age (mean 5 years, at most 20) before the first invoice."""
    days = 90 + min(int(rng.expovariate(1 / (5 * 365))), 20 * 365)
    return first_invoice - timedelta(days=days)


def _registry(rng: random.Random, firm: dict[str, Any], established: date) -> dict[str, Any]:
    """Status: 94 % 存续, 5 % 经营异常, 1 % 吊销. Capital (enterprises): log-normal around
    1,000,000 CNY scaled by sales^0.3, σ 0.8, in whole 10,000s; 个体户 have none."""
    status = rng.choices(["active", "abnormal", "revoked"], [94, 5, 1])[0]
    capital = None
    if firm["applicant_type"] == "enterprise":
        scale = (max(firm["sales"], 100_000) / 5_000_000) ** 0.3
        raw = 1_000_000 * scale * math.exp(rng.gauss(0, 0.8))
        capital = f"{max(30_000, round(raw, -4)):.2f}"
    return {
        "record_id": f"GSXT-{firm['uscc']}",
        "name": firm["name"],
        "status": status,
        "established_date": established.isoformat(),
        "registered_capital": capital,
        "legal_representative": rng.choice(SURNAMES) + "*" * rng.choice((1, 2)),
    }


def _courts(rng: random.Random, uscc: str) -> dict[str, Any]:
    """Judgments as defendant (5 years): 0 85 %, 1 9 %, 2–4 6 %. Open enforcement cases:
    0 92 %, 1 5 %, 2–3 3 %. 失信被执行人: 1.5 % (then ≥ 1 case and 限高); 限高 for 40 % of the
    others with a case."""
    judgments = rng.choices([0, 1, rng.randint(2, 4)], [85, 9, 6])[0]
    cases = rng.choices([0, 1, rng.randint(2, 3)], [92, 5, 3])[0]
    dishonest = rng.random() < 0.015
    cases = max(cases, 1) if dishonest else cases
    restricted = dishonest or (cases > 0 and rng.random() < 0.4)
    return {"record_id": f"COURT-{uscc}", "dishonest_debtor": dishonest,
            "enforcement_cases": cases, "consumption_restricted": restricted,
            "judgments_as_defendant": judgments}  # fmt: skip


def _vat_by_year(invoices: Sequence[VATInvoice]) -> dict[str, str]:
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for inv in invoices:
        if inv.status is InvoiceStatus.VALID and inv.issue_date < AS_OF:
            sign = 1 if inv.direction is InvoiceDirection.OUTPUT else -1
            paid[inv.issue_date.year] += sign * inv.tax_amount.amount
    return {str(y): f"{max(Decimal(0), v):.2f}" for y, v in sorted(paid.items())}


def _tax(rng: random.Random, uscc: str, established: date, paid: dict[str, str]) -> dict[str, Any]:
    """Grade M when registered after the assessment year began; else A 33 %, B 55 %, C 9 %,
    D 3 %."""
    if established >= date(TAX_YEAR, 1, 1):
        grade = "M"
    else:
        grade = rng.choices(["A", "B", "C", "D"], [33, 55, 9, 3])[0]
    return {"record_id": f"TAX-{uscc}-{TAX_YEAR}", "grade": grade, "year": TAX_YEAR,
            "tax_paid": paid}  # fmt: skip


def _declared(
    rng: random.Random, sales: int, established: date, court: dict[str, Any]
) -> dict[str, Any]:
    """Annual sales: 85 % within ±10 % of the invoices, 10 % overstated by 30–100 %, 5 % rounded
    to the million (at least 1 million). Registration date: 95 % exact, 3 % the 1st of January
    of that year, 2 % two to six years earlier. Lawsuits as defendant: the true count, except
    30 % of the firms with court records declare none."""
    kind = rng.choices(["near", "over", "round"], [85, 10, 5])[0]
    factor = {"near": rng.uniform(0.9, 1.1), "over": rng.uniform(1.3, 2.0), "round": 1.0}[kind]
    said = round(sales * factor, -4) if kind != "round" else max(1_000_000, round(sales, -6))
    when = rng.choices(["exact", "january", "earlier"], [95, 3, 2])[0]
    told = {"exact": established, "january": date(established.year, 1, 1),
            "earlier": established - timedelta(days=365 * rng.randint(2, 6))}[when]  # fmt: skip
    cases = court["judgments_as_defendant"] + court["enforcement_cases"]
    lawsuits = cases if cases == 0 or rng.random() < 0.7 else 0
    return {"declared_annual_sales": int(said), "declared_established_date": told.isoformat(),
            "declared_lawsuits": lawsuits}  # fmt: skip


def _document(section: str, records: dict[str, Any], seed: int) -> dict[str, Any]:
    return {"version": f"{VERSION} seed {seed}", "source": SOURCE_NAMES[section], section: records}


def write_fixtures(out: Path, invoices_dir: Path, seed: int = DEFAULT_SEED) -> int:
    """Write firms.csv, registry.json, courts.json and tax.json into `out`; returns the number
    of firms. Reads the CUMCM directory (firms and invoices) in place."""
    with (invoices_dir / FIRMS_FILE).open(encoding="utf-8-sig") as f:
        firms = [(r["企业代号"], r["企业名称"]) for r in csv.DictReader(f)]
    invoices = CsvInvoiceSource(cumcm_files(invoices_dir, "no_credit_history"))
    rows, registry, courts, tax = [], {}, {}, {}
    for firm_id, name in firms:
        rng = random.Random(f"{seed}:{firm_id}")
        own = invoices.invoices(firm_id)
        first = min((i.issue_date for i in own), default=AS_OF)
        established = _established(rng, first)
        kind = "individual_business" if name.startswith("个体经营") else "enterprise"
        region = rng.choice(REGIONS)
        uscc = _uscc(rng, kind, region, established)
        operator = _operator_id(rng, region) if kind == "individual_business" else ""
        sales = int(annual_invoice_revenue(own, AS_OF).amount)
        firm = {"name": name, "applicant_type": kind, "uscc": uscc, "sales": sales}
        registry[uscc] = _registry(rng, firm, established)
        courts[uscc] = _courts(rng, uscc)
        tax[uscc] = _tax(rng, uscc, established, _vat_by_year(own))
        declared = _declared(rng, sales, established, courts[uscc])
        rows.append(FirmFixture(firm_id, name, kind, uscc, operator, **declared))
    out.mkdir(parents=True, exist_ok=True)
    with (out / "firms.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    for section, records in (("registry", registry), ("courts", courts), ("tax_grade", tax)):
        name = {"tax_grade": "tax"}.get(section, section)
        text = json.dumps(_document(section, records, seed), ensure_ascii=False, indent=1)
        (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return len(rows)
