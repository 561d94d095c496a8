"""The website in a real browser (Debian's headless chromium over the DevTools protocol), built from real reports
(the province notebook for Bạc Liêu and Cà Mau in Vietnamese and English, the national synthesis in
Vietnamese):

navigation, the language switch, search ("Bac Lieu" finds "Bạc Liêu"), a CSV link, the map linking to a report,
sorting and filtering the overview table; under every figure and table of the reports a link to its data (a CSV
holding what the payload and the page hold); axe-core over every page type (0 serious or critical violations);
screenshots of the home page, the map and a report in both languages, kept in tests/site/artifacts/ (not in git).
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import threading
import urllib.request
from pathlib import Path

import pytest

from evalutils.cli import main
from evalutils.panel.demo import write_demo

from _browser import CHROMIUM, Browser

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    base = tmp_path_factory.mktemp("browser")
    write_demo(base / "data", scale=0.2, seed=11)
    reports = base / "reports"
    common = ["--data", str(base / "data"), "--params", str(ROOT / "params"), "--reports", str(reports),
              "--provinces", "bac-lieu,ca-mau", "--workers", "2"]
    assert main(["run", *common, "--lang", "vi,en"]) == 0
    # the national synthesis (the slowest report) in Vietnamese only: the English home page then shows it as
    # "not yet available" with a link to the Vietnamese one
    assert main(["run", *common, "--lang", "vi", "--national"]) == 0
    out = base / "public"
    assert main(["publish", "--reports", str(reports), "--to", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    b = Browser(tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


def _served(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_navigation_language_switch_and_prev_next(site, browser):
    browser.goto((site / "index.html").as_uri())          # the root opens the Vietnamese home page
    browser._wait_event("Page.loadEventFired")            # (a meta refresh: one more load)
    assert browser.url.endswith("/vi/index.html") and browser.run("document.documentElement.lang") == "vi"
    browser.click('tr#pre2025-bac-lieu a[href="bac-lieu.html"]')
    assert browser.url.endswith("/vi/bac-lieu.html")
    assert browser.run("document.documentElement.lang") == "vi"
    assert browser.run("document.title") == "Bạc Liêu — Đánh giá chương trình nâng cao năng suất và chất lượng"
    browser.click('nav.evalutils-nav a[rel="next"]')
    assert browser.url.endswith("/vi/ca-mau.html") and browser.run("document.title").startswith("Cà Mau — ")
    browser.click('nav.evalutils-nav a[hreflang="en"]')     # the same report in English
    assert browser.url.endswith("/en/ca-mau.html") and browser.run("document.documentElement.lang") == "en"
    assert browser.run("document.title") == "Ca Mau — Evaluation of the productivity and quality programme"
    browser.click('nav.evalutils-nav a[rel="prev"]')
    assert browser.url.endswith("/en/bac-lieu.html")
    browser.click('nav.evalutils-nav a[href="index.html"]')
    assert browser.url.endswith("/en/index.html") and browser.run("document.documentElement.lang") == "en"
    national = browser.run("[document.querySelector('tr#national').textContent, "
                           "document.querySelector('tr#national a').getAttribute('href')]")
    assert "not yet available" in national[0] and national[1] == "../vi/national.html"
    browser.click('header a[hreflang="vi"]')              # site pages switch language too
    assert browser.url.endswith("/vi/index.html")
    browser.click('a[href="national.html"]')
    assert browser.run("document.title").startswith("Toàn quốc — ")
    assert browser.console_errors() == []


def check_search_without_accents_finds_the_province(site, browser, scheme):
    server = _served(site) if scheme == "http" else None
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}" if server else site.as_uri()
        browser.goto(f"{root}/vi/index.html")
        browser.run("document.getElementById('site-search').value = 'Bac Lieu'")
        browser.click("form.search-form button")
        assert "/vi/search.html?q=Bac+Lieu" in browser.url
        hits = browser.run("[...document.querySelectorAll('#search-results a')].map(a => [a.textContent, "
                           "a.getAttribute('href')])")
        assert hits[0] == ["Bạc Liêu — Đánh giá chương trình nâng cao năng suất và chất lượng", "../vi/bac-lieu.html"]
        assert ["Bac Lieu — Evaluation of the productivity and quality programme", "../en/bac-lieu.html"] in hits
        assert not any("ca-mau" in h for _, h in hits[:2])
        browser.click("#search-results a")
        assert browser.url.endswith("/vi/bac-lieu.html")
        browser.goto(f"{root}/en/search.html?q=c%C3%A0+mau+productivity")   # accents typed, English first
        first = browser.run("document.querySelector('#search-results a').getAttribute('href')")
        assert first == "../en/ca-mau.html"
        browser.goto(f"{root}/en/search.html?q=zzqx")
        assert browser.run("document.getElementById('search-status').textContent") == "No page found."
        assert browser.console_errors() == []
    finally:
        if server:
            server.shutdown()
            server.server_close()


def check_overview_csv_link_map_and_sorting(site, browser):
    server = _served(site)
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        browser.goto(f"{root}/vi/overview.html")
        csv_href = browser.run("document.querySelector('a[href$=\".csv\"]').href")
        with urllib.request.urlopen(csv_href, timeout=10) as resp:
            assert resp.status == 200
            rows = list(csv.DictReader(io.StringIO(resp.read().decode("utf-8-sig"))))
        assert [r["slug"] for r in rows] == ["bac-lieu", "ca-mau"]
        shown = browser.run("[...document.querySelectorAll('#t-pre2025 tbody tr')].map(r => "
                            "r.cells[r.cells.length - 2].textContent)")
        assert shown == [r["n_supported"] for r in rows]          # the CSV holds what the page shows
        # sorting: supported firms, descending on the second click; filtering without accents
        col = browser.run("[...document.querySelectorAll('#t-pre2025 thead th')].findIndex(th => "
                          "th.textContent.includes('Doanh nghiệp được hỗ trợ'))")
        for _ in range(2):
            browser.run(f"document.querySelectorAll('#t-pre2025 thead th')[{col}].querySelector('button').click()")
        values = browser.run(f"[...document.querySelectorAll('#t-pre2025 tbody tr')].map(r => "
                             f"parseFloat(r.cells[{col}].dataset.sort))")
        assert values == sorted(values, reverse=True)
        assert browser.run(f"document.querySelectorAll('#t-pre2025 thead th')[{col}].getAttribute('aria-sort')") \
            == "descending"
        browser.run("const f = document.getElementById('filter-pre2025'); f.value = 'ca mau'; "
                    "f.dispatchEvent(new Event('input'))")
        assert browser.run("[...document.querySelectorAll('#t-pre2025 tbody tr')].filter(r => !r.hidden)"
                           ".map(r => r.cells[0].textContent)") == ["Cà Mau"]
        # the map: every province has a tile, the built ones link to their report, the indicator recolours
        assert browser.run("document.querySelectorAll('.tilemap[data-geo=pre2025] .tile').length") == 63
        assert browser.run("document.querySelectorAll('.tilemap[data-geo=pre2025] a.tile').length") == 2
        browser.run("const s = document.getElementById('ind-pre2025'); s.value = 'supported'; "
                    "s.dispatchEvent(new Event('change'))")
        assert browser.run("document.querySelector('.tilemap[data-geo=pre2025] a.tile[href=\"bac-lieu.html\"] "
                           ".tile-value').textContent") == rows[0]["n_supported"]
        browser.screenshot(ARTIFACTS / "overview-map-vi.png", full_page=True)
        browser.click('.tilemap[data-geo=pre2025] a.tile[href="bac-lieu.html"]')
        assert browser.url.endswith("/vi/bac-lieu.html") and browser.run("document.title").startswith("Bạc Liêu")
        assert browser.console_errors() == []
    finally:
        server.shutdown()
        server.server_close()


#: every figure and table of the page: its data id, the link under it, and (tables) its cells as shown
_EXHIBITS_JS = """[...document.querySelectorAll('table, figure')].map(el => {
  const p = el.nextElementSibling, links = p && p.matches('p.evalutils-data') ? [...p.querySelectorAll('a')] : [];
  return {tag: el.tagName.toLowerCase(), id: el.dataset.evalutilsExhibit || null,
          links: links.map(a => [a.href, a.textContent]),
          cells: el.tagName === 'TABLE' ? [...el.rows].map(r => [...r.cells].map(c => c.textContent)) : null};
})"""


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200, url
        return resp.read().decode("utf-8-sig")  # the CSVs start with a byte-order mark (for Excel)


def _same(csv_cell: str, value) -> bool:
    """A CSV cell holds the payload's value: text as it is, a number exactly, none as empty."""
    if value is None:
        return csv_cell == ""
    if isinstance(value, bool):
        return csv_cell == ("true" if value else "false")
    if isinstance(value, (int, float)):
        return csv_cell != "" and float(csv_cell) == float(value)
    return csv_cell == value


