"""Agreement of the keyword coding with hand codes: Cohen's kappa with its Fleiss-Cohen-Everitt standard error and
Landis & Koch band per theme, and the hand-coded sample (``interview_codes``) as one row per interview."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.qual.codebook import Codebook, _as_codebook
from evalkit.qual.coding import _themes_of
from evalkit.qual.stemming import normalise


def cohen_kappa(a: Sequence, b: Sequence, undefined: float = np.nan) -> float:
    r"""Cohen's (1960) kappa for two raters coding the same items.

    .. math::

        \kappa = \frac{p_o - p_e}{1 - p_e}, \qquad
        p_o = \frac{1}{n}\sum_i [a_i = b_i], \qquad
        p_e = \sum_c \hat p_a(c)\,\hat p_b(c),

    with :math:`\hat p_a(c)` the share of items rater ``a`` put in category ``c``. Equals
    ``sklearn.metrics.cohen_kappa_score(a, b)``.

    Degenerate case: when both raters use one and the same category for every item, :math:`p_e = 1` and kappa
    is 0/0. It is **undefined** and returned as ``undefined`` (default NaN, as sklearn >= 1.6 does): agreement
    is perfect but there is no variation to show agreement beyond chance; report percent agreement instead.
    When only one rater is constant, :math:`p_e = p_o` and kappa is 0.

    Parameters
    ----------
    a, b : sequence
        Labels (any hashable; bools for theme coding) of equal length; missing values are not allowed.
    undefined : float
        Value returned when kappa is undefined.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educ. Psychol. Meas.* 20, 37-46.
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"a and b must be 1-d of equal length, got shapes {a.shape} and {b.shape}")
    if len(a) == 0:
        raise ValueError("a and b are empty")
    if pd.isna(a).any() or pd.isna(b).any():
        raise ValueError("a and b must not contain missing values")
    cats, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ia, ib = inv[: len(a)], inv[len(a):]
    n = len(a)
    po = np.mean(ia == ib)
    pa = np.bincount(ia, minlength=len(cats)) / n
    pb = np.bincount(ib, minlength=len(cats)) / n
    pe = float(pa @ pb)
    if np.isclose(1.0 - pe, 0.0, rtol=0, atol=1e-15):
        return float(undefined)
    return float((po - pe) / (1.0 - pe))


#: Landis & Koch (1977) bands: (upper bound exclusive, label).
_LK_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"), (0.21, "slight"), (0.41, "fair"), (0.61, "moderate"), (0.81, "substantial"),
    (np.inf, "almost perfect"),
)


def kappa_band(kappa: float) -> str:
    """Landis & Koch (1977) label: <0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate,
    0.61-0.80 substantial, 0.81-1 almost perfect (NaN -> "undefined").

    References
    ----------
    Landis, J. R., & Koch, G. G. (1977). The measurement of observer agreement for categorical data.
    *Biometrics* 33(1), 159-174.
    """
    if kappa is None or not np.isfinite(kappa):
        return "undefined"
    k = round(float(kappa), 2)
    for upper, label in _LK_BANDS:
        if k < upper:
            return label
    return "almost perfect"


def _kappa_se_fce(a: np.ndarray, b: np.ndarray) -> float:
    """Fleiss, Cohen & Everitt (1969) SE of Cohen's kappa under the alternative, for two raters, any categories."""
    cats = np.unique(np.concatenate([a, b]))
    n = len(a)
    ia, ib = np.searchsorted(cats, a), np.searchsorted(cats, b)
    p = np.zeros((len(cats), len(cats)))
    np.add.at(p, (ia, ib), 1.0 / n)
    r, c = p.sum(axis=1), p.sum(axis=0)
    po, pe = float(np.trace(p)), float(r @ c)
    k = (po - pe) / (1 - pe)
    diag = np.sum(np.diag(p) * (1 - (r + c) * (1 - k)) ** 2)
    off = p * (c[:, None] + r[None, :]) ** 2
    np.fill_diagonal(off, 0.0)
    v = (diag + (1 - k) ** 2 * off.sum() - (k - pe * (1 - k)) ** 2) / (n * (1 - pe) ** 2)
    return float(np.sqrt(max(v, 0.0)))


