"""School registers as the ministry exports them (Dapodik / Data Referensi), read into
the schools input of docs/files.md.

A register is recognised by its headers (``NPSN`` and a name column), in CSV or
``.xlsx``. Its values come as they are — an NPSN written as a float, ``Kab.``/``KOTA
ADM.`` prefixes, double spaces, status ``N``/``S`` — and are turned into the contract's
values here; regency and district names become the official names of
:mod:`matcher.regions`. What the register says about a school (no internet access, no
electricity, accreditation C) becomes implied needs, reported as such. The result goes
through the same validation as any schools file, so a bad row still rejects the file.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from matcher import regions
from matcher.errors import RowError, ValidationError

# header (folded) -> contract column; the first header found for a column wins
HEADERS: dict[str, str] = {
    "npsn": "school_id",
    "nama": "name",
    "nama sekolah": "name",
    "nama satuan pendidikan": "name",
    "bentuk pendidikan": "level",
    "jenjang": "level",
    "status": "ownership",
    "status sekolah": "ownership",
    "kecamatan": "district",
    "kecamatan kota ln": "district",
    "kabupaten kota": "regency",
    "kab kota": "regency",
    "kab kota negara ln": "regency",
    "provinsi": "province",
    "propinsi": "province",
    "propinsi luar negeri ln": "province",
    "provinsi luar negeri ln": "province",
    "lintang": "latitude",
    "bujur": "longitude",
    "akreditasi": "accreditation",
    "peserta didik": "students",
    "jumlah siswa": "students",
    "pd": "students",
    "guru": "teachers",
    "ptk": "teachers",
    "akses internet": "internet",
    "sumber listrik": "electricity",
    "telepon": "phone",
    "nomor telepon": "phone",
    "email": "email",
    "alamat": "address",
    "desa kelurahan": "village",
}
LEVELS = {
    "sd": "SD",
    "smp": "SMP",
    "sma": "SMA",
    "smk": "SMK",
    "slb": "SLB",
    "mi": "MI",
    "mts": "MTs",
    "ma": "MA",
    "sdlb": "SLB",
    "smplb": "SLB",
    "smalb": "SLB",
    "smlb": "SLB",
    "sma lb": "SLB",
    "smp lb": "SLB",
    "sd lb": "SLB",
    "mak": "MA",
}
# forms of education a register lists that are not schools this engine matches: their
# rows are skipped (and counted), not errors, so a whole regency's export loads as it is
OUT_OF_SCOPE = {
    "tk", "kb", "tpa", "sps", "paud", "ra", "pkbm", "skb", "kursus", "lkp", "tkn", "tklb",
    "spk sd", "spk smp", "spk sma", "pondok pesantren", "spm", "pdf", "mak ln",
}  # fmt: skip
OWNERSHIP = {"n": "negeri", "negeri": "negeri", "s": "swasta", "swasta": "swasta"}
ACCREDITATION = {"a": "A", "b": "B", "c": "C", "unggul": "A", "baik sekali": "B", "baik": "C"}
NONE_WORDS = {"tidak ada", "tidak", "belum ada", "none", "no", "tidak tersedia"}
# what a register's fields imply a school needs (vocabulary codes), and why
IMPLIED = {
    "internet": ("internet_connectivity", "no internet access"),
    "electricity": ("infrastructure", "no electricity"),
    "accreditation": ("teacher_training", "accreditation C"),
}


def _fold(header: Any) -> str:
    return regions.fold(str(header or ""))


def is_register(headers: Iterable[Any]) -> bool:
    """Whether a header row is a register's (an NPSN and a name column), not ours."""
    mapped = {HEADERS.get(_fold(h)) for h in headers}
    return "school_id" in mapped and "name" in mapped and "school_id" not in set(headers)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return _SPACES.sub(" ", str(v)).strip()


_SPACES = re.compile(r"\s+")


def _npsn(v: Any) -> str:
    s = _cell(v).replace(" ", "")
    return s[:-2] if re.fullmatch(r"\d+\.0", s) else s


