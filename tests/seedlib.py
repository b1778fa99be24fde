"""The seed documents and the variants tests derive from them (encodings, script, mirror damage, HTML)."""

from __future__ import annotations

import html
import random
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the five seed documents, byte-identical copies kept with the tests (see data/seeds/INDEX.md)
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"

FILES = {
    "2016": "001_66936beedc7eb52d.txt",
    "2019": "000_f5389067b9ab5a36.txt",
    "2020": "003_6760169ef42d98b0.txt",
    "2021": "002_d45bf98a6024f160.txt",
    "jieyang": "004_5f60215a50e547ff.txt",
}
KINDS = {"2020": "news", "jieyang": "city-plan"}


def seed_path(key: str) -> Path:
    return SEEDS / FILES[key]


def seed_bytes(key: str) -> bytes:
    return seed_path(key).read_bytes()


def seed_text(key: str) -> str:
    return seed_bytes(key).decode("utf-8")


@lru_cache(maxsize=16)
def seed_doc(key: str):
    """The normalized Document of a seed (cached: normalizing is deterministic)."""
    from policydiff.model.document import DocMeta
    from policydiff.read.pipeline import process

    raw = seed_bytes(key)
    return process(raw.decode("utf-8"), DocMeta(kind=KINDS.get(key, "plan")), source_bytes=raw)


def mirror_damage(text: str, seed: int = 0, rate: float = 0.15) -> str:
    """What mirror sites do: Traditional script, pinyin after characters, doubled and half-width
    punctuation, odd spaces, CRLF line endings."""
    import opencc
    from pypinyin import Style, pinyin

    rng = random.Random(seed)
    trad = opencc.OpenCC("s2t").convert(text)
    out = []
    for ch in trad:
        out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < rate:
            reading = pinyin(ch, style=Style.TONE)[0][0]
            if reading != ch:
                out.append(f"({reading} )" if rng.random() < 0.2 else f"({reading})")
    damaged = "".join(out)
    damaged = damaged.replace("（", "(").replace("）", ")").replace("：", ":")
    chars = []
    for ch in damaged:
        if ch == "，":
            chars.append(",," if rng.random() < 0.1 else ",")
        elif ch == "、" and rng.random() < 0.1:
            chars.append(",、")
        elif ch == "。" and rng.random() < 0.05:
            chars.append(",。")
        else:
            chars.append(ch)
    damaged = "".join(chars)
    lines = [("\u3000\u3000" + ln if rng.random() < 0.3 else ln) for ln in damaged.split("\n")]
    return "\r\n".join(lines)


def as_html(text: str, title: str = "plan") -> str:
    """The text as a government web page with navigation, scripts and furniture around it."""
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "</title>"
        "<style>p{margin:0}</style><script>var x='<p>不要</p>';</script></head><body>"
        "<nav><a href='/'>首页</a> &gt; <a href='/zw'>政务公开</a></nav>"
        "<div class='info'>来源：本网 作者： 发布时间：2019-11-27 16:08:20 浏览次数：-</div>"
        "<div class='tools'>【打印】 【字体：大 中 小】 分享到：</div>"
        f"<div class='article'>{body}</div>"
        "<footer>版权所有：广东省人民政府办公厅 粤ICP备05070829号</footer></body></html>"
    )
