"""The website's parts without a browser: tile positions, pages of both geographies and languages, search folding,
colour contrast, nothing loaded from another host."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evalutils.geography import provinces, units_2025
from evalutils.report.formatting import STATUS_COLOURS
from evalutils.site import build_site
from evalutils.site.search import fold, index_entry, words
from evalutils.site.tiles import TILES

PKG = Path(__file__).resolve().parents[2] / "src" / "evalutils"


@pytest.mark.parametrize("geo, table", [("pre2025", provinces), ("2025", units_2025)])
def test_every_province_has_one_tile_of_its_own(geo, table):
    tiles = TILES[geo]
    assert set(tiles) == set(table()["slug"])
    assert len(set(tiles.values())) == len(tiles)            # no two on one square
    # north above south, as on a map
    assert tiles["ha-noi"][0] < tiles["da-nang"][0] < tiles["ho-chi-minh"][0] < tiles["ca-mau"][0]
    assert tiles["lai-chau"][1] < tiles["quang-ninh"][1]      # west left of east


def _luminance(hex_colour: str) -> float:
    c = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_status_and_map_colours_have_enough_contrast():
    assert contrast("#5aae61", "#ffffff") < 4.5          # the old "on track" green fails: the check can fail
    for status, colour in STATUS_COLOURS.items():
        assert contrast(colour, "#ffffff") >= 4.5, status
    css = (PKG / "site" / "static" / "site.css").read_text(encoding="utf-8")
    bins = re.findall(r"\.bin(\d)\{background:(#[0-9a-f]{3,6});color:(#[0-9a-f]{3,6})", css)
    assert len(bins) == 6
    for _, bg, fg in bins:
        bg = "#ffffff" if bg == "#fff" else bg
        fg = "#ffffff" if fg == "#fff" else fg
        assert contrast(bg, fg) >= 4.5, (bg, fg)


def test_search_folds_accents_and_d():
    assert fold("Bạc Liêu") == "bac lieu" and fold("Đà Nẵng") == "da nang" and fold("THỪA THIÊN HUẾ") == \
        "thua thien hue"
    entry = index_entry("vi/x.html", "vi", "report",
                        "<html><head><title>Bạc Liêu — Đánh giá</title><style>.a{}</style></head><body>"
                        "<nav>Trang chủ</nav><p>Năng suất <b>lao động</b></p><img src='data:image/png;base64,QUJD'>"
                        "<script>var secret = 1;</script></body></html>")
    assert entry["t"] == "Bạc Liêu — Đánh giá"
    assert words("Năng suất lao động") == ["nang", "suat", "lao", "dong"]
    w = entry["w"].split()
    assert {"bac", "lieu", "nang", "suat", "dong"} <= set(w)
    assert not {"secret", "trang", "chu", "base64", "png"} & set(w)   # scripts, navigation and images left out


def _entry(geo, lang, slug, ok=True, results=None):
    return {"province": slug, "lang": lang, "geography": geo, "outcome": "built" if ok else "failed",
            "html": (f"{lang}/units-2025/{slug}.html" if geo == "2025" else f"{lang}/{slug}.html") if ok else None,
            "error": None if ok else "boom", "parameters": {}, "results": results}


def test_both_geographies_both_languages(tmp_path):
    reports = tmp_path / "reports"
    entries = {}
    res = {"n_targets": 4, "target_status_counts": {"met": 2}, "n_supported": 12, "outcome": "log_va_per_worker",
           "effect": {"estimate": 0.05, "conf_low": -0.01, "conf_high": 0.11}, "mde": 0.08,
           "effects": {"callaway_santanna": {"estimate": 0.05, "conf_low": -0.01, "conf_high": 0.11}}}
    for geo, slugs in (("pre2025", ["ha-noi", "da-nang"]), ("2025", ["hue", "ha-noi"])):
        for slug in slugs:
            for lang in ("vi", "en"):
                e = _entry(geo, lang, slug, results=res)
                entries[f"{geo}/{lang}/{slug}"] = e
                path = reports / e["html"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"<html><head><title>Notebook</title></head><body><main>{slug}</main></body></html>",
                                encoding="utf-8")
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    build_site(reports)
    site = reports / "site"
    for lang in ("vi", "en"):
        overview = (site / lang / "overview.html").read_text(encoding="utf-8")
        assert len(re.findall(r'class="tile( [^"]*)?"', overview)) == 63 + 34
        assert 'href="units-2025/hue.html"' in overview and 'href="da-nang.html"' in overview
        assert "0.080" in overview                                         # the minimum detectable effect column
        # the outcome named in words in the column header, never the variable name
        assert "log_va_per_worker" not in overview
        assert ("Tác động lên năng suất lao động" if lang == "vi" else "Effect on labour productivity") in overview
        assert ('Tác động nhỏ nhất phát hiện được' if lang == "vi" else "Minimum detectable effect") in overview
        unit = (site / lang / "units-2025" / "hue.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in unit and ("<title>Huế — " if lang == "vi" else "<title>Hue — ") in unit
        assert 'href="../index.html"' in unit and f'href="../../{"en" if lang == "vi" else "vi"}/units-2025/hue.html"' \
            in unit
        # previous/next within the geography, in the official order (Hà Nội before Huế in units_2025.csv)
        assert 'href="ha-noi.html" rel="prev"' in unit
    assert (site / "data" / "overview-2025.csv").read_text(encoding="utf-8-sig").count("\n") == 3
    # every CSV opens in Excel with its Vietnamese letters intact: UTF-8 with a byte-order mark
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in (site / "data").rglob("*.csv"))
    assert json.loads((site / "data" / "vi" / "units-2025" / "hue.json").read_text(encoding="utf-8")) == res
    # the report's effect estimates as CSV, linked from its navigation bar; no targets listed, so no targets CSV
    effects = (site / "data" / "en" / "da-nang-effects.csv").read_text(encoding="utf-8-sig").splitlines()
    assert effects == ["estimator,estimate,std_error,conf_low,conf_high,p_value", "callaway_santanna,0.05,,-0.01,0.11,"]
    assert not (site / "data" / "en" / "da-nang-targets.csv").exists()
    assert 'href="../data/en/da-nang-effects.csv"' in (site / "en" / "da-nang.html").read_text(encoding="utf-8")
    # a second build with one report fewer removes what it no longer writes, and nothing else
    (site / "mine.txt").write_text("keep", encoding="utf-8")
    entries.pop("2025/vi/hue")
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    build_site(reports)
    assert not (site / "vi" / "units-2025" / "hue.html").exists() and (site / "en" / "units-2025" / "hue.html").exists()
    assert (site / "mine.txt").read_text(encoding="utf-8") == "keep"


def test_nothing_is_loaded_from_another_host():
    files = [*sorted((PKG / "site").rglob("*.j2")), *sorted((PKG / "site" / "static").glob("*")),
             *sorted((PKG / "render" / "export_template").rglob("*.j2"))]
    assert files
    remote = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//|@import|url\(\s*["']?(https?:)?//""", re.I)
    assert [f.name for f in files if remote.search(f.read_text(encoding="utf-8"))] == []


