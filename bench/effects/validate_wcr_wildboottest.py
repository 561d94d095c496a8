"""Cross-check wild_cluster_bootstrap p-values against the ``wildboottest`` package (Python port of
fwildclusterboot), on panels with unit and year dummies. wildboottest is a test dependency of
evalutils; by default it runs in this interpreter (pass another python as the first argument).

With Rademacher weights and 2^G < B both enumerate every sign vector, so the p-values are exact.
wildboottest counts |t*| > |t| without a tolerance, so whether the two sign vectors that tie with
the observed statistic by construction (+1 and -1) count depends on rounding: its p equals our
``ties="strict"`` or our ``ties="inclusive"`` p, 2/2^G apart; both are printed. With Webb weights
both draw 99,999 vectors and agree up to Monte Carlo error (about 0.0015).
Usage: python bench/effects/validate_wcr_wildboottest.py [python]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from evalutils.effects import wild_cluster_bootstrap
from evalutils.effects._simulate import few_cluster_panel

THEIRS = r"""
import json, sys, warnings
import numpy as np, pandas as pd, statsmodels.api as sm
from wildboottest.wildboottest import wildboottest
warnings.simplefilter("ignore")
df = pd.read_csv({csv!r})
X = pd.get_dummies(df[["unit", "year"]].astype(str), drop_first=True).astype(float)
X.insert(0, "const", 1.0)
X.insert(1, "treated", df["treated"].astype(float))
X.insert(2, "x", df["x"])
model = sm.OLS(df["y"], X)
out = {{}}
for h0, shift in (("0", 0.0), ("shift", {shift})):
    yy = df["y"] - shift * df["treated"]
    res = wildboottest(sm.OLS(yy, X), param="treated", cluster=df["cl"], B={B}, weights_type={weights!r},
                       impose_null=True, bootstrap_type="11", seed=1, show=False)
    out[h0] = float(res["p-value"].iloc[0])
print(json.dumps(out))
"""


def main(python: str = sys.executable) -> None:
    rows = []
    for seed, G, weights, B in ((1, 8, "rademacher", 99999), (2, 10, "rademacher", 99999), (3, 12, "webb", 99999)):
        df = few_cluster_panel(seed, G)
        shift = 0.15
        with tempfile.TemporaryDirectory() as tmp:
            csv = str(Path(tmp) / "d.csv")
            df.to_csv(csv, index=False)
            out = subprocess.run([python, "-c", THEIRS.format(csv=csv, B=B, weights=weights, shift=shift)],
                                 capture_output=True, text=True, check=True)
        theirs = json.loads(out.stdout.strip().splitlines()[-1])
        kw = dict(outcome="y", unit="unit", time="year", treatment="treated", covariates="x", cluster="cl",
                  weights=weights, n_boot=B, seed=1, conf_int=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = {(h, ties): wild_cluster_bootstrap(df, h0=h, ties=ties, **kw).p_value
                    for h in (0.0, shift) for ties in ("strict", "inclusive")}
        rows.append({"G": G, "weights": weights, "B": B,
                     "p_wildboottest_h0=0": theirs["0"], "p_ours_strict_h0=0": ours[0.0, "strict"],
                     "p_ours_inclusive_h0=0": ours[0.0, "inclusive"],
                     f"p_wildboottest_h0={shift}": theirs["shift"], f"p_ours_strict_h0={shift}": ours[shift, "strict"],
                     f"p_ours_inclusive_h0={shift}": ours[shift, "inclusive"]})
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
