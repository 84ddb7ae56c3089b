"""Allocation for a regency or a province: optimal vs stable vs greedy vs plain top-k
(schools covered, benefit, blocking pairs, time), where the time of a run goes, and the
command line a district officer runs, end to end.

Run on the bundled sample (Kota Surabaya; loads and trains into a temporary folder):
    .venv/bin/python benchmarks/bench_allocation.py
On a kept national world (see ``benchmarks/bench_national.py --keep DIR``):
    .venv/bin/python benchmarks/bench_allocation.py --db sqlite:///DIR/m.db \\
        --models DIR/models --province "Jawa Timur" [--cli] [--before SRC]

Each stage is timed in this process (wall and CPU seconds: the machine is shared, CPU
time is the steadier figure), and each vectorised stage beside the per-pair or
per-school way it replaced, on the same data in the same run: the why-not loops (kept
as the oracle in ``tests/test_whynot.py``), explaining pairs one by one, the greedy
loop in Python, the haversine ball tree, the per-value CSV guard. ``--cli`` also runs
``matcher rank --allocate --out FILE.csv`` as a child process (wall, CPU, peak memory);
``--before SRC`` runs the same command from another checkout of the code (e.g. ``git
archive`` of an older commit) in the same run, and says whether the files are equal.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import allocation, whynot  # noqa: E402
from matcher.config import Settings  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from matcher.explain import explain_pair  # noqa: E402
from matcher.export import FORMULA_START, csv_safe  # noqa: E402
from matcher.pairs import assignment_table  # noqa: E402

WRAP = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(f'RUSAGE {u.ru_maxrss} {u.ru_utime + u.ru_stime}', file=sys.stderr)\n"
    "sys.exit(r.returncode)\n"
)


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall seconds and this process's CPU seconds while it ran (threads
    included)."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def greedy_loop(s_idx, p_idx, weight, s_cap, p_cap):  # type: ignore[no-untyped-def]
    """Best-first greedy as a Python loop (as it was), for comparison."""
    s_left, p_left = s_cap.copy(), p_cap.copy()
    chosen = np.zeros(len(weight), dtype=bool)
    for e in np.argsort(-weight, kind="stable"):
        if s_left[s_idx[e]] > 0 and p_left[p_idx[e]] > 0:
            chosen[e] = True
            s_left[s_idx[e]] -= 1
            p_left[p_idx[e]] -= 1
    return chosen


def remote_balltree(index, rows):  # type: ignore[no-untyped-def]
    """The remoteness part of the under-resourced index with a haversine ball tree (as
    it was), for comparison."""
    from sklearn.neighbors import BallTree

    sch = index.schools.iloc[rows]
    lat, lon = index.p_meta["latitude"], index.p_meta["longitude"]
    has = np.isfinite(lat) & np.isfinite(lon) & ~index.p_online
    tree = BallTree(np.radians(np.column_stack([lat[has], lon[has]])), metric="haversine")
    here = np.radians(sch[["latitude", "longitude"]].to_numpy(dtype=np.float64))
    nearest = tree.query(here, k=1)[0][:, 0]
    return nearest > np.quantile(nearest, 0.75)


def csv_safe_per_value(frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV guard value by value in every cell (as it was), for comparison."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype != object and not pd.api.types.is_string_dtype(s):
            continue
        if pd.api.types.infer_dtype(s, skipna=True) not in ("string", "mixed", "mixed-integer"):
            continue
        first = s.map(lambda v: v[:1] if isinstance(v, str) else "")
        risky = first.isin(FORMULA_START).to_numpy(dtype=bool)
        if risky.any():
            s = s.mask(pd.Series(risky, index=s.index), "'" + s.astype(str))
        has_cr = s.map(lambda v: isinstance(v, str) and "\r" in v).to_numpy(dtype=bool)
        if has_cr.any():
            fixed = s.astype(str).str.replace("\r\n", "\n").str.replace("\r", "\n")
            s = s.mask(pd.Series(has_cr, index=s.index), fixed)
        out[col] = s
    return out


def line(name: str, old: float, new: float, same: Any) -> None:
    print(f"{name:<44} {old:>8.2f} {new:>8.2f}  {same}")


def run_cli(src: Path, args: list[str]) -> tuple[float, float, float, str]:
    """``python -m matcher.cli ARGS`` with the code of ``src``: wall s, CPU s, peak GB,
    last line on stderr."""
    env = dict(os.environ, PYTHONPATH=str(src))
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", WRAP, sys.executable, "-m", "matcher.cli", *args],
        capture_output=True, text=True, check=False, cwd=src, env=env,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    lines = res.stderr.strip().splitlines()
    ru = next((x.split() for x in reversed(lines) if x.startswith("RUSAGE")), ["", "0", "0"])
    other = [x for x in lines if not x.startswith("RUSAGE")]
    if res.returncode != 0:
        raise SystemExit(f"{src}: matcher {' '.join(args)} failed: {' '.join(other[-3:])}")
    return wall, float(ru[2]), int(ru[1]) / 1024 / 1024, (other[-1] if other else "")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    ap.add_argument("--models", type=Path)
    grp = ap.add_mutually_exclusive_group()
    grp.add_argument("--regency")
    grp.add_argument("--province")
    ap.add_argument("--explain-sample", type=int, default=2000,
                    help="pairs explained one by one to time the old loop")  # fmt: skip
    ap.add_argument("--no-compare", action="store_true",
                    help="skip the old ways (their loops take minutes on a province)")  # fmt: skip
    ap.add_argument("--cli", action="store_true", help="also time the command line end to end")
    ap.add_argument("--before", type=Path, help="a checkout whose command line runs beside")
    a = ap.parse_args()
    if a.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-alloc-"))
        a.db, a.models = f"sqlite:///{tmp / 'm.db'}", tmp / "models"
        eng = Engine(Settings(db_url=a.db, models_dir=a.models))
        t0 = time.perf_counter()
        eng.load_sample()
        eng.train(evaluate=False)
        print(f"sample loaded and trained in {time.perf_counter() - t0:.0f}s")
        regency = a.regency or "Kota Surabaya"
        province = None
    else:
        a.models = a.models or Path("models")
        eng = Engine(Settings(db_url=a.db, models_dir=a.models))
        regency, province = a.regency, a.province
        if not regency and not province:
            regency = "Kota Surabaya"
    where = f"province {province}" if province else f"regency {regency}"
    load1 = os.getloadavg()[0]
    print(f"load average at start {load1:.1f} on {os.cpu_count()} cores")

    stages: list[tuple[str, float, float, str]] = []
    (state, rows), w, c = timed(lambda: eng.batch(regency=regency, province=province))
    stages.append(("read the database and index", w, c, ""))
    version, model, index = state
    print(f"{where}: {len(rows):,} schools, {index.n_partners:,} partners")

    m, w, c = timed(lambda: allocation.build_market(model, index, rows, 20, 0.5))
    stages.append(("candidates (top 20 each) and preferences", w, c, f"{len(m.e_s):,} pairs"))
    chosen, w, c = timed(lambda: allocation.assign(m, "optimal"))
    stages.append(("optimal (min-cost flow)", w, c, ""))
    _, w, c = timed(lambda: allocation.assign(m, "stable"))
    stages.append(("stable (deferred acceptance)", w, c, ""))
    g_new, w, c = timed(lambda: allocation.greedy(m.local_s, m.local_p, m.score, m.s_cap, m.p_cap))
    stages.append(("greedy, compiled", w, c, ""))
    ws, w, c = timed(lambda: whynot.why_not_schools(index, m.rows, m.e_s, m.e_p, m.score, chosen))
    stages.append(("why not: schools", w, c, f"{len(ws):,} schools"))
    wp, w, c = timed(lambda: whynot.why_not_partners(index, m.rows, m.e_s, m.e_p, chosen, 20))
    stages.append(("why not: partners", w, c, f"{len(wp):,} partners"))
    alloc, w, c = timed(
        lambda: eng.allocate(rows, 10, 0.5, "id", state=state)  # every stage, and tables
    )
    stages.append(("Engine.allocate in all", w, c, ""))
    out = Path(tempfile.mkdtemp(prefix="bench-alloc-csv-")) / "a.csv"
    _, w, c = timed(lambda: alloc.assignments.pipe(csv_safe).to_csv(out, index=False))
    stages.append(("CSV of the assignments", w, c, f"{len(alloc.assignments):,} rows"))

    comp = alloc.summary["comparison"]
    print(f"\n{'method':<10} {'covered':>9} {'assigned':>9} {'benefit':>10} {'gini':>6} "
          f"{'blocking':>9} {'over cap':>9} {'time s':>8}")  # fmt: skip
    for name, cm in comp.items():
        print(f"{name:<10} {cm['schools_matched']:>9,} {cm['assignments']:>9,} "
              f"{cm['total_benefit']:>10.2f} {cm['exposure_gini']:>6.3f} "
              f"{cm['blocking_pairs']:>9,} {cm['partners_over_capacity']:>9,} "
              f"{cm['seconds']:>8.2f}")  # fmt: skip

    print(f"\n{'stage':<44} {'wall s':>8} {'CPU s':>8}")
    for name, w, c, note in stages:
        print(f"{name:<44} {w:>8.2f} {c:>8.2f}   {note}")

    if not a.no_compare:
        print(f"\n{'the old way beside the new, same data':<44} {'old s':>8} {'new s':>8}  same")
        rows_new = [s for s in stages if s[0].startswith(("why not", "greedy"))]
        from tests.test_whynot import oracle_partners, oracle_schools

        ref, w, _ = timed(lambda: oracle_schools(index, m.rows, m.e_s, m.e_p, m.score, chosen))
        same = ref.equals(ws)
        line("why not: schools, loop per school", w, rows_new[1][1], same)
        ref, w, _ = timed(lambda: oracle_partners(index, m.rows, m.e_s, m.e_p, chosen, 20))
        same = ref.equals(wp)
        line("why not: partners, loop per partner", w, rows_new[2][1], same)
        g_old, w, _ = timed(lambda: greedy_loop(m.local_s, m.local_p, m.score, m.s_cap, m.p_cap))
        same = bool((g_old == g_new).all())
        line("greedy, Python loop", w, rows_new[0][1], same)
        r_old, w_old, _ = timed(lambda: remote_balltree(index, rows))
        _, w_new, _ = timed(lambda: allocation.underresourced(index, rows))
        rem = bool((r_old == _remote_part(index, rows)).all())
        line("remoteness: ball tree vs k-d tree", w_old, w_new, rem)
        frame = alloc.assignments
        old_csv, w_old, _ = timed(lambda: csv_safe_per_value(frame))
        new_csv, w_new, _ = timed(lambda: csv_safe(frame))
        same = old_csv.equals(new_csv)
        line("CSV guard: per value vs per distinct value", w_old, w_new, same)
        pairs, w_new, _ = timed(lambda: assignment_table(index, alloc.assignments, "id"))
        n, sample = len(pairs), min(a.explain_sample, len(pairs))
        s_rows = np.array([index.school_row[x] for x in pairs["school_id"][:sample]])
        p_rows = np.array([index.partner_row[x] for x in pairs["partner_id"][:sample]])
        _, w, _ = timed(
            lambda: [
                explain_pair(index, int(s), int(p), "id")
                for s, p in zip(s_rows, p_rows, strict=True)
            ]
        )
        line(f"details of {n:,} pairs: explain_pair each", w / max(sample, 1) * n, w_new,
             f"(old timed on {sample:,})")  # fmt: skip

    if a.cli:
        sel = ["--province", province] if province else ["--regency", regency]
        tmp = Path(tempfile.mkdtemp(prefix="bench-alloc-cli-"))
        common = ["-k", "10", "-q", "--db", a.db, "--models", str(a.models)]
        runs = [("this checkout", ROOT)] + ([("--before", a.before)] if a.before else [])
        print(f"\nmatcher rank {' '.join(sel)} --allocate --out FILE.csv, end to end "
              f"(load average {os.getloadavg()[0]:.1f}):")  # fmt: skip
        files = []
        for name, src in runs:
            f = tmp / f"{len(files)}.csv"
            wall, cpu, gb, tail = run_cli(src, ["rank", *sel, "--allocate", "--out", str(f),
                                                *common])  # fmt: skip
            files.append(f)
            print(
                f"  {name:<14} wall {wall:6.1f}s  CPU {cpu:6.1f}s  peak {gb:4.2f} GB  {tail[:90]}"
            )
        if len(files) == 2:
            print(f"  output files identical: {filecmp.cmp(files[0], files[1], shallow=False)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}; this process's peak {peak:.2f} GB")


def _remote_part(index, rows):  # type: ignore[no-untyped-def]
    """Which schools the under-resourced index counts as remote (its k-d tree part)."""
    sch = index.schools.iloc[rows]
    students = pd.to_numeric(sch["students"], errors="coerce").fillna(0).to_numpy()
    small = (students < 150).astype(float)
    private = (sch["ownership"].to_numpy() == "swasta").astype(float)
    low_acc = np.isin(sch["accreditation"].to_numpy(), ["C", "none"]).astype(float)
    total = allocation.underresourced(index, rows) * 4.0
    return np.rint(total - small - private - low_acc) > 0


if __name__ == "__main__":
    main()
