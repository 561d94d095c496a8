"""Production-function estimation (value-added Cobb–Douglas) and firm-level TFP."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from .. import _dist

from evalutils._processes import clean_context
from evalutils.errors import DataValidationError, EstimationError

from ._estimators import CORES, Arrays, CoreFit
from ._panel import (
    as_list,
    bad_rows,
    check_choice,
    firm_weights,
    numeric_column,
    previous_row,
    require_columns,
)

Method = Literal["ols", "fe", "op", "lp", "acf", "wrdg", "wrdg_gmm", "rob"]
METHODS = ("ols", "fe", "op", "lp", "acf", "wrdg", "wrdg_gmm", "rob")
_NEEDS_PROXY = {"op", "lp", "acf", "wrdg", "wrdg_gmm", "rob"}
_NEEDS_LAG = _NEEDS_PROXY
_OPTIMISED = {"op", "lp", "acf"}
METHOD_NAMES = {
    "ols": "OLS",
    "fe": "firm fixed effects",
    "op": "Olley-Pakes",
    "lp": "Levinsohn-Petrin",
    "acf": "Ackerberg-Caves-Frazer",
    "wrdg": "Wooldridge (IV)",
    "wrdg_gmm": "Wooldridge (GMM)",
    "rob": "Wooldridge-Robinson (IV)",
}
ALL = "all"


@dataclass(frozen=True)
class GroupFit:
    """Estimates for one group (sector) or for the whole panel (group ``"all"``)."""

    group: str
    params: pd.Series
    std_errors: pd.Series
    se_type: str
    n_obs: int
    n_firms: int
    n_obs_first_stage: int
    rows_dropped: dict[str, int]
    converged: bool
    optimizer: dict
    n_boot: int = 0
    n_boot_failed: int = 0
    boot_params: np.ndarray | None = field(default=None, repr=False)
    constant: float = float("nan")


@dataclass(frozen=True)
class ProductionFunctionResult:
    """Result of :func:`estimate_production_function`.

    Attributes
    ----------
    fits
        One :class:`GroupFit` per estimated group (key ``"all"`` without ``by``).
    skipped
        Groups not estimated (``on_small_group="skip"``), with the reason.
    """

    method: str
    output: str
    free: tuple[str, ...]
    state: tuple[str, ...]
    proxy: tuple[str, ...]
    unit: str
    time: str
    by: tuple[str, ...]
    logs: bool
    fits: dict[str, GroupFit]
    skipped: dict[str, str]
    n_boot: int
    seed: int
    conf_level: float = 0.95

    # ------------------------------------------------------------------ summaries
    @property
    def terms(self) -> list[str]:
        return [*self.free, *self.state]

    @property
    def params(self) -> pd.DataFrame:
        """Elasticities: one row per group, one column per input."""
        return pd.DataFrame({g: f.params for g, f in self.fits.items()}).T[self.terms]

    @property
    def std_errors(self) -> pd.DataFrame:
        return pd.DataFrame({g: f.std_errors for g, f in self.fits.items()}).T[self.terms]

    @property
    def elasticities(self) -> dict[str, float]:
        """Elasticities of the single estimated group (raises if there are several)."""
        if len(self.fits) != 1:
            raise EstimationError(
                f"{len(self.fits)} groups were estimated; use .params (one row per group) "
                "or .fits[group].params",
            )
        return {k: float(v) for k, v in next(iter(self.fits.values())).params.items()}

    @property
    def converged(self) -> bool:
        return all(f.converged for f in self.fits.values())

    @property
    def n_obs(self) -> int:
        return sum(f.n_obs for f in self.fits.values())

    @property
    def n_firms(self) -> int:
        return sum(f.n_firms for f in self.fits.values())

    def tidy(self) -> pd.DataFrame:
        """One row per group and input: estimate, standard error, normal CI and p-value."""
        z = _dist.norm.ppf(0.5 + self.conf_level / 2)
        rows = []
        for g, f in self.fits.items():
            for term in self.terms:
                est = float(f.params[term])
                se = float(f.std_errors[term])
                p = 2 * _dist.norm.sf(abs(est / se)) if np.isfinite(se) and se > 0 else np.nan
                rows.append(
                    {
                        "group": g,
                        "term": term,
                        "estimate": est,
                        "std_error": se,
                        "conf_low": est - z * se,
                        "conf_high": est + z * se,
                        "p_value": p,
                        "n_obs": f.n_obs,
                        "n_clusters": f.n_firms,
                        "method": self.method,
                        "se_type": f.se_type,
                        "converged": f.converged,
                    }
                )
        return pd.DataFrame(rows)

    def starts(self) -> pd.DataFrame:
        """ACF: every starting value tried, where it led, its criterion and which one was kept.

        One row per group and start: ``start_<input>``, ``<input>`` (the estimate it reached),
        ``criterion`` (m'Wm, prodest's), ``converged``, ``n_fev`` (moment evaluations) and ``chosen``.
        Empty for the other methods.

        >>> from evalutils.productivity._simulate import simulate_panel
        >>> d = simulate_panel(100, 6, seed=3)
        >>> res = estimate_production_function(d, method="acf", output="y", free="l", state="k",
        ...                                    proxy="m", unit="firm", time="year", start=[[0.6, 0.3], [0.9, 0.5]])
        >>> res.starts()[["start_l", "l", "k", "chosen"]].round(2).values.tolist()
        [[0.6, 0.58, 0.33, True], [0.9, 2.29, 0.29, False]]
        """
        rows = []
        for g, f in self.fits.items():
            for i, t in enumerate(f.optimizer.get("starts_tried", [])):
                row = {"group": g, "start_no": i + 1}
                row.update({f"start_{n}": v for n, v in zip(self.terms, t["start"], strict=True)})
                row.update(dict(zip(self.terms, t["estimate"], strict=True)))
                row.update(criterion=t["criterion"], converged=bool(t["converged"]), n_fev=t.get("n_fev"),
                           chosen=bool(t.get("chosen")))
                rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self) -> str:  # notebook-friendly short summary
        lines = [f"ProductionFunctionResult({METHOD_NAMES[self.method]}, output={self.output!r})"]
        for g, f in self.fits.items():
            est = ", ".join(
                f"{t}={f.params[t]:.3f}"
                + (f" ({f.std_errors[t]:.3f})" if np.isfinite(f.std_errors[t]) else "")
                for t in self.terms
            )
            lines.append(f"  {g}: {est}; n_obs={f.n_obs}, n_firms={f.n_firms}, converged={f.converged}")
        for g, why in self.skipped.items():
            lines.append(f"  {g}: skipped ({why})")
        return "\n".join(lines)

    # ------------------------------------------------------------------ TFP
    def tfp(self, data: pd.DataFrame) -> pd.Series:
        """Firm-year log TFP, ``log ω = y − Σ β_free·free − Σ β_state·state``.

        Computed with each row's group coefficients (rows of skipped or unknown
        groups, and rows with missing inputs, get NaN). The level of log ω
        includes the constant and the idiosyncratic error, as in R prodest's
        ``omega()``; only differences across firms and years are meaningful.
        Returns a Series named ``"log_tfp"`` aligned with ``data.index``.
        """
        require_columns(data, [self.output, *self.terms, *self.by])
        y = numeric_column(data, self.output)
        X = np.column_stack([numeric_column(data, c) for c in self.terms])
        if not self.logs:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log(y), np.nan)
                X = np.where(X > 0, np.log(X), np.nan)
        keys = _group_keys(data, self.by)
        out = np.full(len(data), np.nan)
        for g, f in self.fits.items():
            m = keys == g
            if m.any():
                out[m] = y[m] - X[m] @ f.params[self.terms].to_numpy()
        return pd.Series(out, index=data.index, name="log_tfp")

    def tfp_table(self, data: pd.DataFrame) -> pd.DataFrame:
        """``unit, time, by…, log_tfp`` for every row of ``data`` (input of the effect estimators)."""
        cols = [self.unit, self.time, *self.by]
        out = data[cols].copy()
        out["log_tfp"] = self.tfp(data)
        return out


def _boot_block(core, arr: Arrays, opts: dict, k: int, seeds: np.ndarray) -> np.ndarray:
    """Run the bootstrap replications of ``seeds`` (one firm draw per seed); NaN rows = failed.

    Everything it needs comes in its arguments, so a worker process started clean (not forked)
    receives the data once per block.
    """
    out = np.full((len(seeds), k), np.nan)
    for i, sd in enumerate(seeds):
        w = firm_weights(arr.codes, arr.n_units, np.random.default_rng(int(sd)))
        try:
            bf = core(arr, w, opts)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            continue
        if bf.converged and np.all(np.isfinite(bf.beta)):
            out[i] = bf.beta
    return out


def _bootstrap(core, arr: Arrays, opts: dict, seeds: np.ndarray, k: int, n_jobs: int) -> np.ndarray:
    """Firm-bootstrap replications, optionally in ``n_jobs`` worker processes.

    Replication b always uses ``seeds[b]``, so the result does not depend on ``n_jobs``. Workers
    start from a clean process (:func:`evalutils._processes.clean_context`, never a fork of the
    caller); a script that passes ``n_jobs > 1`` needs the usual ``if __name__ == "__main__":`` guard.
    """
    if n_jobs <= 1 or len(seeds) < 2:
        return _boot_block(core, arr, opts, k, seeds)
    blocks = np.array_split(seeds, min(n_jobs, len(seeds)))
    n = len(blocks)
    with ProcessPoolExecutor(max_workers=n, mp_context=clean_context()) as pool:
        return np.vstack(list(pool.map(_boot_block, [core] * n, [arr] * n, [opts] * n, [k] * n, blocks)))


def _parse_starts(start, *, method: str, n_terms: int) -> list[np.ndarray] | None:
    """``start=``: one vector of (free..., state...) elasticities or a list of them; ACF only."""
    if start is None:
        return None
    if method != "acf":
        raise ValueError(f"start= applies to method='acf' only (its optimiser); method={method!r} "
                         "is solved in closed form or starts from the OLS estimates")
    arr = np.asarray(start, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != n_terms or arr.shape[0] == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"start must be one vector of {n_terms} finite numbers (free inputs, then state "
                         f"inputs) or a list of such vectors; got shape {np.shape(start)}")
    return [row for row in arr]


def _group_keys(data: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    if not by:
        return np.full(len(data), ALL, dtype=object)
    if len(by) == 1:
        return data[by[0]].astype(str).to_numpy(dtype=object)
    return data[list(by)].astype(str).agg(" / ".join, axis=1).to_numpy(dtype=object)


def estimate_production_function(
    data: pd.DataFrame,
    *,
    method: Method = "acf",
    output: str,
    free: str | Sequence[str],
    state: str | Sequence[str],
    proxy: str | Sequence[str] | None = None,
    unit: str,
    time: str,
    logs: bool = True,
    n_boot: int = 0,
    seed: int = 20200831,
    by: str | Sequence[str] | None = None,
    min_firms: int = 30,
    on_small_group: Literal["raise", "skip"] = "raise",
    on_failure: Literal["raise", "warn"] = "raise",
    poly_degree: int | None = None,
    markov_degree: int = 3,
    maxiter: int = 1000,
    conf_level: float = 0.95,
    n_jobs: int = 1,
    start: Sequence[float] | Sequence[Sequence[float]] | None = None,
    search: Literal["first_root", "all"] = "first_root",
) -> ProductionFunctionResult:
    r"""Estimate a value-added Cobb–Douglas production function and firm TFP.

    Model: :math:`y_{it} = \beta_0 + w_{it}\beta_w + k_{it}\beta_k + \omega_{it} + \varepsilon_{it}`
    in logs, with free inputs :math:`w` (e.g. skilled and unskilled labour),
    state inputs :math:`k` (capital), productivity :math:`\omega` known to the
    firm and :math:`\varepsilon` an i.i.d. shock. Control-function methods
    assume :math:`\omega_{it} = g(\omega_{it-1}) + \xi_{it}` (first-order
    Markov) and invert a proxy :math:`m = m(k, \omega)` (materials, or
    investment for OP) to control for :math:`\omega`.

    **Lags use the exact previous year only**: a row whose unit has no row at
    ``time − 1`` has no lag and is left out of every stage that needs one.

    Methods (``method``):

    ``"ols"``
        Pooled least squares of y on ``[1, w, k]``. SE: firm-clustered (CR1).
    ``"fe"``
        Within-firm least squares (firm fixed effects). SE: firm-clustered.
    ``"lp"`` (Levinsohn–Petrin 2003, as R ``prodest::prodestLP``)
        *First stage*: OLS of y on ``[1, w, poly(k, m)]`` over every valid row,
        the polynomial of total degree ``poly_degree`` (default 2: k, m, k·m,
        k², m², as prodest). Gives :math:`\hat\beta_w` and
        :math:`\hat\Phi = \hat y - w\hat\beta_w`.
        *Second stage*: for a candidate :math:`\beta_k`,
        :math:`\omega = \hat\Phi - k\beta_k`,
        :math:`\omega_{-1} = \hat\Phi_{-1} - k_{-1}\beta_k`; :math:`g` is the OLS
        projection of :math:`\omega` on ``[1, ω₋₁, ω₋₁², ω₋₁³]``
        (``markov_degree``), and :math:`\xi = y - w\hat\beta_w - k\beta_k - g(\omega_{-1})`.
        *Criterion*: :math:`\sum \xi^2` over rows with an exact t−1 row (the
        moment :math:`E[\xi\,k]=0` in its nonlinear-least-squares form, as prodest).
        *Optimiser*: BFGS from the OLS estimate of :math:`\beta_k`
        (prodest starts from the first-stage coefficient plus noise; the
        criterion has the same minimum), Nelder–Mead polish if BFGS stops
        early.
    ``"op"`` (Olley–Pakes 1996, as ``prodest::prodestOP``)
        As ``"lp"`` with investment as the proxy. With ``logs=False`` rows with
        zero (or missing) investment cannot be inverted and are dropped, as in
        the literature; ``rows_dropped`` reports how many. (No exit correction.)
    ``"acf"`` (Ackerberg–Caves–Frazer 2015, as ``prodest::prodestACF``)
        *First stage*: OLS of y on ``[1, poly(w, k, m)]`` (degree
        ``poly_degree``, default 2), :math:`\hat\Phi = \hat y`; no coefficient
        is identified here.
        *Second stage*: :math:`\omega = \hat\Phi - w\beta_w - k\beta_k` and its
        lag, :math:`\xi = \omega - g(\omega_{-1})` with :math:`g` the cubic OLS
        projection as above.
        *Moments*: :math:`E[\xi\,(w_{-1}, k)] = 0` (lagged free inputs and
        current state as instruments), weighted by
        :math:`W = (Z'Z/N)^{-1}`; just identified.
        *Optimiser*: Levenberg–Marquardt on :math:`W^{1/2}\bar m(\beta)`; it
        minimises prodest's criterion :math:`\bar m' W \bar m` (prodest uses
        BFGS) in a few evaluations. The moments can have several roots and
        spurious local minima, so several starts are tried — by default the OLS
        estimates, 0.5× and 1.5× them, then all 0.3 and all 0.1, in that order
        until the first exact root (criterion < 1e-14), or all of them with
        ``search="all"``; with ``start=`` (prodest's ``theta0``) every given
        vector and only those — and the first exact root in that order is
        kept, else the lowest criterion, with a warning. Each start, where it led, its
        criterion and the one kept are in :meth:`ProductionFunctionResult.starts`;
        a warning names the alternatives when distinct starts reach distinct
        solutions with similar criteria (two exact roots, or local minima within
        a factor 10 of the kept one). Bootstrap replications start from the
        point estimate and stop at the first exact root.
    ``"wrdg"`` (Wooldridge 2009, IV form; as R ``prodest::prodestWRDG`` 1.0.1)
        Both equations of Wooldridge's system with a unit-slope Markov process
        (:math:`g(\omega_{-1}) = \omega_{-1}`), stacked into one 2SLS:
        (1) :math:`y = \beta_0 + w\beta_w + k\beta_k + c(k, m)\lambda` and
        (2) :math:`y = \beta_0 + w\beta_w + k\beta_k + c(k_{-1}, m_{-1})\lambda`
        on the rows with an exact t−1 row, :math:`c` the degree-``poly_degree``
        polynomial without intercept (default 2) and :math:`\lambda` shared.
        Instruments: ``[w₋₁, k, c]`` in (1) and ``[w₋₁, k, c₋₁]`` in (2) (the
        free inputs are instrumented by their lags in both). As prodest: no
        equation-2 intercept, the constant is not an instrument, the regressors
        are projected on the instruments and the second stage is OLS with an
        intercept. SE (``n_boot=0``): prodest's, the OLS formula of that second
        stage (it treats the two stacked rows of a firm-year as independent
        and ignores the first stage); prefer ``n_boot`` for inference.
    ``"wrdg_gmm"`` (Wooldridge 2009, system; as ``prodest::prodestWRDG_GMM``)
        Two equations sharing :math:`\beta_0, \beta_w, \beta_k`:
        (1) :math:`y = \beta_0 + w\beta_w + k\beta_k + \tilde c(k, m)\lambda`
        (:math:`\tilde c` the polynomial terms other than k itself, so the
        linear k coefficient is shared, as prodest) with instruments
        ``[1, w, c(k, m)]`` and (2)
        :math:`y = \beta_0 + e_0 + w\beta_w + k\beta_k + c(k_{-1}, m_{-1})\delta`
        with instruments ``[1, w₋₁, k, c(k₋₁, m₋₁)]``; linear two-step GMM,
        first step with the block-diagonal ``(Z'Z)^{-1}`` weight (prodest uses
        only its diagonal), second with the homoskedastic optimal weight
        :math:`(\hat\sigma^2 Z'Z)^{-1}`. SE: the firm-clustered GMM sandwich
        (both equations' moments of a firm summed); in a Monte Carlo it
        matches the sampling SD of the estimates, where the homoskedastic GMM
        formula is up to 25% too small and prodest's (twice the homoskedastic
        variance) up to 43% too large (docs/productivity.md). Both are kept in
        ``fits[g].optimizer["cov_alternatives"]``; prodest's reproduces the
        vignette's 0.017, 0.015, 0.031. Note that sharing the linear k
        coefficient between the equations (as prodest) biases capital when
        productivity depends on capital (docs/productivity.md).
    ``"rob"`` (Wooldridge 2009 one-step IV in Robinson's form; as ``prodest::prodestROB`` 1.0.1)
        No first stage and no optimiser: one 2SLS on the rows with an exact
        t−1 row of :math:`y = \beta_0 + w\beta_w + k\beta_k + c(k_{-1}, m_{-1})\lambda + e`,
        :math:`c(k_{-1}, m_{-1})\lambda` standing in for :math:`g(\omega_{-1})`
        (degree-``poly_degree`` polynomial without intercept, default 2, as
        prodest's ``lagregvars``). Moments :math:`E[Z e] = 0` with instruments
        ``[1, w₋₁, k, c(k₋₁, m₋₁)]`` (free inputs instrumented by their lags;
        just identified). SE (``n_boot=0``): conventional 2SLS,
        :math:`s^2 (\hat X'\hat X)^{-1}` with :math:`s^2 = e'e/(n-p)` from the
        structural residuals (R ``ivreg``, what prodest reports); prefer
        ``n_boot`` (firm bootstrap) for inference with serially correlated errors.

    Parameters
    ----------
    data
        Firm-year panel (one row per unit and time).
    output, free, state, proxy
        Column names (``free``/``state``/``proxy`` may be lists). ``proxy`` is
        required for op/lp/acf/wrdg/wrdg_gmm/rob.
    unit, time
        Firm identifier and (integer) year.
    logs
        ``True`` (default) if the columns are already logs; ``False`` to take
        logs here (non-positive output or inputs raise; non-positive proxy rows
        are dropped and counted).
    n_boot, seed
        Firm-bootstrap replications for standard errors (firms resampled with
        replacement, all their years kept; one ``numpy`` Generator made from
        ``seed`` draws one seed per replication). Replications whose optimiser
        fails are counted in
        ``n_boot_failed`` and left out of the standard deviation. With
        ``n_boot=0`` op/lp/acf have no standard errors (NaN).
    by, min_firms, on_small_group
        Estimate separately by group (e.g. ``"vsic_section"``). A group with
        fewer than ``min_firms`` firms in its estimation sample raises
        :class:`~evalutils.errors.EstimationError` naming the group and the
        count, or is skipped (recorded in ``skipped``, with a warning) when
        ``on_small_group="skip"``.
    on_failure
        If the optimiser does not converge: ``"raise"`` (default) an
        ``EstimationError``; ``"warn"`` returns the result with
        ``converged=False`` and NaN estimates (the last iterate and the
        starting values are in ``optimizer``), never the starting values.
    poly_degree, markov_degree, maxiter
        Proxy/first-stage polynomial degree (default 2, as prodest), degree of
        the polynomial :math:`g` (default 3) and optimiser iteration limit
        (function evaluations for ACF).
    start
        ACF only: starting value(s) of the elasticities (free inputs, then
        state inputs), one vector or a list of vectors — prodest's ``theta0``.
        Only these are tried; see :meth:`ProductionFunctionResult.starts`.
    search
        ACF only, default starts: ``"first_root"`` (default) stops at the
        first exact root in order; ``"all"`` solves the moments from every
        start, so that every root is shown in
        :meth:`ProductionFunctionResult.starts` and distinct roots are warned
        about. The estimate is the same either way (the first exact root in
        order is kept); ``"all"`` costs 4–7 times as much (on the demo panel's
        national model 3 s against 14–23 s). Starts given with ``start=`` are
        always all tried.
    n_jobs
        Worker processes for the bootstrap (started clean: forkserver, or spawn
        where there is none; scripts need an ``if __name__ == "__main__":``
        guard). Replication ``b`` uses its own seed drawn from ``seed``, so
        results do not depend on ``n_jobs``.

    Returns
    -------
    ProductionFunctionResult
        Elasticities, standard errors, ``n_obs`` (rows in the final stage),
        ``n_firms``, rows dropped and why, convergence and optimiser details,
        ``tidy()`` and ``tfp(data)`` (firm-year log ω).

    Examples
    --------
    >>> from evalutils.productivity._simulate import simulate_panel
    >>> d = simulate_panel(200, 6, seed=1)  # true elasticities: labour 0.6, capital 0.3
    >>> res = estimate_production_function(d, method="rob", output="y", free="l", state="k", proxy="m",
    ...                                    unit="firm", time="year")
    >>> {k: round(v, 2) for k, v in res.elasticities.items()}, res.fits["all"].se_type
    ({'l': 0.6, 'k': 0.34}, '2SLS (conventional, as prodest)')
    """
    check_choice("method", method, METHODS)
    check_choice("on_small_group", on_small_group, ("raise", "skip"))
    check_choice("on_failure", on_failure, ("raise", "warn"))
    free_l, state_l, proxy_l, by_l = as_list(free), as_list(state), as_list(proxy), as_list(by)
    if not free_l or not state_l:
        raise ValueError("at least one free and one state input are required")
    starts = _parse_starts(start, method=method, n_terms=len(free_l) + len(state_l))
    if method in _NEEDS_PROXY and not proxy_l:
        raise ValueError(f"method={method!r} needs a proxy column (proxy=...)")
    if method not in _NEEDS_PROXY:
        proxy_l = []
    if n_boot < 0:
        raise ValueError("n_boot must be >= 0")
    if n_jobs < 1:
        raise ValueError("n_jobs must be >= 1")
    require_columns(data, [output, *free_l, *state_l, *proxy_l, unit, time, *by_l])
    if poly_degree is None:
        poly_degree = 2
    check_choice("search", search, ("first_root", "all"))
    opts = {"poly_degree": int(poly_degree), "markov_degree": int(markov_degree), "maxiter": int(maxiter)}
    if method == "acf" and starts is not None:
        opts["starts"] = starts

    y, F, K, P, keep, dropped = _validated_arrays(
        data, output=output, free=free_l, state=state_l, proxy=proxy_l, logs=logs, method=method
    )
    keys = _group_keys(data, by_l)
    unit_values = data[unit].to_numpy()
    time_values = pd.to_numeric(data[time], errors="raise").to_numpy()
    rng = np.random.default_rng(seed)
    terms = [*free_l, *state_l]
    fits: dict[str, GroupFit] = {}
    skipped: dict[str, str] = {}

    for g in sorted(pd.unique(keys).tolist(), key=str) if by_l else [ALL]:
        gm = keep & (keys == g)
        g_dropped = {reason: int((mask & (keys == g)).sum()) for reason, mask in dropped.items()}
        g_dropped = {r: c for r, c in g_dropped.items() if c}
        idx = np.flatnonzero(gm)
        if len(idx) == 0:
            raise EstimationError(
                f"no valid proxy values in group {g!r}: all {int((keys == g).sum())} rows have a "
                "proxy that cannot be inverted", key=str(g),
                hint="use another proxy (materials) or pass a different grouping",
            )
        codes, uniq = pd.factorize(unit_values[idx])
        prev = previous_row(unit_values[idx], time_values[idx])
        n_lag = int((prev >= 0).sum())
        if method in _NEEDS_LAG:
            no_lag = len(idx) - n_lag
            if no_lag:
                g_dropped["no exact t-1 row (first stage only)"] = no_lag
            est_units = len(np.unique(codes[prev >= 0]))
            n_obs = n_lag
        else:
            est_units = len(uniq)
            n_obs = len(idx)
        if est_units < min_firms:
            why = (f"too few firms in group {g!r}: {est_units} firms in the estimation sample "
                   f"< min_firms={min_firms}")
            if method in _NEEDS_LAG:
                why += " (firms with at least one exact t-1 row)"
            if on_small_group == "skip" and by_l:
                skipped[g] = why
                warnings.warn(f"skipping group {g!r}: {why}", UserWarning, stacklevel=2)
                continue
            raise EstimationError(
                why, key=str(g),
                hint="pool small groups, lower min_firms, or pass on_small_group='skip' with by=...",
            )
        arr = Arrays(
            y=y[idx], F=F[idx], K=K[idx], P=None if P is None else P[idx],
            prev=prev, codes=codes, n_units=len(uniq),
        )
        core = CORES[method]
        if method == "acf":
            opts["try_all_starts"] = search == "all" or starts is not None
        try:
            fit: CoreFit = core(arr, None, opts)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            raise EstimationError(
                f"{METHOD_NAMES[method]} could not be computed in group {g!r}: {exc}", key=str(g),
                hint="check for inputs without variation or collinear inputs in this group",
            ) from exc
        converged = bool(fit.converged and np.all(np.isfinite(fit.beta)))
        info = dict(fit.info)
        if method in _OPTIMISED:
            info["last_iterate"] = np.asarray(fit.beta).tolist()
        beta = np.asarray(fit.beta, dtype=float)
        if converged and method == "acf" and info.get("distinct_roots"):
            warnings.warn(
                f"ACF: distinct starting values reach distinct solutions with similar criteria in group {g!r}: "
                f"kept {np.round(beta, 4).tolist()} (criterion {info.get('criterion'):.3g}); also "
                + "; ".join(str(np.round(r, 4).tolist()) for r in info["distinct_roots"])
                + "; compare them in result.starts() and choose with start=",
                UserWarning, stacklevel=2,
            )
        if converged and method == "acf" and not info.get("exact_root", True):
            warnings.warn(
                f"ACF moments have no exact root from the starting values tried in group {g!r}; "
                f"reporting the lowest GMM criterion found ({info.get('criterion'):.3g}); "
                "see result.starts() and try other values with start=",
                UserWarning, stacklevel=2,
            )
        if not converged:
            msg = (f"{METHOD_NAMES[method]} optimiser did not converge in group {g!r} "
                   f"({info.get('message', 'no message')})")
            if on_failure == "raise":
                raise EstimationError(
                    msg, key=str(g),
                    hint="raise maxiter, check the proxy (monotone in productivity?) or use another method",
                )
            warnings.warn(msg + "; estimates set to NaN", UserWarning, stacklevel=2)
            beta = np.full_like(beta, np.nan)

        se = np.full(len(terms), np.nan)
        se_type = "none"
        boot = None
        n_failed = 0
        if fit.cov is not None:
            se = np.sqrt(np.clip(np.diag(fit.cov), 0, None))
            se_type = {"ols": "firm-clustered", "fe": "firm-clustered",
                       "wrdg": "prodest 2SLS (second-stage OLS)", "wrdg_gmm": "GMM, firm-clustered",
                       "rob": "2SLS (conventional, as prodest)"}[method]
        if n_boot > 0 and converged:
            boot_opts = dict(opts, cache={}, try_all_starts=False)
            if method == "acf":
                boot_opts["start"] = beta
            elif method in ("op", "lp"):
                boot_opts["start_state"] = beta[len(free_l):]
            seeds = rng.integers(0, 2**63 - 1, size=n_boot)
            boot = _bootstrap(core, arr, boot_opts, seeds, len(terms), n_jobs)
            n_failed = int(np.isnan(boot).any(axis=1).sum())
            if n_boot - n_failed >= 2:
                se = np.nanstd(boot, axis=0, ddof=1)
                se_type = f"firm bootstrap ({n_boot - n_failed} replications)"
        fits[str(g)] = GroupFit(
            group=str(g),
            params=pd.Series(beta, index=terms, dtype=float),
            std_errors=pd.Series(se, index=terms, dtype=float),
            se_type=se_type,
            n_obs=n_obs,
            n_firms=int(est_units),
            n_obs_first_stage=len(idx),
            rows_dropped=g_dropped,
            converged=converged,
            optimizer=info,
            n_boot=n_boot,
            n_boot_failed=n_failed,
            boot_params=boot,
            constant=fit.const,
        )
    if not fits:
        raise EstimationError(
            "no group could be estimated: " + "; ".join(skipped.values()),
            hint="lower min_firms or pool groups",
        )
    return ProductionFunctionResult(
        method=method, output=output, free=tuple(free_l), state=tuple(state_l),
        proxy=tuple(proxy_l), unit=unit, time=time, by=tuple(by_l), logs=logs,
        fits=fits, skipped=skipped, n_boot=n_boot, seed=seed, conf_level=conf_level,
    )


def _validated_arrays(data, *, output, free, state, proxy, logs, method):
    """Validate and (optionally) log the inputs. Returns arrays, kept-row mask and drops."""
    n = len(data)
    dropped: dict[str, np.ndarray] = {}
    y = numeric_column(data, output)
    bad = ~np.isfinite(y)
    if bad.any():
        raise DataValidationError(
            "output (value added) is missing or not finite", column=output, rows=bad_rows(data, bad),
            hint="drop these firm-years (and report how many) before estimating",
        )
    if not logs:
        neg = y <= 0
        if neg.any():
            raise DataValidationError(
                "output (value added) must be positive to take logs", column=output,
                rows=bad_rows(data, neg),
                hint="negative or zero value added has no log; drop these firm-years and report it",
            )
        y = np.log(y)
    mats = []
    for cols in (free, state):
        cs = []
        for c in cols:
            v = numeric_column(data, c)
            badv = ~np.isfinite(v) | ((v <= 0) if not logs else False)
            if badv.any():
                raise DataValidationError(
                    f"input {c!r} is missing, not finite{'' if logs else ' or not positive'}",
                    column=c, rows=bad_rows(data, badv),
                )
            cs.append(v if logs else np.log(v))
        mats.append(np.column_stack(cs))
    F, K = mats
    keep = np.ones(n, dtype=bool)
    P = None
    if proxy:
        cs = []
        for c in proxy:
            v = numeric_column(data, c)
            with np.errstate(divide="ignore", invalid="ignore"):
                badv = ~np.isfinite(v) | ((v <= 0) if not logs else np.zeros(n, dtype=bool))
            if badv.any():
                what = "zero, negative or missing" if not logs else "missing or not finite"
                dropped[f"proxy {c!r} {what} (cannot be inverted; e.g. zero investment)"] = badv
                keep &= ~badv
            with np.errstate(divide="ignore", invalid="ignore"):
                cs.append(v if logs else np.log(np.where(v > 0, v, np.nan)))
        P = np.column_stack(cs)
        if not keep.any():
            raise EstimationError(
                "no valid proxy values: every row has a " + ", ".join(repr(c) for c in proxy)
                + (" that is zero, negative or missing" if not logs else " that is missing"),
                hint="use a proxy that is positive for most firms (materials: method='lp' or 'acf')",
            )
    return y, F, K, P, keep, dropped
