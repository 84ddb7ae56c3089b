"""Shared pieces of the generator: array types, the simulated period, drawing helpers,
bit masks of codes and the latent arrays of one side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .tables import COMPASS, PHRASES, PLACE_HEAD, PLACE_TAIL

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
UIntArray = npt.NDArray[np.uint64]
ObjArray = npt.NDArray[np.object_]
SCHOOL_COLUMNS: tuple[str, ...] = (
    "school_id",
    "name",
    "level",
    "ownership",
    "province",
    "regency",
    "district",
    "latitude",
    "longitude",
    "students",
    "teachers",
    "accreditation",
    "needs",
    "offers",
    "description",
    "languages",
    "capacity",
)
PARTNER_COLUMNS: tuple[str, ...] = (
    "partner_id",
    "name",
    "type",
    "sector",
    "province",
    "regency",
    "latitude",
    "longitude",
    "service_radius_km",
    "online",
    "offers",
    "needs",
    "levels",
    "description",
    "languages",
    "capacity",
)
OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_id",
    "school_id",
    "partner_id",
    "status",
    "school_rating",
    "partner_rating",
    "recorded_at",
)
START = np.datetime64("2023-01-01", "D")
END = np.datetime64("2026-10-31", "D")
PERIOD_DAYS = int((END - START).astype(np.int64))

LAT_RANGE = (-11.0, 6.0)
LON_RANGE = (95.0, 141.0)


def pick(rng: np.random.Generator, n: int, probs: Sequence[float] | FloatArray) -> IntArray:
    """Draw ``n`` category indices with the given (unnormalised) probabilities."""
    p = np.asarray(probs, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int64)


def pick_rows(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """One category per row of an (n, k) weight matrix."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1).astype(np.int64)


def top_k_rows(rng: np.random.Generator, weights: FloatArray, k: IntArray) -> BoolArray:
    """Per row, ``k[i]`` distinct columns drawn with probability proportional to weight."""
    with np.errstate(divide="ignore"):
        keys = np.log(weights) + rng.gumbel(size=weights.shape)
    order = np.argsort(-keys, axis=1)
    rank = np.empty_like(order)
    rows = np.arange(len(weights))[:, None]
    rank[rows, order] = np.arange(weights.shape[1])[None, :]
    return (rank < k[:, None]) & (weights > 0)


POW2 = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
BYTE_POP = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def masks(m: BoolArray) -> UIntArray:
    """Pack the rows of a boolean (n, <=64) matrix into uint64 bit masks."""
    out = np.zeros(len(m), dtype=np.uint64)
    for j in range(m.shape[1]):
        out |= np.where(m[:, j], POW2[j], np.uint64(0))
    return out


def popcount(x: UIntArray) -> IntArray:
    """Number of set bits of each uint64."""
    b = np.ascontiguousarray(x).view(np.uint8).reshape(-1, 8)
    return BYTE_POP[b].sum(axis=1)


def join_masks(m: BoolArray, names: Sequence[str]) -> ObjArray:
    """``;``-joined names of the true columns of each row (cached per distinct row)."""
    bits = masks(m)
    uniq, inv = np.unique(bits, return_inverse=True)
    strings = []
    for u in uniq.tolist():
        strings.append(";".join(names[j] for j in range(len(names)) if (u >> j) & 1))
    return np.asarray(strings, dtype=object)[inv.ravel()]


def haversine(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Great-circle distance in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def fmt(values: FloatArray, fmt: str) -> ObjArray:
    """Format floats as strings; NaN becomes the empty string."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    out[ok] = [fmt % v for v in values[ok].tolist()]
    return out


def int_str(values: FloatArray) -> ObjArray:
    """Integers as strings; NaN becomes the empty string."""
    out = np.full(len(values), "", dtype=object)
    ok = ~np.isnan(values)
    out[ok] = values[ok].astype(np.int64).astype(str)
    return out


def sigmoid(x: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-x))


def place_names(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """``n`` distinct synthetic Indonesian place names not in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        h = PLACE_HEAD[int(rng.integers(len(PLACE_HEAD)))]
        t = PLACE_TAIL[int(rng.integers(len(PLACE_TAIL)))]
        name = h + t if rng.random() < 0.6 else f"{h} {t.capitalize()}"
        if name in taken:
            name = f"{name} {COMPASS[int(rng.integers(len(COMPASS)))]}"
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


@dataclass
class Side:
    """Latent arrays of one side, used to simulate outcomes.

    For schools ``need`` holds the true needs (tags and description), ``latent`` the
    engagement, ``level`` the level index and ``implicit`` how well the school meets
    partner needs it does not list (by code). For partners ``need`` holds the stated
    needs, ``latent`` the reliability and ``level`` a bit mask of levels served (0: all).
    """

    lat: FloatArray
    lon: FloatArray
    need: UIntArray
    offer: UIntArray
    lang: IntArray
    latent: FloatArray
    join: FloatArray
    level: IntArray
    n_need: IntArray
    implicit: dict[int, FloatArray] | None = None
    radius: FloatArray | None = None
    online: BoolArray | None = None
    capacity: FloatArray | None = None
    fame: FloatArray | None = None


def noun(code: str, en: bool) -> str:
    """Noun phrase naming ``code`` in English or Indonesian."""
    return PHRASES[code][3] if en else PHRASES[code][2]


def sentences_join(parts: Sequence[str]) -> str:
    return " ".join(p for p in parts if p)


def np_list(items: Sequence[str], lang: str) -> str:
    if len(items) == 1:
        return items[0]
    conj = " dan " if lang == "id" else " and "
    return ", ".join(items[:-1]) + conj + items[-1]
