"""XLSForms (KoboToolbox / ODK) for the four questionnaires evalkit reads, in Indonesian and English.

Every question's XML name is the canonical field name of :mod:`evalkit.ingest.spec`, and its labels are the
wording in ``spec.INSTRUMENT_QUESTIONS``, so an export with XML names or with labels in either language, with
choice names or labels as values, is read by ``evalkit check``/``evalkit clean`` without a mapping. Name the
export so that it starts with the form's file-name prefix (``FORMS[...].prefix``), e.g.
``survei_reaksi_kobo.xlsx``.

======================  ==========================  ===========  ===================================
form                    measures                    table        export file name starts with
======================  ==========================  ===========  ===================================
``survei_reaksi``       Kirkpatrick L1 (reaction)   reaction     ``survei_reaksi``
``evaluasi_pasca``      Kirkpatrick L3 (behaviour)  followup     ``evaluasi_pasca``
``skm``                 SKM/IKM (PermenPANRB        skm          ``skm``
                        14/2017), for L4
``peserta_undangan``    invitation, attendance and  enrolments   ``peserta``
                        the four barriers
======================  ==========================  ===========  ===================================

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> [p.name for p in write_xlsforms(out, langs=("id",))]  # doctest: +NORMALIZE_WHITESPACE
['xlsform_survei_reaksi.xlsx', 'xlsform_evaluasi_pasca.xlsx', 'xlsform_skm.xlsx', 'xlsform_peserta_undangan.xlsx']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalkit.ingest.spec import (
    INSTRUMENT_QUESTIONS,
    LIKERT5_CHOICES,
    ROLE_CHOICES,
    SKM_PROFILE,
    SKM_QUESTIONS,
    YESNO_CHOICES,
    Choice,
    skm_choices,
)

__all__ = [
    "EXAMPLE_PROGRAMME",
    "FORMS",
    "LANGUAGES",
    "NIP_CONSTRAINT",
    "Form",
    "parse_langs",
    "write_xlsforms",
    "xlsform_rows",
]

#: XLSForm language names (``label::Indonesian (id)``); the first requested one is the default language.
LANGUAGES: dict[str, str] = {"id": "Indonesian (id)", "en": "English (en)"}
#: The form checks an 18-digit NIP (spaces and dots are not allowed in the form; the cleaner checks the rest).
NIP_CONSTRAINT = "regex(., '^[0-9]{18}$')"
#: The programme list is the office's own: this marked example row is to be replaced (code, Indonesian title,
#: English title). Labels end in "[CODE]" so that exports with labels still give the code.
EXAMPLE_PROGRAMME: tuple[str, str, str] = ("CONTOH-001", "CONTOH, ganti: Pelayanan Prima",
                                           "EXAMPLE, replace: Excellent Service")
FORM_VERSION = "2026.1"

_T = dict[str, str]  # language code -> text


def _t(id_: str, en: str) -> _T:
    return {"id": id_, "en": en}


@dataclass
class _Q:
    type: str
    name: str
    label: _T | None = None
    hint: _T | None = None
    required: bool = False
    constraint: str = ""
    constraint_message: _T | None = None
    relevant: str = ""
    appearance: str = ""
    calculation: str = ""


@dataclass(frozen=True)
class Form:
    """One XLSForm: its id, the table it fills, the export prefix, titles and what it measures."""

    key: str
    table: str
    prefix: str
    title: _T
    level: _T
    questions: tuple[_Q, ...] = field(repr=False)
    choices: tuple[tuple[str, tuple[Choice, ...]], ...] = field(repr=False)


def _q(table: str, name: str) -> _T:
    for q in INSTRUMENT_QUESTIONS[table]:
        if q.field == name:
            return _t(q.id, q.en)
    raise KeyError((table, name))


_REQ_NIP = _t("NIP harus 18 angka tanpa spasi atau titik.", "The NIP must be 18 digits, without spaces or dots.")
_NIP_HINT = _t("Contoh: 199001012020011001", "Example: 199001012020011001")
_PROG_HINT = _t("Pilih pelatihan dari daftar.", "Choose the training from the list.")


def _nip(table: str) -> _Q:
    return _Q("text", "nip", _q(table, "nip"), _NIP_HINT, True, NIP_CONSTRAINT, _REQ_NIP, appearance="numbers")


def _programme(table: str) -> _Q:
    return _Q("select_one pelatihan", "programme_id", _q(table, "programme_id"), _PROG_HINT, True)


def _likert(table: str, name: str) -> _Q:
    return _Q("select_one likert5", name, _q(table, name), required=True)


def _yesno(table: str, name: str, **kw: object) -> _Q:
    return _Q("select_one ya_tidak", name, _q(table, name), required=True, **kw)  # type: ignore[arg-type]


def _group(name: str, label: _T, questions: Iterable[_Q]) -> list[_Q]:
    return [_Q("begin_group", name, label, appearance="field-list"), *questions, _Q("end_group", name)]


def _reaction() -> Form:
    t = "reaction"
    qs = (
        _Q("note", "petunjuk", _t("Kuesioner ini diisi peserta pada akhir pelatihan. Pilih jawaban yang paling "
                                  "sesuai dengan pendapat Anda.",
                                  "Participants fill in this questionnaire at the end of the training. Choose "
                                  "the answer closest to your view.")),
        _nip(t), _programme(t),
        *_group("penilaian", _t("Penilaian pelatihan", "Rating of the training"),
                [_likert(t, n) for n in ("material", "trainer", "relevance", "facilities", "overall")]),
        _Q("text", "comment", _q(t, "comment"), appearance="multiline"),
    )
    return Form("survei_reaksi", t, "survei_reaksi", _t("Kuesioner Reaksi Peserta Pelatihan",
                                                        "Training Reaction Questionnaire"),
                _t("Kirkpatrick level 1 (reaksi)", "Kirkpatrick level 1 (reaction)"), qs,
                (("pelatihan", ()), ("likert5", LIKERT5_CHOICES)))


def _followup() -> Form:
    t = "followup"
    qs = (
        _Q("note", "petunjuk", _t("Diisi 3-6 bulan setelah pelatihan oleh alumni, atasan langsungnya dan satu "
                                  "rekan kerja.",
                                  "Filled in 3-6 months after the training by the alumnus/alumna, their direct "
                                  "supervisor and one co-worker.")),
        _Q("select_one peran_penilai", "rater_role", _q(t, "rater_role"), required=True),
        _nip(t), _programme(t),
        _Q("date", "rating_date", _q(t, "rating_date"), required=True, constraint=". <= today()",
           constraint_message=_t("Tanggal tidak boleh di masa depan.", "The date cannot be in the future.")),
        *_group("penerapan", _t("Penerapan hasil pelatihan", "Application of the training"),
                [_likert(t, n) for n in ("apply_material", "work_quality", "share_knowledge", "service_initiative")]),
    )
    return Form("evaluasi_pasca", t, "evaluasi_pasca", _t("Evaluasi Pasca Pelatihan", "Post-Training Evaluation"),
                _t("Kirkpatrick level 3 (perilaku)", "Kirkpatrick level 3 (behaviour)"), qs,
                (("peran_penilai", ROLE_CHOICES), ("pelatihan", ()), ("likert5", LIKERT5_CHOICES)))


def _periods(year: int) -> tuple[Choice, ...]:
    out = []
    for y in (year - 1, year, year + 1):
        for s, roman in ((1, "I"), (2, "II")):
            out.append(Choice(f"{y}-S{s}", f"{y}-S{s}", f"Semester {roman} {y}", f"Semester {s} {y}"))
    return tuple(out)


#: The SKM form's region list when the office gives none: one marked example to replace (as the programmes).
EXAMPLE_REGION_CHOICE = Choice("kabupaten_contoh", "Kabupaten Contoh", "Kabupaten Contoh (ganti dengan wilayah Anda)",
                               "Example regency (replace with your region)")


def _regions(regions: Sequence[str] | None = None) -> tuple[Choice, ...]:
    """Choices of the region list: the office's regions (matched to the Kemendagri list, written by their display
    names, XML names from their slugs), or the marked example."""
    if not regions:
        return (EXAMPLE_REGION_CHOICE,)
    from evalkit.ingest.regions import match_region

    out = []
    for r in regions:
        m = match_region(r)
        out.append(Choice(m.slug, m.display, m.display, m.display))
    return tuple(out)


_PROFILE_CHOICES: dict[str, tuple[Choice, ...]] = {
    "jenis_kelamin": (Choice("l", "L", "Laki-laki", "Male"), Choice("p", "P", "Perempuan", "Female")),
    "usia": (Choice("u_lt20", "<20", "Di bawah 20 tahun", "Under 20"),
             Choice("u20_29", "20-29", "20-29 tahun", "20-29 years"),
             Choice("u30_39", "30-39", "30-39 tahun", "30-39 years"),
             Choice("u40_49", "40-49", "40-49 tahun", "40-49 years"),
             Choice("u50_59", "50-59", "50-59 tahun", "50-59 years"),
             Choice("u60", "60+", "60 tahun ke atas", "60 years or older")),
    "pendidikan": (Choice("sd", "SD", "SD ke bawah", "Primary school or less"),
                   Choice("smp", "SMP", "SMP", "Junior secondary (SMP)"),
                   Choice("sma", "SMA", "SMA/SMK", "Senior secondary (SMA/SMK)"),
                   Choice("d1_d3", "D1-D3", "D1-D3", "Diploma (D1-D3)"),
                   Choice("d4_s1", "D4/S1", "D4/S1", "Bachelor (D4/S1)"),
                   Choice("s2", "S2", "S2", "Master (S2)"),
                   Choice("s3", "S3", "S3", "Doctorate (S3)")),
    "pekerjaan": (Choice("pns", "PNS", "PNS", "Civil servant (PNS)"), Choice("tni", "TNI", "TNI", "Armed forces (TNI)"),
                  Choice("polri", "POLRI", "POLRI", "Police (POLRI)"),
                  Choice("swasta", "Swasta", "Pegawai swasta", "Private employee"),
                  Choice("wirausaha", "Wirausaha", "Wirausaha", "Self-employed"),
                  Choice("lainnya", "Lainnya", "Lainnya", "Other")),
}


def _skm(year: int, regions: Sequence[str] | None = None) -> Form:
    t = "skm"
    profile = {name: _t(i, e) for name, i, e in SKM_PROFILE}
    qs = (
        _Q("calculate", "respondent_id", calculation="once(uuid())"),
        _Q("note", "petunjuk", _t("Survei Kepuasan Masyarakat menurut PermenPANRB Nomor 14 Tahun 2017. Jawaban "
                                  "Saudara dijaga kerahasiaannya.",
                                  "Public satisfaction survey (SKM) under PermenPANRB No. 14/2017. Your answers "
                                  "are kept confidential.")),
        _Q("select_one wilayah", "region", _q(t, "region"), required=True),
        _Q("text", "unit", _q(t, "unit"), _t("Tulis nama unit layanan persis sama untuk setiap responden.",
                                             "Write the service unit's name the same way for every respondent."),
           required=True),
        _Q("select_one periode", "period", _q(t, "period"), required=True),
        *_group("profil", _t("Profil responden", "Respondent profile"), [
            _Q("date", "tanggal_survei", profile["tanggal_survei"], required=True, constraint=". <= today()",
               constraint_message=_t("Tanggal tidak boleh di masa depan.", "The date cannot be in the future.")),
            _Q("select_one jenis_kelamin", "jenis_kelamin", profile["jenis_kelamin"], required=True),
            _Q("select_one usia", "usia", profile["usia"], required=True),
            _Q("select_one pendidikan", "pendidikan", profile["pendidikan"], required=True),
            _Q("select_one pekerjaan", "pekerjaan", profile["pekerjaan"], required=True),
            _Q("text", "pekerjaan_lain", profile["pekerjaan_lain"], relevant="${pekerjaan} = 'lainnya'"),
            _Q("text", "jenis_layanan", profile["jenis_layanan"],
               _t("Misalnya: KTP, akta kelahiran, izin usaha.", "For example: ID card, birth certificate, "
                                                                  "business licence.")),
        ]),
        *_group("pendapat", _t("Pendapat responden tentang pelayanan", "Respondent's view of the service"), [
            _Q(f"select_one {col}", col, _t(q, e), _t(f"Unsur {k}", f"Element {k}"), required=True)
            for k, (col, q, e, _o) in enumerate(SKM_QUESTIONS, start=1)
        ]),
    )
    choices = (("wilayah", _regions(regions)), ("periode", _periods(year)),
               *((name, ch) for name, ch in _PROFILE_CHOICES.items()),
               *((col, skm_choices(col)) for col, _q_, _e, _o in SKM_QUESTIONS))
    return Form("skm", t, "skm", _t("Survei Kepuasan Masyarakat (SKM)", "Public Satisfaction Survey (SKM)"),
                _t("SKM/IKM (PermenPANRB 14/2017), pendukung level 4", "SKM/IKM (PermenPANRB 14/2017), for level 4"),
                qs, choices)


def _invitation() -> Form:
    t = "enrolments"
    qs = (
        _Q("note", "petunjuk", _t("Satu isian per pegawai yang diundang ke satu pelatihan. Kendala diisi saat "
                                  "undangan diterima; kehadiran dan kelulusan setelah pelatihan.",
                                  "One entry per employee invited to one training. Barriers are filled in when "
                                  "the invitation is received; attendance and completion after the training.")),
        _nip(t), _programme(t),
        _yesno(t, "invited"), _yesno(t, "registered"),
        *_group("kendala", _t("Kendala untuk mengikuti pelatihan", "Barriers to attending the training"),
                [_yesno(t, n) for n in ("barrier_time", "barrier_relevance", "barrier_motivation",
                                        "barrier_experienced")]),
        _yesno(t, "attended"),
        _Q("text", "reason_absent", _q(t, "reason_absent"),
           _t("Misalnya: I (izin), S (sakit), A (alpa), DL (dinas luar), C (cuti), TB (tugas belajar).",
              "For example: I (leave with permission), S (sick), A (absent), DL (official travel), C (annual "
              "leave), TB (study leave)."), relevant="${attended} = 'tidak'"),
        _yesno(t, "completed", constraint="not(${attended} = 'tidak' and . = 'ya')",
               constraint_message=_t("Pegawai yang tidak hadir tidak dapat lulus.",
                                     "An employee who did not attend cannot have completed.")),
        _Q("integer", "attendance_share", _q(t, "attendance_share"),
           _t("Persen sesi yang dihadiri; 0 bila tidak hadir.", "Percent of sessions attended; 0 if absent."),
           True, ". >= 0 and . <= 100", _t("Isi angka 0 sampai 100.", "Enter a number from 0 to 100.")),
    )
    return Form("peserta_undangan", t, "peserta", _t("Undangan dan Kehadiran Pelatihan",
                                                     "Training Invitation and Attendance"),
                _t("Partisipasi (undangan, kehadiran, kendala)", "Participation (invitation, attendance, barriers)"),
                qs, (("pelatihan", ()), ("ya_tidak", YESNO_CHOICES)))


def _forms(year: int, regions: Sequence[str] | None = None) -> dict[str, Form]:
    return {f.key: f for f in (_reaction(), _followup(), _skm(year, regions), _invitation())}


#: The four forms (the SKM survey periods are those around the current year).
FORMS: dict[str, Form] = _forms(_dt.date.today().year)


def parse_langs(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"id,en"`` -> ``("id", "en")``; raises ValueError for a language evalkit has no wording in."""
    items = [s.strip().lower() for s in (text.split(",") if isinstance(text, str) else text) if s.strip()]
    bad = [s for s in items if s not in LANGUAGES]
    if bad or not items:
        raise ValueError(f"unknown language(s) {', '.join(bad) or '(none)'}; use id, en or id,en")
    return tuple(dict.fromkeys(items))


