"""Ground truth of a generated world, for benchmarks only (the engine never reads it).

For every (school, partner) pair, the expected mutual success if the pair is tried:
P(the asked partner accepts | pair, no load) x P(completed with no rating below 4 |
accepted), taken from the generator's own formulas (``behaviour``) in expectation, with
no sampling noise; 0 for pairs that cannot work (out of reach unless online, or a level
the partner does not serve).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .behaviour import Pairs, p_accept_answered, p_answer, p_success, pair_terms
from .common import Side

MAX_PAIRS = 20_000_000  # the dense matrices above this would not fit a laptop's memory
_CHUNK_PAIRS = 1_000_000

F32 = npt.NDArray[np.float32]
StrArray = npt.NDArray[np.str_]


@dataclass(frozen=True)
class Truth:
    """Dense (n_schools x n_partners) truth, rows and columns in file order.

    ``benefit`` = ``p_accept`` x ``p_success`` where feasible, else 0; ``forward`` and
    ``backward`` are the true fits (the school's true needs met, the partner's needs met).
    """

    school_ids: StrArray
    partner_ids: StrArray
    benefit: F32
    forward: F32
    backward: F32
    p_accept: F32
    p_success: F32
    # per partner: how much its hidden reliability multiplies the benefit of its feasible
    # pairs, against a partner of average reliability (what a perfect track record shows)
    partner_reliability: F32 | None = None

    def save(self, path: Path | str) -> Path:
        """Write ``truth.npz`` (plain arrays, loadable without pickle)."""
        path = Path(path)
        arrays = {k: getattr(self, k) for k in self.__dataclass_fields__}
        np.savez_compressed(path, **{k: v for k, v in arrays.items() if v is not None})
        return path

    @classmethod
    def load(cls, path: Path | str) -> Truth:
        with np.load(Path(path), allow_pickle=False) as z:
            return cls(**{k: z[k] for k in cls.__dataclass_fields__ if k in z})


def check_size(n_schools: int, n_partners: int) -> None:
    """Refuse a truth too large to build densely, before any work is done."""
    pairs = n_schools * n_partners
    if pairs > MAX_PAIRS:
        raise ValueError(
            f"the truth matrix would have {pairs:,} pairs ({n_schools:,} schools x "
            f"{n_partners:,} partners), above the limit of {MAX_PAIRS:,}; "
            "generate a smaller world for quality benchmarks"
        )


def ground_truth(
    s: Side,
    p: Side,
    school_ids: StrArray,
    partner_ids: StrArray,
    dense: Pairs | None = None,
) -> Truth:
    """The truth of a world from its latent sides (in chunks of schools, vectorised).

    ``dense``: the terms of every pair, school by school, when the caller has them.
    """
    n_s, n_p = len(s.lat), len(p.lat)
    check_size(n_s, n_p)
    out = {k: np.zeros((n_s, n_p), dtype=np.float32) for k in ("forward", "backward")}
    out |= {k: np.zeros((n_s, n_p), dtype=np.float32) for k in ("p_accept", "p_success")}
    benefit = np.zeros((n_s, n_p), dtype=np.float32)
    with_rel = np.zeros(n_p)  # benefit summed per partner, as it is / at mean reliability
    at_mean = np.zeros(n_p)
    mean_rel = float(np.mean(p.latent))
    step = n_s if dense is not None else max(1, _CHUNK_PAIRS // n_p)
    cols = np.arange(n_p, dtype=np.int64)
    for lo in range(0, n_s, step):
        rows = np.arange(lo, min(lo + step, n_s), dtype=np.int64)
        if dense is not None:
            x = dense
        else:
            x = pair_terms(s, p, np.repeat(rows, n_p), np.tile(cols, len(rows)))
        shape = (len(rows), n_p)
        pa = p_answer(x) * p_accept_answered(x)
        ps = p_success(x)
        out["forward"][rows] = x.forward.reshape(shape)
        out["backward"][rows] = x.backward.reshape(shape)
        out["p_accept"][rows] = pa.reshape(shape)
        out["p_success"][rows] = ps.reshape(shape)
        benefit[rows] = np.where(x.feasible, pa * ps, 0.0).reshape(shape)
        x0 = replace(x, rel=np.full_like(x.rel, mean_rel))
        b0 = np.where(x.feasible, p_answer(x0) * p_accept_answered(x0) * p_success(x0), 0.0)
        with_rel += benefit[rows].sum(axis=0)
        at_mean += b0.reshape(shape).sum(axis=0)
    return Truth(
        school_ids=np.asarray(school_ids, dtype=str),
        partner_ids=np.asarray(partner_ids, dtype=str),
        benefit=benefit,
        **out,
        partner_reliability=np.divide(
            with_rel, at_mean, out=np.ones(n_p), where=at_mean > 0
        ).astype(np.float32),
    )
