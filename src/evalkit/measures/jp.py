"""Jam pelajaran (JP) and the 20 JP per year competency-development rule.

PP 11/2017 (as amended by PP 17/2020) Pasal 203 ayat (4): each PNS gets at least 20 JP of competency
development per year. 1 JP = 45 minutes is the common ASN convention [UNVERIFIED against LAN primary text;
some agencies use 60], so both the JP length and the rounding of part-JPs are arguments (DOMAIN.md section 3).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evalkit.config import JP_MINUTES, JP_TARGET_PER_YEAR
from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, check_known, numeric_array, wilson

__all__ = ["minutes_to_jp", "jp_hours", "jp_compliance", "never_reached", "reach_summary"]

_ROUNDING = ("exact", "floor", "round")


def minutes_to_jp(minutes, jp_minutes: float = JP_MINUTES, rounding: str = "exact"):
    """Convert minutes of learning to JP.

    JP = minutes / jp_minutes, then ``rounding``: ``"exact"`` keeps the fraction (60 min -> 1,333 JP),
    ``"floor"`` counts only whole JP completed (60 -> 1), ``"round"`` rounds to the nearest whole JP, half up
    (90 -> 2, 60 -> 1, 68 -> 2). Examples (45-minute JP): 900 min = 20 JP; 90 min = 2 JP; 60 min = 1,33 JP.

    Parameters
    ----------
    minutes : float or array-like
        Non-negative minutes.
    jp_minutes : float
        Minutes in one JP (default ``config.JP_MINUTES`` = 45).
    rounding : {"exact", "floor", "round"}

    Returns
    -------
    float or numpy.ndarray
    """
    if rounding not in _ROUNDING:
        raise ValueError(f"rounding must be one of {_ROUNDING}, got {rounding!r}")
    if not np.isscalar(jp_minutes) or not float(jp_minutes) > 0:
        raise ValueError(f"jp_minutes must be a positive number, got {jp_minutes!r}")
    arr = numeric_array(minutes, "minutes").astype(float)
    if (arr[~np.isnan(arr)] < 0).any():
        raise ValueError("minutes must be >= 0")
    jp = arr / float(jp_minutes)
    if rounding == "floor":
        jp = np.floor(jp + 1e-9)
    elif rounding == "round":
        jp = np.floor(jp + 0.5 + 1e-9)
    return float(jp) if jp.ndim == 0 else jp


def jp_hours(
    enrolments: pd.DataFrame,
    programmes: pd.DataFrame,
    employees: pd.DataFrame,
    years=None,
    target: float = JP_TARGET_PER_YEAR,
    date_col: str = "end_date",
    jp_col: str = "jp",
    minutes_col: str | None = None,
    jp_minutes: float = JP_MINUTES,
    rounding: str = "exact",
) -> pd.DataFrame:
    """Each employee's JP per year from completed programmes, against the yearly target.

    Parameters
    ----------
    enrolments : pandas.DataFrame
        ``person_id``, ``programme_id``, ``completed`` (bool); ``invited`` is used when present.
    programmes : pandas.DataFrame
        ``programme_id``, ``jp_col`` (JP of the programme) or ``minutes_col``, and ``date_col`` (datetime).
    employees : pandas.DataFrame
        ``person_id`` and any descriptive columns (region, agency, ...) which are carried to the output.
        ``appointment_year`` (if present) drops person-years before appointment.
    years : list of int, optional
        Years to evaluate. Default: every year in which a programme ends.
    target : float
        Yearly JP target (default ``config.JP_TARGET_PER_YEAR`` = 20, PP 11/2017 Pasal 203 (4)).
    date_col : str
        Programme date that fixes the year a programme counts in (default ``end_date``: JP are earned when the
        programme is completed).
    jp_col, minutes_col : str
        Programme length in JP, or in minutes (converted with :func:`minutes_to_jp` using ``jp_minutes`` and
        ``rounding`` per programme) when ``minutes_col`` is given.

    Returns
    -------
    pandas.DataFrame
        One row per employee x year (every employee, also those with no training: 0 JP): employee columns,
        ``year``, ``jp`` (sum over completed programmes), ``n_completed``, ``n_invited``, ``reached``
        (invited to at least one programme that year), ``compliant`` (jp >= target) and ``target``.
    """
    for nm, d in (("enrolments", enrolments), ("programmes", programmes), ("employees", employees)):
        check_frame(d, nm)
    check_columns(enrolments, ["person_id", "programme_id"], "enrolments")
    check_known(enrolments, ["completed"], "the JP count")
    length_col = minutes_col or jp_col
    check_columns(programmes, ["programme_id", length_col, date_col], "programmes")
    check_columns(employees, ["person_id"], "employees")
    if not pd.api.types.is_datetime64_any_dtype(programmes[date_col]):
        raise TypeError(f"column {date_col!r} of programmes must be datetime64, got {programmes[date_col].dtype}")
    if not pd.api.types.is_numeric_dtype(programmes[length_col]):
        raise TypeError(f"column {length_col!r} of programmes must be numeric, got {programmes[length_col].dtype}")
    if (programmes[length_col].dropna() < 0).any():
        raise ValueError(f"column {length_col!r} of programmes has negative values")
    if not pd.api.types.is_bool_dtype(enrolments["completed"]):
        raise TypeError(f"column 'completed' of enrolments must be bool, got {enrolments['completed'].dtype}")
    if employees["person_id"].duplicated().any():
        raise ValueError("column 'person_id' of employees has duplicates")

    prog = programmes[["programme_id", date_col]].copy()
    prog["year"] = prog[date_col].dt.year
    if minutes_col:
        prog["_jp"] = minutes_to_jp(programmes[minutes_col].to_numpy(dtype=float), jp_minutes, rounding)
    else:
        prog["_jp"] = programmes[jp_col].astype(float).to_numpy()
    enr_cols = ["person_id", "programme_id", "completed"] + (["invited"] if "invited" in enrolments else [])
    enr = enrolments[enr_cols].merge(prog[["programme_id", "year", "_jp"]], on="programme_id", how="left",
                                     validate="many_to_one")
    unknown = enr["year"].isna()
    if unknown.any():
        raise ValueError(f"{int(unknown.sum())} enrolment row(s) refer to programmes without a {date_col!r} "
                         f"(e.g. programme_id {enr.loc[unknown, 'programme_id'].iloc[0]!r})")
    enr["year"] = enr["year"].astype(int)
    if "invited" not in enr or enr["invited"].isna().all():  # (an attendance list: no invitation column)
        enr["invited"] = True
    elif enr["invited"].isna().any():  # (a file without the column: on the list, so invited)
        enr["invited"] = enr["invited"].fillna(True).astype(bool)
    if enr["completed"].isna().any():  # (a file without the column: completion unknown)
        warnings.warn(f"{int(enr['completed'].isna().sum())} enrolment row(s) with an unknown completion (a file "
                      "without the column) are not counted as completed", UserWarning, stacklevel=2)
        enr["completed"] = enr["completed"].fillna(False).astype(bool)
    enr["_jp_done"] = np.where(enr["completed"], enr["_jp"], 0.0)
    per = (enr.groupby(["person_id", "year"], observed=True)
           .agg(jp=("_jp_done", "sum"), n_completed=("completed", "sum"), n_invited=("invited", "sum"))
           .reset_index())
    years = sorted(prog["year"].dropna().astype(int).unique()) if years is None else [int(y) for y in years]
    grid = employees.merge(pd.DataFrame({"year": years}), how="cross")
    if "appointment_year" in grid:
        grid = grid[~(grid["appointment_year"] > grid["year"])]
    out = grid.merge(per, on=["person_id", "year"], how="left")
    out["jp"] = out["jp"].fillna(0.0)
    out["n_completed"] = out["n_completed"].fillna(0).astype(int)
    out["n_invited"] = out["n_invited"].fillna(0).astype(int)
    out["reached"] = out["n_invited"] > 0
    out["compliant"] = out["jp"] >= float(target) - 1e-9
    out["target"] = float(target)
    return out.reset_index(drop=True)


def jp_compliance(person_years: pd.DataFrame, by=None, ci: float = 0.95) -> pd.DataFrame:
    """Share of employees meeting the yearly JP target, with Wilson CIs, by region/agency/year.

    Parameters
    ----------
    person_years : pandas.DataFrame
        Output of :func:`jp_hours`.
    by : str or list of str, optional
        Group columns, e.g. ``["year", "region"]``. ``"year"`` is always added if absent, since compliance
        is a yearly rule.

    Returns
    -------
    pandas.DataFrame
        by columns, ``n`` (employees), ``n_compliant``, ``share_compliant``, ``ci_low``, ``ci_high`` (Wilson),
        ``mean_jp``, ``median_jp``, ``n_not_reached``, ``share_not_reached``.
    """
    check_frame(person_years, "person_years")
    ci = check_ci(ci)
    by = as_list(by)
    if "year" not in by:
        by = ["year", *by]
    check_columns(person_years, by + ["jp", "compliant", "reached"], "person_years")
    g = person_years.groupby(by, observed=True, sort=True)
    out = g.agg(n=("compliant", "size"), n_compliant=("compliant", "sum"), mean_jp=("jp", "mean"),
                median_jp=("jp", "median"), n_reached=("reached", "sum")).reset_index()
    out["n_compliant"] = out["n_compliant"].astype(int)
    out["share_compliant"] = out["n_compliant"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson(out["n_compliant"], out["n"], ci)
    out["n_not_reached"] = (out["n"] - out["n_reached"]).astype(int)
    out["share_not_reached"] = out["n_not_reached"] / out["n"]
    cols = by + ["n", "n_compliant", "share_compliant", "ci_low", "ci_high", "mean_jp", "median_jp",
                 "n_not_reached", "share_not_reached"]
    return out[cols]


def never_reached(enrolments: pd.DataFrame, employees: pd.DataFrame) -> pd.DataFrame:
    """Employees never reached by training: never invited, or invited but never completed a programme.

    Returns
    -------
    pandas.DataFrame
        The rows of ``employees`` with no completed programme at all, plus ``status``: ``"never invited"``
        (no enrolment row, or ``invited`` always False) or ``"invited, never completed"``. Filter on
        ``status == "never invited"`` for those the programme never reached.
    """
    check_frame(enrolments, "enrolments")
    check_frame(employees, "employees")
    check_columns(enrolments, ["person_id"], "enrolments")
    check_columns(employees, ["person_id"], "employees")
    enr = enrolments.copy()
    if "completed" in enr:
        check_known(enr, ["completed"], "the never-reached list")
    if "invited" not in enr or enr["invited"].isna().all():
        enr["invited"] = True
    if "completed" not in enr:
        enr["completed"] = False
    agg = enr.groupby("person_id").agg(any_invited=("invited", "any"), any_completed=("completed", "any"))
    out = employees.merge(agg, left_on="person_id", right_index=True, how="left")
    out["any_invited"] = out["any_invited"].fillna(False).astype(bool)
    out["any_completed"] = out["any_completed"].fillna(False).astype(bool)
    out = out[~out["any_completed"]].copy()
    out["status"] = np.where(out["any_invited"], "invited, never completed", "never invited")
    return out.drop(columns=["any_invited", "any_completed"]).reset_index(drop=True)


def reach_summary(enrolments: pd.DataFrame, employees: pd.DataFrame, by=None, ci: float = 0.95) -> pd.DataFrame:
    """Aggregate view of :func:`never_reached`: per group, how many staff training never reached.

    Parameters
    ----------
    enrolments, employees : pandas.DataFrame
        As for :func:`never_reached`; ``by`` columns come from ``employees`` (region, agency, position_type, ...).
    by : str or list of str, optional
        Group columns of ``employees``.
    ci : float
        Confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group: by columns, ``n`` (employees), ``n_never_invited``, ``share_never_invited`` with
        Wilson ``ci_low``/``ci_high``, ``n_invited_not_completed``, ``share_invited_not_completed``,
        ``n_completed`` (completed at least one programme) and ``share_completed``. No person-level rows.
    """
    check_frame(employees, "employees")
    ci = check_ci(ci)
    by = as_list(by)
    check_columns(employees, ["person_id"] + by, "employees")
    nr = never_reached(enrolments, employees)
    status = pd.Series("completed", index=employees["person_id"].to_numpy(), dtype=object)
    status.loc[nr["person_id"].to_numpy()] = nr["status"].to_numpy()
    frame = employees[by].copy() if by else pd.DataFrame(index=employees.index)
    frame["_key"] = 0
    st = status.loc[employees["person_id"].to_numpy()].to_numpy()
    frame["n_never_invited"] = st == "never invited"
    frame["n_invited_not_completed"] = st == "invited, never completed"
    frame["n_completed"] = st == "completed"
    cols = ["n_never_invited", "n_invited_not_completed", "n_completed"]
    out = frame.groupby(by or ["_key"], observed=True, sort=True)[cols].sum().reset_index()
    out = out.drop(columns="_key", errors="ignore")
    out[cols] = out[cols].astype(int)
    out["n"] = out[cols].sum(axis=1)
    out["share_never_invited"] = out["n_never_invited"] / out["n"]
    out["ci_low"], out["ci_high"] = wilson(out["n_never_invited"], out["n"], ci)
    out["share_invited_not_completed"] = out["n_invited_not_completed"] / out["n"]
    out["share_completed"] = out["n_completed"] / out["n"]
    return out[by + ["n", "n_never_invited", "share_never_invited", "ci_low", "ci_high", "n_invited_not_completed",
                     "share_invited_not_completed", "n_completed", "share_completed"]]
