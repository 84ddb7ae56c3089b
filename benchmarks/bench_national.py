"""National scale: time, peak memory and pairs per second for ``matcher rank --all``
(top-10) and for one province with ``--allocate``, beside a bare numpy product.

Run: ``.venv/bin/python benchmarks/bench_national.py [--schools 400000] [--partners 50000]
[--province "Jawa Timur"] [--keep DIR [--reuse]] [--steps load train rank province]``

Generates national data with the sample generator, then runs the real command line
(``matcher load``, ``train``, ``rank``) as child processes, each timed (wall and CPU
seconds: the machine is shared, CPU time is the steadier figure), with its peak
resident memory read from the operating system. The bare product — schools × codes @
codes × partners in float32, chunked — is measured in this process for comparison.
``--reuse`` takes the data and database already in ``--keep DIR`` (no generating and
loading again); ``--steps`` runs only some of the commands (e.g. ``train``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.samplegen import generate  # noqa: E402

MATCHER = str(Path(sys.executable).with_name("matcher"))
STEPS = ("load", "train", "rank", "province")


WRAP = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:])\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(f'MAXRSS {u.ru_maxrss} {u.ru_utime + u.ru_stime}', file=sys.stderr)\n"
    "sys.exit(r.returncode)\n"
)


def run(args: list[str], env_dir: Path) -> tuple[float, float, float, list[str]]:
    """Run ``matcher ARGS`` in its own wrapper process; returns (wall seconds, CPU
    seconds, peak resident memory of that command in GB, last line it printed on
    stderr)."""
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", WRAP, MATCHER, *args, "--db", f"sqlite:///{env_dir / 'm.db'}",
         "--models", str(env_dir / "models")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    took = time.perf_counter() - t0
    lines = res.stderr.strip().splitlines()
    ru = next((x.split() for x in reversed(lines) if x.startswith("MAXRSS")), ["", "0", "0"])
    other = [x for x in lines if not x.startswith("MAXRSS")]
    if res.returncode != 0:
        raise SystemExit(f"matcher {' '.join(args)} failed: {' '.join(other[-3:])}")
    return took, float(ru[2]), int(ru[1]) / 1024 / 1024, other[-1:]


def bare_product(n_s: int, n_p: int, codes: int = 34) -> float:
    rng = np.random.default_rng(0)
    A = rng.random((n_s, codes), dtype=np.float32)
    B = rng.random((n_p, codes), dtype=np.float32)
    t0 = time.perf_counter()
    for i in range(0, n_s, 512):
        _ = A[i : i + 512] @ B.T
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schools", type=int, default=400_000)
    ap.add_argument("--partners", type=int, default=50_000)
    ap.add_argument("--province", default="Jawa Timur")
    ap.add_argument("--keep", type=Path, help="keep the data and database here")
    ap.add_argument("--reuse", action="store_true",
                    help="use the data and database already in --keep DIR")  # fmt: skip
    ap.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS))
    a = ap.parse_args()
    if a.reuse and not (a.keep and (a.keep / "m.db").exists()):
        raise SystemExit("--reuse needs --keep DIR holding m.db from an earlier run")
    work = a.keep or Path(tempfile.mkdtemp(prefix="bench-national-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    try:
        if a.reuse:
            d = work / "data"
            paths = {k: d / f"{k}.csv" for k in ("schools", "partners", "outcomes")}
            a.steps = [x for x in a.steps if x != "load"]
        else:
            t0 = time.perf_counter()
            paths = generate(work / "data", a.schools, a.partners, seed=11, national=True)
            print(f"generate: {time.perf_counter() - t0:.0f}s")
        steps = [
            ("load", ["load", "--schools", str(paths["schools"]), "--partners",
                      str(paths["partners"]), "--outcomes", str(paths["outcomes"]), "-q"]),
            ("train", ["train", "--no-eval", "-q"]),
            ("rank --all -k 10", ["rank", "--all", "-k", "10", "--out",
                                  str(work / "all.csv"), "-q"]),
            (f"rank --province {a.province!r} --allocate",
             ["rank", "--province", a.province, "--allocate", "-k", "10", "--out",
              str(work / "province.csv"), "-q"]),
        ]  # fmt: skip
        results = {}
        chosen = set(a.steps)
        for key, (name, args) in zip(STEPS, steps, strict=True):
            if key not in chosen:
                continue
            took, cpu, peak, tail = run(args, work)
            results[name] = (took, peak)
            print(f"{name:<44} wall {took:>7.1f}s  CPU {cpu:>7.1f}s  peak RSS {peak:5.2f} GB"
                  f"   {' '.join(tail)}   (load average {os.getloadavg()[0]:.1f})")  # fmt: skip
        if "rank" not in chosen:
            return
        pairs = a.schools * a.partners
        t_rank = results["rank --all -k 10"][0]
        t_bare = bare_product(a.schools, a.partners)
        print(
            f"\nrank --all: {a.schools:,} × {a.partners:,} = {pairs:,.0f} pairs in {t_rank:.0f}s "
            f"= {pairs / t_rank:,.0f} pairs/s end to end (reading the database, indexing, "
            f"scoring with geographic blocking, writing CSV)"
        )
        print(
            f"bare numpy product of the same shape: {t_bare:.1f}s = {pairs / t_bare:,.0f} "
            "pairs/s (no filters, no top-k, no I/O)"
        )
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
