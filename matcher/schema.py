"""The input schema of docs/files.md: reading CSV / JSON Lines and validating records.

Validation collects every problem in every record before deciding, so a user sees all
bad rows of a file at once; a file with any bad row is rejected whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.errors import MatcherError, RowError, ValidationError
from matcher.vocabulary import Vocabulary, load_vocabulary

LANG_RE = re.compile(r"^[a-z]{2,3}$")
MAX_TEXT = 5000

# Bounds of every number a user gives, file row, request or option; the API imports them.
# Generous for any real school or partner, tight enough that sums over a district stay
# exact in 64 bits (a capacity of 2**62 broke allocation for everyone).
MAX_STUDENTS = 100_000
MAX_TEACHERS = 10_000
MAX_CAPACITY = 10_000
MAX_RADIUS_KM = 20_037.5  # half the Earth's circumference: anywhere
MAX_K = 100
MAX_EQUITY_WEIGHT = 10.0
# partners per school an allocation may choose among: more covers more schools when the
# best lists crowd onto few partners, at the cost of time (linear in schools x this)
DEFAULT_CANDIDATES = 20
MAX_CANDIDATES = 200
MAX_OUTCOME_WEIGHT = 1.0


def check_option(name: str, value: float, lo: float, hi: float, whole: bool = False) -> float:
    """A numeric option (``k``, ``equity weight``, ...) within ``lo..hi`` and finite (and
    a whole number if ``whole``), or a MatcherError that names it; the command line and
    the engine share these rules."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MatcherError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise MatcherError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    if whole and value != int(value):
        raise MatcherError(f"{name} must be a whole number, got {value!r}")
    return value


class _Bad(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None


# What an id looks like to a JSON Schema reader (the full rule is :func:`id_problem`).
_HIDDEN = r"\x00-\x1f\u200b-\u200f\u2028-\u202e\u2060\ufeff"
ID_PATTERN = rf"^[^\s{_HIDDEN}](?:[^{_HIDDEN}]*[^\s{_HIDDEN}])?$"


def _typed(parse: Callable[[Any], Any], schema: dict[str, Any]) -> Callable[[Any], Any]:
    """Attach the JSON Schema of what ``parse`` accepts (the API documents records with
    it: one source for the rule and its description)."""
    parse.json_schema = schema  # type: ignore[attr-defined]
    return parse


def _schema_of(parse: Callable[[Any], Any]) -> dict[str, Any]:
    return dict(getattr(parse, "json_schema", {}))


def json_schema(
    kind: str, vocab: Vocabulary | None = None, without: str | None = None
) -> dict[str, Any]:
    """The JSON Schema of one record of ``kind`` as JSON (lists as arrays), generated
    from :func:`columns`; ``without`` leaves out one column (the id a URL path gives).
    Descriptive only: :func:`validate_records` stays the judge (e.g. a partner needs
    coordinates unless online, which the schema does not say)."""
    props: dict[str, Any] = {}
    required = []
    for col in columns(kind, vocab):
        if col.name == without:
            continue
        props[col.name] = prop = _schema_of(col.parse)
        if col.required:
            required.append(col.name)
            prop.update(
                {"string": {"minLength": 1}, "array": {"minItems": 1}}.get(prop["type"], {})
            )
        elif col.default is not None:
            props[col.name]["default"] = col.default
    out: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if kind == "partners":  # coordinates are required unless the partner works online
        out["anyOf"] = [
            {"required": ["latitude", "longitude"]},
            {"required": ["online"], "properties": {"online": {"const": True}}},
        ]
    return out


def example(kind: str, data_dir: Path | None = None) -> dict[str, Any]:
    """The first record of the bundled sample's ``kind`` file, as JSON values: real ids
    for the API's examples (so generated requests write records that exist)."""
    from matcher.config import default_data_dir

    path = (data_dir or default_data_dir()) / "sample" / f"{kind}.csv"
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
    frame, _ = validate_records(kind, [(2, next(reader))], str(path))
    out: dict[str, Any] = {}
    for key, value in frame.iloc[0].to_dict().items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, (datetime, pd.Timestamp)):
            ts = pd.Timestamp(value)
            value = ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
        elif hasattr(value, "item"):  # numpy scalars
            value = value.item()
        out[str(key)] = value
    return out


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or v == []


