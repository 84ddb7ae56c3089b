"""Great-circle distances, vectorised over many points at once."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n × 3, float64); NaN coordinates give NaN rows."""
    la, lo = (
        np.radians(np.asarray(lat, dtype=np.float64)),
        np.radians(np.asarray(lon, dtype=np.float64)),
    )
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def distance_block(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between every row of ``a`` and of ``b`` (unit vectors).

    One matrix product: the chord length c = |a - b| gives the arc 2R·asin(c/2).
    """
    dot = a @ b.T
    chord = np.sqrt(np.clip(2.0 - 2.0 * dot, 0.0, 4.0))
    return (2.0 * EARTH_RADIUS_KM) * np.arcsin(np.minimum(chord * 0.5, 1.0))


def haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Distance from one point to many (reference formula, used in tests)."""
    p1, p2 = np.radians(lat1), np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def radius_to_chord2(radius_km: np.ndarray) -> np.ndarray:
    """The squared chord length (unit sphere) of great-circle distances, as float32:
    comparing chords is comparing great-circle distances, without a trigonometric
    function per pair."""
    half = np.minimum(np.asarray(radius_km, dtype=np.float64) / (2 * EARTH_RADIUS_KM), np.pi / 2)
    return ((2 * np.sin(half)) ** 2).astype(np.float32)