def _programme_choices(programmes: Sequence[tuple[str, str] | tuple[str, str, str]] | None) -> tuple[Choice, ...]:
    rows = programmes if programmes else [EXAMPLE_PROGRAMME]
    out = []
    for p in rows:
        code, title_id = p[0], p[1]
        title_en = p[2] if len(p) > 2 else p[1]  # type: ignore[misc]
        out.append(Choice(str(code), str(code), f"{title_id} [{code}]", f"{title_en} [{code}]"))
    return tuple(out)


def xlsform_rows(form: Form, langs: Sequence[str] = ("id", "en"),
                 programmes: Sequence[tuple[str, ...]] | None = None) -> dict[str, list[list[object]]]:
    """The ``survey``, ``choices`` and ``settings`` sheets of one form as rows (the first row is the header).

    ``programmes``: (code, title) or (code, Indonesian title, English title) rows for the programme list;
    by default one clearly marked example to replace.
    """
    langs = parse_langs(langs)
    lab = [f"label::{LANGUAGES[c]}" for c in langs]
    hint = [f"hint::{LANGUAGES[c]}" for c in langs]
    cmsg = [f"constraint_message::{LANGUAGES[c]}" for c in langs]
    rmsg = [f"required_message::{LANGUAGES[c]}" for c in langs]
    head = ["type", "name", *lab, *hint, "required", *rmsg, "constraint", *cmsg, "relevant", "appearance",
            "calculation"]
    survey: list[list[object]] = [head]
    req_text = _t("Wajib diisi.", "This answer is required.")
    for q in form.questions:
        row: list[object] = [q.type, q.name]
        row += [q.label[c] if q.label else "" for c in langs]
        row += [q.hint[c] if q.hint else "" for c in langs]
        row.append("yes" if q.required else "")
        row += [req_text[c] if q.required else "" for c in langs]
        row.append(q.constraint)
        row += [q.constraint_message[c] if q.constraint_message else "" for c in langs]
        row += [q.relevant, q.appearance, q.calculation]
        survey.append(row)
    choices: list[list[object]] = [["list_name", "name", *lab]]
    for list_name, items in form.choices:
        items = _programme_choices(programmes) if list_name == "pelatihan" else items
        for ch in items:
            choices.append([list_name, ch.name, *(ch.id if c == "id" else ch.en for c in langs)])
    title = form.title[langs[0]]
    settings = [["form_title", "form_id", "version", "default_language"],
                [title, f"evalkit_{form.key}", FORM_VERSION, LANGUAGES[langs[0]]]]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsforms(out: str | Path, langs: Sequence[str] | str = ("id", "en"),
                   programmes: Sequence[tuple[str, ...]] | None = None, year: int | None = None,
                   regions: Sequence[str] | None = None) -> list[Path]:
    """Write the four XLSForms as ``out/xlsform_<form>.xlsx``; returns their paths.

    Upload each to KoboToolbox (or convert it for ODK Central); fill the ``pelatihan`` choice list with your
    programmes (replace the CONTOH-001 example row; keep "[CODE]" at the end of each label) and, for the SKM,
    the ``wilayah`` list with your regions. The file names do not start with a table prefix, so a form put
    in the raw folder by mistake is not read as data.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    langs = parse_langs(langs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    forms = _forms(_dt.date.today().year if year is None else year, regions) if (year is not None or regions) \
        else FORMS
    paths = []
    for form in forms.values():
        wb = Workbook()
        wb.remove(wb.active)
        for sheet, rows in xlsform_rows(form, langs, programmes).items():
            ws = wb.create_sheet(sheet)
            for r in rows:
                ws.append(["" if v is None else v for v in r])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
        if programmes is None:  # mark the example row of the programme list
            from openpyxl.styles import PatternFill

            ws = wb["choices"]
            for row in ws.iter_rows(min_row=2):
                if row[0].value == "pelatihan":
                    for cell in row:
                        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        path = out / f"xlsform_{form.key}.xlsx"
        _save(wb, path)
        paths.append(path)
    return paths


def _save(wb: object, path: Path) -> None:
    """Save a workbook with a fixed timestamp, so the same inputs give the same bytes."""
    import datetime as dt

    props = wb.properties  # type: ignore[attr-defined]
    props.created = props.modified = dt.datetime(2026, 1, 1)
    props.creator = "evalkit"
    wb.save(path)  # type: ignore[attr-defined]