def _string(v: Any, limit: int = MAX_TEXT) -> str:
    if isinstance(v, (dict, list, bool)):
        raise _Bad(f"expected text, got {type(v).__name__}")
    s = str(v).strip()
    if "\x00" in s:
        raise _Bad("contains a NUL character")
    if len(s) > limit:
        raise _Bad(f"longer than {limit} characters")
    return s


def _short(v: Any, limit: int = 60) -> str:
    """``repr(v)``, cut to ``limit`` characters: a message never echoes a huge value."""
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 4] + "...'"


# Characters an id must not hold: controls, format characters (zero-width space and
# joiners, BOM, direction marks) and line or paragraph separators — invisible, so two ids
# that look the same would differ.
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp")


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id, or None: surrounding whitespace, whitespace other
    than a plain space, invisible characters, or text not in Unicode NFC form (the
    same-looking id typed on another keyboard would not match it)."""
    if value != value.strip():
        return "has leading or trailing whitespace"
    for ch in value:
        cat = unicodedata.category(ch)
        if cat in _INVISIBLE or (ch.isspace() and ch != " "):
            return f"contains the invisible or control character U+{ord(ch):04X}"
    if unicodedata.normalize("NFC", value) != value:
        return "is not in Unicode NFC form (write it with composed characters)"
    return None


def id_skeleton(value: str) -> str:
    """What an id looks like, for spotting lookalikes: compatibility-folded, case-folded,
    dashes and spaces unified."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"[\s\u2010-\u2015\u2212_-]+", "-", folded)


