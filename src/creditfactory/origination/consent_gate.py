"""No consent, no pull: wrappers that check consent before any data source is asked.

`ConsentGate` looks consents up in `ConsentRecords` at call time (so a withdrawal takes effect
on the next call) and raises `ConsentMissing` before the wrapped source is touched. `gate_sources`
wraps all five ports of a `DataSources` bundle at once. `pull_external_data` asks every gated
source and turns `ConsentMissing` and `SourceUnavailable` into referral reasons (values), so a
slow or failing source never crashes the decision flow. Every source that answered gets a
`Provenance` (its `SourceInfo` name and version from `DataSources.info`, the record's id, the
time of the pull) so the decision can say which facts were verified, where and when.

Source: DOMAIN.md §8 (PIPL Art 14/15/23/29, 征信业管理条例 Art 18); issue 6 ("no consent, no pull").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, TypeVar, cast

from creditfactory.kernel.clock import Clock
from creditfactory.origination.consent import (
    Consent,
    ConsentPurpose,
    ConsentRecords,
    DataCategory,
    ensure_consent,
)
from creditfactory.origination.errors import ConsentMissing, SourceUnavailable
from creditfactory.origination.ports import (
    BureauReport,
    BureauSource,
    CourtListSource,
    CourtRecord,
    InvoiceDirection,
    InvoiceSource,
    Provenance,
    RegistryRecord,
    RegistrySource,
    SourceInfo,
    TaxGradeRecord,
    TaxGradeSource,
    VATInvoice,
)

__all__ = [
    "ConsentGate",
    "DataSources",
    "ExternalData",
    "SOURCE_NAMES",
    "gate_sources",
    "pull_external_data",
]

T = TypeVar("T")
SOURCE_NAMES: Final = ("invoices", "tax_grade", "registry", "courts", "bureau")


class ConsentGate:
    """Checks, at call time, that `subject_id` consented to `category` for `purpose`."""

    def __init__(self, records: ConsentRecords, purpose: ConsentPurpose, clock: Clock) -> None:
        self._records = records
        self._purpose = purpose
        self._clock = clock

    @property
    def purpose(self) -> ConsentPurpose:
        """The purpose every pull through this gate is made for."""
        return self._purpose

    @property
    def clock(self) -> Clock:
        """The clock consents are checked (and pulls stamped) against."""
        return self._clock

    def check(self, subject_id: str, category: DataCategory) -> Consent:
        """The active consent. raises ConsentMissing when there is none."""
        consents = self._records.consents_for(subject_id)
        return ensure_consent(consents, category, self._purpose, self._clock.now(), subject_id)


class _GatedInvoices:
    def __init__(self, inner: InvoiceSource, gate: ConsentGate) -> None:
        self._inner, self._gate = inner, gate

    def invoices(
        self, subject_id: str, direction: InvoiceDirection | None = None
    ) -> Sequence[VATInvoice]:
        self._gate.check(subject_id, DataCategory.INVOICES)
        return self._inner.invoices(subject_id, direction)


class _GatedTaxGrade:
    def __init__(self, inner: TaxGradeSource, gate: ConsentGate) -> None:
        self._inner, self._gate = inner, gate

    def tax_grade(self, subject_id: str) -> TaxGradeRecord | None:
        self._gate.check(subject_id, DataCategory.TAX)
        return self._inner.tax_grade(subject_id)


class _GatedRegistry:
    def __init__(self, inner: RegistrySource, gate: ConsentGate) -> None:
        self._inner, self._gate = inner, gate

    def registry_record(self, subject_id: str) -> RegistryRecord | None:
        self._gate.check(subject_id, DataCategory.REGISTRY)
        return self._inner.registry_record(subject_id)


class _GatedCourts:
    def __init__(self, inner: CourtListSource, gate: ConsentGate) -> None:
        self._inner, self._gate = inner, gate

    def court_record(self, subject_id: str) -> CourtRecord:
        self._gate.check(subject_id, DataCategory.COURTS)
        return self._inner.court_record(subject_id)


class _GatedBureau:
    def __init__(self, inner: BureauSource, gate: ConsentGate) -> None:
        self._inner, self._gate = inner, gate

    def bureau_report(self, subject_id: str) -> BureauReport | None:
        self._gate.check(subject_id, DataCategory.BUREAU)
        return self._inner.bureau_report(subject_id)


@dataclass(frozen=True, slots=True)
class DataSources:
    """The five ports; a source left None is not used (its data counts as a gap). `info`: what
    each wired port is (by port name), quoted in the provenance of the facts it verifies."""

    invoices: InvoiceSource | None = None
    tax_grade: TaxGradeSource | None = None
    registry: RegistrySource | None = None
    courts: CourtListSource | None = None
    bureau: BureauSource | None = None
    info: Mapping[str, SourceInfo] = field(default_factory=dict)


def gate_sources(sources: DataSources, gate: ConsentGate) -> DataSources:
    """The same sources, each wrapped so it checks consent before being asked."""
    return DataSources(
        invoices=_GatedInvoices(sources.invoices, gate) if sources.invoices else None,
        tax_grade=_GatedTaxGrade(sources.tax_grade, gate) if sources.tax_grade else None,
        registry=_GatedRegistry(sources.registry, gate) if sources.registry else None,
        courts=_GatedCourts(sources.courts, gate) if sources.courts else None,
        bureau=_GatedBureau(sources.bureau, gate) if sources.bureau else None,
        info=sources.info,
    )


@dataclass(frozen=True, slots=True)
class ExternalData:
    """What the pull returned. `gaps` maps a port name to why it has no data:
    "consent: consent withdrawn", "unavailable: timeout", "not configured"."""

    invoices: Sequence[VATInvoice] = ()
    tax_grade: TaxGradeRecord | None = None
    registry: RegistryRecord | None = None
    courts: CourtRecord | None = None
    bureau: BureauReport | None = None
    gaps: Mapping[str, str] = field(default_factory=dict)
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every source answered (a None answer counts as an answer)."""
        return not self.gaps


