"""Load the canonical tables and build the analysis datasets the notebooks share.

``load(name)`` reads ``data/processed/<name>.parquet`` (or, for a table cleaned from a large file, its parts
``data/processed/<name>/part-*.parquet`` in order). ``load("items")`` gives the questionnaire answers in long
form (one row per reaction or followup answer row and question, see :mod:`evalkit.ingest.schemas`), which
:mod:`evalkit.measures.items` summarises per scale. The builders join tables into the shapes the
estimators take: a person x quarter performance panel with each person's first completed training
(``gname``), and a unit x month service panel with the share of the unit's staff already trained.

Clusters are region-qualified. Agency (OPD) names repeat across regions (every region has a
"Dinas Kesehatan" and a "Dinas Pendidikan"), and such agencies are different clusters: they have their own
training waves and their own quarterly shocks. The builders therefore add ``agency_id`` (``"region / agency"``,
see :func:`agency_id`) wherever ``agency`` is carried, and ``unit_id`` (``"region / unit"``) to the service
panel. Inference clusters on these columns: ``staggered_att(..., cluster="agency_id")``,
``did(..., cluster="agency_id")`` for the person x quarter panel and ``dose_twfe(panel, y, "unit_id", ...)`` for
the service panel; never on the bare ``agency`` or ``unit`` name, which would pool same-named OPDs of
different regions into one cluster.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.config import paths

__all__ = ["load", "quarter_of", "first_training", "agency_id", "performance_panel", "service_panel", "TABLES"]

#: Separator between region and agency/unit in the region-qualified cluster ids.
ID_SEP = " / "

TABLES = ("employees", "programmes", "enrolments", "reaction", "tests", "followup", "performance",
          "services", "skm", "budgets", "interviews", "interview_codes", "items")


def load(name: str, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Read one canonical table from ``data/processed`` (run the cleaning step first)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
    folder = Path(processed_dir or paths()["processed"])
    path = folder / f"{name}.parquet"
    if not path.exists():
        parts = sorted((folder / name).glob("part-*.parquet")) if (folder / name).is_dir() else []
        if parts:  # a large table, written in parts (see evalkit.ingest.clean.PART_ROWS)
            return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
        raise FileNotFoundError(f"{path} does not exist: run notebook 01_clean or `evalkit clean` first")
    return pd.read_parquet(path)


def quarter_of(dates: pd.Series) -> pd.Series:
    """Calendar quarter label ``"2023Q1"`` of each date."""
    d = pd.to_datetime(dates)
    return (d.dt.year.astype("Int64").astype(str) + "Q" + d.dt.quarter.astype("Int64").astype(str)).where(d.notna())


def agency_id(region: pd.Series, agency: pd.Series) -> pd.Series:
    """Region-qualified agency (or service-unit) identifier ``"region / agency"``: the cluster for inference.

    Missing where either part is missing. Same-named OPDs of different regions get different ids.
    """
    r = pd.Series(region).astype("string")
    a = pd.Series(agency, index=r.index).astype("string")
    return (r + ID_SEP + a).astype(object).where(r.notna() & a.notna(), None).rename("agency_id")


def first_training(enrolments: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Each person's first COMPLETED training: its quarter (``first_quarter``), date, programme and mode.

    People who never completed a training are absent (they are the never-treated).
    Ties on the same end date are broken by ``programme_id`` so the result does not depend on row order.
    """
    done = enrolments.loc[enrolments["completed"].astype(bool), ["person_id", "programme_id"]]
    done = done.merge(programmes[["programme_id", "end_date", "mode", "topic"]], on="programme_id", how="left")
    done = done.dropna(subset=["end_date"]).sort_values(["person_id", "end_date", "programme_id"])
    first = done.drop_duplicates("person_id", keep="first").rename(
        columns={"end_date": "first_date", "mode": "first_mode", "topic": "first_topic",
                 "programme_id": "first_programme"})
    first["first_quarter"] = quarter_of(first["first_date"])
    return first.reset_index(drop=True)


