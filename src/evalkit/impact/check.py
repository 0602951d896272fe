"""Method check: put each estimator's answer beside the synthetic ground truth and test coverage.

Only the method-check notebook and the tests read the ground truth (``data/truth``). The functions here
look a true value up (:func:`truth_value`, :func:`cell_truth`), turn a result's terms into rows with their
truths (:func:`check_rows`), compare many estimates with their truths in one table (:func:`method_check`),
summarise it by family (:func:`check_summary`) and raise if a credible estimator misses
(:func:`assert_method_check`).

Decision rule
-------------
Every row has a ``role``:

* ``"credible"``: an estimator whose assumptions hold in the simulated world. It must cover its truth.
  With ``rule="simultaneous"`` (default) the intervals are Bonferroni intervals over **all** credible rows,
  ``estimate +- z_{1 - alpha/(2m)} SE`` with ``m`` credible rows, so the whole check passes with probability
  at least ``1 - alpha`` when every estimator is right. A check of 100 estimates at 95% each would fail a
  correct set of estimators almost surely (about 5 chance misses are expected), so a per-row 95% rule
  cannot be a test that "fails loudly". ``rule="family"`` uses Bonferroni within each ``family`` (event
  times, cohorts, modes, ...) and each stand-alone row's own 95% interval; it controls the error per family
  only. ``rule="pointwise"`` uses every row's own 95% interval. Whatever the rule, the plain 95% coverage of
  each row is reported in ``covered_95``.
* ``"naive"`` / ``"biased"``: estimators expected to miss (trained vs untrained means under
  self-selection; static TWFE under staggered, growing effects). They never fail the check; the table
  says whether they missed, as they should.

Why a correct estimator can miss the sample truth: the truth is the mean of the effects that were drawn
for the treated staff, and the estimate also carries the chance difference between the untrained
outcome trends of the trained and of their comparison group in this one simulated sample. That
difference is what the standard error measures; a miss by 3 SE happens to a correct estimator with
probability 0.3%.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.config import paths
from evalkit.report.impact_plots import check_plot  # drawn in report/, re-exported here

__all__ = ["load_truth", "load_person_effects", "truth_value", "cell_truth", "method_check",
           "assert_method_check", "check_plot", "check_rows", "check_summary", "ROLES"]

ROLES = ("credible", "naive", "biased")
_REQUIRED = ("estimator", "estimate", "std_error", "ci_low", "ci_high", "role")


def load_truth(truth_dir: str | Path | None = None) -> dict:
    """Read ``truth.json`` from ``truth_dir`` (default ``data/truth``)."""
    path = Path(truth_dir or paths()["truth"]) / "truth.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: the method check needs the synthetic ground truth "
                                "(run `evalkit synth` to make the demo data)")
    return json.loads(path.read_text(encoding="utf-8"))


def load_person_effects(truth_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``person_effects.parquet``: the true effect of every treated person x quarter cell."""
    path = Path(truth_dir or paths()["truth"]) / "person_effects.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    return pd.read_parquet(path)


def truth_value(truth: Mapping, key: str | Sequence[str]) -> float:
    """Look up a number in the truth by a ``/``-separated path.

    >>> truth_value({"effects": {"att": {"rq": {"simple": 4.3}}}}, "effects/att/rq/simple")
    4.3
    """
    parts = key.split("/") if isinstance(key, str) else list(key)
    node = truth
    for i, p in enumerate(parts):
        if not isinstance(node, Mapping) or p not in node:
            have = sorted(node)[:10] if isinstance(node, Mapping) else type(node).__name__
            raise KeyError(f"truth has no {'/'.join(parts[:i + 1])!r} (available: {have})")
        node = node[p]
    if isinstance(node, Mapping) or isinstance(node, (list, str)) or node is None:
        raise TypeError(f"truth at {'/'.join(parts)!r} is not a number")
    return float(node)


def cell_truth(person_effects: pd.DataFrame, outcome: str, *, periods: Sequence[str] | None = None,
               by: str | None = None) -> float | pd.Series:
    """Mean true effect over treated post-training cells, optionally only in ``periods`` and per ``by``.

    Parameters
    ----------
    person_effects : DataFrame
        From :func:`load_person_effects` (columns ``region, gname, period, event_time, mode, tau_<outcome>``).
    outcome : str
        ``"report_quality"`` or ``"on_time_share"``.
    periods : sequence of str, optional
        Keep only these quarters (e.g. the post window of a change-score comparison).
    by : str, optional
        Column to group by (``region``, ``mode``, ``gname``, ``event_time``).
    """
    col = f"tau_{outcome}"
    if col not in person_effects.columns:
        raise ValueError(f"person_effects has no column {col!r}")
    pe = person_effects
    if periods is not None:
        pe = pe.loc[pe["period"].isin(list(periods))]
    if len(pe) == 0:
        raise ValueError("no treated cells in the requested periods")
    if by is None:
        return float(pe[col].mean())
    return pe.groupby(by, sort=True, observed=True)[col].mean()


