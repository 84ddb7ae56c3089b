"""Allocation for a regency or a province: optimal vs stable vs greedy vs plain top-k
(schools covered, benefit, blocking pairs, time), and where the time of a run goes.

Run on the bundled sample (Kota Surabaya; loads and trains into a temporary folder):
    .venv/bin/python benchmarks/bench_allocation.py
On a kept national world (see ``benchmarks/bench_national.py --keep DIR``):
    .venv/bin/python benchmarks/bench_allocation.py --db sqlite:///DIR/m.db \\
        --models DIR/models --province "Jawa Timur"

Each stage is timed in this process; the per-pair explanation loop that allocation used
before (``explain_pair`` for every assigned pair) is timed beside its vectorised
replacement on the same pairs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.allocation import allocate  # noqa: E402
from matcher.config import Settings  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.explain import explain_pair  # noqa: E402
from matcher.pairs import assignment_table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--models", type=Path)
    grp = ap.add_mutually_exclusive_group()
    grp.add_argument("--regency")
    grp.add_argument("--province")
    ap.add_argument("--explain-sample", type=int, default=2000,
                    help="pairs explained one by one to time the old loop")  # fmt: skip
    a = ap.parse_args()
    if a.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-alloc-"))
        eng = Engine(Settings(db_url=f"sqlite:///{tmp / 'm.db'}", models_dir=tmp / "models"))
        t0 = time.perf_counter()
        eng.load_sample()
        eng.train(evaluate=False)
        print(f"sample loaded and trained in {time.perf_counter() - t0:.0f}s")
        regency = a.regency or "Kota Surabaya"
        province = None
    else:
        eng = Engine(Settings(db_url=a.db, models_dir=a.models or Path("models")))
        regency, province = a.regency, a.province
        if not regency and not province:
            regency = "Kota Surabaya"
    where = f"province {province}" if province else f"regency {regency}"

    t0 = time.perf_counter()
    state, rows = eng.batch(regency=regency, province=province)
    t_index = time.perf_counter() - t0
    version, model, index = state
    print(f"{where}: {len(rows):,} schools, {index.n_partners:,} partners; "
          f"read and indexed in {t_index:.1f}s")  # fmt: skip

    t0 = time.perf_counter()
    alloc = allocate(model, index, rows, k=10)
    t_alloc = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = assignment_table(index, alloc.assignments, "id")
    t_pairs = time.perf_counter() - t0
    n = len(pairs)
    sample = min(a.explain_sample, n)
    s_rows = np.array([index.school_row[x] for x in pairs["school_id"][:sample]])
    p_rows = np.array([index.partner_row[x] for x in pairs["partner_id"][:sample]])
    t0 = time.perf_counter()
    for s, p in zip(s_rows, p_rows, strict=True):
        explain_pair(index, int(s), int(p), "id")
    t_loop = (time.perf_counter() - t0) / max(sample, 1) * n

    comp = alloc.summary["comparison"]
    print(f"\n{'method':<10} {'covered':>9} {'assigned':>9} {'benefit':>10} {'gini':>6} "
          f"{'blocking':>9} {'over cap':>9} {'time s':>8}")  # fmt: skip
    for name, c in comp.items():
        print(f"{name:<10} {c['schools_matched']:>9,} {c['assignments']:>9,} "
              f"{c['total_benefit']:>10.2f} {c['exposure_gini']:>6.3f} {c['blocking_pairs']:>9,} "
              f"{c['partners_over_capacity']:>9,} {c['seconds']:>8.2f}")  # fmt: skip
    solve = sum(c["seconds"] for c in comp.values())
    print(f"\nallocate() {t_alloc:.1f}s in all: candidates, four methods ({solve:.1f}s), "
          f"why-not and tables ({t_alloc - solve:.1f}s)")  # fmt: skip
    print(f"details of {n:,} assigned pairs: vectorised {t_pairs:.1f}s; one explain_pair per "
          f"pair (as before, timed on {sample:,}) would take {t_loop:.1f}s")  # fmt: skip
    print(f"why not: {len(alloc.why_not_schools):,} schools, "
          f"{len(alloc.why_not_partners):,} partners explained; reasons "
          f"{alloc.why_not_schools['reason'].value_counts().to_dict()}")  # fmt: skip


if __name__ == "__main__":
    main()
