"""Command line of the generator: ``python -m tools.samplegen``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .world import World
from .writer import generate

_D = World()


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m tools.samplegen",
        description="Write synthetic schools, partners and outcomes (and their truth).",
    )
    ap.add_argument("--out", type=Path, default=Path("data/sample"), help="output folder")
    ap.add_argument("--schools", type=int, default=None, help="schools (1,200; national 400,000)")
    ap.add_argument("--partners", type=int, default=None, help="partners (260; national 50,000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--national", action="store_true", help="38 provinces, national scale")
    ap.add_argument("--no-outcomes", action="store_true", help="skip the outcome history")
    ap.add_argument(
        "--truth",
        action="store_true",
        help="also write truth.npz, the true benefit of every pair (for benchmarks only)",
    )
    w = ap.add_argument_group("world (see tools.samplegen.World)")
    w.add_argument(
        "--exposure",
        type=float,
        default=_D.exposure,
        help="0 none .. 1 strong: schools approach near, well-known partners "
        f"(default {_D.exposure})",
    )
    w.add_argument(
        "--reliability",
        type=float,
        default=_D.reliability,
        help="0..1 spread of hidden partner reliability and school engagement "
        f"(default {_D.reliability})",
    )
    w.add_argument(
        "--text-only-needs",
        type=float,
        default=_D.text_only_needs,
        help=f"share of true needs only in the description (default {_D.text_only_needs})",
    )
    w.add_argument(
        "--english",
        type=float,
        default=_D.english,
        help=f"share of descriptions in English (default {_D.english})",
    )
    w.add_argument(
        "--regencies",
        type=int,
        default=_D.regencies,
        help=f"East Java regencies, 1..12 (default {_D.regencies}; not with --national)",
    )
    w.add_argument(
        "--proposals",
        type=float,
        default=_D.proposals,
        help=f"mean proposals per school over the period (default {_D.proposals})",
    )
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.samplegen --out DIR [--seed S] [--national] [--truth] ...``."""
    args = _parser().parse_args(argv)
    n_s = args.schools or (400_000 if args.national else 1_200)
    n_p = args.partners or (50_000 if args.national else 260)
    t = time.perf_counter()
    try:
        paths = generate(
            args.out,
            n_s,
            n_p,
            args.seed,
            args.national,
            not args.no_outcomes,
            truth=args.truth,
            exposure=args.exposure,
            reliability=args.reliability,
            text_only_needs=args.text_only_needs,
            english=args.english,
            regencies=args.regencies,
            proposals=args.proposals,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in paths.items():
        if path.suffix == ".csv":
            with path.open("rb") as fh:
                rows = sum(1 for _ in fh) - 1
            print(f"{name}: {rows} rows -> {path}")
        else:
            print(f"{name}: {n_s} x {n_p} pairs -> {path}")
    print(f"done in {time.perf_counter() - t:.1f}s")
    return 0