def coding_agreement(coded: pd.DataFrame, hand_coded: pd.DataFrame, themes: Sequence[str] | None = None,
                     on: str | None = "interview_id", undefined: float = np.nan) -> pd.DataFrame:
    """Agreement between automatic and hand coding, per theme.

    Rows are matched on ``on`` when both tables have that column, else on the index; only rows present in
    both and coded (non-missing) in the hand table are used, per theme.

    Returns
    -------
    DataFrame
        ``theme, n, n_auto, n_hand, agreement, kappa, kappa_se, band`` where ``agreement`` is the share of
        items with the same code (p_o), ``kappa`` is :func:`cohen_kappa`, ``kappa_se`` the Fleiss, Cohen &
        Everitt (1969) large-sample standard error **under the alternative** (kappa not assumed 0; the one
        to use for confidence intervals, ``kappa +- z * kappa_se``; it equals ``std_kappa`` of
        ``statsmodels.stats.inter_rater.cohens_kappa``) and ``band`` the Landis & Koch (1977) label.

    Notes
    -----
    With :math:`p_{ij}` the 2 x 2 table of proportions (auto code i, hand code j), margins :math:`p_{i.}`,
    :math:`p_{.j}`,

    .. math::

        \\widehat{\\mathrm{Var}}(\\hat\\kappa) = \\frac{\\sum_i p_{ii}[1 - (p_{i.} + p_{.i})(1-\\hat\\kappa)]^2
        + (1-\\hat\\kappa)^2 \\sum_{i \\ne j} p_{ij}(p_{.i} + p_{j.})^2
        - [\\hat\\kappa - p_e(1-\\hat\\kappa)]^2}{n (1 - p_e)^2}.

    Cohen's (1960) :math:`\\sqrt{p_o(1-p_o)/(n(1-p_e)^2)}` is an approximation that FCE (1969) showed to be
    wrong. The SE is NaN when :math:`p_e = 1`.

    References
    ----------
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of kappa and weighted
    kappa. *Psychol. Bull.* 72(5), 323-327.
    """
    if on is not None and on in coded.columns and on in hand_coded.columns:
        if coded[on].duplicated().any() or hand_coded[on].duplicated().any():
            raise ValueError(f"{on!r} must be unique in both tables")
        left, right = coded.set_index(on), hand_coded.set_index(on)
    else:
        left, right = coded, hand_coded
    if themes is None:
        base = _themes_of(coded, None)
        themes = [t for t in base if t in right.columns]
        if not themes:
            raise ValueError("hand_coded shares no theme column with coded")
    common = left.index.intersection(right.index)
    rows = []
    for t in themes:
        if t not in right.columns or t not in left.columns:
            raise ValueError(f"theme {t!r} missing from coded or hand_coded")
        h = right.loc[common, t]
        keep = h.notna().to_numpy()
        a = left.loc[common, t].to_numpy()[keep].astype(bool)
        b = h.to_numpy()[keep].astype(bool)
        n = len(a)
        if n == 0:
            rows.append({"theme": t, "n": 0, "n_auto": 0, "n_hand": 0, "agreement": np.nan,
                         "kappa": np.nan, "kappa_se": np.nan, "band": "undefined"})
            continue
        po = float(np.mean(a == b))
        pe = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
        k = cohen_kappa(a, b, undefined=undefined)
        se = _kappa_se_fce(a, b) if pe < 1 else np.nan
        rows.append({"theme": t, "n": n, "n_auto": int(a.sum()), "n_hand": int(b.sum()), "agreement": po,
                     "kappa": k, "kappa_se": float(se), "band": kappa_band(k)})
    return pd.DataFrame(rows)


def _label_key(x: object) -> str:
    return re.sub(r"[\s_\-]+", " ", normalise(x)).strip()


def theme_lookup(codebook: Codebook | str | Path | None = None) -> dict[str, str]:
    """Spelling -> theme id for every way a coder may name a theme: the id, ``label_id`` or ``label_en``.

    Keys are compared after lower-casing, stripping accents and folding ``_``, ``-`` and runs of spaces to one
    space, so ``"Time conflict"``, ``"time_conflict"`` and ``"TIME-CONFLICT"`` all map to ``time_conflict``.
    """
    cb = _as_codebook(codebook)
    out: dict[str, str] = {}
    for row in cb.table.itertuples(index=False):
        for name in (row.theme, row.label_id, row.label_en):
            k = _label_key(name)
            if k and out.setdefault(k, row.theme) != row.theme:
                raise ValueError(f"codebook {cb.source}: {name!r} names two themes ({out[k]!r}, {row.theme!r})")
    return out


def hand_codes_wide(codes: pd.DataFrame, codebook: Codebook | str | Path | None = None,
                    id_col: str = "interview_id", theme_col: str = "theme",
                    value_col: str = "present") -> pd.DataFrame:
    """The hand-coded sample (the ``interview_codes`` table, one row per interview x theme) as one row per
    interview with a nullable-boolean column per codebook theme, ready for :func:`coding_agreement`.

    Themes may be written as the theme id or either codebook label (see :func:`theme_lookup`). A theme that
    was not coded for an interview is ``<NA>`` (left out of that theme's agreement); ``region`` and ``coder``
    are carried over when present (the first value per interview).

    Raises
    ------
    ValueError
        When a theme name is not in the codebook (the names are listed), or one interview has conflicting
        codes for one theme.
    """
    if not isinstance(codes, pd.DataFrame):
        raise TypeError(f"codes must be a pandas DataFrame, got {type(codes).__name__}")
    missing = [c for c in (id_col, theme_col, value_col) if c not in codes.columns]
    if missing:
        raise ValueError(f"codes is missing column(s) {missing}; it has {list(codes.columns)}")
    cb = _as_codebook(codebook)
    look = theme_lookup(cb)
    theme = codes[theme_col].map(lambda x: look.get(_label_key(x)))
    unknown = sorted(set(codes.loc[theme.isna(), theme_col].astype(str)))
    if unknown:
        raise ValueError(f"hand codes name theme(s) not in codebook {cb.source}: {unknown}; use a theme id or "
                         f"label from the codebook")
    d = pd.DataFrame({id_col: codes[id_col].to_numpy(), "theme": theme.to_numpy(),
                      "value": codes[value_col].astype("boolean").to_numpy()})
    d = d.dropna(subset=["value"])
    conflict = d.groupby([id_col, "theme"], sort=False)["value"].nunique() > 1
    if conflict.any():
        first = conflict[conflict].index[0]
        raise ValueError(f"conflicting hand codes for {id_col} {first[0]!r}, theme {first[1]!r} "
                         f"({int(conflict.sum())} such pairs)")
    d = d.drop_duplicates([id_col, "theme"])
    wide = d.pivot(index=id_col, columns="theme", values="value")
    ids = pd.Index(sorted(codes[id_col].dropna().unique()), name=id_col)
    wide = wide.reindex(index=ids, columns=cb.themes)
    out = wide.astype("boolean").reset_index()
    out.columns.name = None
    for c in ("region", "coder"):
        if c in codes.columns:
            out[c] = out[id_col].map(codes.drop_duplicates(id_col).set_index(id_col)[c])
    out.attrs["themes"] = list(cb.themes)
    return out[[id_col, *[c for c in ("region", "coder") if c in out.columns], *cb.themes]]
