"""Ranking quality against a known truth, over two families of generated worlds.

Run: ``.venv/bin/python benchmarks/quality.py [--seeds 1 2 3] [--schools 2000]
[--partners 300] [--family samplegen ledger] [--quick] [--set KEY=VALUE ...]
[--json out.json]``

Two families of worlds, written from different assumptions, each with its ground truth
(the engine never reads it):

* ``samplegen`` (``tools.samplegen``): benefit is the chance the asked partner accepts
  times the chance the partnership ends in mutual success, fits are shares of needs met,
  what a school's profile implies has value. Grid: exposure bias (none / strong), needs
  only in descriptions (0 / 30%), English descriptions (0 / 50%).
* ``ledger`` (``tools.worlds``): benefit is the number of needs met on both sides times
  the chance of delivery, implied offers are worth nothing, partners accept by their own
  gain and load. Grid: reliability (weak / strong), needs only in text (0 / 30%),
  English (0 / 50%).

In every world the engine learns from the world's outcome log as a user's would
(``MatchModel.fit`` on the loaded files), and every school's and partner's top 10 is
scored by true-benefit NDCG@10: gains are the true benefit, the ideal list is the best 10
among the candidates our hard filters leave (within reach or online, level served,
capacity left, not already in progress or declined).

Beside the default: random, popularity, two-way tag overlap (the hand-written
baseline), content only (no learning from outcomes), variants of the default, and two
ceilings: the content-only score times each partner's *true* reliability (what a perfect
track record would add), and the true benefit itself within the default's own filters.
Defaults are chosen by the worst cell over both families, never the mean; the report
starts with the worst cell.
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
from tools import worlds  # noqa: E402
from tools.samplegen import generate  # noqa: E402

VARIANTS: dict[str, dict[str, Any]] = {
    "content only": {"outcome_weight": 0.0},
    "no implicit offers": {"implicit": False},
    "similarity cosine": {"similarity": "cosine"},
    "no text reading": {"text_weight": 0.0},
}
FAMILIES: dict[str, dict[str, tuple[float, ...]]] = {
    "samplegen": {"exposure": (0.0, 1.0), "text_only_needs": (0.0, 0.3), "english": (0.0, 0.5)},
    "ledger": {"reliability": (0.25, 1.0), "text_only_needs": (0.0, 0.3), "english": (0.0, 0.5)},
}
TRUE_RELIABILITY = "ceiling: true reliability"
TRUE_BENEFIT = "ceiling: true benefit"
TAG = "two-way tag overlap"


def parse_set(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for it in items:
        key, val = it.split("=", 1)
        try:
            out[key] = float(val)
        except ValueError:
            out[key] = {"true": True, "false": False}.get(val.lower(), val)
    return out


def make_world(family: str, out: Path, n_s: int, n_p: int, seed: int, cell: dict[str, float]):
    """Generate a world of ``family`` into ``out`` and read it back as the engine would."""
    if family == "samplegen":
        generate(out, n_s, n_p, seed=seed, truth=True, regencies=8, **cell)
    else:
        worlds.generate(out, n_s, n_p, seed=seed, truth=True, **cell)
    frames = {k: schema.read_file(k, out / f"{k}.csv")[0] for k in ("schools", "partners")}
    frames["outcomes"] = schema.read_file("outcomes", out / "outcomes.csv")[0]
    with np.load(out / "truth.npz", allow_pickle=False) as z:
        truth = {k: z[k] for k in z.files}
    return frames, truth


def _order(truth: dict[str, Any], index: MatchIndex) -> tuple[list[int], list[int]]:
    s_pos = {s: i for i, s in enumerate(truth["school_ids"].tolist())}
    p_pos = {p: j for j, p in enumerate(truth["partner_ids"].tolist())}
    return (
        [s_pos[s] for s in index.schools["school_id"]],
        [p_pos[p] for p in index.partners["partner_id"]],
    )


def aligned_truth(truth: dict[str, Any], index: MatchIndex) -> np.ndarray:
    """The truth matrix with rows and columns in the index's order."""
    rows, cols = _order(truth, index)
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


def _fixed(block_s: np.ndarray, block_p: np.ndarray) -> Scorer:
    """A scorer that returns precomputed matrices (the ceilings)."""

    def score(index: MatchIndex, s_rows: np.ndarray, p_rows: Any, viewer: str = "school"):
        return block_p if viewer == "partner" else block_s

    return score


def score_world(
    frames: dict[str, Any], truth: dict[str, Any], params: dict[str, Any], k: int
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
        TAG: (tag_overlap_scorer(default), index),
    }
    for name, over in VARIANTS.items():
        m = MatchModel.from_params({**params, **over}).fit(S, P, E)
        scorers[name] = (model_scorer(m), m.index(S, P, E))
        if name == "content only":
            content, content_index = m, scorers[name][1]
    scorers["default"] = (model_scorer(default), index)
    # what knowing every partner's reliability would add to content: its true factor
    _, cols = _order(truth, index)
    rel = np.asarray(truth["partner_reliability"], dtype=np.float64)[cols][None, :]
    c_s = content.score_block(content_index, rows).score * rel
    c_p = content.score_block(content_index, rows, viewer="partner").score * rel
    scorers[TRUE_RELIABILITY] = (_fixed(c_s, c_p), index)
    # the truth itself, within the default's own filters (what the filters cost)
    d_s = default.score_block(index, rows).score
    d_p = default.score_block(index, rows, viewer="partner").score
    scorers[TRUE_BENEFIT] = (
        _fixed(
            np.where(np.isfinite(d_s), gains, -np.inf), np.where(np.isfinite(d_p), gains, -np.inf)
        ),
        index,
    )
    out = {}
    for name, (scorer, own) in scorers.items():
        block = scorer(own, rows, None)
        p_block = scorer(own, rows, None, viewer="partner")  # as the partner sees it
        schools = _ndcg(block, gains, cand, k)
        partners = _ndcg(p_block.T, gains.T, cand.T, k)
        out[name] = (float(schools.mean()), float(partners.mean()))
    return out


