"""Ranking quality across seeds and sizes of generated data, beside baselines.

Run: ``.venv/bin/python benchmarks/quality.py [--seeds 42 7 123] [--schools 1200]
[--partners 260] [--set outcome_weight=0.3 ...]``

For each seed, generates a sample, loads it into a temporary database, trains with the
given parameters and prints the holdout table (schools' and partners' lists), then the
mean over seeds, so a change is judged on what holds across data, not on one sample.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matcher.config import Settings  # noqa: E402
from matcher.engine import Engine  # noqa: E402
from tools.samplegen import generate  # noqa: E402


def parse_set(items: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for it in items:
        key, val = it.split("=", 1)
        try:
            out[key] = float(val) if "." in val or val.isdigit() else val
        except ValueError:
            out[key] = val
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 123])
    ap.add_argument("--schools", type=int, default=1200)
    ap.add_argument("--partners", type=int, default=260)
    ap.add_argument("--set", nargs="*", default=[], help="model parameters key=value")
    a = ap.parse_args()
    params = parse_set(a.set)
    rows: dict[str, list[tuple[float, float]]] = {}
    for seed in a.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            t = Path(tmp)
            paths = generate(t / "data", a.schools, a.partners, seed=seed)
            eng = Engine(Settings(db_url=f"sqlite:///{t / 'm.db'}", models_dir=t / "models"))
            eng.load_files(paths["schools"], paths["partners"], paths["outcomes"])
            eng.train(params, evaluate=False)
            rep = eng.evaluate()
        print(f"\nseed {seed}: {rep['test_pairs']} test pairs, cut-off {rep['cutoff'][:10]}")
        for name, m in rep["models"].items():
            key = "model" if name.startswith("model") else name
            s, p = m["schools"]["ndcg"], m["partners"]["ndcg"]
            rows.setdefault(key, []).append((s, p))
            gain = m.get("vs_reference")
            ci = ""
            if gain and key == "model":
                g_s, g_p = gain["schools"], gain["partners"]
                ci = (
                    f"   gain over content only: schools {g_s['gain']:+.3f} "
                    f"[{g_s['low']:+.3f}, {g_s['high']:+.3f}], partners {g_p['gain']:+.3f} "
                    f"[{g_p['low']:+.3f}, {g_p['high']:+.3f}]"
                )
            print(f"  {key:<24} schools NDCG@10 {s:.3f}   partners NDCG@10 {p:.3f}{ci}")
    print(f"\nmean over seeds {a.seeds} (params {params or 'default'}):")
    for key, vals in rows.items():
        arr = np.array(vals)
        print(f"  {key:<24} schools {arr[:, 0].mean():.3f}   partners {arr[:, 1].mean():.3f}")


if __name__ == "__main__":
    main()