def check_data_under_every_figure_and_table(site, browser):
    from evalutils.panel.params import load_defaults

    k = load_defaults(ROOT / "params" / "defaults.yml").disclosure.min_firms_per_cell
    checked_counts = 0
    server = _served(site)
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        for page, word in (("vi/bac-lieu.html", "Tải dữ liệu (CSV)"), ("en/bac-lieu.html", "Download the data (CSV)"),
                           ("vi/national.html", "Tải dữ liệu (CSV)")):
            browser.goto(f"{root}/{page}")
            shown = browser.run(_EXHIBITS_JS)
            payload = json.loads(_get(f"{root}/data/{page.replace('.html', '.json')}"))
            exhibits = {e["id"]: e for e in payload["exhibits"]}
            marked = [x for x in shown if x["id"]]
            # every figure and table has its data, but the provenance table of a province report (the run's
            # settings and time, written after the payload: last, starting with the package's version)
            unmarked = [x for x in shown if not x["id"]]
            if "national" in page:
                assert unmarked == []
            else:
                assert len(unmarked) == 1 and unmarked[0] is shown[-1] and unmarked[0]["cells"][1][0] == "evalutils"
            assert {x["tag"] for x in marked} == {"table", "figure"} and len(marked) >= 5
            assert [x["id"] for x in marked] == [e for e in exhibits if e in {x["id"] for x in marked}]
            for x in marked:
                (csv_href, text), (json_href, _) = x["links"]
                assert text.startswith(word) and csv_href.endswith(f"-{x['id']}.csv") and json_href.endswith(".json")
                rows = list(csv.reader(io.StringIO(_get(csv_href))))
                e = exhibits[x["id"]]
                assert e["caption"] and text == f"{word}: {e['caption']}"
                # the CSV holds the payload's data ...
                assert rows[0] == e["columns"] and len(rows) - 1 == len(e["rows"]) > 0
                assert all(_same(c, v) for r, pr in zip(rows[1:], e["rows"]) for c, v in zip(r, pr, strict=True))
                if x["tag"] == "table":
                    # ... and the page's: every cell as printed, a suppressed one ("×", "<3") as the page shows it
                    assert rows == x["cells"]
                    hidden = [(i, j) for i, r in enumerate(x["cells"]) for j, c in enumerate(r)
                              if c.strip() == "×" or c.strip().startswith("<")]
                    assert all(rows[i][j] == x["cells"][i][j] for i, j in hidden)
                    # and no count of firms in it is below the disclosure threshold
                    for j, head in enumerate(rows[0]):
                        if head in ("Số doanh nghiệp", "Firms"):
                            counts = [r[j].replace(".", "").replace(",", "") for r in rows[1:]]
                            assert all(int(c) == 0 or int(c) >= k for c in counts if c.isdigit()), (x["id"], counts)
                            checked_counts += 1
                elif "suppressed" in rows[0]:
                    # a figure's year hidden by disclosure control is drawn nowhere and empty in its CSV
                    col, flag = rows[0].index("province"), rows[0].index("suppressed")
                    assert all(r[col] == "" for r in rows[1:] if r[flag] == "true")
            # a CSV link under a figure resolves in the browser too
            figure = next(x for x in marked if x["tag"] == "figure")
            status = browser.run(f"fetch({json.dumps(figure['links'][0][0])}).then(r => r.status)")
            assert status == 200
        assert browser.console_errors() == [] and checked_counts >= 2
    finally:
        server.shutdown()
        server.server_close()
    # opened alone (outside the site), a report links no data file: the site adds the links to its copy
    alone = (site.parent / "reports" / "vi" / "bac-lieu.html").read_text(encoding="utf-8")
    assert 'data-evalutils-exhibit="productivity-chart"' in alone and "evalutils-data" not in alone
    # and from file:// the link under a figure names a file that is there
    browser.goto(f"{site.as_uri()}/vi/bac-lieu.html")
    href = browser.run("document.querySelector('figure + p.evalutils-data a').href")
    assert href.startswith("file://") and Path(urllib.request.url2pathname(href[len("file://"):])).is_file()


