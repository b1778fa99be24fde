"""Documents built once per session from the seed copy in tests/read/data (the tests never read the steering folder)."""

from __future__ import annotations

import pytest

from . import make_docs


@pytest.fixture(scope="session")
def paragraphs() -> list[str]:
    return make_docs.seed_paragraphs()


@pytest.fixture(scope="session")
def docx_doc(paragraphs: list[str]) -> tuple[bytes, list[str]]:
    """(DOCX bytes, the lines extract() should return)."""
    return make_docs.docx_bytes(paragraphs)


@pytest.fixture(scope="session")
def pdf_doc(paragraphs: list[str]) -> bytes:
    return make_docs.pdf_reportlab(paragraphs)


@pytest.fixture(scope="session")
def ofd_doc(paragraphs: list[str]) -> bytes:
    return make_docs.ofd_bytes(paragraphs)