def performance_panel(performance: pd.DataFrame, employees: pd.DataFrame, enrolments: pd.DataFrame,
                      programmes: pd.DataFrame) -> pd.DataFrame:
    """Person x quarter panel ready for ``did``/``event_study``/``staggered_att``.

    Adds ``t`` (1, 2, ... over the sorted quarters), ``gname`` (the ``t`` of the quarter of the first completed
    training; 0 = never trained within the panel, including people first trained after its last quarter),
    ``treated_post`` (1 from ``gname`` on), ``rel_time`` (t - gname, NaN for never treated), the employee's
    region/agency/tenure, ``agency_id`` (``"region / agency"``, the cluster for inference: staff of an agency
    share training waves and quarterly shocks, and same-named agencies of different regions are distinct) and
    the mode of the first training.
    """
    periods = sorted(performance["period"].dropna().unique())
    t_of = {p: i + 1 for i, p in enumerate(periods)}
    panel = performance.copy()
    panel["t"] = panel["period"].map(t_of).astype("int64")
    first = first_training(enrolments, programmes)
    first["gname"] = first["first_quarter"].map(t_of)
    panel = panel.merge(first[["person_id", "gname", "first_mode", "first_quarter"]], on="person_id", how="left")
    panel["gname"] = panel["gname"].fillna(0).astype("int64")
    panel["treated_post"] = ((panel["gname"] > 0) & (panel["t"] >= panel["gname"])).astype("int64")
    panel["rel_time"] = np.where(panel["gname"] > 0, panel["t"] - panel["gname"], np.nan)
    emp = employees[["person_id", "region", "agency", "position_type", "golongan", "sex", "birth_year",
                     "appointment_year"]]
    panel = panel.merge(emp, on="person_id", how="left")
    panel["agency_id"] = agency_id(panel["region"], panel["agency"]).to_numpy()
    first_year = int(str(periods[0])[:4]) if periods else 0
    panel["tenure"] = first_year - panel["appointment_year"]
    return panel.sort_values(["person_id", "t"]).reset_index(drop=True)


def service_panel(services: pd.DataFrame, employees: pd.DataFrame, enrolments: pd.DataFrame,
                  programmes: pd.DataFrame) -> pd.DataFrame:
    """Unit x month service outcomes with ``trained_share``: the share of the unit's staff (employees whose
    agency is the unit, in the same region) who had completed a training by the end of that month.

    ``unit_id`` (``"region / unit"``) identifies the unit across regions (several regions have a Dukcapil):
    use it as the unit and cluster column of :func:`evalkit.impact.services.dose_twfe`; the outcomes carry a
    serially correlated unit-level error, so the unit (all its months) is the cluster.
    """
    first = first_training(enrolments, programmes)
    staff = employees[["person_id", "region", "agency"]].merge(first[["person_id", "first_date"]],
                                                               on="person_id", how="left")
    out = services.copy()
    out["month_end"] = pd.to_datetime(out["month"]) + pd.offsets.MonthEnd(0)
    rows = []
    for (region, unit), g in out.groupby(["region", "unit"], sort=True, observed=True):
        s = staff.loc[(staff["region"] == region) & (staff["agency"] == unit), "first_date"]
        n = len(s)
        dates = np.sort(pd.to_datetime(s.dropna()).to_numpy())
        trained = np.searchsorted(dates, g["month_end"].to_numpy(), side="right")
        rows.append(pd.DataFrame({"_idx": g.index, "unit_staff": n,
                                  "trained_share": trained / n if n else np.nan}))
    share = pd.concat(rows).set_index("_idx") if rows else pd.DataFrame(columns=["unit_staff", "trained_share"])
    out = out.join(share)
    out["unit_id"] = agency_id(out["region"], out["unit"]).to_numpy()
    return out.drop(columns="month_end").sort_values(["region", "unit", "month"]).reset_index(drop=True)