PAGE_TYPES = ["vi/index.html", "en/index.html", "vi/overview.html", "en/overview.html", "vi/methods.html",
              "en/figures.html", "vi/search.html?q=Bac+Lieu", "vi/bac-lieu.html", "en/bac-lieu.html",
              "vi/national.html"]


def check_axe_finds_no_serious_or_critical_violation(site, browser, tmp_path):
    source = AXE.read_text(encoding="utf-8")
    # control: axe does report a serious contrast violation on a page made to fail
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
                   '<p style="color:#5aae61;background:#fff">On track</p></main>'
                   '<script>notDefinedAnywhere()</script></body></html>', encoding="utf-8")
    browser.goto(bad.as_uri())
    assert any(v["id"] == "color-contrast" and v["impact"] == "serious" for v in browser.axe(source))
    # (and the error collector used by the other tests does see a script error)
    assert any("notDefinedAnywhere" in e for e in browser.console_errors())
    browser.errors.clear()
    found = {}
    for page in PAGE_TYPES:
        browser.goto(f"{site.as_uri()}/{page}")
        found[page] = [v for v in browser.axe(source) if v["impact"] in ("serious", "critical")]
    assert found == {p: [] for p in PAGE_TYPES}


def check_screenshots_in_both_languages(site, browser):
    shots = {"home-vi": "vi/index.html", "home-en": "en/index.html", "report-vi": "vi/bac-lieu.html",
             "report-en": "en/bac-lieu.html", "overview-map-en": "en/overview.html"}
    for name, page in shots.items():
        browser.goto(f"{site.as_uri()}/{page}")
        path = browser.screenshot(ARTIFACTS / f"{name}.png", full_page=name.startswith("overview"))
        assert path.stat().st_size > 20_000, name   # a rendered page, not a blank one


