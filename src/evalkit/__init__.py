"""evalkit: evaluate Indonesian civil-servant (ASN) training with evidence.

Subpackages: ``synth`` (demo data), ``ingest`` (clean field files), ``measures`` (Kirkpatrick L1-L4, IKM, JP,
SKP), ``impact`` (pre/post, DiD, event study, staggered DiD, weighting, matching, multilevel, power),
``report`` (figures, tables, bilingual text, rendering) and ``pipeline`` (runs the notebooks).
"""

__version__ = "0.1.0"
