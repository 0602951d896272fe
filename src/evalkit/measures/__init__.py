"""Measures: IKM/SKM (PermenPANRB 14/2017), Krejcie-Morgan sample size, reliability, Likert summaries (per
item and per scale of the long ``items`` table, see :mod:`evalkit.measures.items`), JP compliance (PP 11/2017
Pasal 203), SKP predikat (PermenPANRB 6/2022) and Kirkpatrick L2-L4.

Every function takes canonical tables (see ``evalkit.ingest.spec``), validates its inputs (``ValueError`` /
``TypeError`` naming the bad column) and returns a tidy ``pandas.DataFrame``. The Likert plots
(:func:`diverging_likert_plot`, :func:`scale_likert_plot`) live in :mod:`evalkit.report.likert_plots` and are
re-exported here.
"""

from evalkit.measures.ikm import IKM_BANDS, UNSUR, ikm, ikm_by_unsur, ikm_grade, ikm_interval
from evalkit.measures.items import (
    alpha_by_scale,
    item_summary,
    scale_items,
    scale_likert_plot,
    scale_summary,
    wide_items,
)
from evalkit.measures.jp import jp_compliance, jp_hours, minutes_to_jp, never_reached, reach_summary
from evalkit.measures.kirkpatrick import icc2_1, learning_gain, rater_agreement, service_trends
from evalkit.measures.likert import diverging_likert_plot, likert_items, likert_scale
from evalkit.measures.reliability import cronbach_alpha, cronbach_alpha_by, item_total
from evalkit.measures.sample import krejcie_morgan, period_of, sample_adequacy, skm_sample_adequacy
from evalkit.measures.skp import SKP_LEVELS, SKP_RANKS, skp_distribution, skp_matrix_table, skp_predikat, skp_rank

__all__ = [
    "IKM_BANDS", "UNSUR", "ikm", "ikm_by_unsur", "ikm_grade", "ikm_interval",
    "krejcie_morgan", "sample_adequacy", "skm_sample_adequacy", "period_of",
    "cronbach_alpha", "cronbach_alpha_by", "item_total",
    "likert_items", "likert_scale", "diverging_likert_plot",
    "scale_summary", "item_summary", "alpha_by_scale", "wide_items", "scale_items", "scale_likert_plot",
    "minutes_to_jp", "jp_hours", "jp_compliance", "never_reached", "reach_summary",
    "SKP_LEVELS", "SKP_RANKS", "skp_predikat", "skp_rank", "skp_distribution", "skp_matrix_table",
    "learning_gain", "rater_agreement", "icc2_1", "service_trends",
]
