"""Ranking speed beside the best top-k libraries, on the same shape, in one run.

Run: ``.venv/bin/python benchmarks/bench_ranking.py [--schools 2000] [--partners 50000]
[--national] [--repeat 3]``

Prints, in one process (the machine is shared, so every figure is the best of
``--repeat`` runs and compared as a ratio against the others of the same run):

* the machine's own limits measured now: float32 GEMM GFLOP/s and memory copy GB/s;
* one school's suggestions (k=10) over 1,000, 10,000 and 50,000 partners: ours
  (every filter, the served path) beside a numpy brute force (one product over
  concatenated need|offer features + ``argpartition``), faiss ``IndexFlatIP`` and
  implicit's ``topk`` — median and p99 ms;
* batch ranking (top-10 for every school): the same four as pairs/s of the shape
  (schools × partners) and as a ratio to ours, and how many pairs per school ours
  scored (its geographic candidates) and found feasible.

The libraries rank by a bare inner product over all partners; ours applies reach,
level, capacity, exclusions, the no-filler rule, distance decay, language, fusion and
the sides' learned factors, and scores only the candidates geography allows.
faiss-cpu and implicit come with the ``dev`` extra; without them their rows say so.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher import schema  # noqa: E402
from matcher.model import MatchModel  # noqa: E402
from matcher.ranking import RankStats, rank_batch, recommend_partners  # noqa: E402
from tools.samplegen import generate  # noqa: E402

K = 10


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def latencies(fn: Callable[[int], object], rows: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows))
    for i, r in enumerate(rows):
        t0 = time.perf_counter()
        fn(int(r))
        out[i] = time.perf_counter() - t0
    return out * 1e3


def machine_limits(repeat: int) -> tuple[float, float]:
    """float32 GEMM GFLOP/s (2048², all cores) and memory copy GB/s (256 MB)."""
    a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    t = best_of(lambda: a @ a, repeat)
    src = np.ones(64 * 2**20, dtype=np.float32)
    dst = np.empty_like(src)
    c = best_of(lambda: np.copyto(dst, src), repeat)
    return 2 * 2048**3 / t / 1e9, 2 * src.nbytes / c / 1e9  # read + write


def numpy_topk(S: np.ndarray, P: np.ndarray, k: int) -> np.ndarray:
    """Brute force: one product over concatenated features, then argpartition."""
    sc = S @ P.T
    part = np.argpartition(-sc, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(sc, part, 1), axis=1)
    return np.take_along_axis(part, order, 1)


def numpy_batch(S: np.ndarray, P: np.ndarray, k: int, threads: int) -> None:
    """The brute force in chunks of 128 schools on ``threads`` threads (BLAS one
    thread each: the layout ours uses, the faster one on this machine)."""
    chunks = [S[i : i + 128] for i in range(0, len(S), 128)]
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda c: numpy_topk(c, P, k), chunks))


def libraries(P: np.ndarray) -> dict[str, Callable[[np.ndarray], object]]:
    """Top-k search functions of the installed libraries over partner matrix ``P``."""
    out: dict[str, Callable[[np.ndarray], object]] = {}
    try:
        import faiss

        fi = faiss.IndexFlatIP(P.shape[1])
        fi.add(P)
        out["faiss IndexFlatIP"] = lambda q: fi.search(q, K)
    except ImportError:
        print("faiss-cpu not installed (pip install -e '.[dev]'): no faiss row")
    try:
        from implicit.cpu.topk import topk

        out["implicit topk"] = lambda q: topk(P, q, K)
    except ImportError:
        print("implicit not installed (pip install -e '.[dev]'): no implicit row")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=2000)
    ap.add_argument("--partners", type=int, default=50000)
    ap.add_argument("--national", action="store_true", help="spread over 38 provinces")
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (the best)")
    ap.add_argument("--latency-repeat", type=int, default=200)
    a = ap.parse_args()
    threads = os.cpu_count() or 1

    gflops, gbs = machine_limits(a.repeat)
    print(f"machine: {threads} cores; float32 GEMM {gflops:.1f} GFLOP/s; copy {gbs:.1f} GB/s")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = generate(Path(tmp), a.schools, a.partners, 7, a.national, outcomes=False)
        schools, _ = schema.read_file("schools", paths["schools"])
        partners, _ = schema.read_file("partners", paths["partners"])
    where = "national" if a.national else "four East Java regencies"
    print(
        f"data: {len(schools):,} schools, {len(partners):,} partners ({where}; "
        f"{time.perf_counter() - t0:.1f}s to generate and validate)"
    )
    model = MatchModel().fit(schools, partners)
    rng = np.random.default_rng(0)

    print("\none school's suggestions (k=10), in-process, ms:")
    print(f"{'partners':>10}  {'':<22}{'median':>10}{'p99':>10}")
    for n in (1_000, 10_000, 50_000):
        if n > len(partners):
            continue
        index = model.index(schools, partners.iloc[:n])
        S = np.hstack([index.s_need_n, index.s_offer_n])
        P = np.ascontiguousarray(np.hstack([index.p_offer_n, index.p_need_n]))
        rows = rng.integers(0, index.n_schools, a.latency_repeat)
        recommend_partners(model, index, 0, K)  # compiled before timing
        runs = {"matcher (all filters)": lambda r: recommend_partners(model, index, r, K)}  # noqa: B023
        runs["numpy brute force"] = lambda r: numpy_topk(S[r : r + 1], P, K)  # noqa: B023
        for name, fn in libraries(P).items():
            runs[name] = lambda r, fn=fn: fn(S[r : r + 1])  # noqa: B023
        for name, fn in runs.items():
            lat = latencies(fn, rows)
            print(f"{n:>10,}  {name:<22}{np.median(lat):>10.3f}{np.percentile(lat, 99):>10.3f}")

    index = model.index(schools, partners)
    pairs = index.n_schools * index.n_partners
    S = np.ascontiguousarray(np.hstack([index.s_need_n, index.s_offer_n]))
    P = np.ascontiguousarray(np.hstack([index.p_offer_n, index.p_need_n]))
    all_rows = np.arange(index.n_schools)
    stats = RankStats()

    def ours() -> None:
        stats.__init__()  # type: ignore[misc]
        for _ in rank_batch(model, index, all_rows, K, stats=stats):
            pass

    ours()  # compiled before timing
    timings = {"matcher rank_batch (all filters)": best_of(ours, a.repeat)}
    timings["numpy brute force"] = best_of(lambda: numpy_batch(S, P, K, threads), a.repeat)
    for name, fn in libraries(P).items():
        timings[name] = best_of(lambda fn=fn: fn(S), a.repeat)
    print(
        f"\nbatch ranking, {index.n_schools:,} schools × {index.n_partners:,} partners, "
        f"top-{K}, d={S.shape[1]} (best of {a.repeat}):"
    )
    t_ours = timings["matcher rank_batch (all filters)"]
    print(f"{'':<36}{'seconds':>9}{'pairs/s':>16}{'vs ours':>9}")
    for name, t in timings.items():
        print(f"{name:<36}{t:>9.2f}{pairs / t:>16,.0f}{t / t_ours:>8.2f}×")
    per = stats.schools or 1
    print(
        f"ours per school: {stats.scored / per:,.0f} pairs scored (candidates, "
        f"{100 * stats.scored / pairs:.0f}% of the shape), {stats.feasible / per:,.0f} feasible "
        f"({100 * stats.feasible / pairs:.0f}%)"
    )
    print(
        f"ours: {stats.scored / t_ours / 1e6:,.0f}M scored pairs/s; the shape's "
        f"{pairs / t_ours / 1e6:,.0f}M pairs/s is what the libraries' rows compare with"
    )


if __name__ == "__main__":
    main()
