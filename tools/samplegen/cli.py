"""Command line of the generator: ``python -m tools.samplegen``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .writer import generate


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m tools.samplegen --out DIR [--seed S] [--national]``."""
    ap = argparse.ArgumentParser(
        prog="python -m tools.samplegen",
        description="Write synthetic schools, partners and outcomes.",
    )
    ap.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    ap.add_argument("--schools", type=int, default=None, help="schools (1,200; national 400,000)")
    ap.add_argument("--partners", type=int, default=None, help="partners (260; national 50,000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--national", action="store_true", help="38 provinces, national scale")
    ap.add_argument("--no-outcomes", action="store_true", help="skip the outcome history")
    args = ap.parse_args(argv)
    n_s = args.schools or (400_000 if args.national else 1_200)
    n_p = args.partners or (50_000 if args.national else 260)
    t = time.perf_counter()
    try:
        paths = generate(args.out, n_s, n_p, args.seed, args.national, not args.no_outcomes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in paths.items():
        with path.open("rb") as fh:
            rows = sum(1 for _ in fh) - 1
        print(f"{name}: {rows} rows -> {path}")
    print(f"done in {time.perf_counter() - t:.1f}s")
    return 0
