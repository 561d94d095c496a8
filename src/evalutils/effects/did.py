"""Callaway and Sant'Anna (2021) group-time average treatment effects, ``att_gt``.

Own implementation on numpy (see docs/effects.md for why not a library). It follows the
conventions of the R package ``did`` (2.5.x) so that its published numbers are reproduced:

* groups are defined by the first treated period (``group``; 0 = never treated); units whose
  group is after the last observed period count as never treated; units treated in the first
  period (or within ``anticipation`` periods of it) have no pre-period and are dropped;
* ``base_period="varying"``: pre-treatment cells compare t with t-1, post-treatment cells
  compare t with the last period before g - anticipation; ``"universal"`` always uses the
  latter;
* controls: never treated, or not yet treated by max(t, base) + anticipation (and not in g);
* 2x2 estimators: outcome regression, normalised IPW and doubly robust (Sant'Anna and Zhao
  2020), covariates taken at each comparison's base period;
* inference: influence functions, clustered on ``cluster`` (default the unit), and a seeded
  multiplier bootstrap with simultaneous bands (see ``_inference``);
* aggregations (``aggregate``): simple, dynamic (event time), group and calendar, with the
  estimated-weights correction of the influence function as in did's ``aggte``.

Unbalanced panels: ``unbalanced="drop"`` (default, as did) keeps only units observed in every
period; ``"pairwise"`` uses, for each (g, t), the units observed in both t and the base period
(the influence function of each cell is rescaled by n / n_gt; valid when missingness is
unrelated to potential outcomes given the group).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from .. import _dist

from evalutils.errors import EstimationError

from ._common import as_list, check_choice, check_columns, html_table, tidy_rows
from ._drdid import did_panel
from ._inference import BOOTSTRAP_CHOICES, infer

ControlGroup = Literal["never_treated", "not_yet_treated"]
EstMethod = Literal["reg", "ipw", "dr"]
Bootstrap = Literal["mammen", "rademacher", "none"]
AggKind = Literal["simple", "dynamic", "group", "calendar"]

_METHOD_LABEL = {"reg": "outcome regression", "ipw": "inverse probability weighting", "dr": "doubly robust"}


@dataclass(frozen=True)
class _Panel:
    """Wide representation: one row per unit."""

    units: pd.Index
    periods: np.ndarray
    G: np.ndarray  # first treated period per unit (0 = never)
    Y: np.ndarray  # n x T (NaN = not observed)
    X: np.ndarray | None  # n x T x p
    cluster_codes: np.ndarray | None
    n_clusters: int
    notes: tuple[str, ...]


def _to_wide(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: list[str],
    cluster: str | None,
    unbalanced: str,
) -> _Panel:
    cols = list(dict.fromkeys([unit, time, group, outcome, *covariates, *([cluster] if cluster else [])]))
    df = data[cols]
    notes: list[str] = []
    if df[[unit, time, group]].isna().any().any():
        raise EstimationError(
            "att_gt: missing values in the unit, time or group column",
            column=", ".join(c for c in (unit, time, group) if df[c].isna().any()),
        )
    if df.duplicated([unit, time]).any():
        rows = np.flatnonzero(df.duplicated([unit, time], keep=False).to_numpy())
        raise EstimationError("att_gt: more than one row per unit and period", column=unit, rows=rows.tolist())
    try:
        tvals = df[time].to_numpy(dtype=np.int64)
        gvals = df[group].to_numpy(dtype=np.int64)
    except (TypeError, ValueError) as exc:
        raise EstimationError(
            "att_gt: time and group must be integer periods (group 0 = never treated)",
            column=f"{time}, {group}",
        ) from exc
    ucodes, units = pd.factorize(df[unit], sort=True)
    periods = np.unique(tvals)
    tcodes = np.searchsorted(periods, tvals)
    n, T = len(units), len(periods)

    # group must be constant within unit
    gmin = np.full(n, np.iinfo(np.int64).max)
    gmax = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(gmin, ucodes, gvals)
    np.maximum.at(gmax, ucodes, gvals)
    if (gmin != gmax).any():
        bad = units[np.flatnonzero(gmin != gmax)[:5]].tolist()
        raise EstimationError(
            "att_gt: the group (first treated period) varies within unit", column=group,
            hint=f"first offending units: {bad}",
        )
    G = gmin.copy()
    if (G < 0).any():
        raise EstimationError("att_gt: negative group values; use 0 for never treated", column=group)
    late = G > periods[-1]
    if late.any():
        notes.append(f"{int(late.sum())} units first treated after {periods[-1]} are treated as never treated")
        G[late] = 0

    Y = np.full((n, T), np.nan)
    Y[ucodes, tcodes] = df[outcome].to_numpy(dtype=float)
    X = None
    if covariates:
        X = np.full((n, T, len(covariates)), np.nan)
        for j, c in enumerate(covariates):
            X[ucodes, tcodes, j] = df[c].to_numpy(dtype=float)
    observed = ~np.isnan(Y)
    if X is not None:
        observed &= ~np.isnan(X).any(axis=2)
    Y[~observed] = np.nan

    keep = np.ones(n, dtype=bool)
    if unbalanced == "drop":
        full = observed.all(axis=1)
        if not full.all():
            notes.append(
                f"{int((~full).sum())} of {n} units not observed in every period were dropped "
                "(unbalanced='drop'; use unbalanced='pairwise' to keep them)"
            )
        keep &= full
    keep &= observed.any(axis=1)

    codes = None
    n_clusters = int(keep.sum())
    if cluster is not None and cluster != unit:
        cvals = df[cluster]
        if cvals.isna().any():
            raise EstimationError("att_gt: missing values in the cluster column", column=cluster)
        pairs = pd.DataFrame({"u": ucodes, "c": pd.factorize(cvals)[0]}).drop_duplicates()
        if pairs["u"].duplicated().any():
            raise EstimationError(
                "att_gt: units must be nested in clusters (the cluster varies within a unit)",
                column=cluster,
            )
        cl = np.empty(n, dtype=np.int64)
        cl[pairs["u"].to_numpy()] = pairs["c"].to_numpy()
        codes = cl

    idx = np.flatnonzero(keep)
    if codes is not None:
        codes, uniq = pd.factorize(codes[idx])
        n_clusters = len(uniq)
    return _Panel(
        units=units[idx],
        periods=periods,
        G=G[idx],
        Y=Y[idx],
        X=X[idx] if X is not None else None,
        cluster_codes=codes,
        n_clusters=n_clusters,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class AggregateResult:
    """Aggregated ATT from :meth:`ATTGTResult.aggregate`."""

    kind: str
    overall_estimate: float
    overall_std_error: float
    effects: pd.DataFrame  # columns: <label>, estimate, std_error, conf_low, conf_high (band)
    label: str  # "event_time" | "group" | "time" | ""
    influence: np.ndarray  # n x (1 + len(effects)); first column is the overall ATT
    n_obs: int
    n_units: int
    n_clusters: int
    alpha: float
    bootstrapped: bool
    crit_band: float
    method: str

    def tidy(self) -> pd.DataFrame:
        """First row is the overall ATT, then one row per event time / group / period.

        ``conf_low``/``conf_high`` are pointwise for the overall ATT and simultaneous
        (uniform) bands for the components when bootstrapped.
        """
        z = _dist.norm.ppf(1 - self.alpha / 2)
        terms = ["ATT"]
        est = [self.overall_estimate]
        se = [self.overall_std_error]
        lo = [self.overall_estimate - z * self.overall_std_error]
        hi = [self.overall_estimate + z * self.overall_std_error]
        if len(self.effects):
            prefix = {"event_time": "e=", "group": "g=", "time": "t="}[self.label]
            terms += [f"{prefix}{v}" for v in self.effects[self.label]]
            est += self.effects["estimate"].tolist()
            se += self.effects["std_error"].tolist()
            lo += self.effects["conf_low"].tolist()
            hi += self.effects["conf_high"].tolist()
        return tidy_rows(
            terms, np.array(est), np.array(se), df=None, alpha=self.alpha, n_obs=self.n_obs,
            n_units=self.n_units, n_clusters=self.n_clusters, method=self.method,
            conf_low=np.array(lo), conf_high=np.array(hi),
        )

    @property
    def estimate(self) -> float:
        return self.overall_estimate

    @property
    def std_error(self) -> float:
        return self.overall_std_error

    def _repr_html_(self) -> str:
        band = "simultaneous" if self.bootstrapped else "pointwise"
        return html_table(
            f"Callaway–Sant'Anna aggregation: {self.kind}",
            self.tidy()[["term", "estimate", "std_error", "conf_low", "conf_high", "p_value"]],
            [f"Overall ATT with pointwise CI; components with {band} {1 - self.alpha:.0%} bands."],
        )


@dataclass(frozen=True)
class ATTGTResult:
    """Group-time ATTs. ``cells`` has one row per (group, time)."""

    cells: pd.DataFrame
    influence: np.ndarray  # n units x n cells
    unit_group: np.ndarray
    cluster_codes: np.ndarray | None
    n_units: int
    n_obs: int
    n_clusters: int
    outcome: str
    control_group: str
    est_method: str
    anticipation: int
    base_period: str
    bootstrap: str
    n_boot: int
    seed: int
    alpha: float
    crit_band: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    units: pd.Index | None = None  # unit labels in the row order of ``influence``

    @property
    def method(self) -> str:
        return f"Callaway-Sant'Anna ({self.est_method}, {self.control_group.replace('_', '-')})"

    def tidy(self) -> pd.DataFrame:
        """One row per ATT(g,t); ``conf_low``/``conf_high`` are the simultaneous band when bootstrapped."""
        c = self.cells
        out = tidy_rows(
            [f"ATT({g},{t})" for g, t in zip(c["group"], c["time"], strict=True)],
            c["att"].to_numpy(), c["std_error"].to_numpy(), df=None, alpha=self.alpha,
            n_obs=self.n_obs, n_units=self.n_units, n_clusters=self.n_clusters, method=self.method,
            conf_low=c["conf_low"].to_numpy(), conf_high=c["conf_high"].to_numpy(),
            extra={"group": c["group"], "time": c["time"], "event_time": c["event_time"]},
        )
        return out

    def _rng(self, salt: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, salt])

    def _infer(self, psi: np.ndarray, salt: int):
        return infer(
            psi, codes=self.cluster_codes, n_clusters=self.n_clusters if self.cluster_codes is not None else None,
            bootstrap=self.bootstrap, n_boot=self.n_boot,
            rng=self._rng(salt) if self.bootstrap != "none" else None, alpha=self.alpha,
        )

    def pretest(self) -> dict[str, float]:
        """Wald test that all pre-treatment ATT(g,t) are zero (analytic, clustered covariance).

        Returns ``{"statistic", "df", "p_value"}`` (as did's "P-value for pre-test of parallel trends").
        """
        pre = np.flatnonzero(~self.cells["post"].to_numpy())
        if len(pre) == 0:
            raise EstimationError("pretest: there are no pre-treatment cells to test")
        psi = self.influence[:, pre]
        if self.cluster_codes is not None:
            pc = np.zeros((self.n_clusters, len(pre)))
            np.add.at(pc, self.cluster_codes, psi)
        else:
            pc = psi
        n = psi.shape[0]
        V = pc.T @ pc / n**2
        a = self.cells["att"].to_numpy()[pre]
        W = float(a @ np.linalg.pinv(V) @ a)
        k = int(np.linalg.matrix_rank(V))
        return {"statistic": W, "df": float(k), "p_value": float(_dist.chi2_sf(W, k))}

    def aggregate(
        self,
        kind: AggKind = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> AggregateResult:
        """Aggregate the ATT(g,t) as did's ``aggte`` (weights by group size, IF with weight correction).

        ``kind``: ``"simple"`` (post cells weighted by group size), ``"dynamic"`` (by event time;
        overall = mean of the e >= 0 effects), ``"group"`` (by cohort; overall weighted by cohort
        size) or ``"calendar"`` (by period; overall = mean over periods).
        """
        check_choice("kind", kind, ("simple", "dynamic", "group", "calendar"))
        c = self.cells
        g = c["group"].to_numpy()
        t = c["time"].to_numpy()
        att = c["att"].to_numpy()
        psi = self.influence
        G = self.unit_group
        glist = np.unique(g)
        pg_group = np.array([np.mean(G == gg) for gg in glist])
        pg = pg_group[np.searchsorted(glist, g)]
        # identify "post" as in aggte: group <= time (anticipation periods count as pre)
        post = g <= t
        e = t - g

        def wif(groups_of: np.ndarray, pgk: np.ndarray) -> np.ndarray:
            """Influence of the estimated weights pg_k / sum(pg_k) (did's ``wif``)."""
            ind = (G[:, None] == groups_of[None, :]).astype(float) - pgk[None, :]
            s = pgk.sum()
            return ind / s - np.outer(ind.sum(axis=1), pgk / s**2)

        def weighted(keep: np.ndarray) -> tuple[float, np.ndarray]:
            w = pg[keep] / pg[keep].sum()
            est = float(w @ att[keep])
            inf = psi[:, keep] @ w + wif(g[keep], pg[keep]) @ att[keep]
            return est, inf

        comps: list[tuple[object, float, np.ndarray]] = []
        label = ""
        if kind == "simple":
            keep = post & (e <= max_e)
            if not keep.any():
                raise EstimationError("aggregate: no post-treatment cells")
            overall, oinf = weighted(keep)
        elif kind == "dynamic":
            label = "event_time"
            keep_cells = np.ones(len(c), dtype=bool)
            if balance_e is not None:
                last = self.cells["time"].max()
                keep_cells &= (last - g) >= balance_e
                first = self.cells["time"].min()
                keep_cells &= (e <= balance_e) & (e >= balance_e - last + first)
            keep_cells &= (e >= min_e) & (e <= max_e)
            for ee in np.unique(e[keep_cells]):
                k = keep_cells & (e == ee)
                est, inf = weighted(k)
                comps.append((int(ee), est, inf))
            posts = [(est, inf) for ee, est, inf in comps if ee >= 0]
            if not posts:
                raise EstimationError("aggregate: no event time e >= 0 to average")
            overall = float(np.mean([p[0] for p in posts]))
            oinf = np.mean(np.column_stack([p[1] for p in posts]), axis=1)
        elif kind == "group":
            label = "group"
            gests, ginfs = [], []
            for gg in glist:
                k = (g == gg) & post & (e <= max_e)
                if not k.any():
                    continue
                est = float(att[k].mean())
                inf = psi[:, k].mean(axis=1)
                comps.append((int(gg), est, inf))
                gests.append(est)
                ginfs.append(inf)
            if not comps:
                raise EstimationError("aggregate: no post-treatment cells")
            gl = np.array([cc[0] for cc in comps])
            pgs = pg_group[np.searchsorted(glist, gl)]
            w = pgs / pgs.sum()
            overall = float(w @ np.array(gests))
            oinf = np.column_stack(ginfs) @ w + wif(gl, pgs) @ np.array(gests)
        else:
            label = "time"
            for tt in np.unique(t[t >= g.min()]):
                k = post & (t == tt) & (e <= max_e)
                if not k.any():
                    continue
                est, inf = weighted(k)
                comps.append((int(tt), est, inf))
            if not comps:
                raise EstimationError("aggregate: no post-treatment cells")
            overall = float(np.mean([cc[1] for cc in comps]))
            oinf = np.mean(np.column_stack([cc[2] for cc in comps]), axis=1)

        salt = {"simple": 1, "dynamic": 2, "group": 3, "calendar": 4}[kind]
        o = self._infer(oinf[:, None], salt * 100)
        if comps:
            cinf = np.column_stack([cc[2] for cc in comps])
            ci = self._infer(cinf, salt * 100 + 1)
            cest = np.array([cc[1] for cc in comps])
            effects = pd.DataFrame(
                {
                    label: [cc[0] for cc in comps],
                    "estimate": cest,
                    "std_error": ci.std_error,
                    "conf_low": cest - ci.crit_band * ci.std_error,
                    "conf_high": cest + ci.crit_band * ci.std_error,
                }
            )
            crit = ci.crit_band
            allinf = np.column_stack([oinf, cinf])
        else:
            effects = pd.DataFrame(columns=["estimate", "std_error", "conf_low", "conf_high"])
            crit = o.crit_pointwise
            allinf = oinf[:, None]
        return AggregateResult(
            kind=kind, overall_estimate=overall, overall_std_error=float(o.std_error[0]),
            effects=effects, label=label, influence=allinf, n_obs=self.n_obs, n_units=self.n_units,
            n_clusters=self.n_clusters, alpha=self.alpha, bootstrapped=o.bootstrapped, crit_band=crit,
            method=f"{self.method}, {kind} aggregation",
        )

    def _repr_html_(self) -> str:
        band = "simultaneous (multiplier bootstrap)" if self.bootstrap != "none" else "pointwise"
        cols = ["group", "time", "att", "std_error", "conf_low", "conf_high", "n_treated", "n_control"]
        return html_table(
            "Callaway–Sant'Anna group-time ATTs",
            self.cells[cols],
            [
                f"Outcome: {self.outcome}; {_METHOD_LABEL[self.est_method]}; controls: "
                f"{self.control_group.replace('_', ' ')}; anticipation {self.anticipation}; "
                f"{band} {1 - self.alpha:.0%} bands; {self.n_units} units, {self.n_clusters} clusters.",
                *self.notes,
            ],
        )


def att_gt(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: str | list[str] | None = None,
    control_group: ControlGroup = "never_treated",
    anticipation: int = 0,
    est_method: EstMethod = "reg",
    base_period: Literal["varying", "universal"] = "varying",
    bootstrap: Bootstrap = "mammen",
    n_boot: int = 999,
    seed: int = 20200831,
    cluster: str | None = None,
    unbalanced: Literal["drop", "pairwise"] = "drop",
    alpha: float = 0.05,
) -> ATTGTResult:
    """Callaway–Sant'Anna group-time average treatment effects ATT(g, t).

    Parameters
    ----------
    data : long panel, one row per unit and period.
    outcome, unit, time : column names (time in integer periods, e.g. years).
    group : first treated period of the unit (constant within unit), 0 = never treated.
    covariates : pre-treatment controls for conditional parallel trends (values at the base period).
    control_group : ``"never_treated"`` or ``"not_yet_treated"``.
    anticipation : number of periods before ``group`` in which units may already react.
    est_method : ``"reg"`` (outcome regression), ``"ipw"`` or ``"dr"`` (doubly robust).
    base_period : ``"varying"`` (did's default) or ``"universal"``.
    bootstrap : multiplier weights ``"mammen"`` (did's default) or ``"rademacher"``, or ``"none"``
        for analytic standard errors and pointwise intervals.
    n_boot, seed : bootstrap draws and the seed of the ``numpy.random.Generator``.
    cluster : column to cluster on (units must be nested in it); default the unit.
    unbalanced : ``"drop"`` units not observed in every period, or ``"pairwise"`` (see module doc).
    alpha : 1 - confidence level.
    """
    check_choice("control_group", control_group, ("never_treated", "not_yet_treated"))
    check_choice("est_method", est_method, ("reg", "ipw", "dr"))
    check_choice("base_period", base_period, ("varying", "universal"))
    check_choice("bootstrap", bootstrap, BOOTSTRAP_CHOICES)
    check_choice("unbalanced", unbalanced, ("drop", "pairwise"))
    if not isinstance(anticipation, (int, np.integer)) or anticipation < 0:
        raise ValueError(f"anticipation must be a non-negative integer, not {anticipation!r}")
    covs = as_list(covariates)
    check_columns(data, [outcome, unit, time, group, *covs, cluster], estimator="att_gt")
    panel = _to_wide(
        data, outcome=outcome, unit=unit, time=time, group=group, covariates=covs,
        cluster=cluster, unbalanced=unbalanced,
    )
    notes = list(panel.notes)
    periods = panel.periods
    G = panel.G
    n = len(G)
    if n == 0:
        raise EstimationError("att_gt: no unit left after removing incomplete units", column=outcome)

    # units treated before they could have a base period cannot be used
    early = (G > 0) & (G - anticipation <= periods[0])
    if early.any():
        notes.append(
            f"{int(early.sum())} units treated in the first period (after anticipation) were dropped"
        )
        keep = ~early
        G = G[keep]
        Y = panel.Y[keep]
        X = panel.X[keep] if panel.X is not None else None
        codes = panel.cluster_codes[keep] if panel.cluster_codes is not None else None
        if codes is not None:
            codes, uniq = pd.factorize(codes)
            n_clusters = len(uniq)
        else:
            n_clusters = int(keep.sum())
        n = int(keep.sum())
    else:
        Y, X, codes, n_clusters = panel.Y, panel.X, panel.cluster_codes, panel.n_clusters
    unit_labels = panel.units[~early] if early.any() else panel.units

    glist = np.unique(G[G > 0])
    if len(glist) == 0:
        raise EstimationError(
            "att_gt: no treated units (every group value is 0 or outside the observed periods)", column=group
        )
    has_never = bool((G == 0).any())
    if control_group == "never_treated" and not has_never:
        raise EstimationError(
            "att_gt: there are no never-treated units to use as controls",
            column=group,
            hint="use control_group='not_yet_treated' (needs at least two cohorts) or add never-supported firms",
        )
    sizes = {int(gg): int((G == gg).sum()) for gg in glist}
    tiny = [gg for gg, s in sizes.items() if s < 2]
    if tiny:
        raise EstimationError(
            f"att_gt: cohort(s) {tiny} have a single unit; their ATT(g,t) have no usable standard error",
            column=group,
            hint="drop or merge these cohorts with a neighbouring one before estimation",
        )
    if n_clusters < 2:
        raise EstimationError(f"att_gt: need at least 2 clusters, found {n_clusters}", column=cluster)
    if cluster is not None and cluster != unit and n_clusters < 30:
        notes.append(f"only {n_clusters} clusters: bootstrap/analytic inference may be unreliable")

    Tn = len(periods)
    rows: list[dict] = []
    infl: list[np.ndarray] = []
    observed = ~np.isnan(Y)
    for gg in glist:
        # last period strictly before g - anticipation
        cand = np.flatnonzero(periods < gg - anticipation)
        if len(cand) == 0:
            continue
        universal_base = int(cand[-1])
        for ti in range(Tn):
            tt = int(periods[ti])
            pre = tt < gg - anticipation
            if base_period == "varying":
                if ti == 0:
                    continue
                bi = ti - 1 if pre else universal_base
            else:
                if ti == universal_base:
                    continue
                bi = universal_base
            tb = int(periods[bi])
            treat = G == gg
            if control_group == "never_treated":
                ctrl = G == 0
            else:
                ctrl = (G == 0) | ((G > max(tt, tb) + anticipation) & (G != gg))
            s = (treat | ctrl) & observed[:, ti] & observed[:, bi]
            n_t = int((treat & s).sum())
            n_c = int((ctrl & s).sum())
            if n_c == 0 or n_t == 0:
                notes.append(
                    f"ATT({gg},{tt}) not estimable: {'no control units' if n_c == 0 else 'no treated units'}"
                )
                continue
            idx = np.flatnonzero(s)
            dy = Y[idx, ti] - Y[idx, bi]
            d = treat[idx]
            if X is not None:
                Xs = np.column_stack([np.ones(len(idx)), X[idx, bi, :]])
            else:
                Xs = np.ones((len(idx), 1))
            if X is not None and n_c <= Xs.shape[1]:
                notes.append(f"ATT({gg},{tt}) not estimable: {n_c} controls for {Xs.shape[1]} parameters")
                continue
            try:
                att, inf = did_panel(dy, d, Xs, est_method)
            except EstimationError as exc:
                raise EstimationError(
                    f"att_gt: ATT({gg},{tt}) failed: {exc.message}",
                    column=", ".join(covs) or None,
                    hint="drop collinear or near-constant covariates, or use est_method='reg'",
                ) from exc
            psi = np.zeros(n)
            psi[idx] = inf * (n / len(idx))
            infl.append(psi)
            rows.append(
                {
                    "group": int(gg), "time": tt, "base_period": tb, "event_time": tt - int(gg),
                    "post": not pre, "att": att, "n_treated": n_t, "n_control": n_c,
                }
            )
    if not rows:
        raise EstimationError(
            "att_gt: no group-time cell could be estimated (no valid control units)",
            column=group,
            hint="with a single cohort or all units treated at once there is no comparison group; "
            "add never-supported firms",
        )
    psi = np.column_stack(infl)
    cells = pd.DataFrame(rows)
    result = ATTGTResult(
        cells=cells, influence=psi, unit_group=G, cluster_codes=codes, n_units=n,
        n_obs=int(observed.sum()), n_clusters=n_clusters, outcome=outcome, control_group=control_group,
        est_method=est_method, anticipation=int(anticipation), base_period=base_period,
        bootstrap=bootstrap, n_boot=int(n_boot), seed=int(seed), alpha=alpha, crit_band=np.nan,
        notes=tuple(notes), units=unit_labels,
    )
    inf_res = result._infer(psi, 0)
    cells["std_error"] = inf_res.std_error
    cells["std_error_analytic"] = inf_res.std_error_analytic
    cells["conf_low"] = cells["att"] - inf_res.crit_band * inf_res.std_error
    cells["conf_high"] = cells["att"] + inf_res.crit_band * inf_res.std_error
    object.__setattr__(result, "crit_band", inf_res.crit_band)
    return result
