"""One Chinese-numeral reader for headings, dates and quantities (policydiff.read.cjknum)."""

from decimal import Decimal

import pytest

from policydiff.read import cjknum
from policydiff.read.metadata import _cn_int
from policydiff.read.structure import cn_to_int


@pytest.mark.parametrize("text,value", [
    ("一", 1), ("十", 10), ("十二", 12), ("二十一", 21), ("九十九", 99), ("一百", 100), ("一百零五", 105),
    ("一百一十一", 111), ("两百", 200), ("一千", 1000), ("一千二百三十四", 1234), ("二〇一九", 2019),
    ("二○二一", 2021), ("２０２２", 2022), ("12", 12),
])
def test_whole_numbers_of_any_length(text, value):
    assert cjknum.to_int(text) == value
    assert cn_to_int(text) == value
    assert _cn_int(text) == value


@pytest.mark.parametrize("text", ["", "十四五", "二十大", "abc", "点"])
def test_what_is_no_numeral_is_none_never_an_error(text):
    assert cjknum.to_int(text) is None
    assert cn_to_int(text) == 0 and _cn_int(text) == 0


@pytest.mark.parametrize("text,value", [
    ("一点五", "1.5"), ("九十点五", "90.5"), ("三千万", "30000000"), ("二十万", "200000"), ("两", "2"),
    ("半", "0.5"), ("千", "1000"), ("百", "100"), ("十五", "15"),
])
def test_quantities_are_exact(text, value):
    assert cjknum.to_decimal(text) == Decimal(value)


def test_a_year_spelt_digit_by_digit_is_no_quantity():
    assert cjknum.to_decimal("二〇一九") is None


@pytest.mark.parametrize("text,value", [("九十", "90"), ("九十点五", "90.5"), ("1.5", "1.5"), ("８０", "80")])
def test_percentages(text, value):
    assert cjknum.percent(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.2.3", "", "x"])
def test_malformed_percentages(text):
    assert cjknum.percent(text) is None


def test_circled_numbers():
    assert [cjknum.circled_int(c) for c in "①⑩⑳㉑㊿"] == [1, 10, 20, 21, 50]
    assert cjknum.circled_int("1") is None


def test_plain_numerals_read_as_cn2an_reads_them():
    """The plain forms below 100,000 are read without cn2an (its import costs ~0.15 s), always to
    cn2an's number (every value was checked once; here every 37th, each way of writing it)."""
    import cn2an

    for v in [*range(1, 100_000, 37), 10, 12, 110, 2222, 20_002, 99_999]:
        full = cjknum._written(v)
        for s in {full, full[1:] if full.startswith("一十") else full, full.replace("二千", "两千"),
                  full.replace("二百", "两百"), full.replace("二万", "两万")}:
            assert cjknum._plain(s) == v == cn2an.cn2an(s, "normal"), s
    for s in ("十四五", "两万五", "二〇一九", "百", "一十一十", "零五", "十两"):
        assert cjknum._plain(s) is None, s
