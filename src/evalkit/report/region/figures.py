"""The region report's figures, drawn from its findings and saved under their region-qualified names."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from evalkit.report.region._base import _SMALL, FIGURES, REACTION_ITEMS
from evalkit.report.region._words import _mode
from evalkit.report.text import (
    barrier_label,
    format_number,
    format_period,
    t,
)


# ------------------------------------------------------------------------------------------- figures
def figure_name(F: dict, lang: str, kind: str) -> str:
    """``region_<slug>_<lang>_<kind>`` (e.g. ``region_mamuju_id_funnel``)."""
    return f"region_{F['slug']}_{lang}_{kind}"


def _fig_funnel(F, lang):
    import matplotlib.pyplot as plt

    fun = F["reach"]["funnel"]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    y = np.arange(len(fun))[::-1]
    share = fun["share_of_invited"].to_numpy(float) * 100
    err = np.clip(np.vstack([share - fun["ci_low_invited"].to_numpy(float) * 100,
                             fun["ci_high_invited"].to_numpy(float) * 100 - share]), 0, None)
    ax.barh(y, share, xerr=err, color="C0", capsize=2, error_kw={"linewidth": 0.8})
    ax.set_yticks(y, [t(f"region.stage.{s}", lang) for s in fun["stage"].astype(str)])
    for yi, s, e, n in zip(y, share, err[1], fun["n"]):
        ax.text(s + e + 1.5, yi, f"{format_number(s, lang, 0)}% ({format_number(int(n), lang, 0)})", va="center",
                fontsize=8)
    ax.set_xlim(0, 118)
    ax.set_xlabel(t("region.axis.share_listed" if F["reach"]["base"] == "listed" else "region.axis.share_invited",
                    lang))
    ax.set_title(t("region.title.funnel", lang, region=F["region"]))
    return fig


def _fig_reaction(F, lang, data):
    import matplotlib.pyplot as plt

    from evalkit.measures import diverging_likert_plot

    fig, ax = plt.subplots(figsize=(7, 3.4))
    items = [c for c in REACTION_ITEMS if c in data.columns]
    diverging_likert_plot(data, items, ax=ax, labels={k: t(f"likert.{k}", lang) for k in range(1, 6)},
                          item_labels={c: t(f"region.item.{c}", lang) for c in items})
    ax.set_xlabel(t("axis.likert_share", lang))
    ax.set_title(t("title.reaction", lang))
    return fig


def _fig_learning(F, lang):
    import matplotlib.pyplot as plt

    lm = F["learning"]["by_mode"]
    lm = lm[lm["n"] >= _SMALL].sort_values("estimate")
    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(lm) + 1.5))
    y = np.arange(len(lm))
    ax.errorbar(lm["estimate"], y, xerr=[lm["estimate"] - lm["ci_low"], lm["ci_high"] - lm["estimate"]], fmt="o",
                color="C0", capsize=3)
    pooled = F["learning"]
    ax.axvline(pooled["gain"], color="0.5", linestyle="--", linewidth=0.8, label=t("region.legend.pooled", lang))
    ax.legend(loc="lower right", fontsize="small")
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, [f"{_mode(m, lang)} (n={n})" for m, n in zip(lm["mode"], lm["n"])])
    ax.set_xlabel(t("axis.learning_gain", lang))
    ax.set_title(t("title.pre_post", lang))
    return fig


def _fig_behaviour(F, lang):
    import matplotlib.pyplot as plt

    br = F["behaviour"]["by_role"].dropna(subset=["mean"])
    fig, ax = plt.subplots(figsize=(6.5, 2.6))
    y = np.arange(len(br))
    ax.errorbar(br["mean"], y, xerr=[br["mean"] - br["ci_low"], br["ci_high"] - br["mean"]], fmt="o", color="C2",
                capsize=3)
    ax.set_yticks(y, [f"{t(f'role.{r}', lang)} (n={n})" for r, n in zip(br["role"], br["n"])])
    ax.invert_yaxis()
    ax.set_xlabel(t("region.axis.application", lang))
    ax.set_title(t("title.followup_by_rater", lang))
    return fig


def _fig_services(F, lang):
    import matplotlib.pyplot as plt

    x = F["results"]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.0))
    tr = x["trend"]
    for ax, col in zip(axes, ("wait_minutes", "processing_days")):
        ax.plot(tr["month"], tr[col], color="C0", linewidth=1.2)
        ax.set_ylabel(t(f"axis.{col}", lang))
        ax.set_xlabel(t("axis.month", lang))
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
        ax.set_ylim(bottom=0)
    fig.suptitle(t("region.title.services", lang, region=F["region"]), fontweight="bold", fontsize="medium")
    return fig


def _fig_ikm(F, lang):
    import matplotlib.pyplot as plt

    x = F["results"]["ikm"]
    fig, ax = plt.subplots(figsize=(6.5, 3.0))
    from evalkit.measures import IKM_BANDS

    lowers = sorted((float(lo), g) for lo, g, _ in IKM_BANDS)  # PermenPANRB 14/2017 lower bounds per mutu
    bands = [(lo, lowers[i + 1][0] if i + 1 < len(lowers) else 100.0, g) for i, (lo, g) in enumerate(lowers)]
    lo = max(50, float(x["ikm"].min()) - 8)
    for a, b, g in bands:
        if b > lo:
            ax.axhspan(max(a, lo), b, color={"D": "#f4cccc", "C": "#fce5cd", "B": "#d9ead3", "A": "#cfe2f3"}[g],
                       alpha=0.6, linewidth=0)
            ax.text(len(x) - 0.55, (max(a, lo) + min(b, 100)) / 2, t("region.mutu_band", lang, mutu=g), fontsize=7,
                    va="center", color="0.35")
    ax.plot(np.arange(len(x)), x["ikm"], marker="o", color="C0")
    ax.set_xticks(np.arange(len(x)), [format_period(p, lang) for p in x["period"]], fontsize=7)
    ax.set_ylim(lo, 100)
    ax.set_xlim(-0.3, len(x) - 0.2)
    ax.set_xlabel(t("region.axis.semester", lang))
    ax.set_ylabel(t("axis.ikm", lang))
    ax.set_title(t("region.title.ikm", lang, region=F["region"]))
    return fig


def _fig_event_study(F, lang):
    import matplotlib.pyplot as plt

    es = F["impact"]["event_study"]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    e = es["event_time"].to_numpy(float)
    ax.fill_between(e, es["ci_low"], es["ci_high"], color="C0", alpha=0.2, linewidth=0)
    ax.plot(e, es["estimate"], marker="o", color="C0", markersize=3)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.axvline(-0.5, color="0.5", linestyle="--", linewidth=0.8)
    ax.set_xlabel(t("axis.event_time", lang))
    ax.set_ylabel(t("region.axis.effect_report_quality", lang))
    ax.set_title(t("title.event_study", lang, outcome=t("outcome.report_quality", lang)))
    return fig


def _fig_barriers(F, lang):
    import matplotlib.pyplot as plt

    b = F["challenges"]["ames"]
    fig, ax = plt.subplots(figsize=(6.5, 2.8))
    y = np.arange(len(b))
    est = 100 * b["estimate"].to_numpy(float)
    ax.errorbar(est, y, xerr=[est - 100 * b["ci_low"].to_numpy(float), 100 * b["ci_high"].to_numpy(float) - est],
                fmt="o", color="C3", capsize=3)
    ax.axvline(0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, [barrier_label(x, lang) for x in b["term"]])
    ax.invert_yaxis()
    ax.set_xlabel(t("region.axis.ame", lang))
    ax.set_title(t("title.barrier_effects", lang))
    return fig


def _fig_modes(F, lang):
    import matplotlib.pyplot as plt

    lr = F["learning"]["by_mode"]
    lr = lr[lr["n"] >= _SMALL]
    ce = F["challenges"]["cost_effectiveness"]
    im = F["impact"]["by_mode"]
    modes = list(lr.sort_values("estimate", ascending=False)["mode"])
    fig, axes = plt.subplots(1, 3, figsize=(9, 0.45 * max(len(modes), 2) + 1.6), sharey=True)
    y = np.arange(len(modes))
    for ax, (df, col, lo, hi, xlabel, colour) in zip(axes, [
            (lr, "estimate", "ci_low", "ci_high", "axis.learning_gain", "C0"),
            (im, "estimate", "ci_low", "ci_high", "region.axis.effect_report_quality", "C2"),
            (ce, "cost_per_completed", None, None, "region.axis.cost_per_completed", "C1")]):
        d = df.set_index("mode").reindex(modes)
        v = d[col].to_numpy(float)
        if lo:
            ax.errorbar(v, y, xerr=[v - d[lo].to_numpy(float), d[hi].to_numpy(float) - v], fmt="o", color=colour,
                        capsize=3)
            ax.axvline(0, color="0.3", linewidth=0.8)
        else:
            ax.barh(y, v / 1e6, color=colour)
        ax.set_xlabel(t(xlabel, lang))
    axes[0].set_yticks(y, [_mode(m, lang) for m in modes])
    axes[0].invert_yaxis()
    fig.suptitle(t("region.title.modes", lang, region=F["region"]), fontweight="bold", fontsize="medium")
    return fig


def figure(F: dict, kind: str, lang: str, save: bool = True, formats: Iterable[str] | None = None):
    """Draw one of the region's :data:`FIGURES` and save it with :func:`save_figure` as ``figure_name``.

    ``formats``: the files written (default :data:`evalkit.report.figures.FORMATS`, PDF, SVG and PNG at 300 dpi).
    Files of the same name in the other formats are removed: left from an earlier run, they could show other
    data. ``08_region_report`` calls :func:`show_figure` instead.

    Returns the figure, or None when the region has no data for it (e.g. no service units, a single mode).
    """
    from evalkit.report.figures import FORMATS

    fig = _draw(F, kind, lang)
    if fig is not None and save:
        _save(fig, F, kind, lang, FORMATS if formats is None else tuple(formats))
    return fig


def show_figure(F: dict, kind: str, lang: str):
    """Draw one of the region's :data:`FIGURES` once: write it as a PNG at the resolution a notebook shows
    inline (the figure's ``dpi``), show that same file in the notebook, and close the figure.

    What ``08_region_report`` calls: its HTML page embeds the PNG, so each figure is rendered once, in the
    format the page shows, instead of twice (a 300-dpi file and the inline image). Files of the same name in
    the other formats are removed. Returns the PNG's path, or None (and shows nothing) when the region has no
    data for this figure.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    fig = _draw(F, kind, lang)
    if fig is None:
        return None
    try:
        path = _save(fig, F, kind, lang, ("png",), png_dpi=fig.dpi)["png"]
    finally:
        plt.close(fig)
    display(Image(data=path.read_bytes(), format="png"))
    return path


def _draw(F: dict, kind: str, lang: str):
    if kind not in FIGURES:
        raise ValueError(f"unknown figure {kind!r}; expected one of {FIGURES}")
    if kind in ("services", "ikm") and ("trend" if kind == "services" else "ikm") not in F["results"]:
        return None
    if kind == "funnel" and not F["reach"].get("measured"):
        return None
    if (kind == "reaction" and F["reaction"] is None) or (kind in ("learning", "modes") and F["learning"] is None) \
            or (kind == "behaviour" and F["behaviour"] is None) \
            or (kind == "event_study" and not len(F["impact"].get("event_study", ()))) \
            or (kind == "barriers" and not len(F["challenges"]["ames"])):
        return None
    if kind == "modes" and F["learning"]["by_mode"]["n"].ge(_SMALL).sum() < 2:
        return None
    if kind == "reaction":
        return _fig_reaction(F, lang, F["reaction"]["answers"])
    return {"funnel": _fig_funnel, "learning": _fig_learning, "behaviour": _fig_behaviour,
            "services": _fig_services, "ikm": _fig_ikm, "event_study": _fig_event_study,
            "barriers": _fig_barriers, "modes": _fig_modes}[kind](F, lang)


def _save(fig, F: dict, kind: str, lang: str, formats: tuple[str, ...], png_dpi: float = 300) -> dict:
    from evalkit.report.figures import FORMATS, save_figure

    written = save_figure(fig, figure_name(F, lang, kind), formats=formats, png_dpi=png_dpi)
    first = next(iter(written.values()))
    for fmt in FORMATS:
        if fmt not in formats:
            first.with_suffix(f".{fmt}").unlink(missing_ok=True)
    return written
