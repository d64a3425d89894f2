"""tools/site.py's pieces that need neither a kernel nor a browser: links rewritten for the site,
the static slider's markup, and the plain note for a figure whose controls need a kernel."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("book_site", ROOT / "tools" / "site.py")
site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site)


def _png(w: int, h: int) -> bytes:
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + b"\xff" * 3 * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_png_size():
    assert site.png_size(_png(7, 3)) == (7, 3)


def test_links_between_notebooks_stay_pages_and_others_point_at_the_repository():
    page = ROOT / "notebooks" / "02_calculus" / "01_derivatives.ipynb"
    intro = ROOT / "notebooks" / "00_introduction.ipynb"
    _, url = site.book.repository()
    text = ("[intro](../00_introduction.ipynb#Notation) [code](../../helpers/widgets.py) "
            "[web](https://example.org/x#Y) [here](#The-tangent-line)")
    out = site.rewrite_links(text, page, {intro.resolve()})
    assert "[intro](../00_introduction.ipynb#notation)" in out
    assert f"[code]({url}/blob/main/helpers/widgets.py)" in out
    assert "[web](https://example.org/x#Y)" in out
    assert "[here](#the-tangent-line)" in out


def test_slider_markup_has_one_input_per_control_at_its_initial_position():
    manifest = {"controls": [
        {"name": "w", "label": "w", "kind": "slider", "labels": ["0.0", "0.5", "1.0"],
         "values": [0.0, 0.5, 1.0], "initial": 1},
        {"name": "f", "label": "function", "kind": "dropdown", "labels": ["sin", "cos"],
         "values": [0, 1], "initial": 0},
        {"name": "s", "label": "show", "kind": "checkbox", "labels": ["off", "on"],
         "values": [False, True], "initial": 1}],
        "frames": [{"src": f"f{i:03d}.png", "text": ""} for i in range(12)]}
    out = site.slider_html("_frames/x/fig1/manifest.json", "_frames/x/fig1/initial.png",
                           _png(40, 20), "w = 0.5 <b>", manifest, "figure")
    assert 'type="range" min="0" max="2" step="1" value="1"' in out
    assert '<option value="0" selected>sin</option>' in out
    assert 'type="checkbox" data-control="2" checked' in out
    assert 'width="40" height="20"' in out
    assert "w = 0.5 &lt;b&gt;" in out


def test_a_figure_that_needs_a_kernel_says_so_with_the_launch_links():
    links = site.launch_links("notebooks/00_introduction.ipynb")
    out = site.static_html("_frames/x/fig1/initial.png", _png(10, 10), "", "name",
                           links, "name: Text cannot be precomputed")
    assert "need a live kernel" in out and "<input" not in out
    for key in ("colab", "binder", "download"):
        assert links[key] in out