def _cell_name(family: str, cell: dict[str, float]) -> str:
    if family == "samplegen":
        first = "expo " + ("strong" if cell["exposure"] > 0 else "none")
    else:
        first = "rel " + ("strong" if cell["reliability"] >= 1 else "weak")
    return f"{first}/{cell['text_only_needs']:.0%}/{cell['english']:.0%}"


def _mean(results: list[dict[str, Any]], name: str, side: int) -> float:
    return float(np.mean([r["ndcg"][name][side] for r in results]))


def summarise(results: list[dict[str, Any]], k: int) -> str:
    """The report: the worst cell first, then a table per family (means over seeds)."""
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in results:
        cells.setdefault((r["family"], _cell_name(r["family"], r["cell"])), []).append(r)
    ratio = {
        key: tuple(_mean(rs, "default", i) / _mean(rs, TAG, i) for i in (0, 1))
        for key, rs in cells.items()
    }
    lines = [f"true-benefit NDCG@{k}, schools' lists / partners' lists, mean over seeds", ""]
    for side, label in ((0, "schools'"), (1, "partners'")):
        (fam, cell), r = min(ratio.items(), key=lambda kv: kv[1][side])
        rs = cells[(fam, cell)]
        lines.append(
            f"WORST CELL on {label} lists: {fam} {cell}: default {_mean(rs, 'default', side):.3f}"
            f" = {r[side]:.3f}x tag overlap ({_mean(rs, TAG, side):.3f})"
        )
    for fam in dict.fromkeys(r["family"] for r in results):
        keys = [key for key in cells if key[0] == fam]
        names = list(cells[keys[0]][0]["ndcg"])
        lines += ["", f"family {fam}"]
        lines.append(f"{'model':<28}" + "".join(f"{c:>22}" for _, c in keys) + f"{'mean':>14}")
        every = [r for key in keys for r in cells[key]]
        for name in names:
            line = f"{name:<28}"
            for key in keys:
                rs = cells[key]
                line += f"{_mean(rs, name, 0):>15.3f}/{_mean(rs, name, 1):.3f}"
            line += f"{_mean(every, name, 0):>7.3f}/{_mean(every, name, 1):.3f}"
            lines.append(line)
        line = f"{'default / tag overlap':<28}"
        for key in keys:
            line += f"{ratio[key][0]:>15.3f}/{ratio[key][1]:.3f}"
        lines.append(line)
        gap = [
            (_mean(cells[key], "default", 0) - _mean(cells[key], "content only", 0))
            / max(
                _mean(cells[key], TRUE_RELIABILITY, 0) - _mean(cells[key], "content only", 0), 1e-9
            )
            for key in keys
        ]
        lines.append(
            f"{'reliability gap recovered':<28}"
            + "".join(f"{g:>22.0%}" for g in gap)
            + "   (default - content only) / (true reliability - content only), schools' lists"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--schools", type=int, default=2000)
    ap.add_argument("--partners", type=int, default=300)
    ap.add_argument("--family", nargs="+", choices=list(FAMILIES), default=list(FAMILIES))
    ap.add_argument("-k", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="one seed, the first cell's half")
    ap.add_argument("--set", nargs="*", default=[], help="model parameters, KEY=VALUE")
    ap.add_argument("--json", type=Path, help="also write every figure as JSON")
    a = ap.parse_args()
    params = parse_set(a.set)
    seeds = a.seeds[:1] if a.quick else a.seeds
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    for fam in a.family:
        grid = FAMILIES[fam]
        if a.quick:  # the harder half: strong exposure / weak reliability
            first = next(iter(grid))
            grid = dict(
                grid, **{first: grid[first][-1:] if fam == "samplegen" else grid[first][:1]}
            )
        cells = [dict(zip(grid, v, strict=True)) for v in itertools.product(*grid.values())]
        for cell in cells:
            for seed in seeds:
                with tempfile.TemporaryDirectory() as tmp:
                    frames, truth = make_world(fam, Path(tmp), a.schools, a.partners, seed, cell)
                    res = score_world(frames, truth, params, a.k)
                results.append({"family": fam, "cell": cell, "seed": seed, "ndcg": res})
                print(
                    f"[{time.perf_counter() - t0:6.0f}s] {fam} {_cell_name(fam, cell)} seed {seed}:"
                    f" default {res['default'][0]:.3f}/{res['default'][1]:.3f}, tag overlap "
                    f"{res[TAG][0]:.3f}/{res[TAG][1]:.3f}",
                    flush=True,
                )
    print()
    print(summarise(results, a.k))
    if a.json:
        a.json.write_text(json.dumps({"params": params, "results": results}, indent=1))


if __name__ == "__main__":
    main()
