"""Code Indonesian interview text into themes with an editable keyword codebook.

Interviews (``interviews`` table: ``interview_id, region, role, interview_date, text``) are coded by
dictionary matching on **Sastrawi stems**: every text is normalised (lower case, ``[NAMA]``/``[NIP]`` and other
``[PLACEHOLDER]`` tokens removed, digits and punctuation stripped), split into tokens, and each token is
stemmed once (a per-process cache keyed by the surface token, so 5,000 texts take seconds). Keywords in the
codebook are stemmed the same way, so ``pelatihan``, ``dilatih`` and ``melatih`` all match ``latih`` and
``anggarannya`` matches ``anggaran`` (both stem to ``anggar``). A multi-word keyword matches only as
consecutive tokens inside one clause (phrases never run across ``. , ; : ! ?`` or a removed placeholder).

Codebook syntax (``evalkit/data/codebook.csv``; columns ``theme, label_id, label_en, keywords, negative``)
---------------------------------------------------------------------------------------------------------
* ``keywords`` and ``negative``: alternatives separated by ``|``; spaces inside one alternative make a phrase.
* A plain word is stemmed with Sastrawi and compared with the text's stems.
* A word written ``=word`` is compared with the **unstemmed** lower-case token, and may use ``*`` as a
  wildcard (``=pengajar*``, ``=*pengalaman*``). Use it where Sastrawi over-stems (see below).
* ``negative`` phrases mask their tokens for that theme: a keyword hit overlapping a negative phrase does not
  count. ``time_conflict`` lists ``waktu tunggu`` as negative, so "waktu tunggu di loket lebih cepat" is
  service improvement, not a time conflict.

Sastrawi behaviour the shipped codebook works around (PySastrawi 1.2.1)
-----------------------------------------------------------------------
* ``pengalaman``/``berpengalaman`` -> ``alam`` (nature): matched on the surface form ``=*pengalaman*``.
* ``pengajar`` -> ``ajar``, the same stem as ``belajar``, ``pembelajaran``, ``diajarkan``: trainer quality
  uses ``=pengajar*`` so that "belajar" is not coded as a remark on trainers.
* ``pemateri`` -> ``materi`` (the course material): surface form ``=pemateri*``.
* ``ditindaklanjuti`` and ``pascapelatihan`` are left unstemmed: listed literally.
* ``antrian``/``antrean`` stem to ``antri``/``antre``; ``relevansi``, ``resistensi``, ``senioritas`` are not
  reduced to ``relevan``/``resisten``/``senior``: each spelling is listed.
* ``harian`` and ``sehari-hari`` both stem to ``hari``, so ``tugas harian`` matches "tugas sehari-hari".
* ``diminati`` -> ``mati``: "minat" is matched only in its unaffixed forms.

Keyword coding is a transparent first pass, not a substitute for reading: check it against hand coding of a
sample with :func:`coding_agreement` (Cohen's kappa per theme) before reporting theme shares.

Modules (every public name is re-exported here, so ``from evalkit import qual; qual.X`` works for all of them):

* :mod:`evalkit.qual.stemming` - normalising, tokenising and Sastrawi stemming.
* :mod:`evalkit.qual.codebook` - reading and validating the codebook.
* :mod:`evalkit.qual.coding` - keyword matching and :func:`code_texts`.
* :mod:`evalkit.qual.frequencies` - theme frequencies and co-occurrence.
* :mod:`evalkit.qual.quotes` - representative quotes, NIP scrubbing.
* :mod:`evalkit.qual.agreement` - Cohen's kappa, agreement with hand codes, the hand-coded sample.
* :mod:`evalkit.qual.findings` - top themes, interview findings, themes next to the attendance model's estimates.
* :func:`themes_vs_ame_plot`, :func:`theme_frequency_plot` and :func:`cooccurrence_plot` live in
  :mod:`evalkit.report.qual_plots`.
"""

from __future__ import annotations

from evalkit.qual.agreement import _label_key as _label_key
from evalkit.qual.agreement import coding_agreement, cohen_kappa, hand_codes_wide, kappa_band, theme_lookup
from evalkit.qual.codebook import OPTIONAL_COLUMNS as OPTIONAL_COLUMNS
from evalkit.qual.codebook import REQUIRED_COLUMNS as REQUIRED_COLUMNS
from evalkit.qual.codebook import Codebook, load_codebook
from evalkit.qual.coding import code_texts
from evalkit.qual.findings import (
    BARRIER_THEMES,
    THEME_BARRIER,
    interview_findings,
    theme_vs_estimate,
    themes_vs_ame,
    top_theme,
)
from evalkit.qual.frequencies import cooccurrence, theme_frequencies
from evalkit.qual.quotes import normalise_space as normalise_space
from evalkit.qual.quotes import representative_quotes, scrub_nip
from evalkit.qual.stemming import normalise, stem, stem_text, tokenize
from evalkit.report.qual_plots import cooccurrence_plot, theme_frequency_plot, themes_vs_ame_plot

__all__ = [
    "Codebook",
    "load_codebook",
    "normalise",
    "tokenize",
    "stem",
    "stem_text",
    "code_texts",
    "theme_frequencies",
    "cooccurrence",
    "representative_quotes",
    "scrub_nip",
    "cohen_kappa",
    "coding_agreement",
    "kappa_band",
    "BARRIER_THEMES",
    "theme_lookup",
    "hand_codes_wide",
    "top_theme",
    "interview_findings",
    "theme_vs_estimate",
    "THEME_BARRIER",
    "themes_vs_ame",
    "themes_vs_ame_plot",
    "theme_frequency_plot",
    "cooccurrence_plot",
]