def _exhibit_report(tmp_path):
    """A built report whose page marks a table, a figure and a table the payload has no data for."""
    reports = tmp_path / "reports"
    res = {"n_targets": 0, "exhibits": [
        {"id": "landscape-table", "kind": "table", "caption": "Bức tranh doanh nghiệp",
         "columns": ["Nhóm", "Số doanh nghiệp"], "rows": [["Công nghiệp", "23"], ["Nông nghiệp", "<3"]]},
        {"id": "productivity-chart", "kind": "figure", "caption": "Năng suất lao động",
         "columns": ["year", "province", "suppressed"], "rows": [[2015, 153.5, False], [2016, None, True]]},
        {"id": "../evil", "kind": "table", "caption": "x", "columns": ["a"], "rows": [["1"]]},   # not a file name
        {"id": "bad-rows-table", "kind": "table", "caption": "x", "columns": ["a", "b"], "rows": [["1"]]}]}
    page = ("<html><head><title>Notebook</title></head><body><main>"
            '<table data-evalutils-exhibit="landscape-table"><tr><th>Nhóm</th><th>Số doanh nghiệp</th></tr>'
            "<tr><td>Công nghiệp</td><td>23</td></tr><tr><td>Nông nghiệp</td><td>&lt;3</td></tr></table>"
            '<figure class="evalutils-figure" data-evalutils-exhibit="productivity-chart"><img alt="x" src="">'
            "<figcaption>Năng suất</figcaption></figure>"
            '<table data-evalutils-exhibit="unknown-table"><tr><td>1</td></tr></table>'
            "<table><tr><td>provenance</td></tr></table></main></body></html>")
    entries = {}
    for lang in ("vi", "en"):
        e = _entry("pre2025", lang, "bac-lieu", results=res)
        entries[f"pre2025/{lang}/bac-lieu"] = e
        (reports / e["html"]).parent.mkdir(parents=True, exist_ok=True)
        (reports / e["html"]).write_text(page, encoding="utf-8")
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    return reports, page


