"""Row 9: building the website (pages, overview, map, search index, report copies with navigation, data) for the
whole suite's 128 reports (63 provinces x vi/en + the national synthesis x 2), and publishing it.

The 128 reports are copies of real rendered reports (one province in both languages and the national synthesis,
built once by `evalutils run` into --source), so each file has a real report's size and structure; the manifest
entries carry the real results payloads. Timed as a user runs it: `evalutils site --reports DIR` (a fresh process,
imports included), then `evalutils publish` into an empty folder and again into the same folder.

    python bench/bench_site.py --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from _common import fresh_dir, machine, median, save, timed, tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def source_reports(source: Path, data: Path) -> Path:
    """A reports folder with Bạc Liêu (vi, en) and the national synthesis (vi, en), built once."""
    if (source / "manifest.json").exists():
        return source
    if not (data / "MANIFEST.json").exists():
        r = timed([tool("evalutils"), "demo-data", "--data", str(data)])
        assert r["rc"] == 0, r["tail"]
    r = timed([tool("evalutils"), "run", "--data", str(data), "--reports", str(source), "--provinces", "bac-lieu",
               "--lang", "vi,en", "--national", "--pdf", "--workers", "2"])
    assert r["rc"] == 0, r["tail"]
    return source


def suite_of_128(source: Path, out: Path) -> int:
    """``out``: a reports folder with the 128 reports of the whole suite, copied from ``source``."""
    from evalutils.geography import provinces

    m = json.loads((source / "manifest.json").read_text(encoding="utf-8"))["reports"]
    fresh_dir(out)
    entries = {}
    for lang in ("vi", "en"):
        proto = m[f"pre2025/{lang}/bac-lieu"]
        nat = m[f"national/{lang}/national"]
        (out / lang).mkdir(parents=True, exist_ok=True)
        for slug in [*provinces()["slug"], "national"]:
            e = dict(nat if slug == "national" else proto)
            geo = "national" if slug == "national" else "pre2025"
            src_html = source / e["html"]
            e.update(province=slug, geography=geo, html=f"{lang}/{slug}.html", pdf=f"{lang}/{slug}.pdf")
            shutil.copy2(src_html, out / e["html"])
            if src_html.with_suffix(".pdf").exists():
                os.link(src_html.with_suffix(".pdf"), out / e["pdf"])
            entries[f"{geo}/{lang}/{slug}"] = e
    (out / "manifest.json").write_text(json.dumps({"schema": 1, "reports": entries}, ensure_ascii=False),
                                       encoding="utf-8")
    return len(entries)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=Path("/tmp/bench-data/site-source"))
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench-data/s1"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-data/site128"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--name", default="site_128")
    args = ap.parse_args()
    source = source_reports(args.source, args.data)
    n = suite_of_128(source, args.out / "reports")
    size_mb = sum(f.stat().st_size for f in (args.out / "reports").rglob("*.html")) / 1e6
    runs = {"site_cold": [], "site_again": [], "publish_new": [], "publish_again": []}
    for _ in range(args.repeat):
        shutil.rmtree(args.out / "reports" / "site", ignore_errors=True)
        shutil.rmtree(args.out / "public", ignore_errors=True)
        for key, cmd in (("site_cold", ["site", "--reports", str(args.out / "reports")]),
                         ("site_again", ["site", "--reports", str(args.out / "reports")]),
                         ("publish_new", ["publish", "--reports", str(args.out / "reports"), "--to",
                                          str(args.out / "public")]),
                         ("publish_again", ["publish", "--reports", str(args.out / "reports"), "--to",
                                            str(args.out / "public")])):
            r = timed([tool("evalutils"), *cmd])
            assert r["rc"] == 0, r["tail"]
            runs[key].append(r)
            print(f"[bench] {key}: {r['seconds']:.2f} s, peak {r['peak_tree_rss_gb']:.2f} GB", flush=True)
    index = args.out / "reports" / "site" / "assets" / "search-index.js"
    result = {"machine": machine(), "n_reports": n, "report_html_mb": round(size_mb, 1),
              "search_index_mb": round(index.stat().st_size / 1e6, 2),
              "site_files": sum(1 for _ in (args.out / "reports" / "site").rglob("*") if _.is_file()),
              **{k: {"median_seconds": median([r["seconds"] for r in v]), "runs": v} for k, v in runs.items()}}
    save(args.name, result)
    print(json.dumps({k: (v["median_seconds"] if isinstance(v, dict) and "median_seconds" in v else v)
                      for k, v in result.items() if k != "machine"}, indent=1))


if __name__ == "__main__":
    main()
