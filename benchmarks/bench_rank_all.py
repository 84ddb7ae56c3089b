"""``rank --all`` at national scale: time and peak memory against the number of schools,
and whether the cost follows the feasible pairs.

Run: ``.venv/bin/python benchmarks/bench_rank_all.py [--sizes 10000 30000 100000 400000]
[--partners 50000]``

For each size a national world (38 provinces) is generated, and a child process (so
its peak memory is its own) reads it, fits the content model, builds the index and
ranks every school (top-10, the code path of ``matcher rank --all``), ``--repeat`` times.
Printed per size: seconds to rank (wall, and CPU of all threads — the machine is
shared, and CPU time is what stays put when others load it; the best of the repeats),
the child's peak resident memory and its growth while ranking, pairs scored
(geographic candidates) and feasible, and the ranking's CPU nanoseconds per scored and
per feasible pair: flat columns there mean cost linear in those pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(folder: str, repeat: int) -> None:
    import numpy as np

    from matcher import schema
    from matcher.model import MatchModel
    from matcher.ranking import RankStats, rank_batch

    schools, _ = schema.read_file("schools", Path(folder) / "schools.csv")
    partners, _ = schema.read_file("partners", Path(folder) / "partners.csv")
    t0 = time.perf_counter()
    model = MatchModel().fit(schools, partners)
    index = model.index(schools, partners)
    t_fit = time.perf_counter() - t0
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    walls, cpus = [], []
    for _ in range(max(repeat, 1)):
        stats = RankStats()
        t0, c0 = time.perf_counter(), time.process_time()
        kept = 0
        for _, idx, _ in rank_batch(model, index, np.arange(index.n_schools), 10, stats=stats):
            kept += int((idx >= 0).sum())
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "schools": index.n_schools, "partners": index.n_partners, "fit_s": t_fit,
        "rank_s": min(walls), "cpu_s": min(cpus), "peak_mb": peak / 1024,
        "rank_growth_mb": (peak - before) / 1024, "scored": stats.scored,
        "feasible": stats.feasible, "pairs": stats.pairs, "kept": kept,
        "load": os.getloadavg()[0],
    }))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000, 400_000])
    ap.add_argument("--partners", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=2, help="rankings per size (best is shown)")
    a = ap.parse_args()
    from tools.samplegen import generate

    print(
        f"{'schools':>9}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'+rank MB':>9}"
        f"{'scored/school':>15}{'feasible/school':>17}{'feasible pairs':>16}"
        f"{'CPU ns/scored':>15}{'CPU ns/feasible':>17}{'load':>6}",
        flush=True,
    )
    for n in a.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), n, a.partners, seed=11, national=True, outcomes=False)
            out = subprocess.run(
                [sys.executable, __file__, "--_child", tmp, str(a.repeat)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
        r = json.loads(out.strip().splitlines()[-1])
        s = r["schools"]
        print(
            f"{s:>9,}{r['rank_s']:>8.1f}{r['cpu_s']:>8.1f}{r['peak_mb']:>9,.0f}"
            f"{r['rank_growth_mb']:>9,.0f}{r['scored'] / s:>15,.0f}{r['feasible'] / s:>17,.0f}"
            f"{r['feasible']:>16,}{r['cpu_s'] / r['scored'] * 1e9:>15.2f}"
            f"{r['cpu_s'] / r['feasible'] * 1e9:>17.2f}{r['load']:>6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--_child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