def lookalikes(new_ids: Iterable[str], existing: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs ``(new id, existing id)`` that differ but look alike (see
    :func:`id_skeleton`), e.g. ``FX-S3`` and ``fx‐s3``."""
    by_look: dict[str, str] = {}
    for e in existing:
        by_look.setdefault(id_skeleton(e), e)
    out = []
    for n in new_ids:
        other = by_look.get(id_skeleton(n))
        if other is not None and other != n:
            out.append((n, other))
    return out


def _identifier(limit: int):
    """An id: text of at most ``limit`` characters that passes :func:`id_problem`."""

    def parse(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise _Bad(f"expected text, got {type(v).__name__}")
        raw = str(v)
        if "\x00" in raw:
            raise _Bad("contains a NUL character")
        if len(raw) > limit:
            raise _Bad(f"longer than {limit} characters")
        if why := id_problem(raw):
            raise _Bad(f"id {_short(raw)} {why}")
        return raw

    return _typed(
        parse, {"type": "string", "minLength": 1, "maxLength": limit, "pattern": ID_PATTERN}
    )


def _text(limit: int):
    """Text of at most ``limit`` characters (what the database column holds)."""

    def parse(v: Any) -> str:
        return _string(v, limit)

    return _typed(parse, {"type": "string", "maxLength": limit})


def _float(lo: float | None = None, hi: float | None = None, gt: float | None = None):
    def parse(v: Any) -> float:
        if isinstance(v, bool):
            raise _Bad(f"{v!r} is not a number")
        try:
            x = float(str(v).strip()) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            raise _Bad(f"{_short(v)} is not a number") from None
        if not math.isfinite(x):
            raise _Bad(f"{_short(v)} is not a finite number")
        if lo is not None and x < lo:
            raise _Bad(
                f"{x:g} is below {lo:g}" if hi is None else f"{x:g} is outside {lo:g}..{hi:g}"
            )
        if hi is not None and x > hi:
            raise _Bad(
                f"{x:g} is above {hi:g}" if lo is None else f"{x:g} is outside {lo:g}..{hi:g}"
            )
        if gt is not None and x <= gt:
            raise _Bad(f"{x:g} must be greater than {gt:g}")
        return x

    bounds = {"minimum": lo, "maximum": hi, "exclusiveMinimum": gt}
    return _typed(parse, {"type": "number", **{k: b for k, b in bounds.items() if b is not None}})


def _int(lo: int, hi: int | None = None):
    def parse(v: Any) -> int:
        if isinstance(v, bool):
            raise _Bad(f"{v!r} is not a whole number")
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, int):
            x = v
        else:
            s = str(v).strip()
            if not re.fullmatch(r"[+-]?\d{1,30}", s):
                raise _Bad(f"{_short(v)} is not a whole number")
            x = int(s)
        if x < lo:
            raise _Bad(f"{x} is below {lo}")
        if hi is not None and x > hi:
            raise _Bad(f"{x} is outside {lo}..{hi}")
        return x

    bounds = {"minimum": lo, "maximum": hi}
    return _typed(parse, {"type": "integer", **{k: b for k, b in bounds.items() if b is not None}})


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "1", "yes", "ya", "y"):
        return True
    if s in ("false", "0", "no", "tidak", "n"):
        return False
    raise _Bad(f"{v!r} is not true/false")


def _choice(options: Iterable[str], what: str):
    opts = tuple(options)
    lower = {o.lower(): o for o in opts}

    def parse(v: Any) -> str:
        s = _string(v)
        if s in opts:
            return s
        if s.lower() in lower:
            return lower[s.lower()]
        raise _Bad(f"{_short(s)} is not a {what} (one of {', '.join(opts)})")

    return _typed(parse, {"type": "string", "enum": list(opts)})


def _split(v: Any) -> list[str]:
    if isinstance(v, list):
        items = v
    elif isinstance(v, str):
        items = v.split(";")
    else:
        raise _Bad(f"expected a list, got {type(v).__name__}")
    out = []
    for x in items:
        if not isinstance(x, str):
            raise _Bad(f"list item {x!r} is not text")
        x = x.strip()
        if x and x not in out:
            out.append(x)
    return out


def _codes(vocab: Vocabulary):
    known = set(vocab.codes)

    def parse(v: Any) -> list[str]:
        items = _split(v)
        bad = [x for x in items if x not in known]
        if bad:
            raise _Bad(
                f"unknown code{'s' if len(bad) > 1 else ''} {', '.join(map(repr, bad))} "
                "(see data/vocabulary.json)"
            )
        return items

    codes = {"type": "string", "enum": list(vocab.codes)}
    return _typed(parse, {"type": "array", "items": codes, "uniqueItems": True})


def _levels(vocab: Vocabulary):
    choice = _choice(vocab.levels, "level")

    def parse(v: Any) -> list[str]:
        return [choice(x) for x in _split(v)]

    return _typed(parse, {"type": "array", "items": _schema_of(choice), "uniqueItems": True})


def _languages(v: Any) -> list[str]:
    items = [x.lower() for x in _split(v)]
    bad = [x for x in items if not LANG_RE.match(x)]
    if bad:
        raise _Bad(f"{', '.join(map(repr, bad))} not ISO 639 language codes (e.g. id, en, jv)")
    return items


PHONE_RE = re.compile(r"^\+?[0-9][0-9 ().-]{4,23}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _phone(v: Any) -> str:
    s = _string(v, 30)
    if not PHONE_RE.match(s) or sum(c.isdigit() for c in s) < 6:
        raise _Bad(f"{s!r} is not a phone number (digits, spaces, +, -; e.g. +62 812 3456 7890)")
    return s


def _email(v: Any) -> str:
    s = _string(v, 254)
    if not EMAIL_RE.match(s):
        raise _Bad(f"{s!r} is not an e-mail address")
    return s


def _contacts() -> list[Column]:
    """Who to talk to (docs/files.md); shown to the other side once a proposal is
    accepted."""
    return [
        Column("contact_name", _text(120), False, ""),
        Column("phone", _phone, False, ""),
        Column("email", _email, False, ""),
        Column("whatsapp", _phone, False, ""),
    ]


CONTACT_COLUMNS = ("contact_name", "phone", "email", "whatsapp")


def _timestamp(v: Any) -> datetime:
    s = _string(v)
    try:
        if len(s) == 10:
            d = date.fromisoformat(s)
            ts = datetime(d.year, d.month, d.day)
        else:
            ts = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise _Bad(f"{s!r} is not an ISO 8601 date or datetime") from None
    if ts.tzinfo is not None:
        ts = ts.astimezone(UTC).replace(tzinfo=None)
    return ts


_typed(_bool, {"type": "boolean"})
_typed(_string, {"type": "string", "maxLength": MAX_TEXT})
_typed(_languages, {"type": "array", "items": {"type": "string", "pattern": LANG_RE.pattern}})
_typed(_timestamp, {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]})


def columns(kind: str, vocab: Vocabulary | None = None) -> list[Column]:
    """The columns of one input kind, in contract order."""
    v = vocab or load_vocabulary()
    text = _string
    if kind == "schools":
        return [
            Column("school_id", _identifier(64), True),
            Column("name", _text(300), True),
            Column("level", _choice(v.levels, "level"), True),
            Column("ownership", _choice(v.ownership, "ownership"), True),
            Column("province", _text(120), True),
            Column("regency", _text(120), True),
            Column("district", _text(120), False, ""),
            Column("latitude", _float(-90, 90), True),
            Column("longitude", _float(-180, 180), True),
            Column("students", _int(0, MAX_STUDENTS), False, None),
            Column("teachers", _int(0, MAX_TEACHERS), False, None),
            Column("accreditation", _choice(v.accreditation, "accreditation"), False, "none"),
            Column("needs", _codes(v), True),
            Column("offers", _codes(v), False, []),
            Column("description", text, False, ""),
            Column("languages", _languages, False, ["id"]),
            Column("capacity", _int(1, MAX_CAPACITY), False, 3),
            *_contacts(),
        ]
    if kind == "partners":
        return [
            Column("partner_id", _identifier(64), True),
            Column("name", _text(300), True),
            Column("type", _choice(v.partner_types, "partner type"), True),
            Column("sector", _text(120), False, ""),
            Column("province", _text(120), False, ""),
            Column("regency", _text(120), False, ""),
            Column("latitude", _float(-90, 90), False, None),
            Column("longitude", _float(-180, 180), False, None),
            Column("service_radius_km", _float(hi=MAX_RADIUS_KM, gt=0), False, 50.0),
            Column("online", _bool, False, False),
            Column("offers", _codes(v), True),
            Column("needs", _codes(v), False, []),
            Column("levels", _levels(v), False, []),
            Column("description", text, False, ""),
            Column("languages", _languages, False, ["id"]),
            Column("capacity", _int(1, MAX_CAPACITY), False, 5),
            *_contacts(),
        ]
    if kind == "outcomes":
        return [
            Column("outcome_id", _identifier(80), False, None),
            Column("school_id", _identifier(64), True),
            Column("partner_id", _identifier(64), True),
            Column("status", _choice(v.statuses, "status"), True),
            Column("school_rating", _int(1, 5), False, None),
            Column("partner_rating", _int(1, 5), False, None),
            Column("recorded_at", _timestamp, True),
        ]
    raise ValueError(f"unknown kind {kind!r}")


ID_COLUMN = {"schools": "school_id", "partners": "partner_id", "outcomes": "outcome_id"}


def outcome_key(rec: dict[str, Any]) -> str:
    """A deterministic id for an outcome given without one, so reloading adds nothing."""
    parts = [
        rec["school_id"],
        rec["partner_id"],
        rec["status"],
        rec["recorded_at"].isoformat(),
        str(rec.get("school_rating")),
        str(rec.get("partner_rating")),
    ]
    return "auto-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def validate_records(
    kind: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    source: str,
    vocab: Vocabulary | None = None,
    optional: dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Validate ``(line, record)`` pairs of one kind; a column named in ``optional`` may
    be empty even where the contract requires it, taking the value given there (a
    register's needs: ``{"needs": []}``).

    Returns
    -------
    frame : DataFrame
        One row per record, typed, defaults filled, in contract column order.
    warnings : list of str
        Non-fatal remarks (ignored extra columns).

    Raises
    ------
    ValidationError
        Naming every bad record (line, column, reason); nothing is returned then.
    """
    cols = [
        Column(c.name, c.parse, False, (optional or {})[c.name])
        if c.name in (optional or {})
        else c
        for c in columns(kind, vocab)
    ]
    names = {c.name for c in cols}
    id_col = ID_COLUMN[kind]
    errors: list[RowError] = []
    out: list[dict[str, Any]] = []
    extra: set[str] = set()
    seen: dict[str, int] = {}
    lines: list[int] = []
    for line, raw in rows:
        lines.append(line)
        if not isinstance(raw, dict):
            errors.append(RowError(line, "*", "record is not an object"))
            continue
        extra.update(k for k in raw if k not in names)
        rid = raw.get(id_col)
        rid_s = str(rid).strip() if isinstance(rid, (str, int)) else None
        rec: dict[str, Any] = {}
        for col in cols:
            val = raw.get(col.name)
            if _blank(val):
                if col.required:
                    errors.append(RowError(line, col.name, "required but empty", rid_s))
                rec[col.name] = list(col.default) if isinstance(col.default, list) else col.default
                continue
            try:
                rec[col.name] = col.parse(val)
            except _Bad as bad:
                errors.append(RowError(line, col.name, bad.reason, rid_s))
                rec[col.name] = col.default
        if kind == "partners" and not rec.get("online"):
            for c in ("latitude", "longitude"):
                if rec.get(c) is None and not any(e.line == line and e.column == c for e in errors):
                    errors.append(RowError(line, c, "required unless online is true", rid_s))
        if kind == "partners" and (rec.get("latitude") is None) != (rec.get("longitude") is None):
            errors.append(RowError(line, "latitude", "give both latitude and longitude", rid_s))
        key = rec.get(id_col)
        if kind == "outcomes" and key is None and not any(e.line == line for e in errors):
            key = rec["outcome_id"] = outcome_key(rec)
        if key is not None:
            if key in seen:
                errors.append(
                    RowError(line, id_col, f"duplicate id {key!r} (first on line {seen[key]})")
                )
            else:
                seen[key] = line
        out.append(rec)
    if errors:
        raise ValidationError(source, errors)
    warnings = [f"{source}: ignored extra column(s): {', '.join(sorted(extra))}"] if extra else []
    frame = pd.DataFrame(out, columns=[c.name for c in cols])
    frame.attrs["lines"] = lines
    return frame, warnings


# A CSV field may be as long as any file; the length rules of :func:`columns` then name
# the line and column of one that is too long (csv's own limit would stop the read with
# no line number).
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _decode(path: Path) -> str:
    """The file's text (UTF-8, a leading BOM dropped), or a ValidationError naming the
    first line that is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            str(path),
            [RowError(line, "*", "not UTF-8 (save the file as UTF-8, e.g. from Excel: CSV UTF-8)")],
        ) from None


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, record)`` from a CSV or JSON Lines file, by extension."""
    suffix = path.suffix.lower()
    name = str(path)
    if suffix == ".csv":
        reader = csv.DictReader(io.StringIO(_decode(path), newline=""))
        if not reader.fieldnames:
            return
        header = reader.fieldnames
        if len(header) == 1 and (sep := next((d for d in ";\t|" if d in header[0]), None)):
            shown = "tab" if sep == "\t" else repr(sep)
            raise ValidationError(
                name,
                [RowError(1, "*", f"header has one column: is the delimiter {shown}? use ','")],
            )
        start = reader.line_num + 1
        for rec in reader:
            if None in rec:
                raise ValidationError(
                    name, [RowError(start, "*", "more values than header columns")]
                )
            yield start, dict(rec)
            start = reader.line_num + 1
    elif suffix in (".jsonl", ".ndjson"):
        # split on newlines only: U+2028 and friends may stand inside JSON strings
        for i, line in enumerate(_decode(path).split("\n"), start=1):
            if not line.strip():
                continue
            try:
                yield i, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(
                    name, [RowError(i, "*", f"not valid JSON ({exc.msg})")]
                ) from None
            except RecursionError:
                raise ValidationError(
                    name, [RowError(i, "*", "nested too deeply: a record is one flat object")]
                ) from None
    else:
        raise ValidationError(name, [RowError(0, "*", "unknown file type; use .csv or .jsonl")])


def _is_register(path: Path) -> bool:
    """Whether a schools file is a ministry register (``.xlsx``, or a CSV whose headers
    are a register's) rather than the contract's own columns."""
    if path.suffix.lower() == ".xlsx":
        return True
    if path.suffix.lower() != ".csv":
        return False
    from matcher import registers

    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        head = [fh.readline() for _ in range(20)]
    return any(
        registers.is_register(next(csv.reader([h], delimiter=d)))
        for h in head
        for d in ",;\t"
        if h.strip()
    )


def read_file(kind: str, path: Path | str, vocab: Vocabulary | None = None):
    """Read and validate one input file; see :func:`validate_records`. Errors name the
    file as given."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError(str(p), [RowError(0, "*", "file not found")])
    if kind == "schools" and _is_register(p):
        from matcher import registers  # region names are read only for a register

        rows, warnings = registers.to_schools(p)
        if not rows:
            raise ValidationError(str(p), [RowError(1, "*", "no schools in the register")])
        frame, more = validate_records(kind, rows, str(p), vocab, optional={"needs": []})
        frame.attrs["register"] = True  # its blanks must not erase what a school filled in
        return frame, warnings + more
    rows = list(read_rows(p))
    if not rows:
        raise ValidationError(str(p), [RowError(1, "*", "no records")])
    return validate_records(kind, rows, str(p), vocab)
