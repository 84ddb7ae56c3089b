"""Suggestion latency and batch-ranking throughput, beside a bare numpy matrix product.

Run: ``.venv/bin/python benchmarks/bench_ranking.py [--schools 2000] [--partners 50000]``

Prints, in one run:
* latency of one school's suggestions (median and p99, in-process) over 1,000, 10,000
  and 50,000 partners;
* batch ranking throughput (school×partner pairs per second, top-10) beside a bare
  float32 matrix product of the same shape (schools × codes @ codes × partners), the
  floor any scorer of this shape pays.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher import schema  # noqa: E402
from matcher.model import MatchModel  # noqa: E402
from matcher.ranking import rank_batch, recommend_partners  # noqa: E402
from tools.samplegen import generate  # noqa: E402


def timed(fn, repeat: int) -> np.ndarray:
    out = np.empty(repeat)
    for i in range(repeat):
        t0 = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - t0
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=2000)
    ap.add_argument("--partners", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=200)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = generate(Path(tmp), a.schools, a.partners, seed=7, outcomes=False)
        schools, _ = schema.read_file("schools", paths["schools"])
        partners, _ = schema.read_file("partners", paths["partners"])
        print(
            f"data: {len(schools):,} schools, {len(partners):,} partners "
            f"({time.perf_counter() - t0:.1f}s to generate and validate)"
        )
    t0 = time.perf_counter()
    model = MatchModel().fit(schools, partners)
    print(f"fit: {time.perf_counter() - t0:.2f}s")
    rng = np.random.default_rng(0)

    print("\none school's suggestions (k=10), in-process:")
    print(f"{'partners':>10}{'median ms':>12}{'p99 ms':>10}{'index build s':>15}")
    for n in (1_000, 10_000, 50_000):
        if n > len(partners):
            continue
        t0 = time.perf_counter()
        index = model.index(schools, partners.iloc[:n])
        build = time.perf_counter() - t0
        rows = rng.integers(0, index.n_schools, a.repeat)
        it = iter(rows)
        lat = timed(lambda: recommend_partners(model, index, int(next(it)), 10), a.repeat) * 1e3  # noqa: B023
        print(f"{n:>10,}{np.median(lat):>12.2f}{np.percentile(lat, 99):>10.2f}{build:>15.2f}")

    index = model.index(schools, partners)
    s_rows = np.arange(index.n_schools)
    pairs = index.n_schools * index.n_partners
    t0 = time.perf_counter()
    for _ in rank_batch(model, index, s_rows, 10):
        pass
    t_rank = time.perf_counter() - t0
    A = index.s_need_n
    B = index.p_offer_n
    t0 = time.perf_counter()
    for start in range(0, len(A), 512):
        _ = A[start : start + 512] @ B.T
    t_bare = time.perf_counter() - t0
    print(f"\nbatch ranking, {index.n_schools:,} schools × {index.n_partners:,} partners, top-10:")
    print(f"{'':<34}{'seconds':>10}{'pairs/s':>16}")
    print(f"{'matcher rank_batch':<34}{t_rank:>10.2f}{pairs / t_rank:>16,.0f}")
    print(f"{'bare numpy product (same shape)':<34}{t_bare:>10.2f}{pairs / t_bare:>16,.0f}")
    print(f"ratio: {t_rank / t_bare:.1f}× the bare product")


if __name__ == "__main__":
    main()
