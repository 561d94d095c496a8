"""evalutils._dist (scipy.special, cheap to import) gives exactly what scipy.stats gives."""

import numpy as np
import pytest
from scipy import stats

from evalutils import _dist

X = np.array([-6.0, -3.2, -1.0, 0.0, 0.5, 1.96, 4.0, 9.0])
Q = np.array([1e-6, 0.001, 0.025, 0.5, 0.975, 0.999])


def test_normal():
    np.testing.assert_allclose(_dist.norm.sf(X), stats.norm.sf(X), rtol=1e-13, atol=0)
    np.testing.assert_allclose(_dist.norm.cdf(X), stats.norm.cdf(X), rtol=1e-13, atol=0)
    np.testing.assert_allclose(_dist.norm.ppf(Q), stats.norm.ppf(Q), rtol=1e-13, atol=0)


@pytest.mark.parametrize("df", [1, 2.5, 7, 62, 1e4])
def test_student_t(df):
    t = _dist.StudentT(df)
    np.testing.assert_allclose(t.sf(X), stats.t(df).sf(X), rtol=1e-12, atol=0)
    np.testing.assert_allclose(t.cdf(X), stats.t(df).cdf(X), rtol=1e-12, atol=0)
    np.testing.assert_allclose(t.ppf(Q), stats.t(df).ppf(Q), rtol=1e-12, atol=0)


@pytest.mark.parametrize("k", [1, 3, 12])
def test_chi2_and_f(k):
    w = np.abs(X) * 2
    np.testing.assert_allclose(_dist.chi2_sf(w, k), stats.chi2.sf(w, k), rtol=1e-12, atol=0)
    np.testing.assert_allclose(_dist.f_sf(w / k, k, 37), stats.f.sf(w / k, k, 37), rtol=1e-12, atol=0)


def test_estimators_do_not_import_scipy_stats():
    import subprocess
    import sys

    code = ("import sys, evalutils.report.province, evalutils.effects, evalutils.productivity, evalutils.evaluate; "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"  # 1.5 s saved in every report kernel (BENCHMARKS.md, row 1)
