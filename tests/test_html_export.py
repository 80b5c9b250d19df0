"""The HTML export: code hidden, Thai declared, no network request, hidden cells dropped."""

import nbformat

from kpianalysis.html_export import HIDE_TAG, export_html, find_network_references


def _notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    shown = nbformat.v4.new_code_cell("secret_code_line = 1")
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ผลลัพธ์ที่แสดง\n")]
    hidden = nbformat.v4.new_code_cell("print('x')", metadata={"tags": [HIDE_TAG]})
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="HIDDEN-OUTPUT\n")]
    chart = nbformat.v4.new_code_cell("display(image)")
    chart.outputs = [nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo="},
        metadata={"image/png": {"alt": "แผนภูมิร้อยละ"}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# หัวข้อรายงาน"), shown, hidden, chart]
    return nb


def test_export_is_offline_thai_and_hides_code(tmp_path):
    path = export_html(_notebook(), tmp_path / "r.html", title="รายงาน")
    html = path.read_text(encoding="utf-8")
    assert '<html lang="th">' in html
    assert "<title>รายงาน</title>" in html
    assert "ผลลัพธ์ที่แสดง" in html and "หัวข้อรายงาน" in html
    assert "secret_code_line" not in html
    assert "HIDDEN-OUTPUT" not in html
    assert find_network_references(html) == []
    assert "require.js" not in html and "MathJax.js" not in html
    assert "font-family: 'Sarabun'" in html  # embedded font
    assert 'alt="แผนภูมิร้อยละ"' in html  # figures keep their alternative text
    # Our font rules must come after the lab stylesheet, or its font-family wins and a laptop
    # without Thai fonts shows boxes (seen in a headless-Chromium screenshot).
    ours = html.rindex('--jp-content-font-family: "Sarabun"')
    assert ours > html.index("--jp-content-font-family:")


def test_find_network_references_detects_cdn():
    page = ('<script src="https://cdnjs.cloudflare.com/x.js"></script>'
            '<link href="//fonts.example.org/a.css"><style>@import url("https://x/y.css")</style>'
            '<img src="data:image/png;base64,AAAA">')
    found = find_network_references(page)
    assert len(found) == 3


def test_the_shared_exporter_carries_nothing_from_one_report_to_the_next(tmp_path):
    """The exporter is made once per process (its compiled templates reused): a report
    exported after another is byte for byte what a fresh exporter gives."""
    import copy

    from kpianalysis import html_export

    report = _notebook()  # one notebook (cell ids are random per notebook), exported 3 times
    other = _notebook()
    other.cells = [nbformat.v4.new_markdown_cell("# รายงานอื่น"), other.cells[2]]

    def export(nb, folder, **kw):
        (tmp_path / folder).mkdir()
        return export_html(copy.deepcopy(nb), tmp_path / folder / "r.html", **kw).read_bytes()

    html_export._exporter.cache_clear()
    fresh = export(report, "fresh", title="ก")
    export(other, "other", title="ข", footer="ท้ายรายงาน")
    again = export(report, "again", title="ก")
    html_export._exporter.cache_clear()
    html_export.warm_up()  # as the kernel template does before forking the workers
    warmed = export(report, "warmed", title="ก")
    assert fresh == again == warmed
    assert "ท้ายรายงาน".encode() not in again and b"HIDDEN-OUTPUT" not in again
