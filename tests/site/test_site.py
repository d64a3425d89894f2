"""The book's website in headless Chromium (python3 tools/run.py site --subset): every page loads
with no console error and no request outside the site, its maths is typeset, its images load, its
links resolve, the search finds it, and every control of every figure shows the precomputed frame
of its position when dragged, moved by the keyboard, picked or clicked. A copy of the site with a
missing frame must fail the same check (a test of the test). Screenshots: tests/artifacts/site/."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

import site_browser as sb

pytestmark = [pytest.mark.site, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("book_site", ROOT / "tools" / "site.py")
book_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_site)

PAGES = ["index.html"] + [p.removeprefix("").replace(".ipynb", ".html") for p in book_site.SUBSET]
NOTEBOOK_PAGES = PAGES[1:]


def test_build_prints_budgets_and_meets_them(site_build):
    root, log = site_build
    for what in ("initial page weight", "frames per figure", "whole site", "budgets: all met"):
        assert what in log, f"the build log does not say {what!r}:\n{log[-2000:]}"
    assert sorted(sb.content_pages(root)) == sorted(PAGES)


def test_internal_links_resolve(site_build):
    root, _ = site_build
    pages = sb.content_pages(root) + ["search.html", "genindex.html"]
    assert sb.broken_links(root, pages) == []


@pytest.mark.parametrize("rel", PAGES)
def test_page(site_context, site_server, rel):
    problems, moves = sb.check_page(site_context, site_server.url, rel)
    assert not problems, "\n".join(problems)
    if rel != "index.html":
        text = (site_server.root / rel).read_text()
        assert "tag_solution" in text, f"{rel} shows no folded solution"
        assert moves > 0, f"no control of {rel} was moved"


@pytest.mark.parametrize("rel", NOTEBOOK_PAGES)
def test_search_finds_the_page(site_build, site_context, site_server, rel):
    term = sb.title_term(site_build[0], rel)
    assert sb.search_finds(site_context, site_server.url, term, rel), \
        f"searching the site for {term!r} does not list {rel}"


def test_a_missing_frame_fails_the_check(site_build, site_context, tmp_path):
    """The test of the test: the same page with the frames of its first figure removed (all but the
    one shown first) must be reported, by the image check and the network check."""
    root, _ = site_build
    broken = tmp_path / "html"
    shutil.copytree(root, broken)
    rel = NOTEBOOK_PAGES[1]
    frames = sorted((broken / Path(rel).parent / "_frames" / Path(rel).stem / "fig1").glob("f*.png"))
    assert frames, "the fixture needs a figure with frames"
    for f in frames:
        f.unlink()
    with sb.SiteServer(broken) as server:
        problems, _ = sb.check_page(site_context, server.url, rel,
                                    artifacts=sb.ARTIFACTS / "broken-fixture")
    text = "\n".join(problems)
    assert "HTTP 404" in text and "failed to load" in text, text
