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

__all__ = ["skp_predikat", "skp_rank", "SKP_LEVELS", "SKP_RANKS", "SKP_MATRIX"]

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
_NORMAL = {
    "di atas": "Di Atas", "diatas": "Di Atas", "di atas ekspektasi": "Di Atas", "diatas ekspektasi": "Di Atas",
    "sesuai": "Sesuai", "sesuai ekspektasi": "Sesuai",
    "di bawah": "Di Bawah", "dibawah": "Di Bawah", "di bawah ekspektasi": "Di Bawah",
    "dibawah ekspektasi": "Di Bawah",
}


def _normalise(values, name: str) -> np.ndarray:
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    out = np.empty(len(s), dtype=object)
    for i, v in enumerate(s.to_numpy()):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            out[i] = None
            continue
        if not isinstance(v, str):
            raise TypeError(f"{name} must hold rating labels (str), got {v!r}")
        key = " ".join(v.lower().split())
        if key not in _NORMAL:
            raise ValueError(f"{name} has an unknown rating {v!r}; expected Di Atas / Sesuai / Di Bawah Ekspektasi")
        out[i] = _NORMAL[key]
    return out


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
