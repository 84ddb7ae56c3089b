"""Ranking quality against a known truth, over a grid of generated worlds.

Run: ``.venv/bin/python benchmarks/quality.py [--seeds 1 2 3] [--schools 2000]
[--partners 300] [--quick] [--set prior_strength=10 ...] [--json out.json]``

Each world is made by ``tools.samplegen`` with its ground truth: the expected mutual
success of every school–partner pair if it were tried (the engine never reads it). The
grid crosses exposure bias (none / strong: schools approach near, well-known partners),
needs written only in descriptions (0 / 30%) and descriptions in English (0 / 50%), each
with several seeds. In every world the engine learns from the world's outcome log as a
user's would (``MatchModel.fit`` on the loaded files), and every school's and partner's
top 10 is scored by true-benefit NDCG@10: gains are the true benefit, the ideal list is
the best 10 among the candidates our hard filters leave (within reach or online, level
served, capacity left, not already in progress or declined).

Beside the default: random, popularity, two-way tag overlap (the hand-written
baseline), content only (no learning from outcomes), and the default without each prior
in turn (implicit offers, distance decay, language penalty, text reading) and with rarity
weighting (off by default). Defaults are chosen by the grid's mean, never by one cell.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher import schema  # noqa: E402
from matcher.evaluation import (  # noqa: E402
    Scorer,
    model_scorer,
    popularity_scorer,
    random_scorer,
    tag_overlap_scorer,
)
from matcher.index import MatchIndex  # noqa: E402
from matcher.model import MatchModel  # noqa: E402
from tools.samplegen import generate  # noqa: E402

ABLATIONS: dict[str, dict[str, Any]] = {
    "with rarity weighting": {"rarity": True},  # off by default: on is the variant
    "no implicit offers/needs": {"implicit": False},
    "no distance decay": {"decay_weight": 0.0},
    "no language penalty": {"language_penalty": 1.0},
    "no text reading": {"text_weight": 0.0},
}
GRID = {"exposure": (0.0, 1.0), "text_only_needs": (0.0, 0.3), "english": (0.0, 0.5)}


def parse_set(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        key, val = it.split("=", 1)
        try:
            out[key] = float(val)
        except ValueError:
            out[key] = {"true": True, "false": False}.get(val.lower(), val)
    return out


def make_world(out: Path, n_s: int, n_p: int, seed: int, cell: dict[str, float]):
    """Generate a world into ``out`` and read it back as the engine would."""
    generate(out, n_s, n_p, seed=seed, truth=True, regencies=8, **cell)
    frames = {k: schema.read_file(k, out / f"{k}.csv")[0] for k in ("schools", "partners")}
    frames["outcomes"] = schema.read_file("outcomes", out / "outcomes.csv")[0]
    truth = np.load(out / "truth.npz", allow_pickle=False)
    return frames, truth


def aligned_truth(truth: Any, index: MatchIndex) -> np.ndarray:
    """The truth matrix with rows and columns in the index's order."""
    s_pos = {s: i for i, s in enumerate(truth["school_ids"].tolist())}
    p_pos = {p: j for j, p in enumerate(truth["partner_ids"].tolist())}
    rows = [s_pos[s] for s in index.schools["school_id"]]
    cols = [p_pos[p] for p in index.partners["partner_id"]]
    return np.asarray(truth["benefit"], dtype=np.float64)[np.ix_(rows, cols)]


def _ndcg(scores: np.ndarray, gains: np.ndarray, cand: np.ndarray, k: int) -> np.ndarray:
    """True-benefit NDCG@k of each row's top k of ``scores`` against the best k of
    ``gains`` among the candidates ``cand`` (rows without any gain are left out)."""
    g = np.where(cand, gains, 0.0)
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = -np.sort(-g, axis=1)[:, :k] @ disc
    s = np.where(np.isfinite(scores), scores, -np.inf)
    top = np.argsort(-s, axis=1, kind="stable")[:, :k]
    got = np.take_along_axis(np.where(np.isfinite(s), g, 0.0), top, axis=1) @ disc
    ok = ideal > 0
    return got[ok] / ideal[ok]


