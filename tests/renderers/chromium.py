"""The Chromium the browser tests drive (installed by .ci/run): where it is, how it starts, and
what a test does when it is missing (skip on a developer's machine, fail under CI=true)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def need_chromium(what: str = "the browser tests") -> None:
    """Skip (or, under CI=true, fail) when Chromium is not installed."""
    if not Path(CHROMIUM).is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing (CI=true: {what} must run)")
        pytest.skip(f"{CHROMIUM} is missing")


@contextlib.contextmanager
def launched(what: str = "the browser tests") -> Iterator:
    """A headless Chromium driven by Playwright, closed afterwards."""
    need_chromium(what)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
