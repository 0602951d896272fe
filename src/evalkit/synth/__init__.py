"""Synthetic demo data: five regional scenarios written as messy field files, with the ground truth apart.

``generate(out_dir, seed=..., n_employees=...)`` simulates ASN employees in Mamuju, Batanghari, DKI Jakarta,
Bukittinggi and Ampenan, staggered training waves with self-selection, Kirkpatrick L1-L4 outcomes, services
and SKM, budgets and interview notes; writes one raw file per table and region (headers and value formats
from ``evalkit.ingest.spec``) and the truth (effects, selection rule, planted bad rows) to ``truth_dir``.
"""

from evalkit.synth.generator import generate

__all__ = ["generate"]
