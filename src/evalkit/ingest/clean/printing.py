"""Printing a :class:`~evalkit.ingest.clean.CheckReport`: a table of problems and one summary line per file."""

from __future__ import annotations

from evalkit.ingest.clean.results import CheckReport, FileSummary, Problem  # noqa: F401 (the last two: the example)


def format_problems(report: CheckReport, *, max_problems: int = 200, warnings: bool = True) -> str:
    """A readable table of problems followed by one summary line per file.

    ``warnings=False`` lists only the errors (the per-file counts still include the warnings).

    Examples
    --------
    >>> rep = CheckReport([Problem("pegawai.csv", 3, "NIP", "[disamarkan]", "NIP must have 18 digits, got 17")],
    ...                   [FileSummary("pegawai.csv", "employees", "0", rows_read=2, rows_kept=1, rows_quarantined=1)])
    >>> print(format_problems(rep))  # doctest: +NORMALIZE_WHITESPACE
    severity  file         row  column  value         problem
    error     pegawai.csv  3    NIP     [disamarkan]  NIP must have 18 digits, got 17
    <BLANKLINE>
    pegawai.csv (employees): 2 rows read, 1 kept, 1 quarantined; 1 error, 0 warnings
    1 error, 0 warnings in 1 file
    """
    def cut(s: object, n: int) -> str:
        s = "" if s is None else str(s).replace("\n", " ")
        return s if len(s) <= n else s[: n - 3] + "..."

    head = ("severity", "file", "row", "column", "value", "problem")
    shown = report.problems if warnings else report.errors
    rows = [(p.severity, cut(p.file, 40), "" if p.row is None else str(p.row), cut(p.column, 30), cut(p.value, 30),
             cut(p.expected, 120)) for p in shown[:max_problems]]
    lines: list[str] = []
    if rows:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths[:-1]) + "  {}"
        lines.append(fmt.format(*head).rstrip())
        lines += [fmt.format(*r).rstrip() for r in rows]
        if len(shown) > max_problems:
            lines.append(f"... and {len(shown) - max_problems} more problems")
        lines.append("")
    else:
        lines.append("no problems found")
        lines.append("")
    per_file: dict[str, list[int]] = {}
    for p in report.problems:
        base = p.file.split(" [", 1)[0]
        c = per_file.setdefault(base, [0, 0])
        c[0 if p.severity == "error" else 1] += 1

    def plural(n: int, w: str) -> str:
        return f"{n} {w}" if n == 1 else f"{n} {w}s"

    for s in report.files:
        e, w = per_file.get(s.file, [0, 0])
        if s.status == "unmatched":
            lines.append(f"{s.file}: not used; {plural(e, 'error')}, {plural(w, 'warning')}")
        elif s.status == "unusable" and s.rows_read == 0:
            lines.append(f"{s.file} ({s.table}): UNUSABLE; {plural(e, 'error')}, {plural(w, 'warning')}")
        else:
            lines.append(f"{s.file} ({s.table}): {plural(s.rows_read, 'row')} read, {s.rows_kept} kept, "
                         f"{s.rows_quarantined} quarantined; {plural(e, 'error')}, {plural(w, 'warning')}")
    ne, nw = len(report.errors), len(report.warnings)
    lines.append(f"{plural(ne, 'error')}, {plural(nw, 'warning')} in {plural(len(report.files), 'file')}")
    return "\n".join(lines)
