"""The HTML report in a real browser: Debian's headless Chromium driven through Playwright.

Filters show the right cards, anchors land on their card, nothing is fetched from the network, the page
logs no console error, and an injected <script> never runs. Skipped only when Chromium is missing and CI
is not "true"; under CI=true a missing Chromium fails.
"""

from __future__ import annotations

import pytest
from chromium import launched
from test_html import EVIL_EID, PWN, hostile_comparison, real_comparison

from renderers import html as html_renderer
from renderers.common import card_id, card_tags, card_targets


@pytest.fixture(scope="module")
def browser():
    with launched() as b:
        yield b


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    real, hostile = real_comparison(), hostile_comparison()
    (root / "real.html").write_text(html_renderer.render(real), encoding="utf-8")
    (root / "hostile.html").write_text(html_renderer.render(hostile), encoding="utf-8")
    return {"real": (real, (root / "real.html").as_uri()), "hostile": (hostile, (root / "hostile.html").as_uri())}


class Watch:
    """Console errors, page errors and every request a page makes."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))

    def check(self):
        assert not self.errors, self.errors
        assert all(u.startswith(("file://", "data:", "about:")) for u in self.requests), self.requests


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    pg = context.new_page()
    pg.set_default_timeout(5000)
    pg.watch = Watch(pg)
    yield pg
    context.close()


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "article.card", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def in_view(page, element_id: str) -> bool:
    """The element's top is on screen and not under the sticky filter bar."""
    return page.evaluate(
        """id => { const r = document.getElementById(id).getBoundingClientRect();
                   const bar = document.querySelector('.toolbar').getBoundingClientRect();
                   const top = bar.top <= 1 ? bar.bottom : 0;
                   return r.height > 0 && r.top >= top - 2 && r.top < window.innerHeight; }""", element_id)


def test_real_report_filters(page, reports):
    cmp, url = reports["real"]
    page.goto(url)
    everything = [card_id(m) for m in cmp.matches if m.status != "unchanged"]
    assert visible_ids(page) == everything
    assert page.text_content("#shown-count") == str(len(everything))

    page.click('button[data-filter="added"]')
    added = [card_id(m) for m in cmp.matches if m.status == "added"]
    assert added and visible_ids(page) == added
    assert page.get_attribute('button[data-filter="added"]', "aria-pressed") == "true"

    page.click('button[data-filter="dropped"]')  # filters combine: added or dropped
    both = [card_id(m) for m in cmp.matches if m.status in ("added", "dropped")]
    assert visible_ids(page) == both

    page.click("#f-all")
    page.click('button[data-filter="tightened"]')
    per = card_targets(cmp)
    tight = [card_id(m) for i, m in enumerate(cmp.matches) if "tightened" in card_tags(per.get(i, []))]
    assert tight and visible_ids(page) == tight
    # sections without a visible card are hidden too
    hidden_sections = page.eval_on_selector_all("section.sec", "els => els.filter(e => !e.offsetParent).length")
    assert hidden_sections > 0

    page.click("#f-all")
    assert visible_ids(page) == everything
    page.click('button[data-view="sbs"]')
    assert page.eval_on_selector_all(".card .redline", "els => els.every(e => !e.offsetParent)")
    page.watch.check()


def test_real_report_anchors(page, reports):
    cmp, url = reports["real"]
    deep = [m for m in cmp.matches if m.new][-3]
    target = card_id(deep)
    page.goto(f"{url}#{target}")
    assert page.evaluate("location.hash") == f"#{target}"
    assert page.evaluate("document.querySelector(':target').id") == target
    assert in_view(page, target)

    # the target table links to the card of the tightened target
    page.goto(url)
    link = page.locator("#targets tr.t-tightened a").first
    href = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == href
    assert in_view(page, href[1:])

    # a table-of-contents entry lands on its section
    toc = page.locator("nav.toc a[href^='#sec-']").last
    section = toc.get_attribute("href")[1:]
    toc.click()
    assert in_view(page, section)

    # an old eId of a moved/modified clause leads to the card it went to
    moved = [m for m in cmp.matches if m.old and m.new][-1]
    page.goto(f"{url}#old-{moved.old[0]}")
    assert in_view(page, card_id(moved))
    assert page.get_attribute(f"#{card_id(moved)}", "class").split().count("flash") == 1
    page.watch.check()


def test_injected_script_never_runs(page, reports):
    cmp, url = reports["hostile"]
    page.goto(url)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    for sel in ("h1", "header.doc", "article.card", "td", "li", "code", "nav.toc a"):
        for el in page.query_selector_all(sel)[:40]:
            if el.is_visible():
                el.hover()
    for b in page.query_selector_all("button"):
        if b.is_enabled():
            b.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert PWN in page.inner_text("h1")
    assert page.evaluate("document.scripts.length") == 1
    assert page.evaluate("document.styleSheets.length") == 1
    page.watch.check()


def test_hostile_report_unchanged_cards_and_anchor_to_hidden_card(page, reports):
    cmp, url = reports["hostile"]
    page.goto(url)
    unchanged = [card_id(m) for m in cmp.matches if m.status == "unchanged"]
    assert unchanged and not set(unchanged) & set(visible_ids(page))
    page.click("#f-unchanged")
    assert set(unchanged) <= set(visible_ids(page))
    page.click("#f-unchanged")

    # following a link to a hidden card reveals it
    page.goto(f"{url}#{unchanged[0]}")
    assert unchanged[0] in visible_ids(page) and in_view(page, unchanged[0])
    assert page.evaluate("document.querySelector(':target').id") == unchanged[0]

    # a card whose eId is itself markup can be linked to through its permalink
    evil = f"new-{EVIL_EID}"
    page.goto(url)
    page.locator("article.card a.permalink").filter(has_text="evil").click()
    assert page.evaluate("decodeURIComponent(location.hash.slice(1))") == evil
    assert page.evaluate("document.querySelector(':target').id") == evil
    page.click('button[data-filter="loosened"]')
    assert visible_ids(page) == [evil]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    page.watch.check()


def test_print_shows_every_card(page, reports):
    cmp, url = reports["hostile"]
    page.goto(url)
    page.emulate_media(media="print")
    assert len(visible_ids(page)) == len(cmp.matches)
    assert page.eval_on_selector_all(".toolbar button", "els => els.every(e => !e.offsetParent)")
    page.watch.check()


def test_real_report_department_filter(page, reports):
    """The department select shows the cards that name the department, with the status filters."""
    from renderers.common import card_departments

    cmp, url = reports["real"]
    page.goto(url)
    counts: dict[str, int] = {}
    for m in cmp.matches:
        for d in card_departments(m):
            counts[d] = counts.get(d, 0) + (m.status != "unchanged")
    dept = max(counts, key=counts.get)
    page.select_option("#f-dept", dept)
    want = [card_id(m) for m in cmp.matches if m.status != "unchanged" and dept in card_departments(m)]
    assert want and visible_ids(page) == want
    page.click('button[data-filter="modified"]')
    assert visible_ids(page) == [card_id(m) for m in cmp.matches
                                 if m.status == "modified" and dept in card_departments(m)]
    page.select_option("#f-dept", "")
    assert visible_ids(page) == [card_id(m) for m in cmp.matches if m.status == "modified"]
    page.watch.check()