def method_check(estimates: pd.DataFrame, truth: Mapping | None = None, *, alpha: float = 0.05,
                 rule: str = "simultaneous") -> pd.DataFrame:
    """Compare estimates with their true values.

    Parameters
    ----------
    estimates : DataFrame
        One row per estimate with ``estimator, estimate, std_error, ci_low, ci_high, role`` and either a
        ``truth`` column (the true value) or a ``truth_key`` column (a :func:`truth_value` path, looked up
        in ``truth``). Optional ``family`` (used by ``rule="family"`` and for grouping in plots); missing or
        empty = a family of its own.
    truth : mapping, optional
        The loaded ``truth.json``, needed for ``truth_key``.
    alpha : float
        1 - confidence level (0.05).
    rule : {"simultaneous", "family", "pointwise"}
        How ``covered`` is judged (module docstring).

    Returns
    -------
    DataFrame
        The input plus ``truth, error`` (estimate - truth), ``z`` (error / SE), ``covered_95`` (truth inside
        the row's own CI), ``family_size``, ``critical`` (|z| allowed by the rule), ``covered``
        (the rule above), and ``status``: ``"pass"`` / ``"FAIL"`` for credible rows (by the rule), ``"missed, as
        expected"`` / ``"covered (unexpected)"`` for naive and biased rows (by their own 95% interval).
    """
    if not isinstance(estimates, pd.DataFrame):
        raise TypeError("estimates must be a DataFrame")
    if rule not in ("simultaneous", "family", "pointwise"):
        raise ValueError(f"rule must be 'simultaneous', 'family' or 'pointwise', got {rule!r}")
    missing = [c for c in _REQUIRED if c not in estimates.columns]
    if missing:
        raise ValueError(f"estimates lacks columns {missing}")
    bad = sorted(set(estimates["role"]) - set(ROLES))
    if bad:
        raise ValueError(f"unknown role(s) {bad}; expected one of {ROLES}")
    out = estimates.copy().reset_index(drop=True)
    if "truth" not in out.columns or out["truth"].isna().any():
        if "truth_key" not in out.columns or truth is None:
            raise ValueError("give a 'truth' value for every row, or 'truth_key' columns plus the truth mapping")
        looked = [truth_value(truth, k) if isinstance(k, str) and k else np.nan for k in out["truth_key"]]
        out["truth"] = out["truth"].fillna(pd.Series(looked)) if "truth" in out.columns else looked
    out["truth"] = out["truth"].astype(float)
    if out["truth"].isna().any():
        raise ValueError(f"no truth for rows {out.loc[out['truth'].isna(), 'estimator'].tolist()}")
    fam = out["family"] if "family" in out.columns else pd.Series([None] * len(out))
    fam = fam.where(fam.notna() & (fam.astype(str) != ""), "_row" + out.index.astype(str))
    out["family_size"] = fam.map(fam.value_counts()).astype(int)
    out["error"] = out["estimate"] - out["truth"]
    out["z"] = out["error"] / out["std_error"]
    out["covered_95"] = (out["ci_low"] <= out["truth"]) & (out["truth"] <= out["ci_high"])
    credible = out["role"] == "credible"
    own = (np.maximum(out["ci_high"] - out["estimate"], out["estimate"] - out["ci_low"]) / out["std_error"]).to_numpy()
    if rule == "pointwise":
        single = np.ones(len(out), dtype=bool)
        crit = own
    elif rule == "family":
        single = out["family_size"].to_numpy() == 1
        crit = stats.norm.ppf(1 - alpha / (2 * out["family_size"].to_numpy(float)))
    else:
        m = max(int(credible.sum()), 1)
        single = np.full(len(out), m == 1)
        crit = np.full(len(out), stats.norm.ppf(1 - alpha / (2 * m)))
    out["critical"] = np.where(single, own, crit)
    out["covered"] = np.where(single, out["covered_95"], np.abs(out["z"]) <= crit)
    out.attrs["rule"] = rule
    # naive / biased rows: did they miss by their own 95% interval (the claim to show)?
    out["status"] = np.where(credible, np.where(out["covered"], "pass", "FAIL"),
                             np.where(out["covered_95"], "covered (unexpected)", "missed, as expected"))
    return out


def assert_method_check(table: pd.DataFrame) -> None:
    """Raise ``AssertionError`` naming every credible estimate that misses its truth.

    ``table`` is the output of :func:`method_check`.
    """
    if "status" not in table.columns:
        raise ValueError("table must come from method_check()")
    fails = table.loc[table["status"] == "FAIL"]
    if len(fails):
        lines = [f"  {r.estimator}: estimate {r.estimate:.4g} (SE {r.std_error:.3g}), truth {r.truth:.4g}, "
                 f"z = {r.z:.2f}, allowed |z| <= {r.critical:.2f}" for r in fails.itertuples()]
        raise AssertionError(f"{len(fails)} credible estimate(s) miss the synthetic truth:\n" + "\n".join(lines))


def check_rows(result, outcome: str, name: str, truth_of: Callable[[str], float], *, role: str = "credible",
               skip: Sequence[str] = ()) -> pd.DataFrame:
    """One row per term of ``result`` (an :class:`~evalkit.impact.ImpactResult`) for :func:`method_check`.

    Terms without a standard error (a reference period) and the terms in ``skip`` are left out. Each row gets
    ``estimator = "<outcome>: <name> <term>"``, ``family = "<outcome>: <name>"``, ``role``, ``outcome`` and
    ``truth = truth_of(term)``.
    """
    t = result.tidy().dropna(subset=["std_error"])
    t = t[~t["term"].isin(list(skip))]
    return t.assign(estimator=f"{outcome}: {name} " + t["term"], family=f"{outcome}: {name}", role=role,
                    outcome=outcome, truth=[truth_of(term) for term in t["term"]])


def check_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per family of a :func:`method_check` table (in table order): number of estimates, how many
    cover their truth at 95%, the largest ``|z|``, the allowed ``|z|`` and the number of failures."""
    if "z" not in table.columns:
        raise ValueError("table must come from method_check()")
    return (table.groupby("family", sort=False)
            .agg(estimates=("z", "size"), covered_95=("covered_95", "sum"), max_abs_z=("z", lambda z: z.abs().max()),
                 allowed_abs_z=("critical", "max"), failures=("status", lambda s: (s == "FAIL").sum())))
