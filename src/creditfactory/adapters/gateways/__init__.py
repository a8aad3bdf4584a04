"""Gateways: adapters for the origination data ports (invoices, tax grade, registry, courts,
bureau) and the GB/T 2260 region table.

- `invoices_file.CsvInvoiceSource`: CUMCM-layout invoice CSV (gz) files, for tests and demos.
- `records_file.FileRecordSource`: tax grade / registry / courts / bureau from one JSON document.
- `http.HttpDataGateway`: the five ports over HTTP (httpx) with timeouts and an injectable
  transport; every failure becomes `SourceUnavailable(source, reason)`.
- `regions.StdnumRegionRegistry`: dated GB/T 2260 codes for resident-ID checks.
- `codec`: the JSON wire shapes shared by the file and HTTP adapters.
"""

from creditfactory.adapters.gateways.codec import MalformedRecord
from creditfactory.adapters.gateways.http import HttpDataGateway
from creditfactory.adapters.gateways.invoices_file import CsvInvoiceSource, cumcm_files
from creditfactory.adapters.gateways.records_file import FileRecordSource
from creditfactory.adapters.gateways.regions import StdnumRegionRegistry

__all__ = [
    "CsvInvoiceSource",
    "FileRecordSource",
    "HttpDataGateway",
    "MalformedRecord",
    "StdnumRegionRegistry",
    "cumcm_files",
]
