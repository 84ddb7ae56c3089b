"""Compiled kernels for the hot path: scoring school×partner blocks and top-k.

Everything after the matrix products (forward and backward match, the outcome model's
linear logit) — distance, radius, level, capacity, exclusion and language filters,
distance decay, fusion, outcome blend and top-k selection — runs in one pass per pair
in a compiled, parallel loop (numba), so no school×partner temporary is created per
factor. Batch ranking feeds the loop tile by tile of partners, so the products of a
tile stay in cache and the score matrix is never formed.
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
    L: np.ndarray,
    sx: np.ndarray,
    px: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    prm: np.ndarray,
    fusion: int,
    blend: bool,
) -> None:
    """Scores of school row ``i`` against every partner column, into ``out``.

    ``sx``/``px`` are unit vectors (float64, so nearby distances stay exact), giving
    q = k2·|s - p|² = (distance / decay_km)² from one dot product; partners without
    coordinates have zero vectors (far from everything; online ones pass by radius).
    ``prm``: k2, decay weight, language penalty, outcome weight, and the outcome
    model's weights of the mutual, proximity and shared-language terms.
    """
    k2, w, pen, a, wm, wp, ws = prm[0], prm[1], prm[2], prm[3], prm[4], prm[5], prm[6]
    s0, s1, s2 = sx[i, 0], sx[i, 1], sx[i, 2]
    lvl = s_level_bit[i]
    lang = s_lang_bits[i]
    for j in range(F.shape[1]):
        q = k2 * (2.0 - 2.0 * (px[j, 0] * s0 + px[j, 1] * s1 + px[j, 2] * s2))
        if q > rad[j] or (lvl & p_level_bits[j]) == 0:
            out[j] = -np.inf
            continue
        m = mutual(F[i, j], B[i, j], fusion)
        x = q if q < cap[j] else cap[j]
        shared = (lang & p_lang_bits[j]) != 0
        sc = m * (1.0 - w * x)
        if not shared:
            sc *= pen
        if blend:
            z = L[i, j] + wm * m + wp * (1.0 - x) + (ws if shared else 0.0)
            sc = (1.0 - a) * sc + a / (1.0 + np.exp(-z))
        out[j] = sc


@nb.njit(cache=True, fastmath=FAST, parallel=True, nogil=True)
def score_matrix(
    F: np.ndarray,
    B: np.ndarray,
    L: np.ndarray,
    sx: np.ndarray,
    px: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    prm: np.ndarray,
    fusion: int,
    blend: bool,
) -> np.ndarray:
    """Scores of every pair of the block (-inf where a hard filter fails)."""
    out = np.empty(F.shape, dtype=np.float32)
    for i in nb.prange(F.shape[0]):
        _row(i, out[i], F, B, L, sx, px, s_level_bit, s_lang_bits, p_level_bits,
             p_lang_bits, rad, cap, prm, fusion, blend)  # fmt: skip
    return out


@nb.njit(cache=True, fastmath=FAST, inline="always")
def _mutual_row(f: np.ndarray, b: np.ndarray, fusion: int, out: np.ndarray) -> None:
    """``mutual`` over a row, one loop per fusion so each runs in SIMD lanes."""
    m = f.shape[0]
    if fusion == 0:  # f = b = 0 gives 0 / tiny = 0
        for j in range(m):
            out[j] = 2.0 * f[j] * b[j] / max(f[j] + b[j], 1e-30)
    elif fusion == 1:
        for j in range(m):
            out[j] = np.sqrt(f[j] * b[j])
    elif fusion == 2:
        for j in range(m):
            out[j] = min(f[j], b[j])
    elif fusion == 3:
        for j in range(m):
            out[j] = 0.5 * (f[j] + b[j])
    else:
        for j in range(m):
            out[j] = f[j]


@nb.njit(cache=True, fastmath=FAST, inline="always")
def _keys(
    i: int,
    buf: np.ndarray,
    mu: np.ndarray,
    F: np.ndarray,
    B: np.ndarray,
    L: np.ndarray,
    sx: np.ndarray,
    pxt: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    prm: np.ndarray,
    fusion: int,
    blend: bool,
    by_logit: bool,
) -> int:
    """Ranking keys of row ``i`` against a tile's columns into ``buf`` (-inf where a
    hard filter fails), branch-free per pair and one loop per scoring mode so the loops
    run in SIMD lanes; returns how many pairs are feasible. ``pxt`` holds the partners'
    unit vectors as columns; ``mu`` is scratch for the fused benefit."""
    k2, w, pen, a, wm, wp, ws = prm[0], prm[1], prm[2], prm[3], prm[4], prm[5], prm[6]
    s0, s1, s2 = sx[i, 0], sx[i, 1], sx[i, 2]
    lvl, lang = s_level_bit[i], s_lang_bits[i]
    lrow = L[i] if blend else L[0]
    _mutual_row(F[i], B[i], fusion, mu)
    m = F.shape[1]
    count = 0
    if blend and by_logit:
        for j in range(m):
            q = k2 * (2.0 - 2.0 * (pxt[0, j] * s0 + pxt[1, j] * s1 + pxt[2, j] * s2))
            ok = (q <= rad[j]) & ((lvl & p_level_bits[j]) != 0)
            x = min(q, cap[j])
            shared = (lang & p_lang_bits[j]) != 0
            sc = lrow[j] + wm * mu[j] + wp * (1.0 - x) + (ws if shared else 0.0)
            buf[j] = sc if ok else -np.inf
            count += ok
    elif blend:
        for j in range(m):
            q = k2 * (2.0 - 2.0 * (pxt[0, j] * s0 + pxt[1, j] * s1 + pxt[2, j] * s2))
            ok = (q <= rad[j]) & ((lvl & p_level_bits[j]) != 0)
            x = min(q, cap[j])
            shared = (lang & p_lang_bits[j]) != 0
            c = mu[j] * (1.0 - w * x) * (1.0 if shared else pen)
            z = lrow[j] + wm * mu[j] + wp * (1.0 - x) + (ws if shared else 0.0)
            sc = (1.0 - a) * c + a / (1.0 + np.exp(-z))
            buf[j] = sc if ok else -np.inf
            count += ok
    else:
        for j in range(m):
            q = k2 * (2.0 - 2.0 * (pxt[0, j] * s0 + pxt[1, j] * s1 + pxt[2, j] * s2))
            ok = (q <= rad[j]) & ((lvl & p_level_bits[j]) != 0)
            x = min(q, cap[j])
            shared = (lang & p_lang_bits[j]) != 0
            sc = mu[j] * (1.0 - w * x) * (1.0 if shared else pen)
            buf[j] = sc if ok else -np.inf
            count += ok
    return count


def _top_k_merge(
    F: np.ndarray,
    B: np.ndarray,
    L: np.ndarray,
    sx: np.ndarray,
    pxt: np.ndarray,
    s_level_bit: np.ndarray,
    s_lang_bits: np.ndarray,
    p_level_bits: np.ndarray,
    p_lang_bits: np.ndarray,
    rad: np.ndarray,
    cap: np.ndarray,
    prm: np.ndarray,
    fusion: int,
    blend: bool,
    ex_ptr: np.ndarray,
    ex_idx: np.ndarray,
    col0: int,
    by_logit: bool,
    idx: np.ndarray,
    key: np.ndarray,
    feasible: np.ndarray,
) -> None:
    """Merge one tile of partner columns (``col0`` onwards) into running top-k lists.

    ``idx``/``key`` (rows × k) hold each row's best columns so far, best first, and
    their ranking keys; a tile's candidate replaces the worst only when strictly better,
    so over tiles taken in column order the earlier column wins ties. ``by_logit``
    ranks by the outcome model's logit instead of its sigmoid (the same order when the
    learned chance is the whole score): no exponential per pair, the caller applies
    the sigmoid to the kept k only. Excluded pairs come in CSR form (``ex_ptr``,
    ``ex_idx``: sorted columns of the whole row); ``feasible`` counts, per row, the
    pairs that pass every hard filter.
    """
    n, m = F.shape
    k = idx.shape[1]
    for i in nb.prange(n):  # a plain range when compiled without parallel
        buf = np.empty(m, dtype=np.float64)
        mu = np.empty(m, dtype=np.float64)
        count = _keys(i, buf, mu, F, B, L, sx, pxt, s_level_bit, s_lang_bits, p_level_bits,
                      p_lang_bits, rad, cap, prm, fusion, blend, by_logit)  # fmt: skip
        for e in range(ex_ptr[i], ex_ptr[i + 1]):
            c = ex_idx[e] - col0
            if 0 <= c < m and buf[c] != -np.inf:
                buf[c] = -np.inf
                count -= 1
        feasible[i] += count
        worst = key[i, k - 1]
        for j in range(m):
            sc = buf[j]
            if sc <= worst:
                continue
            # insertion into the sorted list (descending)
            pos = k - 1
            while pos > 0 and key[i, pos - 1] < sc:
                key[i, pos] = key[i, pos - 1]
                idx[i, pos] = idx[i, pos - 1]
                pos -= 1
            key[i, pos] = sc
            idx[i, pos] = col0 + j
            worst = key[i, k - 1]


top_k_merge = nb.njit(cache=True, fastmath=FAST, parallel=True, nogil=True)(_top_k_merge)
# One school at a time (a web request) runs serially: a parallel region per request
# would only add thread start-up, and contention between concurrent requests.
top_k_merge_serial = nb.njit(cache=True, fastmath=FAST, nogil=True)(_top_k_merge)
