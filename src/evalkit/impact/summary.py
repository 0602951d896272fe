"""Glue for reporting impact estimates: person-level change scores, one table of many estimators,
a forest plot, and Callaway-Sant'Anna ATTs by subgroup with a joint test of equal effects.

* :func:`change_scores` turns a unit x period panel into one row per unit (mean outcome in a pre window,
  in a post window, and the change), the input of :func:`~evalkit.impact.ipw_att`,
  :func:`~evalkit.impact.match_att`, :func:`~evalkit.impact.heterogeneity` and
  :func:`~evalkit.impact.mixed`.
* :func:`estimate_rows` collects one term from each of several results into a tidy table.
* :func:`forest_plot` draws that table: estimates with confidence intervals side by side (it lives in
  :mod:`evalkit.report.impact_plots`; re-exported here).
* :func:`subgroup_att` estimates the simple Callaway-Sant'Anna ATT within each subgroup (delivery
  mode, region, tenure band) and tests that they are equal, using the stacked influence functions so
  that subgroups sharing the same never-treated controls are handled correctly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.report.impact_plots import forest_plot

from ._common import (
    ImpactResult,
    check_columns,
    check_frame,
    check_numeric,
    cohort_to_int,
    make_table,
    time_to_int,
)
from .staggered import aggregate_general, att_gt_cells

__all__ = ["change_scores", "estimate_rows", "estimator_suite", "forest_plot", "subgroup_att", "SUITE_ROWS"]


def change_scores(panel: pd.DataFrame, yname: str, pre: Sequence[int], post: Sequence[int], *,
                  idname: str = "person_id", tname: str = "t", gname: str = "gname",
                  attributes: Sequence[str] = ()) -> pd.DataFrame:
    """One row per unit: mean outcome over the ``pre`` periods, over the ``post`` periods, and the change.

    Parameters
    ----------
    panel : DataFrame
        Long panel (e.g. :func:`evalkit.datasets.performance_panel`).
    yname : str
        Outcome column.
    pre, post : sequence of int
        Periods (values of ``tname``) averaged into ``y_pre`` and ``y_post``. ``pre`` must end before
        ``post`` starts.
    gname : str
        First treated period (0 = never treated).
    attributes : sequence of str
        Unit-level columns to carry (constant within unit, e.g. region, agency, tenure); the first value
        of each unit is taken.

    Returns
    -------
    DataFrame
        Columns ``gname, trained, y_pre, y_post, dy`` and the ``attributes``. ``trained`` = 1 for units
        first treated after the last pre period and no later than the first post period (fully exposed in
        the post window), 0 for never-treated units; other units (treated before or inside the pre window,
        or first treated during the post window) are dropped and counted in ``attrs["dropped"]``. Units
        with no observation in one of the windows are dropped too. The unit identifier is NOT returned and
        rows are sorted by the non-identifier columns, so downstream estimators (matching in particular)
        do not depend on identifier values or row order.
    """
    check_frame(panel)
    check_columns(panel, yname=yname, idname=idname, tname=tname, gname=gname)
    check_numeric(panel, yname, tname, gname)
    pre, post = sorted(int(p) for p in pre), sorted(int(p) for p in post)
    if not pre or not post or pre[-1] >= post[0]:
        raise ValueError("pre and post must be non-empty and every pre period must come before every post period")
    attributes = list(attributes)
    for a in attributes:
        check_columns(panel, attributes=a)
    t = panel[tname]
    ypre = panel.loc[t.isin(pre)].groupby(idname, sort=True)[yname].mean().rename("y_pre")
    ypost = panel.loc[t.isin(post)].groupby(idname, sort=True)[yname].mean().rename("y_post")
    units = panel.groupby(idname, sort=True)[[gname, *attributes]].first()
    out = units.join(ypre, how="inner").join(ypost, how="inner")
    n_window = len(units) - len(out)
    g = out[gname]
    trained = (g > pre[-1]) & (g <= post[0])
    keep = trained | (g == 0)
    out = out.loc[keep].assign(trained=trained[keep].astype("int64"))
    out["dy"] = out["y_post"] - out["y_pre"]
    cols = [gname, "trained", *attributes, "y_pre", "y_post", "dy"]
    out = out[cols].sort_values(cols, kind="stable").reset_index(drop=True)
    out.attrs["dropped"] = {"missing_window": int(n_window), "timing": int((~keep).sum())}
    return out


def estimate_rows(entries: Sequence[Mapping]) -> pd.DataFrame:
    """Collect one term of each result into a tidy table.

    Parameters
    ----------
    entries : sequence of mappings
        Each with ``label`` (str), ``result`` (an :class:`ImpactResult` or anything with ``tidy()``) and
        ``term`` (the row of ``tidy()`` to take); every other key (e.g. ``role``, ``estimand``,
        ``outcome``) is copied into the output row.

    Returns
    -------
    DataFrame
        ``label, estimate, std_error, ci_low, ci_high, n, method, se_type, n_clusters`` plus the extra keys,
        one row per entry (``se_type`` says how the standard error was computed and at which level).
    """
    rows = []
    for e in entries:
        if not {"label", "result", "term"} <= set(e):
            raise ValueError("each entry needs 'label', 'result' and 'term'")
        tab = e["result"].tidy().set_index("term")
        if e["term"] not in tab.index:
            raise ValueError(f"{e['label']!r}: term {e['term']!r} not in result (has {list(tab.index)[:8]})")
        r = tab.loc[e["term"]]
        row = {"label": e["label"], "estimate": float(r["estimate"]), "std_error": float(r["std_error"]),
               "ci_low": float(r["ci_low"]), "ci_high": float(r["ci_high"]),
               "n": int(r["n"]) if "n" in r and pd.notna(r["n"]) else None,
               "method": getattr(e["result"], "method", ""),
               "se_type": getattr(e["result"], "se_type", ""),
               "n_clusters": getattr(e["result"], "n_clusters", None)}
        row.update({k: v for k, v in e.items() if k not in ("label", "result", "term")})
        rows.append(row)
    return pd.DataFrame(rows)


def _wide(data, yname, idname, tname, gname, by, cluster=None):
    """Balanced units x periods matrix (same rules as :func:`staggered_att`) plus cohort, subgroup and
    cluster of each unit (the unit itself when ``cluster`` is None)."""
    tint, tmap = time_to_int(data[tname], tname)
    gint = cohort_to_int(data[gname], gname, tmap)
    df = pd.DataFrame({"id": data[idname].to_numpy(), "t": tint, "g": gint, "y": data[yname].to_numpy(float),
                       "s": data[by].to_numpy(object),
                       "c": data[idname if cluster is None else cluster].to_numpy(object)})
    dup = df.duplicated(["id", "t"], keep=False)
    if dup.any():
        rows = pd.DataFrame({"id": df["id"].to_numpy()[dup.to_numpy()],
                             "t": data[tname].to_numpy()[dup.to_numpy()]}).drop_duplicates().head(3)
        shown = ", ".join(f"({i!r}, {t!r})" for i, t in zip(rows["id"], rows["t"]))
        raise ValueError(f"({idname!r}, {tname!r}) does not identify rows uniquely: {int(dup.sum())} rows repeat "
                         f"a pair, e.g. {shown}")
    if cluster is not None:
        if df["c"].isna().any():
            raise ValueError(f"cluster column {cluster!r} has missing values")
        if (df.groupby("id", sort=False)["c"].nunique() > 1).any():
            raise ValueError(f"cluster column {cluster!r} must be constant within each unit of {idname!r}")
    notes = []
    miss = df["y"].isna()
    if miss.any():
        notes.append(f"Dropped {int(miss.sum())} rows with missing {yname!r}.")
        df = df[~miss]
    tlist = np.sort(df["t"].unique())
    wide = df.pivot(index="id", columns="t", values="y")
    complete = wide.notna().all(axis=1)
    if not complete.all():
        notes.append(f"Dropped {int((~complete).sum())} units not observed in every period (balanced panel required).")
        wide = wide[complete]
    first = df.drop_duplicates("id").set_index("id")
    G = first["g"].reindex(wide.index).to_numpy(float)
    S = df.dropna(subset=["s"]).drop_duplicates("id").set_index("id")["s"].reindex(wide.index).to_numpy(object)
    C = first["c"].reindex(wide.index).to_numpy(object)
    early = G <= tlist[0]
    if early.any():
        notes.append(f"Dropped {int(early.sum())} units already treated in the first period.")
        wide, G, S, C = wide[~early], G[~early], S[~early], C[~early]
    G = np.where(np.isfinite(G) & (G > tlist[-1]), np.inf, G)
    return wide.to_numpy(float), G, S, C, tlist, notes


def subgroup_att(data, yname, idname, tname, gname, by, *, controls="within", control="never", cluster=None,
                 alpha=0.05):
    """Callaway-Sant'Anna simple ATT within each subgroup, with a joint Wald test of equal effects.

    Parameters
    ----------
    data : DataFrame
        Long panel, as for :func:`~evalkit.impact.staggered_att`.
    yname, idname, tname, gname : str
        Outcome, unit, time and first-treated-period columns (0/NaN = never treated).
    by : str
        Subgroup column, constant within unit. For a characteristic of the training itself (delivery mode)
        it is missing for never-treated units; use ``controls="all"`` then.
    controls : {"within", "all"}
        ``"within"``: treated units of subgroup ``s`` are compared with never-treated units of the same
        subgroup (region, tenure band: the subgroup's own counterfactual trend). ``"all"``: every subgroup is
        compared with all never-treated units (delivery mode: the untrained have no mode).
    control : {"never", "notyet"}
        Passed to the group-time estimator (not-yet-treated controls come from the same subgroup only).
    cluster : str, optional
        Column constant within unit at which training was assigned (e.g. a region-qualified agency). The
        influence functions are summed within cluster before the variance is formed (as ``clustervars`` in
        R ``did``); default: each unit is its own cluster. With fewer than 30 clusters a note says so.

    Returns
    -------
    ImpactResult
        Rows ``ATT[by=s]`` (``n`` = treated units of the subgroup) with normal CIs; ``vcov`` the joint
        covariance; ``details["wald"]`` = ``chi2, df, p_value`` of H0: all subgroup ATTs are equal.

    Notes
    -----
    Each subgroup's estimate is exactly :func:`~evalkit.impact.staggered_att` (``aggregate="simple"``) run on
    the subgroup's treated units plus its controls. Its influence function (including the part from the
    estimated group-size weights) is put back on the full set of units (zero for units not used), so
    ``V = Psi' Psi`` gives the covariances too (with ``cluster``, ``Psi`` holds the per-cluster sums); they are
    non-zero when subgroups share controls
    (``controls="all"``). The test is ``W = (Rb)'(R V R')^{-1}(Rb) ~ chi2(S-1)`` with ``R`` the contrasts
    of each subgroup against the first.
    """
    if controls not in ("within", "all"):
        raise ValueError(f"controls must be 'within' or 'all', got {controls!r}")
    if control not in ("never", "notyet"):
        raise ValueError(f"control must be 'never' or 'notyet', got {control!r}")
    check_frame(data)
    check_columns(data, yname=yname, idname=idname, tname=tname, gname=gname, by=by)
    check_numeric(data, yname)
    if cluster is not None:
        check_columns(data, cluster=cluster)
    Y, G, S, C, tlist, notes = _wide(data, yname, idname, tname, gname, by, cluster)
    treated = np.isfinite(G)
    never = ~treated
    if treated.any() and pd.isna(pd.Series(S[treated])).any():
        raise ValueError(f"column {by!r} is missing for some treated units")
    if controls == "within" and pd.isna(pd.Series(S[never])).any():
        raise ValueError(f"column {by!r} is missing for never-treated units; use controls='all'")
    levels = sorted(pd.unique(S[treated]).tolist(), key=str)
    if len(levels) < 1:
        raise ValueError("no treated units")
    N = Y.shape[0]
    est, psis, ns, used = [], [], [], []
    for s in levels:
        tr = treated & (S == s)
        pool = never & (S == s) if controls == "within" else never
        mask = tr | pool
        if not pool.any():
            raise ValueError(f"subgroup {by}={s!r} has no never-treated comparison units")
        cells, psi = att_gt_cells(Y[mask], G[mask], tlist, control)
        _, (e,), (p,), _ = aggregate_general(cells, psi, G[mask], "simple")
        full = np.zeros(N)
        full[mask] = p
        est.append(e)
        psis.append(full)
        ns.append(int(tr.sum()))
        used.append(int(mask.sum()))
    Psi = np.column_stack(psis)
    n_clusters = N
    if cluster is not None:  # sum each unit's influence within its cluster (codes in sorted label order)
        ccode, clabels = pd.factorize(pd.Series(C).astype(str), sort=True)
        n_clusters = len(clabels)
        Psi = np.vstack([np.bincount(ccode, weights=Psi[:, j], minlength=n_clusters) for j in range(Psi.shape[1])]).T
        if n_clusters < 30:
            notes = notes + [f"Only {n_clusters} clusters of {cluster!r}: normal intervals from clustered influence "
                             "functions can be too narrow with few clusters."]
    V = Psi.T @ Psi
    se = np.sqrt(np.diag(V))
    terms = [f"ATT[{by}={s}]" for s in levels]
    tab = make_table(terms, est, se, n=np.array(ns), df=None, alpha=alpha, extra={"units_used": used})
    wald = None
    if len(levels) > 1:
        b = np.asarray(est)
        R = np.zeros((len(levels) - 1, len(levels)))
        R[:, 0] = -1.0
        R[np.arange(len(levels) - 1), np.arange(1, len(levels))] = 1.0
        rb = R @ b
        W = float(rb @ np.linalg.solve(R @ V @ R.T, rb))
        wald = {"chi2": W, "df": len(levels) - 1, "p_value": float(stats.chi2.sf(W, len(levels) - 1))}
        notes = notes + [f"Wald test of equal ATTs across {by}: chi2({len(levels) - 1}) = {W:.2f}, "
                         f"p = {wald['p_value']:.4g}."]
    return ImpactResult(
        f"Callaway-Sant'Anna ATT by {by} (control={control}, controls {controls})",
        tab,
        se_type=("analytic influence function, clustered by "
                 + ("unit" if cluster is None else repr(cluster)) + " (joint across subgroups)"),
        n_obs=int(Y.size),
        n_clusters=n_clusters,
        alpha=alpha,
        vcov=pd.DataFrame(V, index=terms, columns=terms),
        details={"wald": wald, "levels": levels},
        notes=notes,
    )


#: Labels, roles and estimands of the rows :func:`estimator_suite` returns.
SUITE_ROWS: tuple[tuple[str, str, str, str, str], ...] = (
    # key, label, term, role, estimand
    ("naive", "Naive: trained vs untrained mean", "ATT", "naive", "post window"),
    ("twfe", "TWFE DiD (static)", None, "biased", "all post cells (TWFE weights)"),
    ("cs_never", "Callaway-Sant'Anna, never-treated controls", "ATT", "credible", "all post cells"),
    ("cs_notyet", "Callaway-Sant'Anna, not-yet-treated controls", "ATT", "credible", "all post cells"),
    ("cs_dr", "Callaway-Sant'Anna, doubly robust on covariates", "ATT", "credible", "all post cells"),
    ("ipw", "IPW on the change", "ATT", "credible", "post window"),
    ("match", "PS matching on the change", "ATT", "credible", "post window"),
)


def estimator_suite(panel: pd.DataFrame, yname: str, *, pre: Sequence[int], post: Sequence[int],
                    covariates, idname: str = "person_id", tname: str = "t", gname: str = "gname",
                    treatname: str = "treated_post", cluster: str | None = "agency_id",
                    attributes: Sequence[str] = ("region", "agency", "agency_id", "tenure", "sex", "position_type"),
                    k: int = 5, cs_covariates: Sequence[str] | None = None) -> dict:
    """Run the main impact estimators on one outcome of a person x quarter panel.

    The estimators: the naive post-window difference in means (``ipw_att`` with an intercept-only score,
    which is exactly the raw difference), static TWFE DiD (:func:`~evalkit.impact.did`, CRV1 by
    ``cluster``), Callaway-Sant'Anna simple ATT with never- and not-yet-treated controls (and, with
    ``cs_covariates``, the doubly robust version conditional on those numeric unit-level columns), and IPW and
    propensity-score matching (``k`` neighbours) on the person's change between the ``pre`` and ``post``
    windows (:func:`change_scores`) with propensity covariates ``covariates``.

    Inference is at the level where training was assigned: ``cluster`` (default ``agency_id``, the
    region-qualified agency of :func:`evalkit.datasets.performance_panel`) for TWFE, Callaway-Sant'Anna and
    IPW. Matching keeps the Abadie-Imbens person-level variance (no cluster-robust version is established for
    nearest-neighbour matching); its row says so in ``se_type``. ``cluster=None`` gives person-level
    inference everywhere.

    Returns
    -------
    dict
        ``results`` (key -> result), ``table`` (:func:`estimate_rows` with ``key, role, estimand,
        outcome``) and ``scores`` (the change-score cross-section).

    Notes
    -----
    Roles follow :mod:`evalkit.impact.check`: the naive difference is expected to be biased by
    self-selection (motivated staff attend), static TWFE is expected to be biased when effects grow with
    time since training and adoption is staggered (Goodman-Bacon 2021); the others are credible when
    parallel trends hold (conditional on the covariates for IPW and matching).
    """
    from .did import did
    from .staggered import staggered_att
    from .weighting import ipw_att, match_att

    attributes = list(dict.fromkeys([*attributes, *([cluster] if cluster else [])]))
    scores = change_scores(panel, yname, pre, post, idname=idname, tname=tname, gname=gname,
                           attributes=attributes)
    res = {
        "naive": ipw_att(scores, "y_post", "trained", [], cluster=cluster),
        "twfe": did(panel, yname, idname, tname, treatname, cluster=cluster),
        "cs_never": staggered_att(panel, yname, idname, tname, gname, control="never", cluster=cluster),
        "cs_notyet": staggered_att(panel, yname, idname, tname, gname, control="notyet", cluster=cluster),
        "ipw": ipw_att(scores, "dy", "trained", covariates, cluster=cluster),
        "match": match_att(scores, "dy", "trained", covariates, k=k),
    }
    if cs_covariates:
        res["cs_dr"] = staggered_att(panel, yname, idname, tname, gname, control="never", cluster=cluster,
                                     covariates=list(cs_covariates), est_method="dr")
    entries = [{"label": label, "result": res[key], "term": term or treatname, "key": key, "role": role,
                "estimand": estimand, "outcome": yname} for key, label, term, role, estimand in SUITE_ROWS
               if key in res]
    return {"results": res, "table": estimate_rows(entries), "scores": scores}
