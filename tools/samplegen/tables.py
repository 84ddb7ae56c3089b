"""The generator's tables, read from the JSON files in ``data/`` beside this module.

Places, phrase templates, partner profiles, name parts and the two fixed records are data,
so they can be read and edited without touching the simulation. This module only loads
them into the shapes the code uses (tuples, arrays, small frozen records).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as fh:
        out: dict[str, Any] = json.load(fh)
    return out


_VOCAB = _load("vocabulary.json")
_GEO = _load("geography.json")
_TEXT = _load("text.json")
_PARTNERS = _load("partners.json")
_NAMES = _load("names.json")
_FIXED = _load("fixed.json")
_SCHOOLS = _load("schools.json")

# ---- vocabulary (own copy: the generator must not depend on the engine) ----------------

CODES: tuple[str, ...] = tuple(_VOCAB["codes"])
CI: dict[str, int] = {c: i for i, c in enumerate(CODES)}
N_CODES = len(CODES)
TO_PARTNER = frozenset(CODES[CI[_VOCAB["first_to_partner"]] :])
LEVELS: tuple[str, ...] = tuple(_VOCAB["levels"])
LI: dict[str, int] = {lv: i for i, lv in enumerate(LEVELS)}
PARTNER_TYPES: tuple[str, ...] = tuple(_VOCAB["partner_types"])
LANG_BITS: dict[str, int] = dict(_VOCAB["language_bits"])

# ---- geography ---------------------------------------------------------------------------

Kecamatan = tuple[str, float, float, float]  # name, latitude, longitude, P(remote school)
# regency, short name, is a kota, share of schools, spread (degrees), second language and
# its probability, kecamatan
EAST_JAVA: tuple[tuple[str, str, bool, float, float, str, float, tuple[Kecamatan, ...]], ...] = (
    tuple(
        (
            r["regency"],
            r["short"],
            r["kota"],
            r["share"],
            r["sigma"],
            r["lang2"],
            r["lang2_p"],
            tuple((k["name"], k["lat"], k["lon"], k["remote"]) for k in r["kecamatan"]),
        )
        for r in _GEO["east_java"]
    )
)
_PROVINCE_FIELDS = (
    "province",
    "capital",
    "lat",
    "lon",
    "lat_min",
    "lat_max",
    "lon_min",
    "lon_max",
    "weight",
    "remote",
    "lang2",
    "lang2_p",
)
# province, capital, lat, lon, lat_min, lat_max, lon_min, lon_max, school weight, remote
# share, second language, its probability
PROVINCES: tuple[tuple[Any, ...], ...] = tuple(
    tuple(p[f] for f in _PROVINCE_FIELDS) for p in _GEO["provinces"]
)
JAKARTA_REGENCIES: tuple[tuple[str, float, float], ...] = tuple(
    (r["regency"], r["lat"], r["lon"]) for r in _GEO["jakarta_regencies"]
)
YOGYA_REGENCIES: tuple[tuple[str, float, float], ...] = tuple(
    (r["regency"], r["lat"], r["lon"]) for r in _GEO["yogya_regencies"]
)
PLACE_HEAD: tuple[str, ...] = tuple(_GEO["place_head"])
PLACE_TAIL: tuple[str, ...] = tuple(_GEO["place_tail"])
COMPASS: tuple[str, ...] = tuple(_GEO["compass"])
EXTRA_KECAMATAN: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _GEO["extra_kecamatan"].items()
}
PARTNER_PLACES: tuple[tuple[str, str, float, float, float, float], ...] = tuple(
    (r["province"], r["regency"], r["lat"], r["lon"], r["sigma"], r["weight"])
    for r in _GEO["partner_places"]
)

# ---- text --------------------------------------------------------------------------------

LEVEL_LONG_ID: dict[str, str] = dict(_TEXT["level_long_id"])
LEVEL_LONG_EN: dict[str, str] = dict(_TEXT["level_long_en"])
# code -> (need sentences id, need sentences en, noun phrase id, noun phrase en)
PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {
    k: (tuple(v["need_id"]), tuple(v["need_en"]), v["noun_id"], v["noun_en"])
    for k, v in _TEXT["phrases"].items()
}
INTRO_ID: tuple[str, ...] = tuple(_TEXT["intro_id"])
INTRO_REMOTE_ID: tuple[str, ...] = tuple(_TEXT["intro_remote_id"])
INTRO_EN: tuple[str, ...] = tuple(_TEXT["intro_en"])
INTRO_REMOTE_EN: tuple[str, ...] = tuple(_TEXT["intro_remote_en"])
CLOSE_ID: tuple[str, ...] = tuple(_TEXT["close_id"])
CLOSE_EN: tuple[str, ...] = tuple(_TEXT["close_en"])
TYPE_ID: dict[str, str] = dict(_TEXT["type_id"])
TYPE_EN: dict[str, str] = dict(_TEXT["type_en"])

# ---- schools -----------------------------------------------------------------------------

_LV = _SCHOOLS["levels"]
LEVEL_P = np.array([_LV[lv]["share"] for lv in LEVELS])
NEGERI_P = np.array([_LV[lv]["negeri"] for lv in LEVELS])
MEDIAN_NEGERI = np.array([_LV[lv]["median_students_negeri"] for lv in LEVELS], dtype=np.float64)
MEDIAN_SWASTA = np.array([_LV[lv]["median_students_swasta"] for lv in LEVELS], dtype=np.float64)
RATIO = np.array([_LV[lv]["students_per_teacher"] for lv in LEVELS], dtype=np.float64)
SCHOOL_NEED_WEIGHTS: dict[str, float] = dict(_SCHOOLS["need_weights"])
SCHOOL_OFFER_WEIGHTS: dict[str, float] = dict(_SCHOOLS["offer_weights"])

# ---- partners ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """What one kind of partner (type and sector) offers and needs."""

    ptype: str
    sector: str
    sector_id: str
    weight: float
    offers: dict[str, float]
    needs: dict[str, float]
    levels: tuple[tuple[str, float], ...] = (("", 1.0),)


PROFILES: tuple[Profile, ...] = tuple(
    Profile(
        p["type"],
        p["sector"],
        p["sector_id"],
        p["weight"],
        dict(p["offers"]),
        dict(p["needs"]),
        tuple((str(a), float(b)) for a, b in p["levels"]),
    )
    for p in _PARTNERS["profiles"]
)
TYPE_SHARE: dict[str, float] = dict(_PARTNERS["type_share"])
# type -> (online probability, radius range km, capacity range)
TYPE_PARAMS: dict[str, tuple[float, tuple[float, float], tuple[int, int]]] = {
    k: (v["online"], (v["radius_km"][0], v["radius_km"][1]), (v["capacity"][0], v["capacity"][1]))
    for k, v in _PARTNERS["type_params"].items()
}

# ---- names -------------------------------------------------------------------------------

WORD_A: tuple[str, ...] = tuple(_NAMES["word_a"])
WORD_B: tuple[str, ...] = tuple(_NAMES["word_b"])
SECTOR_WORD: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _NAMES["sector_word"].items()}
UNI_NAMES: tuple[str, ...] = tuple(_NAMES["university"])
ISLAMIC_NAMES: tuple[str, ...] = tuple(_NAMES["islamic"])
# school foundation, whether its schools are numbered
FOUNDATIONS: tuple[tuple[str, bool], ...] = tuple(
    (str(a), bool(b)) for a, b in _NAMES["school_foundations"]
)
NGO_PATTERNS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _NAMES["ngo_patterns"].items()}
NGO_X: tuple[str, ...] = tuple(_NAMES["ngo_x"])
COMMUNITY_ACT: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _NAMES["community_activities"].items()
}
GOV_AGENCY: dict[str, str] = dict(_NAMES["government_agencies"])
FOUNDATION_PATTERNS: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _NAMES["foundation_patterns"].items()
}
MEDIA_PATTERNS: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _NAMES["media_patterns"].items()
}

# ---- fixed records -----------------------------------------------------------------------


def _record(d: dict[str, Any]) -> dict[str, Any]:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}


PGRI6: dict[str, Any] = _record(_FIXED["school"])
KUANTA: dict[str, Any] = _record(_FIXED["partner"])
PGRI6_HIDDEN: dict[str, Any] = dict(_FIXED["school_hidden"])
KUANTA_HIDDEN: dict[str, float] = dict(_FIXED["partner_hidden"])
PGRI6_ID: str = PGRI6["school_id"]
KUANTA_ID: str = KUANTA["partner_id"]


# more East Java regencies (synthetic kecamatan) for worlds with more than four:
# regency, short name, is a kota, latitude, longitude, share of schools, second language
# and its probability, remote share, number of kecamatan
EXTRA_REGENCIES: tuple[tuple[str, str, bool, float, float, float, str, float, float, int], ...] = (
    tuple(
        (
            r["regency"],
            r["short"],
            r["kota"],
            r["lat"],
            r["lon"],
            r["share"],
            r["lang2"],
            r["lang2_p"],
            r["remote"],
            r["kecamatan"],
        )
        for r in _GEO["extra_east_java"]
    )
)
