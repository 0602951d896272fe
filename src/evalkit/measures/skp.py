"""SKP predikat kinerja pegawai from the two ratings (PermenPANRB No. 6 Tahun 2022).

Matrix (rows = rating hasil kerja, columns = rating perilaku kerja), DOMAIN.md section 2 [SECONDARY: many
independent public implementations agree; not checked against the regulation's appendix]:

=============  ===============  ===============  =================
               Di Atas          Sesuai           Di Bawah
=============  ===============  ===============  =================
Di Atas        Sangat Baik      Baik             Kurang/Misconduct
Sesuai         Baik             Baik             Kurang/Misconduct
Di Bawah       Butuh Perbaikan  Butuh Perbaikan  Sangat Kurang
=============  ===============  ===============  =================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.measures._util import as_list, check_ci, check_columns, check_frame, group_iter, wilson

__all__ = ["skp_predikat", "skp_rank", "skp_distribution", "skp_matrix_table", "SKP_LEVELS", "SKP_RANKS",
           "SKP_MATRIX", "SKP_RATINGS"]

#: Predikat from worst to best (the order of the returned ordered categorical, so ``max`` is the best).
SKP_LEVELS: tuple[str, ...] = ("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik")
#: Ordinal rank: Sangat Baik 5 ... Sangat Kurang 1.
SKP_RANKS: dict[str, int] = {lvl: i + 1 for i, lvl in enumerate(SKP_LEVELS)}
#: (hasil kerja, perilaku) -> predikat, with ratings in short form.
SKP_MATRIX: dict[tuple[str, str], str] = {
    ("Di Atas", "Di Atas"): "Sangat Baik",
    ("Di Atas", "Sesuai"): "Baik",
    ("Di Atas", "Di Bawah"): "Kurang/Misconduct",
    ("Sesuai", "Di Atas"): "Baik",
    ("Sesuai", "Sesuai"): "Baik",
    ("Sesuai", "Di Bawah"): "Kurang/Misconduct",
    ("Di Bawah", "Di Atas"): "Butuh Perbaikan",
    ("Di Bawah", "Sesuai"): "Butuh Perbaikan",
    ("Di Bawah", "Di Bawah"): "Sangat Kurang",
}
#: Rating inputs from best to worst (short form).
SKP_RATINGS: tuple[str, ...] = ("Di Atas", "Sesuai", "Di Bawah")
_NORMAL = {
    "di atas": "Di Atas", "diatas": "Di Atas", "di atas ekspektasi": "Di Atas", "diatas ekspektasi": "Di Atas",
    "sesuai": "Sesuai", "sesuai ekspektasi": "Sesuai",
    "di bawah": "Di Bawah", "dibawah": "Di Bawah", "di bawah ekspektasi": "Di Bawah",
    "dibawah ekspektasi": "Di Bawah",
}


def _normalise(values, name: str) -> np.ndarray:
    """Short rating labels (object array, None where missing). Each distinct label is read once, in order of
    first appearance, so the error names the first wrong value a row-by-row reading would meet."""
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    codes, distinct = pd.factorize(s)  # missing values (None, NaN, pd.NA) get code -1
    labels = np.empty(len(distinct) + 1, dtype=object)
    labels[0] = None
    for j, v in enumerate(distinct, start=1):
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold rating labels (str), got {v!r}")
        key = " ".join(v.lower().split())
        if key not in _NORMAL:
            raise ValueError(f"{name} has an unknown rating {v!r}; expected Di Atas / Sesuai / Di Bawah Ekspektasi")
        labels[j] = _NORMAL[key]
    return labels[codes + 1]


def skp_predikat(hasil_kerja, perilaku) -> pd.Series:
    """Predikat kinerja from rating hasil kerja x rating perilaku kerja (PermenPANRB 6/2022 matrix).

    Parameters
    ----------
    hasil_kerja, perilaku : str, array-like or pandas.Series
        Ratings "Di Atas Ekspektasi" / "Sesuai Ekspektasi" / "Di Bawah Ekspektasi" (short forms "Di Atas",
        "Sesuai", "Di Bawah" and case/space variants accepted; missing stays missing). Same length.

    Returns
    -------
    pandas.Series
        Ordered categorical named ``skp_predikat`` with categories :data:`SKP_LEVELS` (Sangat Kurang <
        Kurang/Misconduct < Butuh Perbaikan < Baik < Sangat Baik); ``.cat.codes + 1`` is the rank 1-5
        (see :func:`skp_rank`). The index follows ``hasil_kerja`` when it is a Series.

    Raises
    ------
    ValueError
        Unknown rating label (named) or inputs of different length.
    """
    scalar = isinstance(hasil_kerja, str) and isinstance(perilaku, str)
    hk = [hasil_kerja] if isinstance(hasil_kerja, str) else hasil_kerja
    pr = [perilaku] if isinstance(perilaku, str) else perilaku
    hk_n = _normalise(hk, "hasil_kerja")
    pr_n = _normalise(pr, "perilaku")
    if len(hk_n) != len(pr_n):
        raise ValueError(f"hasil_kerja and perilaku differ in length ({len(hk_n)} vs {len(pr_n)})")
    res = [None if a is None or b is None else SKP_MATRIX[(a, b)] for a, b in zip(hk_n, pr_n, strict=True)]
    index = hasil_kerja.index if isinstance(hasil_kerja, pd.Series) and not scalar else None
    return pd.Series(pd.Categorical(res, categories=list(SKP_LEVELS), ordered=True), index=index,
                     name="skp_predikat")


def skp_rank(predikat) -> pd.Series:
    """Ordinal rank of a predikat: Sangat Baik 5, Baik 4, Butuh Perbaikan 3, Kurang/Misconduct 2, Sangat Kurang 1.

    Accepts labels (any categorical order; "Kurang" and "Misconduct" alone map to Kurang/Misconduct).
    Returns a nullable ``Int64`` Series named ``skp_rank``.
    """
    s = predikat if isinstance(predikat, pd.Series) else pd.Series(predikat)
    alias = {"kurang": "Kurang/Misconduct", "misconduct": "Kurang/Misconduct"}
    lookup = {k.lower(): v for k, v in SKP_RANKS.items()}
    out = []
    for v in s.astype(object).to_numpy():
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append(pd.NA)
            continue
        key = " ".join(str(v).lower().split()).replace("/ ", "/")
        key = alias.get(key, key).lower()
        if key not in lookup:
            raise ValueError(f"unknown SKP predikat {v!r}; expected one of {list(SKP_RANKS)}")
        out.append(lookup[key])
    return pd.Series(pd.array(out, dtype="Int64"), index=s.index, name="skp_rank")


def skp_distribution(data: pd.DataFrame, by=None, predikat: str = "skp_predikat", ci: float = 0.95) -> pd.DataFrame:
    """Distribution of SKP predikat (an ordered category, worst to best), overall or per group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per rating (person x period) with a ``predikat`` column (labels of :data:`SKP_LEVELS`; any
        spelling :func:`skp_rank` accepts).
    by : str or list of str, optional
        Group columns (e.g. ``["region", "year"]``).
    ci : float
        Confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        One row per group x level (every level, also empty ones): by columns, ``skp_predikat`` (ordered
        categorical with categories :data:`SKP_LEVELS`), ``rank`` (1-5), ``n`` (ratings at this level),
        ``n_total`` (ratings in the group), ``share`` with Wilson ``ci_low``/``ci_high`` and
        ``cumulative_share`` (share at this level or worse). Missing predikat are not counted.
    """
    check_frame(data, "data")
    ci = check_ci(ci)
    by = as_list(by)
    check_columns(data, by + [predikat], "data")
    ranks = skp_rank(data[predikat].reset_index(drop=True))
    frame = data[by].reset_index(drop=True).copy()
    frame["_rank"] = ranks.to_numpy()
    frame = frame[frame["_rank"].notna()]
    rows = []
    for key, sub in group_iter(frame, by):
        counts = sub["_rank"].astype(int).value_counts()
        total = int(counts.sum())
        for r, lvl in enumerate(SKP_LEVELS, start=1):
            rows.append({**key, "skp_predikat": lvl, "rank": r, "n": int(counts.get(r, 0)), "n_total": total})
    out = pd.DataFrame(rows)
    out["skp_predikat"] = pd.Categorical(out["skp_predikat"], categories=list(SKP_LEVELS), ordered=True)
    out["share"] = out["n"] / out["n_total"].where(out["n_total"] > 0)
    out["ci_low"], out["ci_high"] = wilson(out["n"], out["n_total"], ci)
    out["cumulative_share"] = out.groupby(by, observed=True, sort=False)["share"].cumsum() if by else \
        out["share"].cumsum()
    return out


def skp_matrix_table(hasil_kerja, perilaku) -> pd.DataFrame:
    """The hasil kerja x perilaku matrix of a set of ratings: counts per cell with the predikat it gives.

    Parameters
    ----------
    hasil_kerja, perilaku : array-like or pandas.Series
        Rating labels as accepted by :func:`skp_predikat` (pairs with a missing rating are not counted).

    Returns
    -------
    pandas.DataFrame
        Nine rows (every cell of the PermenPANRB 6/2022 matrix, best ratings first): ``hasil_kerja``,
        ``perilaku`` (short forms "Di Atas" / "Sesuai" / "Di Bawah"), ``skp_predikat`` (from
        :data:`SKP_MATRIX`), ``n`` and ``share`` (of all counted pairs).
    """
    hk = _normalise(hasil_kerja, "hasil_kerja")
    pr = _normalise(perilaku, "perilaku")
    if len(hk) != len(pr):
        raise ValueError(f"hasil_kerja and perilaku differ in length ({len(hk)} vs {len(pr)})")
    ok = np.array([a is not None and b is not None for a, b in zip(hk, pr, strict=True)], dtype=bool)
    pairs = pd.Series(list(zip(hk[ok], pr[ok], strict=True)), dtype=object).value_counts()
    total = int(ok.sum())
    rows = [{"hasil_kerja": a, "perilaku": b, "skp_predikat": SKP_MATRIX[(a, b)], "n": int(pairs.get((a, b), 0))}
            for a in SKP_RATINGS for b in SKP_RATINGS]
    out = pd.DataFrame(rows)
    out["skp_predikat"] = pd.Categorical(out["skp_predikat"], categories=list(SKP_LEVELS), ordered=True)
    out["share"] = out["n"] / total if total else np.nan
    return out
