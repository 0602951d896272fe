"""Field-file formats: how each region writes dates, money, numbers, NIPs, Likert answers; CSV/XLSX writers.

Every formatter takes the generator's ``numpy.random.Generator`` where it varies the spelling, so the
output is a pure function of the seed. The XLSX writer pins the timestamps openpyxl would otherwise stamp
(``docProps/core.xml`` and the zip entries) so that the same seed gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "Profile", "PROFILES", "MONTHS", "fmt_date", "fmt_month", "fmt_quarter", "fmt_semester", "fmt_rupiah",
    "fmt_number", "fmt_percent", "fmt_nip", "fmt_likert", "fmt_skm4", "fmt_yesno", "fmt_region",
    "write_csv", "write_xlsx", "FIXED_TIMESTAMP",
]

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des")
_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_ROMAN = ("I", "II", "III", "IV")
#: The timestamp written into every XLSX (document properties and zip entries).
FIXED_TIMESTAMP = dt.datetime(2025, 1, 6, 8, 0, 0)


@dataclass(frozen=True)
class Profile:
    """How one region's evaluators produce their files.

    Attributes
    ----------
    small_format, big_format : str
        ``"csv"`` or ``"xlsx"`` for the small tables and for the big ones (performance, SKM).
    sep, encoding, lineterminator : str
        CSV dialect.
    decimal : str
        ``"id"`` writes ``78,5``; ``"en"`` writes ``78.5`` (never with three fraction digits, so it cannot be
        mistaken for a thousands separator).
    date_styles : tuple of (style, weight)
        Date spellings and how often each appears.
    likert, yesno, skm4, quarter, month, semester, rupiah, percent : str
        Style names understood by the formatters below.
    nip_space, nip_dot : float
        Share of NIPs printed with spaces / dots.
    alias : str
        Header choice: ``"first"``, ``"second"``, ``"last"`` or ``"rotate"`` over the spec's aliases.
    order : str
        Column order: ``"spec"``, ``"reverse"``, ``"shuffle"``.
    title_rows : int
        Title rows above the header in XLSX files (with 1, only the HR, programme and budget workbooks
        carry a title; with 2, every workbook has a title and a "Sumber:" line).
    region_mix : float
        Share of rows that use another spelling of the region name.
    thousands : bool
        Write integers with ``.`` thousands separators (``3.243``).
    """

    small_format: str
    big_format: str
    sep: str = ","
    encoding: str = "utf-8"
    lineterminator: str = "\n"
    decimal: str = "en"
    date_styles: tuple[tuple[str, float], ...] = (("iso", 1.0),)
    likert: str = "text"
    yesno: str = "ya_tidak"
    skm4: str = "digit"
    quarter: str = "iso"
    month: str = "text"
    semester: str = "text"
    rupiah: str = "plain"
    percent: str = "pct_sign"
    nip_space: float = 0.0
    nip_dot: float = 0.0
    alias: str = "first"
    order: str = "spec"
    title_rows: int = 0
    region_mix: float = 0.1
    thousands: bool = False


PROFILES: dict[str, Profile] = {
    "Mamuju": Profile(
        small_format="xlsx", big_format="csv", decimal="en",
        date_styles=(("id_long", 0.75), ("id_short", 0.15), ("dmy", 0.10)),
        likert="text", yesno="ya_tidak", skm4="digit", quarter="triwulan", month="text", semester="text",
        rupiah="rp_nospace", percent="pct_sign", nip_space=0.1, alias="first", order="spec", title_rows=2,
    ),
    "Batanghari": Profile(
        small_format="csv", big_format="csv", sep=";", encoding="cp1252", lineterminator="\r\n", decimal="id",
        date_styles=(("dmy", 0.7), ("id_long", 0.3)),
        likert="abbrev", yesno="y_t", skm4="wording", quarter="tw", month="text", semester="text",
        rupiah="rp_space", percent="plain", nip_space=0.35, alias="second", order="shuffle", thousands=True,
    ),
    "DKI Jakarta": Profile(
        small_format="xlsx", big_format="csv", decimal="en",
        date_styles=(("excel", 0.8), ("iso", 0.2)),
        likert="digit", yesno="one_zero", skm4="digit", quarter="iso", month="iso", semester="iso",
        rupiah="number", percent="plain", nip_space=0.0, alias="first", order="reverse", title_rows=1,
    ),
    "Bukittinggi": Profile(
        small_format="csv", big_format="csv", encoding="utf-8-sig", decimal="id",
        date_styles=(("id_day", 0.6), ("id_long", 0.3), ("iso", 0.1)),
        likert="text_messy", yesno="lower", skm4="digit", quarter="triwulan", month="text", semester="text",
        rupiah="rp_nospace", percent="share", nip_dot=0.4, alias="rotate", order="spec",
    ),
    "Ampenan": Profile(
        small_format="csv", big_format="csv", decimal="id",
        date_styles=(("id_short", 0.6), ("id_long", 0.3), ("dmy", 0.1)),
        likert="mixed", yesno="mixed", skm4="mixed", quarter="iso", month="text", semester="text",
        rupiah="rp_space", percent="pct_sign", nip_space=0.5, alias="last", order="shuffle",
    ),
}


def _pick(rng: np.random.Generator, styles: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([s for s, _ in styles])
    w = np.array([p for _, p in styles], dtype=float)
    return names[rng.choice(len(names), size=n, p=w / w.sum())]


def _month_name(m: int, rng_u: float) -> str:
    name = MONTHS[m - 1]
    if m == 2 and rng_u < 0.4:
        return "Pebruari"
    if m == 11 and rng_u < 0.4:
        return "Nopember"
    return name


def fmt_date(dates, profile: Profile, rng: np.random.Generator) -> list:
    """Write dates in the region's Indonesian spellings.

    Parameters
    ----------
    dates : sequence of datetime.date
    profile : Profile
    rng : numpy.random.Generator

    Returns
    -------
    list
        Strings, or ``datetime.datetime`` objects for the ``"excel"`` style (real date cells in XLSX).
    """
    dates = list(dates)
    styles = _pick(rng, profile.date_styles, len(dates))
    u = rng.random(len(dates))
    out: list = []
    for d, s, ui in zip(dates, styles, u):
        if s == "iso":
            out.append(d.isoformat())
        elif s == "dmy":
            out.append(f"{d.day:02d}/{d.month:02d}/{d.year}")
        elif s == "id_long":
            out.append(f"{d.day} {_month_name(d.month, ui)} {d.year}")
        elif s == "id_short":
            out.append(f"{d.day} {_MONTHS_SHORT[d.month - 1]} {d.year}")
        elif s == "id_day":
            out.append(f"{_DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}")
        elif s == "excel":
            out.append(dt.datetime(d.year, d.month, d.day))
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown date style {s!r}")
    return out


def fmt_month(year: np.ndarray, month: np.ndarray, style: str) -> np.ndarray:
    """Calendar months as ``"Januari 2023"`` (``text``) or ``"2023-01"`` (``iso``)."""
    year, month = np.asarray(year), np.asarray(month)
    if style == "iso":
        return np.array([f"{y}-{m:02d}" for y, m in zip(year, month)], dtype=object)
    return np.array([f"{MONTHS[m - 1]} {y}" for y, m in zip(year, month)], dtype=object)


def fmt_quarter(labels: np.ndarray, style: str) -> np.ndarray:
    """Quarters ``"2023Q1"`` written as ``"2023-Q1"`` (iso), ``"Triwulan I 2023"`` or ``"TW 1 2023"``."""
    uniq = {}
    for lab in pd.unique(np.asarray(labels)):
        y, q = lab[:4], int(lab[-1])
        uniq[lab] = {"iso": f"{y}-Q{q}", "triwulan": f"Triwulan {_ROMAN[q - 1]} {y}", "tw": f"TW {q} {y}"}[style]
    return pd.Series(labels).map(uniq).to_numpy(dtype=object)


def fmt_semester(labels: np.ndarray, style: str) -> np.ndarray:
    """Semesters ``"2024S1"`` written as ``"Semester I 2024"`` (text) or ``"2024-S1"`` (iso)."""
    out = []
    for lab in labels:
        y, s = lab[:4], int(lab[-1])
        out.append(f"{y}-S{s}" if style == "iso" else f"Semester {_ROMAN[s - 1]} {y}")
    return np.array(out, dtype=object)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def fmt_rupiah(values, style: str) -> list:
    """Rupiah amounts: ``Rp1.250.000,00`` (rp_nospace), ``Rp 1.250.000`` (rp_space), ``1250000`` (plain) or a
    number (``number``, for XLSX). Negative amounts keep their sign after ``Rp`` (``Rp-15.000.000``)."""
    out: list = []
    for v in values:
        v = int(round(float(v)))
        sign = "-" if v < 0 else ""
        a = abs(v)
        if style == "rp_nospace":
            out.append(f"Rp{sign}{_thousands(a)},00")
        elif style == "rp_space":
            out.append(f"Rp {sign}{_thousands(a)}")
        elif style == "plain":
            out.append(str(v))
        else:
            out.append(v)
    return out


def fmt_number(values, decimals: int, profile: Profile, as_number: bool = False):
    """Numbers with the region's decimal mark; integers get ``.`` thousands separators where the region uses
    them. With ``as_number`` (XLSX) the values stay numeric."""
    arr = np.asarray(values, dtype=float)
    if as_number:
        if decimals == 0:
            return [int(v) for v in np.round(arr)]
        return [float(v) for v in np.round(arr, decimals)]
    if decimals == 0:
        ints = np.round(arr).astype(np.int64)
        if profile.thousands:
            return [_thousands(int(v)) for v in ints]
        return ints.astype(str).astype(object)
    s = pd.Series(np.round(arr, decimals)).map(("{:.%df}" % decimals).format)
    if profile.decimal == "id":
        s = s.str.replace(".", ",", regex=False)
    return s.to_numpy(dtype=object)


def fmt_percent(shares, profile: Profile, as_number: bool = False):
    """Shares in [0, 1] as ``"85%"`` / ``"84,6%"`` (pct_sign), ``"84.6"`` (plain) or ``"0,85"`` (share)."""
    arr = np.asarray(shares, dtype=float)
    if profile.percent == "share":
        s = pd.Series(np.round(arr, 2)).map("{:.2f}".format)
        return (s.str.replace(".", ",", regex=False) if profile.decimal == "id" else s).to_numpy(dtype=object)
    pct = np.round(arr * 100, 1)
    if as_number:
        return [float(v) for v in pct]
    s = pd.Series(pct).map("{:.1f}".format).str.replace(".0", "", regex=False)
    if profile.decimal == "id":
        s = s.str.replace(".", ",", regex=False)
    if profile.percent == "pct_sign":
        s = s + "%"
    return s.to_numpy(dtype=object)


def fmt_nip(nips: np.ndarray, profile: Profile, rng: np.random.Generator) -> np.ndarray:
    """NIPs printed plain, with spaces (``19850317 201001 2 004``) or dots, as the region does."""
    nips = np.asarray(nips, dtype=object)
    u = rng.random(len(nips))
    out = nips.copy()
    sp = u < profile.nip_space
    dot = (u >= profile.nip_space) & (u < profile.nip_space + profile.nip_dot)
    if sp.any():
        out[sp] = [f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}" for n in nips[sp]]
    if dot.any():
        out[dot] = [f"{n[:8]}.{n[8:14]}.{n[14]}.{n[15:]}" for n in nips[dot]]
    return out


_LIKERT_TEXT = ("Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju")
_LIKERT_RAGU = ("Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju")
_LIKERT_ABBR = ("STS", "TS", "RR", "S", "SS")
_LIKERT_ABBR_N = ("STS", "TS", "N", "S", "SS")


def fmt_likert(values: np.ndarray, profile: Profile, rng: np.random.Generator, as_number: bool = False):
    """5-point agreement answers (1..5) in the region's wording: full text, abbreviations, digits or a mix,
    with occasional odd case and stray spaces."""
    v = np.asarray(values, dtype=int)
    n = len(v)
    if profile.likert == "digit":
        return [int(x) for x in v] if as_number else v.astype(str).astype(object)
    u = rng.random(n)
    if profile.likert == "abbrev":
        out = np.array(_LIKERT_ABBR, dtype=object)[v - 1]
        return out
    if profile.likert == "text":
        return np.array(_LIKERT_TEXT, dtype=object)[v - 1]
    if profile.likert == "text_messy":
        out = np.where(u < 0.5, np.array(_LIKERT_RAGU, dtype=object)[v - 1],
                       np.array(_LIKERT_TEXT, dtype=object)[v - 1]).astype(object)
        low = u > 0.85
        out[low] = [s.lower() for s in out[low]]
        up = (u > 0.75) & (u <= 0.85)
        out[up] = [s.upper() for s in out[up]]
        pad = (u > 0.70) & (u <= 0.75)
        out[pad] = [f" {s}  " for s in out[pad]]
        return out
    # mixed: text, abbreviations (with N or RR) and digits
    out = np.array(_LIKERT_TEXT, dtype=object)[v - 1].copy()
    a = u < 0.35
    out[a] = np.array(_LIKERT_ABBR_N, dtype=object)[v[a] - 1]
    b = (u >= 0.35) & (u < 0.5)
    out[b] = np.array(_LIKERT_ABBR, dtype=object)[v[b] - 1]
    d = u >= 0.9
    out[d] = v[d].astype(str)
    return out


_SKM_WORDS = ("Tidak Sesuai", "Kurang Sesuai", "Sesuai", "Sangat Sesuai")


def fmt_skm4(values: np.ndarray, profile: Profile, rng: np.random.Generator) -> np.ndarray:
    """SKM answers 1..4 as digits, as wording (``Tidak Sesuai`` ... ``Sangat Sesuai``) or a mix of both."""
    v = np.asarray(values, dtype=int)
    digits = v.astype(str).astype(object)
    if profile.skm4 == "digit":
        return digits
    words = np.array(_SKM_WORDS, dtype=object)[v - 1]
    if profile.skm4 == "wording":
        return words
    u = rng.random(v.shape)
    return np.where(u < 0.3, words, digits).astype(object)


def fmt_yesno(values: np.ndarray, profile: Profile, rng: np.random.Generator, as_number: bool = False):
    """Booleans as Ya/Tidak, Y/T, 1/0, lower case or a mix."""
    b = np.asarray(values, dtype=bool)
    style = profile.yesno
    if style == "one_zero":
        return [int(x) for x in b] if as_number else np.where(b, "1", "0").astype(object)
    if style == "y_t":
        return np.where(b, "Y", "T").astype(object)
    if style == "lower":
        return np.where(b, "ya", "tidak").astype(object)
    out = np.where(b, "Ya", "Tidak").astype(object)
    if style == "mixed":
        u = rng.random(len(b))
        m = u < 0.3
        out[m] = np.where(b[m], "Y", "T")
    return out


def fmt_region(region: str, n: int, variants: tuple[str, ...], profile: Profile,
               rng: np.random.Generator) -> np.ndarray:
    """The region name as written in a file: mostly the file's usual spelling, sometimes another variant."""
    u = rng.random(n)
    alt = rng.integers(1, len(variants), size=n)
    out = np.full(n, variants[0], dtype=object)
    m = u < profile.region_mix
    out[m] = np.array(variants, dtype=object)[alt[m]]
    return out


