"""The result types of :func:`~evalkit.ingest.clean.check` and :func:`~evalkit.ingest.clean.clean`: one problem,
the counts of one raw file, the report of a raw folder and what a clean wrote."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.ingest.spec import ITEMS_TABLE


@dataclass(frozen=True)
class Problem:
    """One problem found in the raw files.

    ``row`` is the 1-based spreadsheet row (None for a whole-file or whole-column problem), ``column`` the raw
    header (None for a whole-row or whole-file problem), ``value`` the offending cell as shown (personal data
    masked), ``expected`` what was expected or what is wrong, ``severity`` ``"error"`` (the row or file is not
    used) or ``"warning"`` (used, but check it).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    severity: str = "error"
    table: str | None = None


@dataclass
class FileSummary:
    """Counts for one raw file; ``rows_read == rows_kept + rows_quarantined``."""

    file: str
    table: str | None
    sha256: str
    status: str = "ok"  # ok | unusable | unmatched
    rows_read: int = 0
    rows_kept: int = 0
    rows_quarantined: int = 0
    encoding: str | None = None
    delimiter: str | None = None


@dataclass
class CheckReport:
    """All problems of a raw folder and a summary per file. ``ok`` is True when there is no error."""

    problems: list[Problem] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame (columns table, file, row, column, value, expected, severity)."""
        cols = ["table", "file", "row", "column", "value", "expected", "severity"]
        df = pd.DataFrame([asdict(p) for p in self.problems], columns=cols)
        df["row"] = df["row"].astype("Int64")
        return df


@dataclass
class CleanResult:
    """What :func:`clean` wrote: ``tables`` maps table name -> Parquet path; ``manifest`` is the manifest dict."""

    out_dir: Path
    tables: dict[str, Path]
    quarantine: dict[str, Path]
    manifest: dict[str, Any]
    report: CheckReport

    @property
    def ok(self) -> bool:
        return self.report.ok

    def summary(self) -> pd.DataFrame:
        """Rows read, kept and quarantined per table (from the manifest); a ``total`` row last.

        ``rows_read == rows_kept + rows_quarantined`` on every row.
        """
        rows = [{"table": t, "files": len(e["files"]), "rows_read": e["rows_read"], "rows_kept": e["rows_kept"],
                 "rows_quarantined": e["rows_quarantined"]} for t, e in self.manifest["tables"].items()]
        df = pd.DataFrame(rows, columns=["table", "files", "rows_read", "rows_kept", "rows_quarantined"])
        total = df.drop(columns="table").sum().to_dict()
        return pd.concat([df, pd.DataFrame([{"table": "total", **total}])], ignore_index=True)

    def reasons(self) -> pd.DataFrame:
        """Problems counted per table and reason (severity, table, reason, problems), most frequent first.

        Reasons that name a row (``duplicate row (same as ... row 147)``) or a value are folded into one.
        """
        df = self.report.to_frame()
        if df.empty:
            return pd.DataFrame(columns=["severity", "table", "reason", "problems"])
        reason = (df["expected"].astype(str).str.replace(r"\s*\(same as .*\)$", "", regex=True)
                  .str.replace(r":\s.*$", "", regex=True))
        out = (df.assign(reason=reason).groupby(["severity", "table", "reason"], dropna=False).size()
               .rename("problems").reset_index())
        return out.sort_values(["problems", "table", "reason"], ascending=[False, True, True]).reset_index(drop=True)

    def __str__(self) -> str:
        s = self.summary()
        lines = [f"{r.table:<12} {r.rows_read:>8} read {r.rows_kept:>8} kept {r.rows_quarantined:>6} quarantined"
                 for r in s.itertuples()]
        it = self.manifest.get("derived", {}).get(ITEMS_TABLE)
        if it:
            lines.append(f"{ITEMS_TABLE:<12} {it['rows_kept']:>8} answers to {it['questions']} question(s) in "
                         f"{it['scales']} scale(s) (from {', '.join(it['from'])})")
        return "\n".join([*lines, f"tables, quarantine and manifest.json in {self.out_dir}"])
