"""Two-way similarity: how well a partner meets a school's needs (forward) and how well
the school meets the partner's needs (backward), fused so one-sided matches rank low.

This is the vectorised reference of the fusion; the compiled kernels
(:func:`matcher.kernels.mutual`) apply the same rule pair by pair."""

from __future__ import annotations

import numpy as np

FUSIONS = ("harmonic", "geometric", "min", "arithmetic")


def fuse(forward: np.ndarray, backward: np.ndarray, fusion: str = "harmonic") -> np.ndarray:
    """Mutual benefit from the two directions, each in [0, 1].

    ``harmonic`` (default), ``geometric`` and ``min`` are zero when either side gains
    nothing; ``arithmetic`` is the one-sided-tolerant reference.
    """
    if fusion == "harmonic":
        total = forward + backward
        return np.divide(2.0 * forward * backward, total, out=np.zeros_like(total), where=total > 0)
    if fusion == "geometric":
        return np.sqrt(forward * backward)
    if fusion == "min":
        return np.minimum(forward, backward)
    if fusion == "arithmetic":
        return 0.5 * (forward + backward)
    raise ValueError(f"unknown fusion {fusion!r}; use one of {', '.join(FUSIONS)}")
