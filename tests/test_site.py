"""The website from a real run (the runner with a tiny notebook): pages in both languages from the run manifest,
the figure map, publish, and a headless Chromium that loads the published site from file:// and from a local web
server and follows every link. (tests/site/ has publish's safety cases and the browser tests on real reports.)"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import math
import re
import subprocess
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import nbformat
import pytest

from evalutils.cli import main
from evalutils.panel.demo import write_demo
from evalutils.render.task import DEFAULT_NOTEBOOK
from evalutils.site import figure_map

from test_runner import tiny_notebook

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
EVIL = "log <script>alert('x')</script> & \"va\""
PAGES = ("index", "overview", "methods", "figures", "search")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two provinces in both languages built by the real runner (tiny notebook), one failed, one with a PDF."""
    base = tmp_path_factory.mktemp("site")
    data = base / "data"
    write_demo(data, scale=0.2, seed=11)
    reports = base / "reports"
    nb = tiny_notebook(base / "tiny.ipynb")
    rc = main(["run", "--data", str(data), "--params", str(ROOT / "params"), "--reports", str(reports),
               "--notebook", str(nb), "--provinces", "bac-lieu,khanh-hoa", "--lang", "vi,en", "--workers", "2",
               "--site"])
    assert rc == 0
    # text with markup in a payload, a failed language with a local path in its error, a PDF beside a report
    m = json.loads((reports / "manifest.json").read_text(encoding="utf-8"))
    for lang in ("vi", "en"):
        m["reports"][f"pre2025/{lang}/khanh-hoa"]["results"]["outcome"] = EVIL
    m["reports"]["pre2025/vi/bac-lieu"].update(outcome="failed", error=f"ParameterError <b>bad</b> in {base}",
                                               html=None)
    (reports / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    (reports / "en" / "khanh-hoa.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert main(["site", "--reports", str(reports)]) == 0
    return reports


def _hrefs(html_text: str) -> list[str]:
    class P(HTMLParser):
        def __init__(self):
            super().__init__()
            self.links = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and a.get("href"):
                self.links.append(a["href"])
            if tag in ("img", "script", "link") and (a.get("src") or a.get("href")):
                self.links.append(a.get("src") or a.get("href"))

    p = P()
    p.feed(html_text)
    return p.links


def check_pages(built):
    site = built / "site"
    m = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    r = m["reports"]["pre2025/en/bac-lieu"]["results"]
    for lang in ("vi", "en"):
        for page in PAGES:
            text = (site / lang / f"{page}.html").read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in text, (lang, page)
            other = "en" if lang == "vi" else "vi"
            assert f'href="../{other}/{page}.html" hreflang="{other}"' in text  # the same page, other language
            assert "<script>alert" not in text and "<b>bad</b>" not in text
            assert "ParameterError" not in text and str(built.parent) not in text
            for href in _hrefs(text):
                assert not href.startswith(("/", "file:", "http")), href
        index = (site / lang / "index.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;" in index  # escaped, shown as text
        assert "SYNTHETIC" in index or "TỔNG HỢP" in index
        # headline figures: the effect with its interval as percent changes, as the reports print them (decimal
        # comma and ";" between the ends in Vietnamese), and targets met / total
        pct = lambda x: (f"{100 * (math.exp(x) - 1):.1f}".replace(".", "," if lang == "vi" else ".")  # noqa: E731
                         .replace("-", "\u2212") + "%")
        sep = ";" if lang == "vi" else ","
        assert f'{pct(r["effect"]["estimate"])} [{pct(-1.0)}{sep} {pct(2.0)}]' in index, lang
        assert f'1 / {r["n_targets"]}' in index
        assert 'href="khanh-hoa.html"' in index
    vi = (site / "vi" / "index.html").read_text(encoding="utf-8")
    row = vi[vi.index('id="pre2025-bac-lieu"'):]
    row = row[:row.index("</tr>")]
    assert "chưa có" in row and 'href="../en/bac-lieu.html"' in row   # failed: "not yet available" + other lang
    assert "Báo cáo" in vi and "Tổng quan" in vi
    # the root opens the Vietnamese pages
    root = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in root and 'url=vi/index.html' in root
    # the reports carry the site's navigation, their language and their title
    report = (site / "en" / "bac-lieu.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in report and "<title>Bac Lieu — " in report
    assert 'href="khanh-hoa.html" rel="prev"' in report and 'href="index.html"' in report
    vi_report = (site / "vi" / "khanh-hoa.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in vi_report and "<title>Khánh Hòa — " in vi_report
    assert 'href="../en/khanh-hoa.html" hreflang="en"' in vi_report
    # the report as the runner wrote it (before the site copied it): language, title, and no link to a file that
    # may not exist (no site built, one language only, a failed report): the site inserts its navigation
    raw = (built / "vi" / "khanh-hoa.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in raw and "<title>Khánh Hòa — " in raw
    assert "<!--evalutils:nav-->" in raw and not re.findall(r'<a href="(?!#|https?:)[^"]+', raw), \
        re.findall(r'<a href="(?!#|https?:)[^"]+', raw)[:5]
    assert "require.js" not in raw and "mathjax" not in raw.lower() and "cdn" not in raw.lower()
    # the data: overview CSV and the results JSON of each report
    rows = list(csv.DictReader((site / "data" / "overview-pre2025.csv").open(encoding="utf-8-sig")))
    assert [x["slug"] for x in rows] == ["khanh-hoa", "bac-lieu"]
    bl = rows[1]
    assert bl["name_vi"] == "Bạc Liêu" and float(bl["effect_estimate"]) == pytest.approx(r["effect"]["estimate"])
    assert bl["report_vi"] == "" and bl["report_en"] == "en/bac-lieu.html"
    assert json.loads((site / "data" / "en" / "bac-lieu.json").read_text(encoding="utf-8")) == r


def test_figure_map_lists_every_report_call_of_the_notebook():
    rows = figure_map(DEFAULT_NOTEBOOK)
    nb = nbformat.read(DEFAULT_NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code"
                       and "parameters" not in c.metadata.get("tags", []))
    called = {f"report.{f}" for f in re.findall(r"\breport\.([A-Za-z_]\w*)\s*\(", source)}
    assert called and {r.function for r in rows} == called
    assert all(r.defined_at.startswith("src/evalutils/") for r in rows if not r.defined_at.startswith("not found"))
    kinds = {r.function.split(".")[1]: r.kind for r in rows}
    assert all(kinds[f] == "figure" for f in kinds if f.endswith("_figure") and not f.startswith("show_"))
    assert any(k == "figure" for k in kinds.values())


def check_publish(built, tmp_path):
    out = tmp_path / "public"
    assert main(["publish", "--reports", str(built), "--to", str(out)]) == 0
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert {"index.html", "vi/index.html", "en/overview.html", "en/bac-lieu.html", "en/khanh-hoa.html",
            "en/khanh-hoa.pdf", "vi/khanh-hoa.html", "assets/search-index.js", "data/overview-pre2025.csv"} \
        <= set(files)
    assert not [f for f in files if f.endswith(".ipynb") or f.startswith(("_failed", "notebooks", "site"))
                or f == "manifest.json" or "partial" in f]
    for f in out.rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert str(tmp_path.parent) not in text and "file://" not in text, f
    # publishing again replaces only what publish wrote (tests/site/test_publish.py has every case)
    (out / "stray.txt").write_text("x")
    assert main(["publish", "--reports", str(built), "--to", str(out)]) == 0
    assert (out / "stray.txt").read_text() == "x"
    (out / "stray.txt").unlink()


def _chromium(url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--enable-logging=stderr", "--v=0", *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def test_site_publish_and_browser(built, tmp_path):
    """One test (one build of the fixture under pytest-xdist): the pages, publish, then the browser."""
    check_pages(built)
    check_publish(built, tmp_path)
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    site = tmp_path / "public"

    # from file://: every link of every page (both languages, and the reports) points at an existing file
    pages = [f"{lang}/{p}.html" for lang in ("vi", "en") for p in PAGES] + ["en/bac-lieu.html", "vi/khanh-hoa.html"]
    for page in pages:
        res = _chromium((site / page).as_uri(), tmp_path, "--dump-dom")
        assert res.returncode == 0, res.stderr[-2000:]
        assert "</html>" in res.stdout
        assert "CONSOLE" not in res.stderr, [line for line in res.stderr.splitlines() if "CONSOLE" in line]
        for href in _hrefs(res.stdout):
            target = urlparse(urljoin((site / page).as_uri(), href))
            assert target.scheme == "file" and Path(target.path).is_file(), (page, href)

    # from a web server on localhost: every link of the home page answers 200
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        dom = _chromium(base, tmp_path, "--dump-dom").stdout       # the root opens the Vietnamese home page
        assert '<html lang="vi">' in dom
        dom = _chromium(base + "vi/index.html", tmp_path, "--dump-dom").stdout
        urls = [urljoin(base + "vi/index.html", h) for h in _hrefs(dom)]
        assert urls
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as resp:
                assert resp.status == 200, url
        report = next(u for u in urls if u.endswith("/vi/khanh-hoa.html"))
        res = _chromium(report, tmp_path, "--dump-dom")
        assert res.returncode == 0 and "khanh-hoa (vi)" in res.stdout
    finally:
        server.shutdown()
        server.server_close()
