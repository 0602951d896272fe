"""Participation in training: the invitation funnel and what keeps invited ASN away.

- :func:`funnel`: invited -> registered -> attended -> completed, counts and conversion shares with Wilson CIs;
- :func:`attendance_model`: logit of attendance on the four barriers stated in the invitation questionnaire
  (``barrier_time``, ``barrier_relevance``, ``barrier_motivation``, ``barrier_experienced``) plus tenure, rank
  and region, reported as average marginal effects (AMEs) with delta-method CIs;
- :func:`strongest_barrier`: the barrier with the most negative AME;
- :func:`attendance_shares`: attendance rate of invitees and the share of sessions attendees sat through;
- :func:`funnel_plot`, :func:`ame_plot` live in :mod:`evalkit.report.participation_plots` (re-exported here).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.measures._util import (
    TIDY_COLUMNS,
    as_list,
    check_ci,
    check_columns,
    check_frame,
    check_known,
    group_iter,
    wilson,
)
from evalkit.report.participation_plots import ame_plot, funnel_plot

__all__ = ["funnel", "funnel_plot", "attendance_model", "strongest_barrier", "attendance_shares", "ame_plot",
           "BARRIERS", "STAGES"]

STAGES: tuple[str, ...] = ("invited", "registered", "attended", "completed")
BARRIERS: tuple[str, ...] = ("barrier_time", "barrier_relevance", "barrier_motivation", "barrier_experienced")


def _merge_context(enrolments: pd.DataFrame, programmes: pd.DataFrame | None,
                   employees: pd.DataFrame | None) -> pd.DataFrame:
    """enrolments + employee columns (by person_id) + programme columns (by programme_id).

    Employee columns keep their names; programme columns that clash (``region``) get the suffix ``_programme``.
    """
    data = enrolments
    if employees is not None:
        check_frame(employees, "employees")
        check_columns(employees, ["person_id"], "employees")
        check_columns(enrolments, ["person_id"], "enrolments")
        if employees["person_id"].duplicated().any():
            raise ValueError("column 'person_id' of employees has duplicates")
        cols = ["person_id"] + [c for c in employees.columns if c not in data.columns]
        data = data.merge(employees[cols], on="person_id", how="left", validate="many_to_one")
    if programmes is not None:
        check_frame(programmes, "programmes")
        check_columns(programmes, ["programme_id"], "programmes")
        check_columns(enrolments, ["programme_id"], "enrolments")
        prog = programmes.rename(columns={c: f"{c}_programme" for c in programmes.columns
                                          if c != "programme_id" and c in data.columns})
        data = data.merge(prog, on="programme_id", how="left", validate="many_to_one")
    return data


def funnel(enrolments: pd.DataFrame, programmes: pd.DataFrame | None = None,
           employees: pd.DataFrame | None = None, by=None, ci: float = 0.95) -> pd.DataFrame:
    """Invitation funnel: invited -> registered -> attended -> completed, by group.

    Parameters
    ----------
    enrolments : pandas.DataFrame
        One row per person x programme with boolean ``invited``, ``registered``, ``attended``, ``completed``.
    programmes, employees : pandas.DataFrame, optional
        Merged in so that ``by`` can use their columns: the employee's ``region``/``agency``, the programme's
        ``mode``/``topic``; a programme column whose name clashes with an employee column is available as
        ``<name>_programme`` (e.g. ``region_programme``, where the training was held).
    by : str or list of str, optional
        Group columns, e.g. ``["region"]``, ``["agency"]``, ``["programme_id"]``, ``["mode"]``.
    ci : float
        Confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group x stage: by columns, ``stage`` (ordered categorical), ``n`` (people at this stage),
        ``base`` (people at the previous stage; ``n`` for invited), ``share`` (n / base, the conversion from the
        previous stage) with ``ci_low``/``ci_high``, ``share_of_invited`` with ``ci_low_invited``/
        ``ci_high_invited``.

    Notes
    -----
    Strict funnel: a row counts at a stage only if it passed every earlier stage (attended but not registered
    counts as not attended). Such inconsistent rows are counted and reported in a warning.
    """
    check_frame(enrolments, "enrolments")
    ci = check_ci(ci)
    by = as_list(by)
    check_known(enrolments, list(STAGES), "the funnel")
    for s in STAGES:
        if not pd.api.types.is_bool_dtype(enrolments[s]):
            raise TypeError(f"column {s!r} of enrolments must be bool, got {enrolments[s].dtype}")
    unknown = enrolments[list(STAGES)].isna().any(axis=1)  # (a file without the column: nullable boolean)
    if unknown.any():
        warnings.warn(f"{int(unknown.sum())} enrolment row(s) with an unknown stage (a file without the column) "
                      "left out of the funnel", UserWarning, stacklevel=2)
        enrolments = enrolments[~unknown.to_numpy()]
    data = _merge_context(enrolments, programmes, employees)
    check_columns(data, by, "enrolments (merged with programmes and employees)")
    passed = np.ones(len(data), dtype=bool)
    inconsistent = np.zeros(len(data), dtype=bool)
    cum = {}
    for s in STAGES:
        v = data[s].to_numpy(dtype=bool)
        inconsistent |= v & ~passed
        passed = passed & v
        cum[s] = passed
    if inconsistent.any():
        warnings.warn(f"{int(inconsistent.sum())} enrolment row(s) reach a stage without the earlier ones "
                      "(e.g. attended but not registered); counted only up to the last consistent stage",
                      UserWarning, stacklevel=2)
    frame = data[by].copy()
    for s in STAGES:
        frame[f"_{s}"] = cum[s]
    rows = []
    for key, sub in group_iter(frame, by):
        invited = int(sub["_invited"].sum())
        prev = invited
        for s in STAGES:
            n = int(sub[f"_{s}"].sum())
            base = n if s == "invited" else prev
            rows.append({**key, "stage": s, "n": n, "base": base, "invited": invited})
            prev = n
    out = pd.DataFrame(rows)
    out["stage"] = pd.Categorical(out["stage"], categories=list(STAGES), ordered=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = np.where(out["base"] > 0, out["n"] / out["base"], np.nan)
        out["share_of_invited"] = np.where(out["invited"] > 0, out["n"] / out["invited"], np.nan)
    out["ci_low"], out["ci_high"] = wilson(out["n"], out["base"], ci)
    out["ci_low_invited"], out["ci_high_invited"] = wilson(out["n"], out["invited"], ci)
    return out[by + ["stage", "n", "base", "share", "ci_low", "ci_high", "share_of_invited", "ci_low_invited",
                     "ci_high_invited"]]


# ---------------------------------------------------------------------------------------------- attendance


def _logit_ame(y: np.ndarray, X: np.ndarray, names: list[str], ci: float) -> tuple[pd.DataFrame, object]:
    """Fit a logit and compute AMEs (discrete change for 0/1 columns, derivative otherwise) with delta-method SEs.

    Matches ``statsmodels`` ``LogitResults.get_margeff(at="overall", method="dydx", dummy=True)``.
    """
    # the model's own module, not statsmodels.api (which also loads time series, graphics and scipy.signal:
    # about 0.8 s more at the start of every region report)
    from statsmodels.discrete.discrete_model import Logit

    model = Logit(y, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = model.fit(disp=0, maxiter=200, method="newton")
    if not res.mle_retvals.get("converged", True):
        warnings.warn("attendance logit did not converge (separation?); AMEs are unreliable", UserWarning,
                      stacklevel=3)
    b = res.params
    V = res.cov_params()
    n = len(y)

    def cdf(z):
        return 1 / (1 + np.exp(-z))

    rows = []
    for j, name in enumerate(names):
        if name == "const":
            continue
        col = X[:, j]
        is_dummy = np.all(np.isin(col, (0.0, 1.0))) and col.min() == 0 and col.max() == 1
        if is_dummy:
            X1, X0 = X.copy(), X.copy()
            X1[:, j], X0[:, j] = 1.0, 0.0
            z1, z0 = X1 @ b, X0 @ b
            F1, F0 = cdf(z1), cdf(z0)
            est = np.mean(F1 - F0)
            grad = ((F1 * (1 - F1))[:, None] * X1 - (F0 * (1 - F0))[:, None] * X0).mean(axis=0)
        else:
            z = X @ b
            F = cdf(z)
            f = F * (1 - F)
            est = np.mean(f) * b[j]
            fprime = f * (1 - 2 * F)
            grad = (fprime[:, None] * X).mean(axis=0) * b[j]
            grad[j] += np.mean(f)
        se = float(np.sqrt(grad @ V @ grad))
        rows.append({"term": name, "estimate": est, "std_error": se})
    out = pd.DataFrame(rows)
    z = stats.norm.ppf(0.5 + ci / 2)
    out["statistic"] = out["estimate"] / out["std_error"]
    out["p_value"] = 2 * stats.norm.sf(np.abs(out["statistic"]))
    out["ci_low"] = out["estimate"] - z * out["std_error"]
    out["ci_high"] = out["estimate"] + z * out["std_error"]
    out["n"] = n
    return out, res


def _design(data: pd.DataFrame, barriers: list[str], controls: list[str]) -> tuple[np.ndarray, list[str]]:
    parts = [pd.Series(1.0, index=data.index, name="const")]
    for c in barriers:
        parts.append(data[c].astype(float).rename(c))
    for c in controls:
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            parts.append(s.astype(float).rename(c))
        elif pd.api.types.is_numeric_dtype(s):
            parts.append(s.astype(float).rename(c))
        else:
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            cat = cat.cat.remove_unused_categories()
            levels = list(cat.cat.categories)
            for lvl in levels[1:]:  # first observed level is the reference
                parts.append((cat == lvl).astype(float).rename(f"{c}[{lvl}]"))
    X = pd.concat(parts, axis=1)
    # drop columns that are constant (e.g. a barrier nobody stated in a region) - not identified
    keep = [c for c in X.columns if c == "const" or X[c].nunique() > 1]
    dropped = [c for c in X.columns if c not in keep]
    if dropped:
        warnings.warn(f"dropped constant regressor(s) {dropped} from the attendance model", UserWarning,
                      stacklevel=3)
    return X[keep].to_numpy(dtype=float), keep


def _rank_group(golongan: pd.Series) -> pd.Series:
    """Golongan "III/b" -> rank group "III" (ordered II < III < IV); keeps the model free of sparse cells."""
    g = golongan.astype("string").str.split("/").str[0].str.strip()
    levels = [lv for lv in ("I", "II", "III", "IV") if lv in set(g.dropna())]
    return pd.Series(pd.Categorical(g, categories=levels, ordered=True), index=golongan.index)


def attendance_model(
    enrolments: pd.DataFrame,
    employees: pd.DataFrame,
    barriers=BARRIERS,
    controls=("tenure", "rank", "region"),
    by=None,
    sample: str = "invited",
    reference_year: int | None = None,
    ci: float = 0.95,
    return_model: bool = False,
    on_unidentified: str = "raise",
):
    """Logit of attendance on the stated barriers with controls, reported as average marginal effects.

    Model: P(attended_i = 1) = Lambda(b0 + sum_k b_k barrier_ik + g' controls_i), fitted by maximum likelihood
    (``statsmodels.api.Logit``) on the invited enrolments (``sample``), listwise on the model columns.

    Parameters
    ----------
    enrolments : pandas.DataFrame
        ``person_id``, ``attended`` (bool), the barrier columns (bool) and the ``sample`` column.
    employees : pandas.DataFrame
        ``person_id`` and the controls' source columns (``appointment_year``, ``golongan``, ``region``, ...).
    barriers : list of str
        Barrier indicators (default the four canonical barriers).
    controls : list of str
        ``"tenure"`` = reference_year - appointment_year (years of service; unless a ``tenure`` column exists),
        ``"rank"`` = golongan group II/III/IV (unless a ``rank`` column exists); any other column is used as is
        (numeric -> linear, otherwise dummies with the first category as reference).
    by : str or list of str, optional
        Fit one model per group (e.g. ``"region"``); a control that is also a ``by`` column is dropped.
    sample : str or None
        Boolean column restricting the estimation sample (default ``"invited"``); ``None`` for all rows.
    reference_year : int, optional
        Year for tenure; default the latest ``appointment_year``. Tenure enters linearly, so this only moves
        the intercept and does not change any AME.
    ci : float
        Confidence level (normal approximation).
    return_model : bool
        Also return ``{group key: statsmodels results}``.
    on_unidentified : {"raise", "skip"}
        What to do with a group whose logit is not identified (everybody attended or nobody did, fewer rows
        than parameters, a singular design): ``"raise"`` a ValueError naming the group (default), or ``"skip"``
        it with a warning that names the group and the reason (a small office's lists often have no absentee);
        with every group skipped the result has the columns and no rows.

    Returns
    -------
    pandas.DataFrame (and dict if ``return_model``)
        by columns, ``term, estimate, std_error, statistic, p_value, ci_low, ci_high, n`` with one row per
        regressor (barriers first). ``estimate`` is the AME in probability units: for a 0/1 regressor the
        average discrete change mean_i [Lambda(x_i b | x_ij = 1) - Lambda(x_i b | x_ij = 0)], for a continuous
        one mean_i lambda(x_i b) b_j. Standard errors by the delta method with the ML covariance matrix.
        This equals ``statsmodels`` ``get_margeff(at="overall", dummy=True)``.

    References
    ----------
    Cameron, A. C. & Trivedi, P. K. (2005). Microeconometrics, ch. 14.
    """
    check_frame(enrolments, "enrolments")
    check_frame(employees, "employees")
    ci = check_ci(ci)
    barriers = as_list(barriers)
    controls = as_list(controls)
    by = as_list(by)
    if not barriers:
        raise ValueError("barriers must name at least one column")
    check_columns(enrolments, ["person_id", "attended"], "enrolments")
    check_known(enrolments, barriers + ([sample] if sample in STAGES else []), "the attendance model")
    for c in ["attended"] + barriers:
        if not (pd.api.types.is_bool_dtype(enrolments[c]) or pd.api.types.is_numeric_dtype(enrolments[c])):
            raise TypeError(f"column {c!r} of enrolments must be bool or 0/1, got {enrolments[c].dtype}")
        vals = set(pd.unique(enrolments[c].dropna().astype(float)))
        if not vals <= {0.0, 1.0}:
            raise ValueError(f"column {c!r} of enrolments must be 0/1, has {sorted(vals)[:5]}")
    data = _merge_context(enrolments, None, employees)
    if sample is not None:
        check_columns(data, [sample], "enrolments")
        data = data[data[sample].fillna(False).astype(bool)]
    if "tenure" in controls and "tenure" not in data:
        check_columns(data, ["appointment_year"], "employees (needed for the 'tenure' control)")
        ref = int(data["appointment_year"].max()) if reference_year is None else int(reference_year)
        data = data.assign(tenure=ref - data["appointment_year"].astype(float))
    if "rank" in controls and "rank" not in data:
        check_columns(data, ["golongan"], "employees (needed for the 'rank' control)")
        data = data.assign(rank=_rank_group(data["golongan"]))
    model_controls = [c for c in controls if c not in by]
    check_columns(data, model_controls + by, "enrolments (merged with employees)")
    need = ["attended"] + barriers + model_controls + by
    before = len(data)
    data = data.dropna(subset=need)
    if len(data) < before:
        warnings.warn(f"dropped {before - len(data)} row(s) with missing model values (listwise)", UserWarning,
                      stacklevel=2)
    if on_unidentified not in ("raise", "skip"):
        raise ValueError(f"on_unidentified must be 'raise' or 'skip', got {on_unidentified!r}")
    tables, models, skipped = [], {}, []
    for key, sub in group_iter(data, by):
        try:
            y = sub["attended"].to_numpy(dtype=float)
            if not len(y) or y.min() == y.max():
                raise ValueError(f"attended is constant in group {key or 'all'}; the logit is not identified")
            X, names = _design(sub, barriers, model_controls)
            if len(y) <= X.shape[1]:
                raise ValueError(f"group {key or 'all'} has {len(y)} rows for {X.shape[1]} parameters")
            tab, res = _logit_ame(y, X, names, ci)
        except (ValueError, np.linalg.LinAlgError) as exc:
            if on_unidentified == "raise":
                raise
            skipped.append(f"{key or 'all'}: {exc}")
            continue
        for k, v in key.items():
            tab.insert(0, k, v)
        tables.append(tab)
        models[tuple(key.values())] = res
    if skipped:
        warnings.warn("attendance model not fitted for " + "; ".join(skipped), UserWarning, stacklevel=2)
    cols = by + list(TIDY_COLUMNS)
    out = pd.concat(tables, ignore_index=True)[cols] if tables else pd.DataFrame(columns=cols)
    return (out, models) if return_model else out


def strongest_barrier(ame_df: pd.DataFrame, barriers=BARRIERS, by=None):
    """The barrier that costs most attendance: the most negative AME among ``barriers``.

    Parameters
    ----------
    ame_df : pandas.DataFrame
        Output of :func:`attendance_model`.
    barriers : list of str
        Terms that count as barriers.
    by : str or list of str, optional
        Group columns; by default every column of ``ame_df`` that is not a tidy column.

    Returns
    -------
    str or None, or pandas.DataFrame
        Without groups: the barrier name (``None`` if no barrier has a negative AME, or ``ame_df`` has no rows).
        With groups: one row per group with ``term`` (None if none negative), ``estimate``, ``ci_low``,
        ``ci_high`` (no rows when ``ame_df`` has none).
    """
    check_frame(ame_df, "ame_df")
    check_columns(ame_df, ["term", "estimate"], "ame_df")
    barriers = as_list(barriers)
    by = as_list(by) if by is not None else [c for c in ame_df.columns if c not in TIDY_COLUMNS]
    sub = ame_df[ame_df["term"].isin(barriers)]
    if ame_df.empty:  # no model could be fitted (attendance_model(..., on_unidentified="skip"))
        return pd.DataFrame(columns=by + ["term", "estimate", "ci_low", "ci_high"]) if by else None
    if sub.empty:
        raise ValueError(f"ame_df has none of the barrier terms {barriers}")

    def pick(g: pd.DataFrame) -> dict:
        g = g[g["estimate"] < 0]
        if g.empty:
            return {"term": None, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        r = g.loc[g["estimate"].idxmin()]
        return {"term": r["term"], "estimate": r["estimate"], "ci_low": r.get("ci_low", np.nan),
                "ci_high": r.get("ci_high", np.nan)}

    if not by:
        return pick(sub)["term"]
    return pd.DataFrame([{**key, **pick(g)} for key, g in group_iter(sub, by)])


# ---------------------------------------------------------------------------------------------- shares


def attendance_shares(enrolments: pd.DataFrame, programmes: pd.DataFrame | None = None,
                      employees: pd.DataFrame | None = None, by=None, ci: float = 0.95,
                      share_col: str = "attendance_share", full: float = 1.0) -> pd.DataFrame:
    """Attendance of invited ASN: who came at all, and how much of the programme attendees sat through.

    Parameters
    ----------
    enrolments : pandas.DataFrame
        ``invited``, ``attended`` (bool) and ``share_col`` (share of the programme's sessions attended, 0-1).
    programmes, employees : pandas.DataFrame, optional
        Merged in as in :func:`funnel` so that ``by`` may use their columns.
    by : str or list of str, optional
        Group columns.
    ci : float
        Confidence level.
    full : float
        Attendance share counted as full attendance (default 1.0, every session).

    Returns
    -------
    pandas.DataFrame
        One row per group: by columns, ``n`` (invited), ``n_attended``, ``attendance_rate`` (n_attended / n)
        with Wilson ``ci_low``/``ci_high``; among attendees with a recorded share: ``n_share``,
        ``mean_share`` with a t interval ``share_ci_low``/``share_ci_high``, and ``share_full`` (share of
        attendees with ``share_col`` >= ``full``).

    Notes
    -----
    ``attendance_rate`` is not strict about registration (unlike :func:`funnel`): it counts every invitee
    marked as attended.
    """
    check_frame(enrolments, "enrolments")
    ci = check_ci(ci)
    by = as_list(by)
    check_columns(enrolments, ["attended"], "enrolments")
    check_known(enrolments, ["invited", share_col], "the attendance shares")
    for c in ("invited", "attended"):
        if not pd.api.types.is_bool_dtype(enrolments[c]):
            raise TypeError(f"column {c!r} of enrolments must be bool, got {enrolments[c].dtype}")
    if not pd.api.types.is_numeric_dtype(enrolments[share_col]):
        raise TypeError(f"column {share_col!r} of enrolments must be numeric, got {enrolments[share_col].dtype}")
    vals = enrolments[share_col].dropna()
    if ((vals < 0) | (vals > 1)).any():
        raise ValueError(f"column {share_col!r} of enrolments must lie between 0 and 1")
    data = _merge_context(enrolments, programmes, employees)
    check_columns(data, by, "enrolments (merged with programmes and employees)")
    invited = data["invited"]
    if invited.isna().any():  # (a file without the column: invitation unknown)
        warnings.warn(f"{int(invited.isna().sum())} enrolment row(s) with an unknown invitation left out",
                      UserWarning, stacklevel=2)
    data = data[invited.fillna(False).astype(bool).to_numpy()]
    rows = []
    for key, sub in group_iter(data, by):
        att = sub.loc[sub["attended"], share_col].dropna().astype(float)
        m = len(att)
        mean = att.mean() if m else np.nan
        se = att.std(ddof=1) / np.sqrt(m) if m > 1 else np.nan
        q = stats.t.ppf(0.5 + ci / 2, m - 1) if m > 1 else np.nan
        rows.append({**key, "n": len(sub), "n_attended": int(sub["attended"].sum()), "n_share": m,
                     "mean_share": mean, "share_ci_low": mean - q * se, "share_ci_high": mean + q * se,
                     "share_full": float((att >= full - 1e-12).mean()) if m else np.nan})
    out = pd.DataFrame(rows)
    out["attendance_rate"] = out["n_attended"] / out["n"].where(out["n"] > 0)
    out["ci_low"], out["ci_high"] = wilson(out["n_attended"], out["n"], ci)
    return out[by + ["n", "n_attended", "attendance_rate", "ci_low", "ci_high", "n_share", "mean_share",
                     "share_ci_low", "share_ci_high", "share_full"]]