def _number(v: Any) -> float | None:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return None if isinstance(v, float) and math.isnan(v) else float(v)
    s = _cell(v).replace(",", ".")
    try:
        return float(s) if s else None
    except ValueError:
        return None


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """The header row and ``(line, values)`` rows of a CSV or .xlsx file."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl  # only a register needs it

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a corrupt or mislabelled file: say so, no traceback
            reason = f"not a readable .xlsx ({exc})"
            raise ValidationError(str(path), [RowError(0, "*", reason)]) from None
        rows = book.worksheets[0].iter_rows(values_only=True)
        for i, cells in enumerate(rows, start=1):
            # exports often start with a title block: the header is the first row
            # that names an NPSN column
            if any(_fold(c) == "npsn" for c in cells):
                header = [_cell(c) for c in cells]
                body = ((j, list(r)) for j, r in enumerate(rows, start=i + 1))
                return header, (x for x in body if any(c not in (None, "") for c in x[1]))
        return [], iter(())
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    # the delimiter is the one the header line (the first naming NPSN) uses most
    lines = text[:65536].split("\n")
    head = next((x for x in lines if "npsn" in x.lower()), lines[0])
    delim = max(",;\t", key=head.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    for row in reader:
        if any(_fold(c) == "npsn" for c in row):
            header = [_cell(c) for c in row]

            def csv_body() -> Iterator[tuple[int, list[Any]]]:
                start = reader.line_num + 1
                for r in reader:
                    if any(r):
                        yield start, list(r)
                    start = reader.line_num + 1

            return header, csv_body()
    return [], iter(())


def to_schools(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The register at ``path`` as ``(line, schools record)`` pairs for validation, and
    warnings (rows skipped, coordinates filled, needs implied).

    Raises ValidationError naming every row whose region or form cannot be read.
    """
    header, body = read_table(path)
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        cols.setdefault(HEADERS.get(_fold(h), ""), i)
    cols.pop("", None)
    for need in ("school_id", "name", "level", "ownership", "regency"):
        if need not in cols:
            raise ValidationError(str(path), [RowError(1, need, "register has no column for it")])
    errors: list[RowError] = []
    out: list[tuple[int, dict[str, Any]]] = []
    skipped: dict[str, int] = defaultdict(int)
    implied: list[str] = []
    province_cache: dict[str, regions.Region] = {}

    def get(row: list[Any], col: str) -> Any:
        i = cols.get(col)
        return row[i] if i is not None and i < len(row) else None

    for line, row in body:
        npsn = _npsn(get(row, "school_id"))
        form = _fold(get(row, "level"))
        if form in OUT_OF_SCOPE or form.startswith("spk "):
            skipped[form.upper()] += 1
            continue
        rec: dict[str, Any] = {"school_id": npsn, "name": _cell(get(row, "name"))}
        rec["level"] = LEVELS.get(form, _cell(get(row, "level")))
        own = _fold(get(row, "ownership"))
        rec["ownership"] = OWNERSHIP.get(own, _cell(get(row, "ownership")))
        where = None
        prov_name = _cell(get(row, "province"))
        try:
            prov = None
            if prov_name:
                if prov_name not in province_cache:
                    province_cache[prov_name] = regions.province(prov_name)
                prov = province_cache[prov_name]
            reg = regions.regency(_cell(get(row, "regency")), prov.code if prov else None)
            where = reg
            rec["regency"] = reg.name
            rec["province"] = (prov or regions.province_of(reg)).name
        except regions.RegionError as exc:
            column = "province" if prov_name and prov_name not in province_cache else "regency"
            errors.append(RowError(line, column, str(exc), npsn or None))
        dist = _cell(get(row, "district"))
        if dist and where is not None:
            try:
                rec["district"] = regions.district(dist, where.code).name
            except regions.RegionError as exc:
                errors.append(RowError(line, "district", str(exc), npsn or None))
        for col in ("latitude", "longitude"):
            v = _number(get(row, col))
            rec[col] = None if v in (None, 0.0) else v  # 0 is how exports leave it blank
        for col in ("students", "teachers"):
            v = _number(get(row, col))
            rec[col] = None if v is None else (int(v) if v.is_integer() else v)
        acc = _fold(get(row, "accreditation"))
        rec["accreditation"] = ACCREDITATION.get(acc, "none")
        rec["phone"] = _cell(get(row, "phone"))
        rec["email"] = _cell(get(row, "email"))
        needs: list[str] = []
        for field, (code, why) in IMPLIED.items():
            value = _fold(get(row, field)) if field != "accreditation" else acc
            hit = value == "c" if field == "accreditation" else value in NONE_WORDS
            if hit and code not in needs:
                needs.append(code)
                implied.append(f"line {line} (NPSN {npsn}): {code} implied by {why}")
        rec["needs"] = needs
        out.append((line, rec))
    if errors:
        raise ValidationError(str(path), errors)
    warnings = _fill_coordinates(out, str(path))
    if skipped:
        counts = ", ".join(f"{n} {form}" for form, n in sorted(skipped.items()))
        warnings.append(f"{path}: skipped rows of forms this matcher does not serve: {counts}")
    if implied:
        shown = "; ".join(implied[:5]) + (
            f"; and {len(implied) - 5} more" if len(implied) > 5 else ""
        )
        warnings.append(f"{path}: needs implied by the register (marked implied): {shown}")
    return out, warnings


def _fill_coordinates(rows: list[tuple[int, dict[str, Any]]], source: str) -> list[str]:
    """Give a school without coordinates the mean position of the other schools of its
    kecamatan in the same file (a warning names each); with none, it stays missing and
    validation names the row."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for _, r in rows:
        if r.get("latitude") is not None and r.get("longitude") is not None:
            s = sums[(r.get("regency", ""), r.get("district", ""))]
            s[0] += r["latitude"]
            s[1] += r["longitude"]
            s[2] += 1
    filled = []
    for line, r in rows:
        if r.get("latitude") is None or r.get("longitude") is None:
            mean = sums.get((r.get("regency", ""), r.get("district", "")))
            if mean and mean[2] and r.get("district"):
                r["latitude"], r["longitude"] = mean[0] / mean[2], mean[1] / mean[2]
                filled.append(f"line {line} (NPSN {r['school_id']})")
    if not filled:
        return []
    shown = ", ".join(filled[:5]) + (f" and {len(filled) - 5} more" if len(filled) > 5 else "")
    return [
        f"{source}: no coordinates for {len(filled)} school(s), placed at the middle of "
        f"their kecamatan's other schools: {shown}"
    ]
