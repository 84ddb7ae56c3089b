"""Which schools a batch run covers: a province, a regency, a district, a list of ids or
all of them, as one :class:`Selection` and the index rows it names.

A region compares names as the database does (ignoring case), and an unknown region
is answered with the closest stored names. A regional batch is indexed on its own (its
schools, every partner), so ranking one regency never encodes the whole country.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from matcher import regions
from matcher.errors import MatcherError, NotFoundError
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.storage import Store

REGIONS = ("province", "regency", "district")


@dataclass(frozen=True)
class Selection:
    """Exactly one of: a region (``column`` and ``value``), ``school_ids``, or every
    school (``everything``). Build it with :meth:`of`, which checks that."""

    column: str | None = None
    value: str | None = None
    school_ids: tuple[str, ...] | None = None
    everything: bool = False

    @classmethod
    def of(
        cls,
        province: str | None = None,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
    ) -> Selection:
        """The selection the options name; MatcherError unless exactly one is given."""
        given = {"province": province, "regency": regency, "district": district}
        region = [(c, v) for c, v in given.items() if v is not None]
        if len(region) + bool(all_schools) + (school_ids is not None) != 1:
            raise MatcherError("choose exactly one of --province, --regency, --district, --all")
        if region:
            return cls(column=region[0][0], value=str(region[0][1]))
        if school_ids is not None:  # each school once, however often it is named
            return cls(school_ids=tuple(dict.fromkeys(school_ids)))
        return cls(everything=True)

    @property
    def region(self) -> tuple[str, str] | None:
        """(column, value) of a regional selection, None for a list of ids or all."""
        return None if self.column is None else (self.column, str(self.value))

    def rows(self, index: MatchIndex) -> np.ndarray:
        """Rows of the selected schools in ``index``; NotFoundError for an unknown id or
        a region without schools."""
        if self.everything:
            return np.arange(index.n_schools)
        if self.school_ids is not None:
            return index.school_rows(list(self.school_ids))
        col, val = self.column or "", str(self.value)
        names = index.schools[col].str.lower()  # as the database compares
        for spelling in self.spellings():
            mask = names == spelling.lower()
            if mask.any():
                return np.flatnonzero(mask.to_numpy())
        raise no_region(col, val, sorted(index.schools[col].unique()))

    def spellings(self) -> list[str]:
        """The names a regional selection looks for: as given, then, for a regency, its
        official name (``Kab. Sidoarjo`` finds the schools stored as ``Kabupaten
        Sidoarjo``)."""
        val = str(self.value)
        if self.column != "regency":
            return [val]
        official = regions.official_regency_name(val)
        return [val] if official is None or official.lower() == val.lower() else [val, official]

    def region_index(self, model: MatchModel, store: Store) -> MatchIndex:
        """An index of the region's schools against every partner, with ``model``."""
        col, val = self.region or ("", "")
        for spelling in self.spellings():
            schools = store.schools_in(col, spelling)
            if len(schools):
                break
        if not len(schools):
            raise no_region(col, val, store.distinct("schools", col))
        return model.index(schools, store.frame("partners"), store.frame("outcomes"))


def no_region(column: str, value: str, names: list[str]) -> NotFoundError:
    """No school in that region: name the closest stored names, if any look alike."""
    by_lower = {n.lower(): n for n in names if n}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=3, cutoff=0.6)
    if close:
        hint = " or ".join(repr(by_lower[c]) for c in close)
        return NotFoundError(f"no schools with {column} {value!r}; did you mean {hint}?")
    known = ", ".join(repr(n) for n in names[:5])
    more = ", ..." if len(names) > 5 else ""
    return NotFoundError(f"no schools with {column} {value!r} (stored: {known}{more})")
