"""Sphinx configuration of the book's website (built by tools/site.py; `python3 tools/run.py site`).

The source folder is a staging copy of the notebooks made by tools/site.py under build/site-src,
with the repository's folder layout (so the notebooks' relative links resolve to pages); this file
is used from site/ with ``sphinx-build -c site``. Pages are built from the saved outputs
(``nb_execution_mode = "off"``). MathJax 3 is copied from the PyPI package sphinx-mathjax-offline
into the site at build time, so no page loads anything from a CDN.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPO_URL = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]

project = "Mathematical Foundations of Deep Learning"
author = "The authors of Mathematical Foundations of Deep Learning"
copyright = "the authors; MIT License"
html_title = project
language = "en"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints"]
nb_execution_mode = "off"                     # pages from the saved outputs
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4
myst_dmath_double_inline = True
suppress_warnings = ["mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_js_files = ["book-sliders.js"]
html_last_updated_fmt = None                  # the same bytes from the same sources
html_copy_source = True
html_sourcelink_suffix = ""                   # _sources/.../x.ipynb is the notebook itself
html_show_sphinx = False
# A definite colour mode: with none, the theme logs "Got invalid theme mode" as a console error.
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": REPO_URL,
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "use_source_button": False,
    "use_issues_button": False,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        "colab_url": "https://colab.research.google.com",
        "notebook_interface": "jupyterlab",
    },
    "show_toc_level": 2,
    "home_page_in_toc": True,
}

# MathJax 3 from the site itself (sphinx-mathjax-offline's files; see mathjax_files below).
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "tex": {"tags": "ams"},
    "options": {"enableMenu": False},         # the menu would load more components on demand
}


def mathjax_files() -> tuple[Path, list[Path]]:
    """The folder of MathJax's files in the installed sphinx-mathjax-offline and the files the
    pages can load: tex-chtml.js, its fonts, the TeX extensions it loads on demand, and the
    accessibility component. The other combined bundles (SVG output, MathML input) are left out."""
    dist = importlib.metadata.distribution("sphinx-mathjax-offline")
    files = [Path(dist.locate_file(f)) for f in dist.files or [] if "/static/mathjax/" in str(f)]
    base = next(f for f in files if f.name == "tex-chtml.js" and f.parent.name == "mathjax").parent
    keep = re.compile(r"^(tex-chtml\.js|output/chtml/.*|input/tex/extensions/.*|a11y/.*|"
                      r"adaptors/.*|ui/safe\.js)$")
    return base, [f for f in files if keep.match(f.relative_to(base).as_posix())]


def copy_mathjax(app, exc) -> None:
    if exc is not None:
        return
    base, files = mathjax_files()
    out = Path(app.outdir) / "_static" / "mathjax"
    for f in files:
        target = out / f.relative_to(base)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


def setup(app):
    app.connect("build-finished", copy_mathjax)