def test_site_in_the_browser(site, browser, tmp_path):
    """One test, so that pytest-xdist builds the reports once: each check above in turn."""
    check_navigation_language_switch_and_prev_next(site, browser)
    for scheme in ("file", "http"):
        check_search_without_accents_finds_the_province(site, browser, scheme)
    check_overview_csv_link_map_and_sorting(site, browser)
    check_data_under_every_figure_and_table(site, browser)
    check_screenshots_in_both_languages(site, browser)
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm ci --prefix tests/site (.ci/run does it)")
    check_axe_finds_no_serious_or_critical_violation(site, browser, tmp_path)


def test_axe_on_a_map_with_every_colour(browser, tmp_path):
    """Every class of the map's palette on screen (34 units, attainment 0-100%), in both indicators: no contrast
    violation (the built site above colours only two tiles)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm ci --prefix tests/site (.ci/run does it)")
    import json

    from evalutils.geography import units_2025
    from evalutils.site import build_site

    reports = tmp_path / "reports"
    entries = {}
    for i, slug in enumerate(units_2025()["slug"]):
        html = f"en/units-2025/{slug}.html"
        (reports / html).parent.mkdir(parents=True, exist_ok=True)
        (reports / html).write_text(f"<html><head><title>x</title></head><body><main>{slug}</main></body></html>",
                                    encoding="utf-8")
        entries[f"2025/en/{slug}"] = {"province": slug, "lang": "en", "geography": "2025", "outcome": "built",
                                      "html": html, "parameters": {},
                                      "results": {"n_targets": 10, "target_status_counts": {"met": i % 11},
                                                  "n_supported": 5 + 3 * i}}
    (reports / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}), encoding="utf-8")
    build_site(reports)
    source = AXE.read_text(encoding="utf-8")
    browser.goto((reports / "site" / "en" / "overview.html").as_uri())
    for indicator in ("attain", "supported"):
        browser.run(f"{{ const s = document.getElementById('ind-2025'); s.value = '{indicator}'; "
                    "s.dispatchEvent(new Event('change')); }")
        classes = set(browser.run("[...document.querySelectorAll('a.tile')].map(t => t.className)"))
        assert {f"tile bin{k}" for k in range(1, 6)} <= classes, classes
        assert [v for v in browser.axe(source) if v["impact"] in ("serious", "critical")] == []