def score_world(
    frames: dict[str, Any], truth: Any, params: dict[str, Any], k: int
) -> dict[str, tuple[float, float]]:
    """True-benefit NDCG@k of schools' and partners' lists for every model."""
    S, P, E = frames["schools"], frames["partners"], frames["outcomes"]
    default = MatchModel.from_params(params).fit(S, P, E)
    index = default.index(S, P, E)
    gains = aligned_truth(truth, index)
    rows = np.arange(index.n_schools)
    cand = default.reachable(index, rows)
    scorers: dict[str, tuple[Scorer, MatchIndex]] = {
        "random": (random_scorer(default), index),
        "popularity": (popularity_scorer(default, E), index),
        "two-way tag overlap": (tag_overlap_scorer(default), index),
    }
    variants = {"content only": {"outcome_weight": 0.0}} | ABLATIONS
    for name, over in variants.items():
        m = MatchModel.from_params({**params, **over}).fit(S, P, E)
        scorers[name] = (model_scorer(m), m.index(S, P, E))
    scorers["default"] = (model_scorer(default), index)
    out = {}
    for name, (scorer, own) in scorers.items():
        block = scorer(own, rows, None)
        p_block = scorer(own, rows, None, viewer="partner")  # as the partner sees it
        schools = _ndcg(block, gains, cand, k)
        partners = _ndcg(p_block.T, gains.T, cand.T, k)
        out[name] = (float(schools.mean()), float(partners.mean()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--schools", type=int, default=2000)
    ap.add_argument("--partners", type=int, default=300)
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="one seed, strong exposure only")
    ap.add_argument("--set", nargs="*", default=[], help="model parameters, KEY=VALUE")
    ap.add_argument("--json", type=Path, help="also write every figure as JSON")
    a = ap.parse_args()
    params = parse_set(a.set)
    seeds = a.seeds[:1] if a.quick else a.seeds
    grid = dict(GRID, exposure=(1.0,)) if a.quick else GRID
    cells = [dict(zip(grid, vals, strict=True)) for vals in itertools.product(*grid.values())]
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for cell in cells:
        for seed in seeds:
            with tempfile.TemporaryDirectory() as tmp:
                frames, truth = make_world(Path(tmp), a.schools, a.partners, seed, cell)
                res = score_world(frames, truth, params, a.k)
            results.append({"cell": cell, "seed": seed, "ndcg": res})
            print(
                f"[{time.perf_counter() - t0:6.0f}s] exposure {cell['exposure']:.0f} text-only "
                f"{cell['text_only_needs']:.0%} English {cell['english']:.0%} seed {seed}: "
                f"default {res['default'][0]:.3f}/{res['default'][1]:.3f}, tag overlap "
                f"{res['two-way tag overlap'][0]:.3f}/{res['two-way tag overlap'][1]:.3f}",
                flush=True,
            )
    names = list(results[0]["ndcg"])
    print(f"\ntrue-benefit NDCG@{a.k} (schools' lists / partners' lists), mean over seeds")
    print(f"{'model':<26}" + "".join(f"{_cell_name(c):>14}" for c in cells) + f"{'mean':>14}")
    for name in names:
        line = f"{name:<26}"
        for cell in cells:
            vals = [r["ndcg"][name] for r in results if r["cell"] == cell]
            line += f"{np.mean([v[0] for v in vals]):>7.3f}/{np.mean([v[1] for v in vals]):.3f}"
        line += (
            f"{np.mean([r['ndcg'][name][0] for r in results]):>7.3f}/"
            f"{np.mean([r['ndcg'][name][1] for r in results]):.3f}"
        )
        print(line)
    print("\ndefault ÷ two-way tag overlap, per cell (schools / partners); worst cell last")
    ratios = []
    for cell in cells:
        vals = [r["ndcg"] for r in results if r["cell"] == cell]
        rs = np.mean([v["default"][0] for v in vals]) / np.mean(
            [v["two-way tag overlap"][0] for v in vals]
        )
        rp = np.mean([v["default"][1] for v in vals]) / np.mean(
            [v["two-way tag overlap"][1] for v in vals]
        )
        ratios.append((rs, rp))
        print(f"  {_cell_name(cell):<22} {rs:.3f} / {rp:.3f}")
    print(f"  worst: {min(r[0] for r in ratios):.3f} / {min(r[1] for r in ratios):.3f}")
    gain = [r["ndcg"]["default"][0] - r["ndcg"]["content only"][0] for r in results]
    print(f"outcomes over content only (schools' lists): mean {np.mean(gain):+.3f}")
    if a.json:
        a.json.write_text(json.dumps({"params": params, "results": results}, indent=1))


def _cell_name(cell: dict[str, float]) -> str:
    expo = "strong" if cell["exposure"] > 0 else "none"
    return f"{expo}/{cell['text_only_needs']:.0%}/{cell['english']:.0%}"


if __name__ == "__main__":
    main()
