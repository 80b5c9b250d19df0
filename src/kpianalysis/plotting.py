"""Figures for the reports, with Thai text rendered by a font shipped with the install.

The Sarabun family (SIL Open Font License) comes from the PyPI package ``fontpkg-sarabun``, so a
report renders the same on a machine with no Thai fonts. Matplotlib ≥ 3.11 shapes text with
libraqm/HarfBuzz, which keeps Thai tone marks and vowels above and below the consonant
(ที่, น้ำ) in place. Every function returns a :class:`matplotlib.figure.Figure`; nothing is shown
or saved here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

__all__ = [
    "THAI_FONT_FAMILY",
    "band_chart",
    "estimate_chart",
    "likert_diverging_chart",
    "new_figure",
    "shorten_label",
    "use_thai_font",
]

THAI_FONT_FAMILY = "Sarabun"
_registered = False

#: Colours for levels 1 (น้อยที่สุด) … 5 (มากที่สุด): a colour-blind-safe diverging palette.
LEVEL_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"}


def _font_files() -> list[Path]:
    import fontpkg_sarabun

    return sorted((Path(fontpkg_sarabun.ROOT) / "files").glob("Sarabun-*.ttf"))


def use_thai_font() -> str:
    """Register the packaged Sarabun fonts and make them matplotlib's default family.

    Returns
    -------
    str
        The family name set (``"Sarabun"``), with DejaVu Sans as fallback for symbols.

    Raises
    ------
    RuntimeError
        If the font files of ``fontpkg-sarabun`` cannot be found.
    """
    global _registered
    if not _registered:
        files = _font_files()
        if not files:
            raise RuntimeError("the Sarabun font files of fontpkg-sarabun were not found")
        for path in files:
            font_manager.fontManager.addfont(str(path))
        _registered = True
    matplotlib.rcParams["font.family"] = [THAI_FONT_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return THAI_FONT_FAMILY


def shorten_label(text: str, width: int = 42) -> str:
    """Cut ``text`` to about ``width`` characters without separating a Thai mark from its base.

    Thai vowels above/below and tone marks are combining characters; the cut moves past them
    so no orphan mark is left.
    """
    if len(text) <= width:
        return text
    cut = width
    while cut < len(text) and unicodedata.category(text[cut]) == "Mn":
        cut += 1
    return text[:cut].rstrip() + "…"


def new_figure(width: float, height: float) -> tuple[Figure, object]:
    """A constrained-layout figure with one axes, Thai font set (no pyplot, no global state)."""
    use_thai_font()
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def likert_diverging_chart(
    distribution: pd.DataFrame,
    item_labels: Mapping[str, str] | None = None,
    level_labels: Mapping[int, str] | None = None,
    title: str = "",
) -> Figure:
    """Diverging stacked bar chart of item answers, centred on the neutral level.

    Parameters
    ----------
    distribution : DataFrame
        Output of :func:`kpianalysis.likert.item_distribution` (columns ``pct_1`` … ``pct_5``).
    item_labels : mapping, optional
        Item code → label shown on the axis (shortened to fit).
    level_labels : mapping, optional
        Level → legend label (default the Thai five-point labels).
    title : str
        Figure title.
    """
    from .likert import LIKERT_LABELS_TH

    if level_labels is None:
        level_labels = {v: k for k, v in LIKERT_LABELS_TH.items()}
    items = list(distribution.index)[::-1]  # first item on top
    pct = {lvl: distribution.loc[items, f"pct_{lvl}"].to_numpy(dtype=float) for lvl in range(1, 6)}
    fig, ax = new_figure(9, 0.45 * len(items) + 1.6)
    y = np.arange(len(items))
    left = -(pct[1] + pct[2] + pct[3] / 2)
    for lvl in (1, 2, 3, 4, 5):
        ax.barh(y, pct[lvl], left=left, color=LEVEL_COLOURS[lvl], label=level_labels[lvl],
                edgecolor="white", linewidth=0.5)
        left = left + pct[lvl]
    ax.axvline(0, color="#333333", linewidth=0.8)
    labels = [shorten_label((item_labels or {}).get(i, str(i))) for i in items]
    ax.set_yticks(y, labels)
    lim = max(100.0, float(np.nanmax(np.abs(left))) if len(items) else 100.0)
    ax.set_xlim(-lim, lim)
    ticks = np.arange(-100, 101, 25)
    ax.set_xticks(ticks, [f"{abs(t):d}%" for t in ticks])
    ax.set_xlabel("ร้อยละของผู้ตอบ (ซ้าย: ไม่พึงพอใจ · ขวา: พึงพอใจ)")
    # the legend gets its own row below the axes (constrained layout reserves the space), so it
    # is never clipped however few items there are
    fig.legend(ncols=5, loc="outside lower center", frameon=False)
    if title:
        ax.set_title(title)
    return fig


def band_chart(band_counts: pd.DataFrame, title: str = "") -> Figure:
    """Horizontal bars: percent of scored respondents in each mean-score band.

    Parameters
    ----------
    band_counts : DataFrame
        ``LikertResult.band_counts`` (columns ``band``, ``band_th``, ``range``, ``n``, ``percent``).
    title : str
        Figure title.
    """
    data = band_counts.iloc[::-1]
    fig, ax = new_figure(7, 2.8)
    colours = [LEVEL_COLOURS[int(b)] for b in data["band"]]
    y = np.arange(len(data))
    ax.barh(y, data["percent"], color=colours)
    ax.set_yticks(y, [f"{t} ({r})" for t, r in zip(data["band_th"], data["range"], strict=True)])
    for yi, (p, n) in enumerate(zip(data["percent"], data["n"], strict=True)):
        ax.text(p + 1, yi, f"{p:.1f}% (n={n})", va="center", fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("ร้อยละของผู้ตอบที่ได้รับการประเมิน")
    if title:
        ax.set_title(title)
    return fig


def estimate_chart(
    labels: Sequence[str],
    estimates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    target: float | None = 80.0,
    title: str = "",
    xlabel: str = "ร้อยละ",
) -> Figure:
    """Point estimates with confidence intervals against a target line (all in percent).

    Parameters
    ----------
    labels : sequence of str
        One label per estimate (top to bottom).
    estimates, lows, highs : sequence of float
        Estimates and interval bounds, in percent.
    target : float, optional
        Vertical target line (e.g. 80 %); ``None`` for none.
    title, xlabel : str
        Texts.
    """
    n = len(labels)
    fig, ax = new_figure(7, 0.5 * n + 1.4)
    y = np.arange(n)[::-1]
    est = np.asarray(estimates, dtype=float)
    err = np.vstack([est - np.asarray(lows, dtype=float), np.asarray(highs, dtype=float) - est])
    ax.errorbar(est, y, xerr=err, fmt="o", color="#2166ac", ecolor="#555555", capsize=4)
    for yi, e in zip(y, est, strict=True):
        ax.text(e, yi + 0.18, f"{e:.1f}", ha="center", fontsize=9)
    if target is not None:
        ax.axvline(target, color="#b2182b", linestyle="--", linewidth=1)
        ax.text(target, n - 0.4, f" เป้าหมาย {target:g}%", color="#b2182b", fontsize=9)
    ax.set_yticks(y, list(labels))
    ax.set_ylim(-0.7, n - 0.2)
    lo = min(float(np.nanmin(lows)), target if target is not None else 100.0)
    ax.set_xlim(max(0.0, lo - 10), 100)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig
