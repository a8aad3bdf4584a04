"""The data sources a deployment serves with, from `config.Settings` (the composition root's part).

`data_sources(settings, dataset)` wires the file-backed sources `Settings.source_paths(dataset)`
names — in development by default those of the served spec's data set `dataset`: for the SBA
case data its approval-time record (data/fixtures/sba_records), else the CUMCM 2020 C invoices
(read in place, keyed by the USCC of `firms.csv`) and the synthetic registry, court and tax
fixtures of data/fixtures/cn_records —
each with a `SourceInfo` (name and data version) quoted in the provenance of what it verifies.
With `CREDITFACTORY_DATA_VENDOR_URL` set, every port no file is wired for (bureau included) is
asked of that vendor over HTTP (`http.HttpDataGateway`). Every pull still goes through the
consent gate (`origination.consent_gate`).

An explicitly configured path that does not exist is bad configuration: `ValidationError`
naming the setting (serve and the API exit 2 with one line). A bundled default that is absent
(no ../shared checkout) is skipped with a warning: that source is then "not configured".
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from creditfactory.adapters.gateways.cn_fixtures import read_firms
from creditfactory.adapters.gateways.http import HttpDataGateway
from creditfactory.adapters.gateways.invoices_file import CsvInvoiceSource, cumcm_files
from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.config import Settings
from creditfactory.kernel.errors import ValidationError
from creditfactory.origination import DataSources
from creditfactory.origination.consent_gate import SOURCE_NAMES
from creditfactory.origination.ports import SourceInfo

__all__ = ["data_sources", "invoice_source", "source_files"]

log = logging.getLogger(__name__)
INVOICES_NAME = "增值税发票 VAT invoices (CUMCM 2020 C, real, desensitised)"
RECORD_SETTINGS = (("registry_records", "registry"), ("court_records", "courts"),
                   ("tax_records", "tax_grade"))  # fmt: skip


def invoice_source(directory: Path, subjects: Path | None) -> CsvInvoiceSource:
    """The CUMCM invoices of the firms in `subjects` (firms.csv), keyed by their USCC; every
    firm by its 企业代号 when `subjects` is None. Reads the files now, once."""
    firms = read_firms(subjects) if subjects is not None else None
    source = CsvInvoiceSource(
        cumcm_files(directory),
        subjects=None if firms is None else [f.firm_id for f in firms],
        aliases=None if firms is None else {f.uscc: f.firm_id for f in firms},
    )
    source.invoices(firms[0].uscc if firms else "")  # load before serving, not on a request
    return source


def _records(path: Path) -> tuple[FileRecordSource, SourceInfo]:
    document = json.loads(path.read_text(encoding="utf-8"))
    info = SourceInfo(str(document.get("source", path.name)), str(document.get("version", "")))
    return FileRecordSource(document), info


def source_files(settings: Settings, dataset: str | None = None) -> dict[str, Path]:
    """The source files to wire for a spec trained on `dataset`, by setting name, each checked to
    exist. raises ValidationError naming the setting of a configured path that does not exist."""
    found = {}
    for name, path in settings.source_paths(dataset).items():
        if path.exists():
            found[name] = path
        elif isinstance(getattr(settings, name), Path):
            raise ValidationError(f"CREDITFACTORY_{name.upper()}", f"{path} does not exist")
        else:
            log.warning("data source %s not wired: bundled %s is absent", name, path)
    return found


def data_sources(settings: Settings, dataset: str | None = None) -> DataSources:
    """The sources to serve a spec trained on `dataset` with (module docstring). raises
    ValidationError naming the setting."""
    paths = source_files(settings, dataset)
    loaded = {port: _records(paths[setting]) for setting, port in RECORD_SETTINGS
              if setting in paths}  # fmt: skip
    info = {port: about for port, (_, about) in loaded.items()}
    invoices = None
    if "invoices_dir" in paths:
        invoices = invoice_source(paths["invoices_dir"], paths.get("invoice_subjects"))
        info["invoices"] = SourceInfo(INVOICES_NAME, paths["invoices_dir"].name)

    wired = DataSources(
        invoices=invoices,
        tax_grade=loaded["tax_grade"][0] if "tax_grade" in loaded else None,
        registry=loaded["registry"][0] if "registry" in loaded else None,
        courts=loaded["courts"][0] if "courts" in loaded else None,
        info=info,
    )
    return _with_vendor(wired, settings)


def _with_vendor(sources: DataSources, settings: Settings) -> DataSources:
    """`sources` with every port still unwired asked of the HTTP vendor, when one is set."""
    if not settings.data_vendor_url or settings.data_sources == "off":
        return sources
    vendor = HttpDataGateway(settings.data_vendor_url, settings.data_vendor_timeout_s)
    ports = {p: getattr(sources, p) or vendor for p in SOURCE_NAMES}
    about = SourceInfo(f"data vendor {settings.data_vendor_url}", "live")
    info = {p: sources.info.get(p, about) for p in SOURCE_NAMES}
    return replace(sources, **ports, info=info)
