"""Two-way similarity: how well a partner meets a school's needs (forward) and how well
the school meets the partner's needs (backward), fused so one-sided matches rank low.

This is the vectorised reference of the fusion; the compiled kernels
(:func:`matcher.kernels.mutual`) apply the same rule pair by pair."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

Fusion = Literal["harmonic", "geometric", "min", "arithmetic"]
FUSIONS: tuple[Fusion, ...] = get_args(Fusion)
SIMILARITIES = ("coverage", "cosine")


def normalise(M: np.ndarray, role: str, similarity: str = "coverage") -> np.ndarray:
    """Rows of a need or offer matrix scaled so that one product of a side's needs with
    the other side's offers gives the match in [0, 1].

    ``coverage``: the share of the needs (weighted) that the offers meet — needs are
    scaled to sum to 1, offers kept as they are (each in [0, 1]), so a partner is not
    marked down for offering more than a school asks. ``cosine``: both unit length.
    """
    M = np.asarray(M, dtype=np.float32)
    if similarity == "cosine":
        norms = np.linalg.norm(M, axis=1, keepdims=True)
    elif similarity == "coverage":
        if role == "offer":
            return np.clip(M, 0.0, 1.0).astype(np.float32)
        norms = M.sum(axis=1, keepdims=True)
    else:
        raise ValueError(f"unknown similarity {similarity!r}; use one of {SIMILARITIES}")
    return np.divide(M, norms, out=np.zeros_like(M), where=norms > 0).astype(np.float32)


def fuse(
    forward: np.ndarray,
    backward: np.ndarray,
    fusion: str = "harmonic",
    backward_weight: float = 0.5,
) -> np.ndarray:
    """Mutual benefit from the two directions, each in [0, 1].

    ``harmonic`` (default), ``geometric`` and ``min`` are zero when either side gains
    nothing; ``arithmetic`` is the one-sided-tolerant reference. ``backward_weight`` is
    the backward direction's share in the weighted harmonic, geometric and arithmetic
    means (0.5: both directions alike; ``min`` ignores it).
    """
    wb = float(backward_weight)
    wf = 1.0 - wb
    if fusion == "harmonic":
        den = wf * backward + wb * forward
        return np.divide(forward * backward, den, out=np.zeros_like(den), where=den > 0)
    if fusion == "geometric":
        if wb == 0.5:
            return np.sqrt(forward * backward)
        return np.power(forward, wf) * np.power(backward, wb)
    if fusion == "min":
        return np.minimum(forward, backward)
    if fusion == "arithmetic":
        return wf * forward + wb * backward
    raise ValueError(f"unknown fusion {fusion!r}; use one of {', '.join(FUSIONS)}")