def test_data_of_each_figure_and_table_linked_right_under_it(tmp_path):
    reports, page = _exhibit_report(tmp_path)
    build_site(reports)
    site = reports / "site"
    html = (site / "vi" / "bac-lieu.html").read_text(encoding="utf-8")
    # the link follows the element's closing tag, in the page's language, naming what it downloads
    assert re.search(r'</table>\n<p class="evalutils-data" data-evalutils-data-for="landscape-table"><a href="'
                     r'\.\./data/vi/bac-lieu-landscape-table\.csv">Tải dữ liệu \(CSV\)<span class="evalutils-sr">'
                     r": Bức tranh doanh nghiệp</span></a> · <a href=\"\.\./data/vi/bac-lieu\.json\">", html)
    assert re.search(r'</figure>\n<p class="evalutils-data" data-evalutils-data-for="productivity-chart"><a href="'
                     r'\.\./data/vi/bac-lieu-productivity-chart\.csv">', html)
    assert "Download the data (CSV)" in (site / "en" / "bac-lieu.html").read_text(encoding="utf-8")
    # no data, no link: an id the payload lacks, an unmarked table, an id that is no file name, ragged rows
    assert html.count('class="evalutils-data"') == 2
    assert sorted(p.name for p in (site / "data" / "vi").glob("bac-lieu-*.csv")) == [
        "bac-lieu-landscape-table.csv", "bac-lieu-productivity-chart.csv"]
    # the CSV holds what the page shows: cells as printed ("<3" stays "<3"), a suppressed year empty
    table = (site / "data" / "vi" / "bac-lieu-landscape-table.csv").read_text(encoding="utf-8-sig").splitlines()
    assert table == ["Nhóm,Số doanh nghiệp", "Công nghiệp,23", "Nông nghiệp,<3"]
    chart = (site / "data" / "vi" / "bac-lieu-productivity-chart.csv").read_text(encoding="utf-8-sig").splitlines()
    assert chart == ["year,province,suppressed", "2015,153.5,false", "2016,,true"]
    # the report under reports/ is left as the runner wrote it (opened alone, it links no data file)
    assert (reports / "vi" / "bac-lieu.html").read_text(encoding="utf-8") == page


def test_the_site_waits_for_no_run_and_names_the_lock(tmp_path):
    from evalutils.errors import ReportError
    from evalutils.render.manifest import LOCK_NAME, run_lock

    reports, _ = _exhibit_report(tmp_path)
    with run_lock(reports):   # a run is writing the reports
        with pytest.raises(ReportError, match="cannot build the website while another evalutils run") as err:
            build_site(reports)
    assert err.value.file == str(reports / LOCK_NAME) and "pid " in err.value.message
    assert not (reports / "site").exists()                 # nothing copied
    build_site(reports)                                    # the run is over: the site is built
    assert (reports / "site" / "vi" / "bac-lieu.html").is_file()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_scorecard_chart_writes_each_status_in_words(tmp_path, lang):
    """Issue 15 point 6: the bar chart's status is not told by colour alone — each bar has its status in words."""
    from evalutils.i18n import t
    from evalutils.panel.demo import write_demo
    from evalutils.report import exhibits
    from evalutils.report.province import load_province_context, scorecard_figure

    write_demo(tmp_path / "data", scale=0.1, seed=11)
    ctx = load_province_context("bac-lieu", data_dir=tmp_path / "data", params_dir=PKG.parents[1] / "params",
                                lang=lang, cache_dir=tmp_path / "cache")
    fig = scorecard_figure(ctx)
    statuses = [s for m in ctx.members for s in ctx.scorecard(m)["status"]]
    assert len(set(statuses)) >= 2                    # more than one status: colour alone would have to tell them
    words = [(x.get_text(), x.get_color()) for x in fig.axes[0].texts]
    assert words == [(t(f"status_{s}", lang), STATUS_COLOURS[s]) for s in statuses]
    # its data (what the CSV under it holds) names the status too
    data = {e["id"]: e for e in exhibits.recorded()}["scorecard-chart"]
    assert [r[data["columns"].index("status")] for r in data["rows"]] == statuses
    assert fig.evalutils_exhibit == "scorecard-chart"


def test_a_rebuild_leaves_unchanged_files_alone_and_rewrites_changed_ones(tmp_path):
    reports, _ = _exhibit_report(tmp_path)
    build_site(reports)
    site = reports / "site"
    table, page = site / "data" / "vi" / "bac-lieu-landscape-table.csv", site / "vi" / "bac-lieu.html"
    before = {p: p.stat().st_ino for p in (table, page)}
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    m["reports"]["pre2025/vi/bac-lieu"]["results"]["exhibits"][0]["rows"][0][1] = "24"
    (reports / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    build_site(reports)
    assert page.stat().st_ino == before[page]                  # the same file: not written again
    assert table.stat().st_ino != before[table]                # replaced (renamed into place) ...
    assert table.read_text(encoding="utf-8").splitlines()[1] == "Công nghiệp,24"   # ... with the new data
