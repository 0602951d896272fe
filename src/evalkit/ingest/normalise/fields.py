"""Per field: the parser of a :class:`~evalkit.ingest.spec.Field` (its kind and bounds), and whole columns
normalised with each distinct value parsed once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit.ingest.normalise.answers import _skm_unsur, parse_likert5, parse_skm4, parse_yesno
from evalkit.ingest.normalise.categories import parse_category, parse_id, parse_text
from evalkit.ingest.normalise.common import NormaliseError, is_missing
from evalkit.ingest.normalise.dates import parse_date, parse_month, parse_quarter, parse_semester
from evalkit.ingest.normalise.nip import _nip_fast_pos, nip_excel_damage
from evalkit.ingest.normalise.numbers import parse_int, parse_number, parse_percent, parse_rupiah
from evalkit.ingest.normalise.presensi import parse_attended
from evalkit.ingest.normalise.regions import parse_region

# ---------------------------------------------------------------------------------------------- per field


def _bounded(parse: Callable[[Any], Any], bounds: tuple[float | None, float | None]) -> Callable[[Any], Any]:
    lo, hi = bounds
    if lo is None and hi is None:
        return parse

    def f(value: Any) -> Any:
        x = parse(value)
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            rng = f"{'' if lo is None else f'{lo:g}'}-{'' if hi is None else f'{hi:g}'}"
            if hi is None:
                rng = f"at least {lo:g}"
            elif lo is None:
                rng = f"at most {hi:g}"
            raise NormaliseError(f"value {x:g} outside the allowed range {rng}", value)
        return x

    return f


def parser_for(field: Any) -> Callable[[Any], Any]:
    """The scalar parser for a :class:`~evalkit.ingest.spec.Field` (bounds included).

    ``nip`` fields return the 18-digit string (validated by :func:`evalkit.ingest.nip.parse_nip`; a NIP that
    went through an Excel number cell gets :func:`nip_excel_damage`'s message instead); ``name`` fields
    return stripped text. Per field: a ``yesno`` field named in :data:`evalkit.ingest.spec.PRESENSI_FIELDS`
    (``attended``) reads presensi codes (:func:`parse_attended`), and an ``skm4`` field of an unsur
    (``u1_persyaratan`` ... ``u9_sarana``) reads that unsur's own options (:func:`parse_skm4` with
    ``unsur``).

    Examples
    --------
    >>> from evalkit.ingest.spec import RAW_TABLES
    >>> parser_for(RAW_TABLES["tests"].field("pre_score"))("78,5")
    78.5
    """
    kind = field.kind
    if kind == "nip":
        from evalkit.ingest.nip import parse_nip

        def p_nip(value: Any) -> str:
            why = nip_excel_damage(value)
            if why is not None:
                raise NormaliseError(why)
            try:
                return parse_nip(value).digits
            except ValueError as e:
                raise NormaliseError(str(e)) from None

        return p_nip
    simple: dict[str, Callable[[Any], Any]] = {
        "name": parse_text, "text": parse_text, "id": parse_id, "region": parse_region, "date": parse_date,
        "month": parse_month, "quarter": parse_quarter, "semester": parse_semester, "rupiah": parse_rupiah,
        "int": parse_int, "float": parse_number, "percent": parse_percent, "yesno": parse_yesno,
        "likert5": parse_likert5, "skm4": parse_skm4,
    }
    if kind == "yesno":
        from evalkit.ingest.spec import PRESENSI_FIELDS

        if field.name in PRESENSI_FIELDS:
            return parse_attended
    if kind == "skm4":
        try:
            column = _skm_unsur(field.name)
        except KeyError:
            column = None
        if column is not None:

            def p_skm(value: Any, column: str = column) -> int:
                return parse_skm4(value, column)

            return _bounded(p_skm, tuple(field.bounds))
    if kind == "category":
        levels, vmap = tuple(field.levels or ()), dict(field.value_map)

        def p_cat(value: Any) -> str:
            return parse_category(value, levels, vmap)

        return p_cat
    if kind not in simple:
        raise KeyError(f"unknown value kind {kind!r}")
    return _bounded(simple[kind], tuple(field.bounds))


def normalise_series(series: pd.Series, field: Any) -> tuple[pd.Series, pd.Series]:
    """Normalise a whole column by its field's kind.

    Each distinct value is parsed once. Missing cells (see :func:`is_missing`) give ``None`` with no error;
    for ``text`` fields a blank cell is missing too.

    Parameters
    ----------
    series : pandas.Series
        Raw cells (strings).
    field : Field
        Its spec field.

    Returns
    -------
    values, errors : pandas.Series
        Both object dtype with the same index: the clean values (``None`` where missing or invalid) and the
        reason for each invalid cell (``None`` where fine).

    Examples
    --------
    >>> import pandas as pd
    >>> from evalkit.ingest.spec import RAW_TABLES
    >>> v, e = normalise_series(pd.Series(["Setuju", "SS", "7", ""]), RAW_TABLES["reaction"].field("overall"))
    >>> v.tolist(), e.notna().tolist()
    ([4, 5, None, None], [False, False, True, False])
    """
    c = normalise_coded(series, field)
    return (pd.Series(c.values[c.codes], index=series.index, dtype=object),
            pd.Series(c.errors[c.codes], index=series.index, dtype=object))


@dataclass(frozen=True)
class Coded:
    """A normalised column kept as codes into its distinct values (what :func:`normalise_coded` returns).

    ``cells``, ``values`` and ``errors`` have one entry per distinct raw cell plus a last one for code ``-1``
    (a missing cell: ``None``, ``None``, ``None``), so ``values[codes]`` is the column of clean values and
    ``errors[codes]`` the reason of each invalid cell, by numpy's negative indexing. Values of different
    cells may be equal (``"S"`` and ``"Setuju"`` are both 4).
    """

    codes: np.ndarray
    cells: np.ndarray
    values: np.ndarray
    errors: np.ndarray


def normalise_coded(series: pd.Series, field: Any) -> Coded:
    """:func:`normalise_series` without expanding to one Python object per row: the codes of the raw cells
    and, per distinct cell, its clean value and error. Each distinct value is parsed once."""
    parse = parser_for(field)
    if isinstance(series.dtype, pd.CategoricalDtype):  # distinct values already known (large-file reader)
        codes, uniques = series.cat.codes.to_numpy(), series.cat.categories.to_numpy(dtype=object)
    else:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    n_u = len(uniques)
    cells = np.full(n_u + 1, None, dtype=object)
    cells[:n_u] = uniques
    vals = np.full(n_u + 1, None, dtype=object)  # the last one: for code -1 (a missing cell)
    errs = np.full(n_u + 1, None, dtype=object)
    todo: Any = range(n_u)
    if field.kind == "nip" and n_u > 1000:  # plainly valid NIPs in bulk: the same digits as parse_nip
        fast_pos, fast_digits = _nip_fast_pos(uniques)
        # serial 000 passes parse_nip's checks but is Excel's damage: those go the slow way for its message
        intact = np.fromiter((not v.endswith("000") for v in fast_digits), dtype=bool, count=len(fast_digits))
        fast_pos, fast_digits = fast_pos[intact], fast_digits[intact]
        vals[fast_pos] = fast_digits
        rest = np.ones(n_u, dtype=bool)
        rest[fast_pos] = False
        todo = np.flatnonzero(rest).tolist()
    for j in todo:
        u = uniques[j]
        if is_missing(u):
            continue
        try:
            vals[j] = parse(u)
        except NormaliseError as e:
            errs[j] = e.reason
        except Exception as e:  # pragma: no cover - a parser bug must not stop a run
            errs[j] = f"could not read the value ({type(e).__name__})"
    return Coded(np.asarray(codes), cells, vals, errs)
