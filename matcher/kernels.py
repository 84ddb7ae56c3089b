"""Compiled kernels for the hot path: scoring school×partner blocks and top-k.

Everything after the two matrix products (forward and backward match) — distance,
radius, level, capacity, benefit and language filters, distance decay, fusion, the
sides' learned factors and top-k selection — runs in one pass per pair in a compiled,
parallel loop (numba), so no school×partner temporary is created per factor and batch
ranking never materialises the score matrix.
"""

from __future__ import annotations

import numba as nb
import numpy as np

# Fast-math without "no infinities": -inf marks infeasible pairs.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
FUSION_CODES = {"harmonic": 0, "geometric": 1, "min": 2, "arithmetic": 3, "forward": 4}


@nb.njit(cache=True, fastmath=FAST, inline="always")
def mutual(f: float, b: float, fusion: int) -> float:
    """Fused benefit of the two directions (codes in ``FUSION_CODES``)."""
    if fusion == 0:
        s = f + b
        return 2.0 * f * b / s if s > 0.0 else 0.0
    if fusion == 1:
        return np.sqrt(f * b)
    if fusion == 2:
        return f if f < b else b
    if fusion == 3:
        return 0.5 * (f + b)
    return f


@nb.njit(cache=True, fastmath=FAST, nogil=True)
def _row(
    i: int,
    out: np.ndarray,
    F: np.ndarray,
    B: np.ndarray,
    sx: np.ndarray,
    px: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    s_w: np.ndarray,
    p_w: np.ndarray,
    p_needs: np.ndarray,
    prm: np.ndarray,
    fusion: int,
) -> None:
    """Scores of school row ``i`` against every partner column, into ``out``.

    ``sx``/``px`` are unit vectors (float64, so nearby distances stay exact), giving
    q = k2·|s - p|² = (distance / decay_km)² from one dot product; partners without
    coordinates have zero vectors (far from everything; online ones pass by radius).
    A pair is infeasible (-inf) out of reach, for a level the partner does not serve,
    when the school gains nothing (forward 0), or where ``p_needs`` says the partner
    must gain (on its own list, when it names needs) and backward is 0: no suggestion
    is filler. The content score is
    scaled by each side's learned factor (``s_w``, ``p_w``; 1 without history).
    ``prm``: k2, decay weight, language penalty.
    """
    k2, w, pen = prm[0], prm[1], prm[2]
    s0, s1, s2 = sx[i, 0], sx[i, 1], sx[i, 2]
    lvl = s_level_bit[i]
    lang = s_lang_bits[i]
    sw = s_w[i]
    for j in range(F.shape[1]):
        q = k2 * (2.0 - 2.0 * (px[j, 0] * s0 + px[j, 1] * s1 + px[j, 2] * s2))
        f, b = F[i, j], B[i, j]
        if q > rad[j] or (lvl & p_level_bits[j]) == 0 or f <= 0.0 or (p_needs[j] and b <= 0.0):
            out[j] = -np.inf
            continue
        m = mutual(f, b, fusion)
        x = q if q < cap[j] else cap[j]
        sc = m * (1.0 - w * x)
        if (lang & p_lang_bits[j]) == 0:
            sc *= pen
        out[j] = sc * sw * p_w[j]


@nb.njit(cache=True, fastmath=FAST, parallel=True, nogil=True)
def score_matrix(
    F: np.ndarray,
    B: np.ndarray,
    sx: np.ndarray,
    px: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    s_w: np.ndarray,
    p_w: np.ndarray,
    p_needs: np.ndarray,
    prm: np.ndarray,
    fusion: int,
) -> np.ndarray:
    """Scores of every pair of the block (-inf where a hard filter fails)."""
    out = np.empty(F.shape, dtype=np.float32)
    for i in nb.prange(F.shape[0]):
        _row(i, out[i], F, B, sx, px, s_level_bit, s_lang_bits, p_level_bits,
             p_lang_bits, rad, cap, s_w, p_w, p_needs, prm, fusion)  # fmt: skip
    return out


def _top_k_rows(
    F: np.ndarray,
    B: np.ndarray,
    sx: np.ndarray,
    px: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    s_w: np.ndarray,
    p_w: np.ndarray,
    p_needs: np.ndarray,
    prm: np.ndarray,
    fusion: int,
    ex_ptr: np.ndarray,
    ex_idx: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The k best partners per row (column index, score), best first, ties broken by the
    lower column; -1 / -inf pad rows with fewer than k feasible partners. Excluded pairs
    are given in CSR form (``ex_ptr``, ``ex_idx``) over the block's columns."""
    n, m = F.shape
    idx = np.full((n, k), -1, dtype=np.int64)
    val = np.full((n, k), -np.inf, dtype=np.float32)
    for i in nb.prange(n):  # a plain range when compiled without parallel
        buf = np.empty(m, dtype=np.float32)
        _row(i, buf, F, B, sx, px, s_level_bit, s_lang_bits, p_level_bits,
             p_lang_bits, rad, cap, s_w, p_w, p_needs, prm, fusion)  # fmt: skip
        for e in range(ex_ptr[i], ex_ptr[i + 1]):
            buf[ex_idx[e]] = -np.inf
        worst = -np.inf
        filled = 0
        for j in range(m):
            sc = buf[j]
            if sc == -np.inf or (filled == k and sc <= worst):
                continue
            # insertion into the sorted top list (descending; earlier column wins ties)
            pos = filled if filled < k else k - 1
            while pos > 0 and val[i, pos - 1] < sc:
                if pos < k:
                    val[i, pos] = val[i, pos - 1]
                    idx[i, pos] = idx[i, pos - 1]
                pos -= 1
            val[i, pos] = sc
            idx[i, pos] = j
            if filled < k:
                filled += 1
            worst = val[i, k - 1] if filled == k else -np.inf
    return idx, val


top_k_rows = nb.njit(cache=True, fastmath=FAST, parallel=True, nogil=True)(_top_k_rows)
# One school at a time (a web request) runs serially: a parallel region per request
# would only add thread start-up, and contention between concurrent requests.
top_k_rows_serial = nb.njit(cache=True, fastmath=FAST, nogil=True)(_top_k_rows)
