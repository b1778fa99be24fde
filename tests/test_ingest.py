"""ingest.decode: encodings of the real seeds and every refusal."""

from __future__ import annotations

import re

import pytest

from policydiff.errors import PolicydiffError, UsageProblem
from policydiff.read.decode import MAX_BYTES, Decoded, decode, plausibility
from policydiff.read.text import strip_pinyin


def _big5_safe(text: str) -> str:
    """Drop characters Big5 cannot encode (the 2021 seed has pinyin letters, ∑ and mojibake)."""
    out = []
    for ch in text:
        try:
            ch.encode("big5")
        except UnicodeEncodeError:
            continue
        out.append(ch)
    return "".join(out)


@pytest.mark.parametrize("key", ["2016", "2019", "2020", "2021", "jieyang"])
def test_seeds_are_utf8_and_decode_unchanged(seeds, key):
    raw = seeds[key].read_bytes()
    result = decode(raw, seeds[key].name)
    assert isinstance(result, Decoded)
    assert result.encoding == "utf-8"
    assert result.text == raw.decode("utf-8")


@pytest.mark.parametrize("key", ["2016", "2019", "2020", "2021", "jieyang"])
@pytest.mark.parametrize(
    ("codec", "prefix", "expected"),
    [
        ("gb18030", b"", "gb18030"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16-le", b"\xff\xfe", "utf-16-le"),
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
    ],
)
def test_seed_in_other_encodings(seeds, key, codec, prefix, expected):
    text = seeds[key].read_text(encoding="utf-8")
    result = decode(prefix + text.encode(codec), "x")
    assert result.encoding == expected
    assert result.text == text  # BOM dropped, nothing else changed


def test_traditional_seed_as_big5(seeds):
    text = _big5_safe(strip_pinyin(seeds["2021"].read_text(encoding="utf-8"))[0])
    data = text.encode("big5")
    # Big5 bytes are nearly always valid GB18030 too: the decision rests on plausibility.
    data.decode("gb18030")
    result = decode(data, "2021-big5.txt")
    assert result.encoding == "big5"
    assert result.text == text


@pytest.mark.parametrize("key", ["2019", "jieyang"])
def test_simplified_seed_converted_to_traditional_as_big5(seeds, key):
    import opencc

    text = _big5_safe(opencc.OpenCC("s2t").convert(seeds[key].read_text(encoding="utf-8")))
    result = decode(text.encode("big5"), "t.txt")
    assert (result.encoding, result.text) == ("big5", text)


def test_gbk_text_is_not_mistaken_for_big5(seeds):
    text = seeds["2016"].read_text(encoding="utf-8")
    data = text.encode("gbk")
    assert decode(data).encoding == "gb18030"
    wrong = data.decode("big5", errors="replace")
    assert plausibility(wrong) < plausibility(text) - 0.3


def test_decode_does_not_normalise():
    text = "关於（一）全角，標點\r\n① ⑴\u3000x"
    assert decode(text.encode("utf-8")).text == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        (b"\xef\xbb\xbf  \n", "empty"),
        ("\n  \u3000\n".encode("utf-16-le").join([b"\xff\xfe", b""]), "empty"),
        ("政府工作".encode() + b"\x00\x00" + "要点".encode(), "NUL"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG"),
        (b"PK\x03\x04" + b"\x14\x00" * 20, "ZIP"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "ELF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
        (b"\x80\xff\x80\xff\xfe\x80" * 10, "cannot decode"),
        (bytes(range(1, 9)) * 50 + b"abc", "control"),
    ],
)
def test_refusals(data, message):
    with pytest.raises(PolicydiffError, match=message) as info:
        decode(data, "input.txt")
    assert not isinstance(info.value, UsageProblem)  # content problems exit 1
    assert "input.txt" in str(info.value)


def test_size_guard():
    with pytest.raises(PolicydiffError, match=re.escape("too large")):
        decode(b"a" * (MAX_BYTES + 1), "big.txt")


def test_plain_ascii_text_is_accepted():
    assert decode(b"Work plan 2019\n").encoding == "utf-8"
