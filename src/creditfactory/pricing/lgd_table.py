"""Loss given default by product and collateral type, as versioned data.

Values are the Basel II foundation-IRB supervisory LGDs (BCBS June 2006, para 287: senior unsecured
45 %; para 295: minimum LGD* 35 % for receivables and for commercial / residential real estate,
40 % for other physical collateral; eligible financial collateral such as a pledged deposit 0 %
after haircuts) [P: background knowledge of the Basel text, not re-checked here]. Product rows
override the collateral default where the product's recovery differs. Bump `LGD_TABLE_VERSION` on any
change; decision records keep the version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from creditfactory.pricing.errors import UnknownProduct

__all__ = ["ANY_PRODUCT", "LGD_ROWS", "LGD_TABLE_VERSION", "lgd_for"]

LGD_TABLE_VERSION: Final = "lgd-2024-01"
ANY_PRODUCT: Final = "*"

# (product, collateral) -> LGD fraction as a string
LGD_ROWS: Final[dict[tuple[str, str], str]] = {
    (ANY_PRODUCT, "unsecured"): "0.45",
    (ANY_PRODUCT, "guarantee"): "0.45",  # a guarantee substitutes the guarantor's PD, not the LGD
    (ANY_PRODUCT, "receivables"): "0.35",
    (ANY_PRODUCT, "real_estate"): "0.35",
    (ANY_PRODUCT, "other_physical"): "0.40",
    (ANY_PRODUCT, "deposit_pledge"): "0.00",
    ("invoice_loan", "unsecured"): "0.45",  # 税票贷: online, unsecured, tax-invoice based
    ("supply_chain_receivable", "receivables"): "0.35",  # 应收账款融资 with 确权 by the anchor
    ("sme_mortgage", "real_estate"): "0.35",  # 经营性抵押贷
}


def lgd_for(product: str, collateral: str) -> Decimal:
    """LGD fraction for a product and collateral type: the product row, else the collateral default.

    raises UnknownProduct when neither row exists.
    """
    value = LGD_ROWS.get((product, collateral)) or LGD_ROWS.get((ANY_PRODUCT, collateral))
    if value is None:
        raise UnknownProduct(f"no LGD row for product {product!r}, collateral {collateral!r}")
    return Decimal(value)
