"""Export an executed notebook to a self-contained, offline HTML report for evaluators.

The report hides code (inputs and prompts), drops cells tagged ``report-hide``, declares
``<html lang="th">``, embeds the Sarabun font and every figure, and makes no network request:
the template ``templates/kpianalysis`` extends nbconvert's ``lab`` template and empties the
blocks that load require.js, MathJax and mermaid from a CDN.
"""

from __future__ import annotations

import base64
import functools
import os
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from .files import write_text_atomic

__all__ = ["HIDE_TAG", "export_html", "find_network_references", "font_css", "warm_up"]

#: Cells with this tag are executed but not shown in the HTML report.
HIDE_TAG = "report-hide"
_TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=1)
def font_css() -> str:
    """CSS @font-face rules embedding the Sarabun Thai font (regular and bold) as data URLs."""
    import fontpkg_sarabun

    files = Path(fontpkg_sarabun.ROOT) / "files"
    rules = []
    for style, weight in (("Regular", 400), ("Bold", 700)):
        data = base64.b64encode((files / f"Sarabun-{style}.ttf").read_bytes()).decode("ascii")
        rules.append(
            "@font-face { font-family: 'Sarabun'; font-style: normal; "
            f"font-weight: {weight}; src: url(data:font/ttf;base64,{data}) format('truetype'); }}"
        )
    return "\n".join(rules)


@functools.lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    """The report exporter, made once per process: its Jinja environment keeps the compiled
    templates, so later reports skip loading and compiling them."""
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {HIDE_TAG}
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    exporter = HTMLExporter(
        config=config,
        template_name="kpianalysis",
        extra_template_basedirs=[str(_TEMPLATES)],
    )
    exporter.language_code = "th"
    return exporter


def export_html(
    notebook: str | os.PathLike[str] | nbformat.NotebookNode,
    html_path: str | os.PathLike[str],
    title: str | None = None,
    footer: str = "",
) -> Path:
    """Convert an executed notebook to an offline HTML report, written atomically.

    Parameters
    ----------
    notebook : path or NotebookNode
        The executed notebook.
    html_path : path
        Where to write the HTML.
    title : str, optional
        The page title (default: the notebook's file name).
    footer : str, optional
        A line at the foot of every report (the build date and package version), escaped.

    Returns
    -------
    Path
        ``html_path``.
    """
    nb = notebook if isinstance(notebook, nbformat.NotebookNode) else nbformat.read(
        os.fspath(notebook), as_version=4)
    if title:
        nb.metadata["title"] = title
    body, _ = _exporter().from_notebook_node(nb, resources=_resources(Path(html_path).stem,
                                                                      footer))
    return write_text_atomic(html_path, body)


def _resources(name: str, footer: str) -> dict:
    """What the ``kpianalysis`` template reads besides the notebook."""
    return {"kpianalysis_font_css": font_css(), "kpianalysis_footer": footer,
            "metadata": {"name": name}}


def warm_up() -> None:
    """Make the exporter, compile its templates and encode the font once (the build's kernel
    template calls this, so every worker forked from it starts with them ready)."""
    _exporter().from_notebook_node(nbformat.v4.new_notebook(),
                                   resources=_resources("warm-up", ""))


_NETWORK = re.compile(
    r"""(?:src|href)\s*=\s*["']\s*(?:https?:)?//[^"']+|@import\s+(?:url\()?["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def find_network_references(html: str) -> list[str]:
    """Return every place in ``html`` that would make a browser fetch from a network host.

    Checks ``src``/``href`` attributes, CSS ``@import`` and ``url(...)`` with an absolute or
    protocol-relative address. Links in prose (``<a href>``) are fetched only on a click, but are
    reported too so a test can decide.
    """
    return [m.group(0) for m in _NETWORK.finditer(html)]
