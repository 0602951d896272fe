"""Costs, cost-effectiveness, Phillips ROI and budget scenarios for ASN training.

* :func:`cost_per_participant` - unit costs per invited, attended and completed participant and per JP.
* :func:`cost_effectiveness` - cost per unit of impact with a delta-method, Fieller or bootstrap interval.
* :func:`phillips_roi`, :func:`monetise_time_savings`, :func:`monetise_staff_hours`, :func:`roi_sensitivity` -
  Phillips BCR/ROI with every monetisation assumption an explicit argument, and a sensitivity grid.
* :func:`budget_scenarios`, :func:`budget_scenarios_plot` - which mix of delivery modes reaches the most staff
  or the most impact within a budget (a small linear programme).

Money is in rupiah (float). Effects are in the direction of improvement (positive = better); convert "minutes of
waiting time" reductions to positive "minutes saved" before calling.

Modules (every public name is re-exported here, so ``from evalkit import cost; cost.X`` works for all of them):

* :mod:`evalkit.cost.unit` - programme costs, cost per participant and per JP, budget realisation, the 20-JP rule.
* :mod:`evalkit.cost.ratio` - the cost-effectiveness ratio and its delta, Fieller and bootstrap intervals.
* :mod:`evalkit.cost.roi` - Phillips ROI, monetisation, ROI sensitivity, ROI assumptions, service benefits and
  ROI by region.
* :mod:`evalkit.cost.budget` - budget scenarios (LP and grid solvers) and their ``options`` table by mode.
* :mod:`evalkit.cost.by_mode` - impact and cost-effectiveness by delivery mode and a region's cost findings.
* :func:`budget_scenarios_plot` lives in :mod:`evalkit.report.cost_plots`.

References
----------
Phillips, J. J., & Phillips, P. P. (2005). *ROI at Work*. ASTD Press. (BCR, ROI %, fully loaded costs,
isolation and confidence adjustments.)
Fieller, E. C. (1954). Some problems in interval estimation. *J. R. Stat. Soc. B* 16(2), 175-185.
"""

from __future__ import annotations

from evalkit.cost.budget import budget_scenarios, mode_options
from evalkit.cost.by_mode import (
    CS_ESTIMATOR,
    cost_effectiveness_table,
    findings_for_region,
    impact_by_mode,
    mode_cost_effectiveness,
    most_cost_effective_mode,
)
from evalkit.cost.ratio import cost_effectiveness
from evalkit.cost.roi import (
    ROI_ASSUMPTION_MEANINGS,
    ROI_ASSUMPTIONS,
    monetise_staff_hours,
    monetise_time_savings,
    phillips_roi,
    roi_assumptions_table,
    roi_by_region,
    roi_sensitivity,
    service_benefits,
    service_effects,
)
from evalkit.cost.unit import budget_realisation, cost_per_participant, jp_rule_budget, programme_costs
from evalkit.report.cost_plots import budget_scenarios_plot

__all__ = [
    "cost_per_participant",
    "programme_costs",
    "cost_effectiveness",
    "phillips_roi",
    "monetise_time_savings",
    "monetise_staff_hours",
    "roi_sensitivity",
    "budget_scenarios",
    "budget_scenarios_plot",
    "budget_realisation",
    "jp_rule_budget",
    "impact_by_mode",
    "CS_ESTIMATOR",
    "mode_cost_effectiveness",
    "cost_effectiveness_table",
    "most_cost_effective_mode",
    "findings_for_region",
    "service_effects",
    "ROI_ASSUMPTIONS",
    "ROI_ASSUMPTION_MEANINGS",
    "roi_assumptions_table",
    "service_benefits",
    "roi_by_region",
    "mode_options",
]
