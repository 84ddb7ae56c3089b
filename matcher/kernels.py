"""Compiled kernels for the hot path: scoring school×partner blocks and top-k.

Everything after the two matrix products (forward and backward match) — distance,
radius, level, capacity, exclusion, benefit and language filters, distance decay,
fusion, the sides' learned factors and top-k selection — runs in one pass per pair in a
compiled loop (numba), so no school×partner temporary is created per factor. Batch
ranking feeds the loop tile by tile of partners, so the products of a tile stay in
cache and the score matrix is never formed; the per-pair loops are written branch-free
(one loop per fusion) so they run in SIMD lanes.
"""

from __future__ import annotations

import numba as nb
import numpy as np

# Fast-math without "no infinities": -inf marks infeasible pairs.
FAST = {"nsz", "arcp", "contract", "afn", "reassoc"}
FUSION_CODES = {"harmonic": 0, "geometric": 1, "min": 2, "arithmetic": 3, "forward": 4}


@nb.njit(cache=True, fastmath=FAST, inline="always")
def mutual(f: float, b: float, fusion: int, wb: float) -> float:
    """Fused benefit of the two directions (codes in ``FUSION_CODES``; ``wb`` the
    backward share, as :func:`matcher.similarity.fuse`)."""
    if fusion == 0:
        den = (1.0 - wb) * b + wb * f
        return f * b / den if den > 0.0 else 0.0
    if fusion == 1:
        if wb == 0.5:
            return np.sqrt(f * b)
        return f ** (1.0 - wb) * b**wb if f > 0.0 and b > 0.0 else 0.0
    if fusion == 2:
        return f if f < b else b
    if fusion == 3:
        return (1.0 - wb) * f + wb * b
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
    ``prm``: k2, decay weight, language penalty, backward share of the fusion.
    """
    k2, w, pen, wb = prm[0], prm[1], prm[2], prm[3]
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
        m = mutual(f, b, fusion, wb)
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


@nb.njit(cache=True, fastmath=FAST, inline="always")
def _mutual_row(f: np.ndarray, b: np.ndarray, fusion: int, wb: float, out: np.ndarray) -> None:
    """:func:`mutual` over a row, one loop per fusion so each runs in SIMD lanes."""
    m = f.shape[0]
    if fusion == 1 and wb == 0.5:
        for j in range(m):
            out[j] = np.sqrt(f[j] * b[j])
    elif fusion == 0 and wb == 0.5:  # f = b = 0 gives 0 / tiny = 0
        for j in range(m):
            out[j] = 2.0 * f[j] * b[j] / max(f[j] + b[j], 1e-30)
    elif fusion == 2:
        for j in range(m):
            out[j] = min(f[j], b[j])
    elif fusion == 3:
        for j in range(m):
            out[j] = (1.0 - wb) * f[j] + wb * b[j]
    elif fusion == 4:
        for j in range(m):
            out[j] = f[j]
    else:  # harmonic, weighted geometric: the scalar rule
        for j in range(m):
            out[j] = mutual(f[j], b[j], fusion, wb)


@nb.njit(cache=True, fastmath=FAST, inline="always")
def _keys(
    i: int,
    buf: np.ndarray,
    F: np.ndarray,
    B: np.ndarray,
    sx: np.ndarray,
    pxt: np.ndarray,
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
) -> int:
    """Scores of row ``i`` against a tile's columns into ``buf`` (-inf where a hard
    filter fails; the same rule as :func:`_row`), branch-free per pair; returns how
    many pairs are feasible. ``pxt`` holds the partners' unit vectors as columns."""
    k2, w, pen, wb = prm[0], prm[1], prm[2], prm[3]
    s0, s1, s2 = sx[i, 0], sx[i, 1], sx[i, 2]
    lvl, lang, sw = s_level_bit[i], s_lang_bits[i], s_w[i]
    f, b = F[i], B[i]
    _mutual_row(f, b, fusion, wb, buf)
    count = 0
    for j in range(f.shape[0]):
        q = k2 * (2.0 - 2.0 * (pxt[0, j] * s0 + pxt[1, j] * s1 + pxt[2, j] * s2))
        ok = (
            (q <= rad[j])
            & ((lvl & p_level_bits[j]) != 0)
            & (f[j] > 0.0)
            & ~(p_needs[j] & (b[j] <= 0.0))
        )
        x = min(q, cap[j])
        sc = buf[j] * (1.0 - w * x) * (1.0 if (lang & p_lang_bits[j]) != 0 else pen)
        buf[j] = sc * sw * p_w[j] if ok else -np.inf
        count += ok
    return count


def _top_k_merge(
    F: np.ndarray,
    B: np.ndarray,
    sx: np.ndarray,
    pxt: np.ndarray,
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
    col0: int,
    idx: np.ndarray,
    val: np.ndarray,
    feasible: np.ndarray,
) -> None:
    """Merge one tile of partner columns (``col0`` onwards) into running top-k lists.

    ``idx``/``val`` (rows × k) hold each row's best columns so far, best first, and
    their scores; a tile's candidate replaces the worst only when strictly better, so
    over tiles taken in column order the earlier column wins ties. Excluded pairs come
    in CSR form (``ex_ptr``, ``ex_idx``: sorted columns of the whole row); ``feasible``
    counts, per row, the pairs that pass every hard filter.
    """
    n, m = F.shape
    k = idx.shape[1]
    for i in nb.prange(n):  # a plain range when compiled without parallel
        buf = np.empty(m, dtype=np.float64)
        count = _keys(i, buf, F, B, sx, pxt, s_level_bit, s_lang_bits, p_level_bits,
                      p_lang_bits, rad, cap, s_w, p_w, p_needs, prm, fusion)  # fmt: skip
        for e in range(ex_ptr[i], ex_ptr[i + 1]):
            c = ex_idx[e] - col0
            if 0 <= c < m and buf[c] != -np.inf:
                buf[c] = -np.inf
                count -= 1
        feasible[i] += count
        worst = val[i, k - 1]
        for j in range(m):
            sc = buf[j]
            if sc <= worst:
                continue
            # insertion into the sorted list (descending)
            pos = k - 1
            while pos > 0 and val[i, pos - 1] < sc:
                val[i, pos] = val[i, pos - 1]
                idx[i, pos] = idx[i, pos - 1]
                pos -= 1
            val[i, pos] = sc
            idx[i, pos] = col0 + j
            worst = val[i, k - 1]


top_k_merge = nb.njit(cache=True, fastmath=FAST, parallel=True, nogil=True)(_top_k_merge)
# One school at a time (a web request), or chunks run in threads of their own: serial,
# as a parallel region per call would only add thread start-up and contention.
top_k_merge_serial = nb.njit(cache=True, fastmath=FAST, nogil=True)(_top_k_merge)
