"""One region's evaluation report: every number, sentence, table and figure of ``08_region_report``.

:func:`region_findings` computes everything the report shows for one region from the canonical tables (one
pass, a few seconds; with ``cache=True`` once per region, shared by the report's two languages while the data,
context and code are the same: :mod:`evalkit.report.region.cache`); the section builders
(:func:`section_reach`, :func:`section_impact`, ...) turn those findings into Markdown in Indonesian or English,
with every word taken from ``evalkit/data/strings.json``; :func:`figure` draws and saves the region's figures
(:func:`show_figure`: drawn once, saved and shown as the PNG the page embeds).
The notebook only calls these and displays the results, so the same report can be produced from a script::

    from evalkit.report import region as R
    F = R.region_findings("Mamuju")
    print(R.section_impact(F, "en"))

The report follows the structure of the five seed evaluations (Latar Belakang, Tujuan, Metodologi,
Hasil/Dampak, Tantangan, Rekomendasi, Kesimpulan) and the Kirkpatrick levels. Background, aims, the issuer
and any targets come from the region's entry of the optional context file beside the raw files
(:mod:`evalkit.report.context`); without one, these are short sentences built from the data, and the
synthetic-data notice appears only when the context says the data are synthetic.

========================  ==================================================================================
section                   numbers (all for the region's own programmes and staff)
========================  ==================================================================================
reach and participation   invitation funnel (:func:`evalkit.participation.funnel`), attendance by delivery
                          mode, JP per ASN against the 20-JP target (:func:`evalkit.measures.jp_hours`)
reaction (L1)             five Likert items, share agreeing (4-5) with Wilson CIs
learning (L2)             pre/post gain with a paired t CI, by mode (:func:`evalkit.measures.learning_gain`)
behaviour (L3)            application score by rater; self minus supervisor (paired t CI); ICC(2,1)
results (L4)              monthly waiting time (volume-weighted), IKM per semester with its mutu (A-D)
impact                    Callaway-Sant'Anna ATT of training on report quality and on-time completion (person x
                          quarter panel, never-trained comparison, standard errors clustered by agency
                          ``agency_id``: training was assigned OPD by OPD), its event study, the TWFE estimate
                          (CRV1 by agency) as a check with a wild cluster bootstrap p-value when the region has
                          fewer than :data:`FEW_CLUSTERS` agencies, and the change in service waiting time after
                          a unit's first trained staff (TWFE DiD, unit and month fixed effects, CRV1 by unit,
                          wild bootstrap p with few units)
focus (spotlight)         one story told from the data (:func:`choose_spotlight`) or named by the context
challenges                barriers ranked by their average marginal effect on attendance (logit, delta-method
                          CIs), budget per participant and per ASN, interview themes (keyword coding)
recommendations           :func:`evalkit.report.recommend.recommend` on :data:`findings <region_findings>`
========================  ==================================================================================

Tables other than employees, programmes and enrolments may be absent or have no rows for the region: the
Kirkpatrick level they measure is then a short section saying what was not measured and how to measure it
next time (:data:`MEASUREMENT`: the file, its columns and the instrument that collects it).

Weakest Kirkpatrick level (the ``weakest_level`` finding): each of L1-L3 is scored as the share of people who
clear that level's bar, on the same 0-1 scale: L1 the share of participants agreeing (4-5) that the training
was good overall, L2 the share whose post-test score is above their pre-test score, L3 the share of alumni
whose supervisor's mean application rating is at least 4 ("applies", on the 5-point scale). The lowest share
is the weakest level. L4 is organisational, not personal, and is reported separately.

Small cells: every published table with a count of people goes through
:func:`evalkit.report.tables.suppress_small_cells` (cells from fewer than ``config.SMALL_CELL_THRESHOLD`` = 5
people are blanked), estimates by subgroup (mode, tenure band) are only computed for groups of at least
that many treated people, and in the text every share or mean based on fewer than that many people or texts
is written as a count ("3 dari 4 orang") or left out, and no quote is shown from fewer than that many texts.
"""


from __future__ import annotations

from evalkit.report.context import text_of, translate_quote  # noqa: F401 (re-exported)
from evalkit.report.region._base import (  # noqa: F401
    APPLICATION_BAR,
    APPLICATION_ITEMS,
    BARRIER_THEMES,
    BOOTSTRAP_B,
    BOOTSTRAP_SEED,
    EXPERIENCED_TENURE,
    FEW_CLUSTERS,
    FIGURES,
    MEASUREMENT,
    MODE_ORDER,
    PERFORMANCE_OUTCOMES,
    REACTION_ITEMS,
    REQUIRED_TABLES,
    SECTIONS,
    SERVICE_OUTCOMES,
    SPOTLIGHTS,
    WEBB_BELOW,
    region_slug,
)
from evalkit.report.region.closing import (  # noqa: F401
    GLOSSARY,
    glossary,
    section_appendix,
    section_challenges,
    section_conclusion,
    section_impact,
    section_recommendations,
    section_spotlight,
)
from evalkit.report.region.effects import (  # noqa: F401
    most_cost_effective_mode,
)
from evalkit.report.region.figures import (  # noqa: F401
    figure,
    figure_name,
    show_figure,
)
from evalkit.report.region.findings import (  # noqa: F401
    choose_spotlight,
    headline,
    key_indicators,
    load_tables,
    opd_table,
    programme_table,
    published_tables,
    region_findings,
    region_subset,
)
from evalkit.report.region.levels import (  # noqa: F401
    weakest_level,
)
from evalkit.report.region.sections import (  # noqa: F401
    section_behaviour,
    section_learning,
    section_programmes,
    section_reach,
    section_reaction,
    section_results,
)
from evalkit.report.region.summary import (  # noqa: F401
    section_background,
    section_key_indicators,
    section_methods,
    title_block,
)
from evalkit.report.text import t  # noqa: F401 (re-exported)

__all__ = [
    "REQUIRED_TABLES",
    "SPOTLIGHTS",
    "MEASUREMENT",
    "choose_spotlight",
    "SECTIONS",
    "FIGURES",
    "region_slug",
    "load_tables",
    "region_subset",
    "region_findings",
    "weakest_level",
    "most_cost_effective_mode",
    "figure_name",
    "figure",
    "show_figure",
    "published_tables",
    "title_block",
    "key_indicators",
    "section_key_indicators",
    "section_background",
    "section_methods",
    "section_reach",
    "section_reaction",
    "section_learning",
    "section_behaviour",
    "section_results",
    "section_impact",
    "section_spotlight",
    "section_challenges",
    "section_recommendations",
    "section_conclusion",
    "section_appendix",
    "headline",
]

