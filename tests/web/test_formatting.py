"""The workbench's value filters against hand-worked values and a peer library: amounts in 元
with separators rounded half-up (GB/T 8170 修约 "四舍五入" as kernel.money applies it), CST from
the IANA zone Asia/Shanghai (zoneinfo, not the app's fixed offset), the 五级分类 names of the
2023 金融资产风险分类办法, masked ids that keep the whole id copyable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditfactory.adapters.web.formatting import (
    cst,
    day,
    grade,
    masked_id,
    money,
    money_minor,
    uscc_masked,
)
from creditfactory.adapters.web.render import ENV
from creditfactory.kernel.money import Money


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234567.8"), "1,234,567.80 元"),
        (Decimal("0.005"), "0.01 元"),  # half-up, not banker's (0.00)
        (Decimal("0.015"), "0.02 元"),
        (Decimal("-1500"), "-1,500.00 元"),
        (Money.of("100000000"), "100,000,000.00 元"),  # 1 亿
        (Money.of("666667", "USD"), "666,667.00 USD"),
    ],
)
def test_money_in_yuan_with_separators(value: Decimal | Money, shown: str) -> None:
    assert money(value) == shown


def test_money_refuses_floats_and_takes_minor_units() -> None:
    with pytest.raises(TypeError):
        money(1234.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        money_minor(True)
    assert money_minor(12345678) == "123,456.78 元"
    assert money_minor(None) == ""


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4))
def test_money_reads_back_as_the_half_up_amount(value: Decimal) -> None:
    text = money(value)
    assert text.endswith(" 元")
    back = Decimal(text.removesuffix(" 元").replace(",", ""))
    assert abs(back - value) <= Decimal("0.005")
    assert back.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 12, 7, 2, 15, tzinfo=UTC), "2026-12-07 10:15 CST"),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "2027-01-01 00:30 CST"),  # next day
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "2026-07-01 20:00 CST"),  # no summer time
    ],
)
def test_cst_times(moment: datetime, shown: str) -> None:
    assert cst(moment) == shown


def test_cst_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        cst(datetime(2026, 12, 7, 10, 15))  # noqa: DTZ001 — the refused input


@given(st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.just(UTC)))  # fmt: skip
def test_cst_agrees_with_the_iana_zone(moment: datetime) -> None:
    expected = moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert cst(moment) == expected + " CST"
    assert cst(moment.astimezone(ZoneInfo("America/New_York"))) == expected + " CST"


def test_dates() -> None:
    assert day(date(2026, 2, 28)) == "2026-02-28"
    assert day(datetime(2026, 2, 28, 17, 0, tzinfo=UTC)) == "2026-03-01"  # the CST date
    assert day(None) == ""


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [("PASS", "正常", "Pass"), ("SPECIAL_MENTION", "关注", "Special mention"),
     ("SUBSTANDARD", "次级", "Substandard"), ("DOUBTFUL", "可疑", "Doubtful"),
     ("LOSS", "损失", "Loss")],
)  # fmt: skip
def test_five_category_grades(value: str, zh: str, en: str) -> None:
    assert grade(value)[1:] == (zh, en)
    badge = ENV.from_string(
        '{% from "components/macros.html" import grade_badge with context %}{{ grade_badge(g) }}'
    )
    assert badge.render(g=value, lang="zh-CN").startswith(
        f'<span class="badge {grade(value)[0]}">{zh} <small lang="en">{en}</small>'
    )
    assert f"{en} <small" in badge.render(g=value, lang="en")
    with pytest.raises(ValueError):
        grade("NORMAL")


def test_masked_ids_keep_the_whole_id_copyable() -> None:
    whole = "app_01JXK9F2ABCDEFGH7788"
    assert masked_id(whole) == "app_01JX…7788"
    assert masked_id("loan_12345") == "loan_12345"  # short ids whole
    copy = ENV.from_string(
        '{% from "components/macros.html" import id_copy with context %}{{ id_copy(i) }}'
    ).render(i=whole, lang="zh-CN")
    assert f'data-copy="{whole}"' in copy and ">app_01JX…7788</code>" in copy
    assert ">复制</button>" in copy


def test_uscc_masked_first_six_last_four() -> None:
    assert uscc_masked("91350100M000100Y43") == "913501********0Y43"
    assert uscc_masked(None) == ""


def test_a_day_boundary_in_cst_is_not_utc() -> None:
    start = datetime(2026, 12, 7, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert cst(start.astimezone(UTC)) == "2026-12-07 00:00 CST"
    assert cst(start.astimezone(UTC) - timedelta(minutes=1)) == "2026-12-06 23:59 CST"