# ------------------------------------------------------------------------------------------------ writers

def write_csv(df: pd.DataFrame, path: Path, profile: Profile) -> None:
    """Write a table of already formatted cells as CSV in the region's dialect (every cell quoted only if
    needed; ``;`` + Windows-1252 + CRLF in Batanghari, UTF-8 with BOM in Bukittinggi)."""
    text = df.to_csv(index=False, sep=profile.sep, lineterminator=profile.lineterminator)
    Path(path).write_bytes(text.encode(profile.encoding, errors="replace"))


def write_xlsx(df: pd.DataFrame, path: Path, title_rows: tuple[str, ...] = (), sheet: str = "Data") -> None:
    """Write an XLSX with optional title rows above the header, byte-identical for identical input.

    openpyxl stamps the current time into ``docProps/core.xml`` and the zip entries; both are replaced by
    ``FIXED_TIMESTAMP`` after saving.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for t in title_rows:
        ws.append([t])
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        ws.append([None if (isinstance(x, float) and np.isnan(x)) else x for x in row])
    wb.properties.creator = "BKPSDM"
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    buf = io.BytesIO()
    wb.save(buf)
    _pin_zip(buf.getvalue(), Path(path))


_STAMP_RE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _pin_zip(data: bytes, path: Path) -> None:
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMP_RE.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            zout.writestr(zi, content)
    path.write_bytes(out.getvalue())
