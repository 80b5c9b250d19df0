"""Figures render Thai with the shipped font: no missing glyphs, no orphaned marks."""

import warnings

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager

from kpianalysis import band_chart, estimate_chart, likert_diverging_chart, use_thai_font
from kpianalysis.likert import item_distribution
from kpianalysis.plotting import shorten_label

THAI = "ระดับความพึงพอใจที่น้ำใจ ผู้ใช้งานระบบ"


def test_font_is_shipped_and_covers_thai():
    family = use_thai_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family),
                                 fallback_to_default=False)
    assert "Sarabun" in path and "site-packages" in path.replace("\\", "/")
    assert matplotlib.rcParams["font.family"][0] == "Sarabun"


def _draw_without_warnings(fig):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning
        fig.canvas.draw()


def test_charts_draw_thai_without_missing_glyphs():
    items = pd.DataFrame({"q1": [5, 4, 3, 2, 1], "q2": [5, 5, 4, 4, 3]}).astype("Int8")
    dist = item_distribution(items)
    _draw_without_warnings(likert_diverging_chart(dist, {"q1": THAI, "q2": "น้ำ"}, title=THAI))
    bands = pd.DataFrame({"band": [5, 4, 3, 2, 1],
                          "band_th": ["มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด"],
                          "range": ["4.51–5.00", "3.51–4.50", "2.51–3.50", "1.51–2.50",
                                    "1.00–1.50"], "n": [1, 2, 3, 0, 1],
                          "percent": [14.3, 28.6, 42.9, 0.0, 14.3]})
    _draw_without_warnings(band_chart(bands, title="การกระจายระดับ"))
    _draw_without_warnings(estimate_chart(["รอบที่ 1"], [82.0], [76.0], [87.0], target=80))


@pytest.mark.parametrize("width", range(1, 12))
def test_shorten_label_never_orphans_a_mark(width):
    import unicodedata

    text = "ที่น้ำใจผู้ใช้งาน"
    short = shorten_label(text, width).rstrip("…")
    assert text.startswith(short)
    rest = text[len(short):]
    assert not rest or unicodedata.category(rest[0]) != "Mn"
