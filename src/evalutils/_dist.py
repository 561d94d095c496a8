"""Normal, Student t, chi-squared and F tails and quantiles from :mod:`scipy.special`.

``scipy.stats`` takes about 1.5 s to import, paid by every report kernel; the handful of
tail probabilities and quantiles the estimators need are one ``scipy.special`` call
each (0.2 s to import). The frozen-distribution classes keep the ``ppf``/``sf``/``cdf``
spelling of ``scipy.stats`` so call sites read the same.
"""

from __future__ import annotations

import numpy as np
from scipy import special


class Normal:
    """The standard normal distribution."""

    def cdf(self, x):
        return special.ndtr(x)

    def sf(self, x):
        return special.ndtr(-np.asarray(x, dtype=float))

    def ppf(self, q):
        return special.ndtri(q)


class StudentT:
    """Student's t distribution with ``df`` degrees of freedom."""

    def __init__(self, df: float):
        self.df = float(df)

    def cdf(self, x):
        return special.stdtr(self.df, x)

    def sf(self, x):
        return special.stdtr(self.df, -np.asarray(x, dtype=float))

    def ppf(self, q):
        return special.stdtrit(self.df, q)


norm = Normal()


def chi2_sf(x, df):
    """Upper tail of the chi-squared distribution with ``df`` degrees of freedom."""
    return special.chdtrc(df, x)


def f_sf(x, dfn, dfd):
    """Upper tail of the F distribution with (``dfn``, ``dfd``) degrees of freedom."""
    return special.fdtrc(dfn, dfd, x)