def _ask(name: str, call: Callable[[], T] | None, gaps: dict[str, str]) -> T | None:
    if call is None:
        gaps[name] = "not configured"
        return None
    try:
        return call()
    except ConsentMissing as exc:
        gaps[name] = f"consent: {exc.reason}"
    except SourceUnavailable as exc:
        gaps[name] = f"unavailable: {exc.reason}"
    return None


def _calls(sources: DataSources, subject_id: str) -> dict[str, Callable[[], object] | None]:
    inv, tax, reg, crt, bur = (
        sources.invoices,
        sources.tax_grade,
        sources.registry,
        sources.courts,
        sources.bureau,
    )
    return {
        "invoices": (lambda: inv.invoices(subject_id)) if inv else None,
        "tax_grade": (lambda: tax.tax_grade(subject_id)) if tax else None,
        "registry": (lambda: reg.registry_record(subject_id)) if reg else None,
        "courts": (lambda: crt.court_record(subject_id)) if crt else None,
        "bureau": (lambda: bur.bureau_report(subject_id)) if bur else None,
    }


def _record_id(name: str, answer: object) -> str | None:
    """The id of what a source returned: the invoices' 企业代号 and count, else the record's
    own `record_id` (None when the source knew nothing)."""
    if name == "invoices":
        rows = cast("Sequence[VATInvoice]", answer or ())
        return f"{rows[0].enterprise_code}: {len(rows)} invoices" if rows else None
    return getattr(answer, "record_id", None)


def _stamp(info: SourceInfo, name: str, answer: object, at: datetime) -> Provenance:
    return Provenance(info.name, info.version, _record_id(name, answer), at)


def pull_external_data(
    sources: DataSources,
    gate: ConsentGate,
    subject_id: str,
    wanted: Iterable[str] = SOURCE_NAMES,
) -> ExternalData:
    """Ask each `wanted` source ("invoices", "tax_grade", "registry", "courts", "bureau") through
    `gate` for `subject_id`, in that order.

    Never raises ConsentMissing or SourceUnavailable: they become `gaps` for the caller to refer
    on. A limit estimate (no hard inquiry) passes `wanted` without "bureau".
    """
    calls = _calls(gate_sources(sources, gate), subject_id)
    asked = set(wanted)
    gaps: dict[str, str] = {}
    got = {name: _ask(name, calls[name], gaps) for name in SOURCE_NAMES if name in asked}
    at = gate.clock.now()
    provenance: dict[str, Provenance] = {
        name: _stamp(sources.info.get(name, SourceInfo(name, "")), name, answer, at)
        for name, answer in got.items()
        if name not in gaps
    }
    return ExternalData(
        invoices=cast("Sequence[VATInvoice] | None", got.get("invoices")) or (),
        tax_grade=cast("TaxGradeRecord | None", got.get("tax_grade")),
        registry=cast("RegistryRecord | None", got.get("registry")),
        courts=cast("CourtRecord | None", got.get("courts")),
        bureau=cast("BureauReport | None", got.get("bureau")),
        gaps=gaps,
        provenance=provenance,
    )
