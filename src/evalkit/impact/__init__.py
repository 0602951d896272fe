"""Credible training-impact estimators, each checked against an independent implementation.

Pre/post (:func:`prepost`), two-way fixed-effects DiD (:func:`did`), event studies
(:func:`event_study`, :func:`event_study_plot`), Callaway-Sant'Anna staggered DiD
(:func:`staggered_att`), propensity weighting and matching (:func:`ipw_att`, :func:`match_att`),
balance diagnostics (:func:`balance`, :func:`love_plot`), multilevel and ordinal models
(:func:`mixed`, :func:`ordinal`), subgroup effects (:func:`heterogeneity`) and power
(:func:`power`), with few-cluster inference by the wild cluster bootstrap
(:meth:`ImpactResult.wild_bootstrap`, :func:`wild_bootstrap`). Every estimator returns an
:class:`ImpactResult` whose ``tidy()`` has the columns
``term, estimate, std_error, statistic, p_value, ci_low, ci_high, n``.

The plots (:func:`event_study_plot`, :func:`love_plot`, and :func:`~evalkit.impact.summary.forest_plot`,
:func:`~evalkit.impact.check.check_plot`) live in :mod:`evalkit.report.impact_plots`; they are re-exported here
and from their former modules.
"""

from ._common import ImpactResult
from .did import did
from .event_study import event_study, event_study_plot
from .heterogeneity import heterogeneity
from .honest import honest_bounds, honest_did
from .multilevel import MixedResult, mixed, ordinal
from .power import PowerResult, power
from .prepost import prepost
from .staggered import staggered_att
from .weighting import WeightingResult, balance, ipw_att, love_plot, match_att
from .wildboot import wild_bootstrap

__all__ = [
    "ImpactResult",
    "MixedResult",
    "PowerResult",
    "WeightingResult",
    "balance",
    "did",
    "event_study",
    "event_study_plot",
    "heterogeneity",
    "honest_bounds",
    "honest_did",
    "ipw_att",
    "love_plot",
    "match_att",
    "mixed",
    "ordinal",
    "power",
    "prepost",
    "staggered_att",
    "wild_bootstrap",
]
