"""Evaluation: the time split never leaks, and the report compares every baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.engine import Engine
from matcher.evaluation import format_report, time_split
from tests.test_outcomes import reliability_world


def test_time_split_new_pairs_only(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    outcomes = engine.store.frame("outcomes")
    h = time_split(outcomes, 0.25)
    assert (h.train["recorded_at"] < h.cutoff).all()
    seen = set(zip(h.train["school_id"], h.train["partner_id"], strict=True))
    assert not seen & set(zip(h.test["school_id"], h.test["partner_id"], strict=True))


def test_report_has_both_sides_and_baselines(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"])
    engine.train(evaluate=False)
    # later events for new schools give the holdout something to find
    engine.load_files(outcomes=files["outcomes"])
    engine.train(evaluate=False)
    rep = engine.evaluate(test_fraction=0.3)
    names = list(rep["models"])
    baselines = ["random", "popularity", "two-way tag overlap", "one-way match", "content only"]
    assert names[:5] == baselines
    assert any(n.startswith("previous") for n in names) and names[-1].startswith("model")
    for m in rep["models"].values():
        for side in ("schools", "partners"):
            assert 0.0 <= m[side]["ndcg"] <= 1.0 and 0.0 <= m[side]["recall"] <= 1.0
        assert 0.0 <= m["coverage"] <= 1.0
    assert rep["reference"] == "content only"
    assert "vs_reference" not in rep["models"]["content only"]
    for name in names[:4] + names[5:]:
        for side in ("schools", "partners"):
            g = rep["models"][name]["vs_reference"][side]
            assert g["low"] <= g["gain"] <= g["high"]
    ref = rep["models"]["content only"]["schools"]["ndcg"]
    gain = rep["models"]["random"]["vs_reference"]["schools"]["gain"]
    assert gain == pytest.approx(rep["models"]["random"]["schools"]["ndcg"] - ref)
    text = format_report(rep)
    assert "schools lists" in text and "per segment" in text and "formed next" in text
    assert "gain over content only (95% paired bootstrap interval)" in text
    tried = rep["once_tried"]
    assert tried["pairs"]["accept"] > 0 and set(tried["models"]) == set(names)
    assert "once tried: AUC" in text


def test_once_tried_auc_rewards_ranking_what_delivers(engine: Engine, tmp_path: Path) -> None:
    """On tried pairs, a scorer that puts the partner that delivers above the one that
    fails has a deliver AUC of 1, whichever was asked more."""
    import numpy as np

    from matcher.evaluation import once_tried
    from tests.test_outcomes import exposure_world

    files = exposure_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    _, model, index = engine.snapshot()
    holdout = time_split(engine.store.frame("outcomes"), 0.5)
    far = index.partner_row["P-FAR-ONLINE"]

    def knows(ix, s_rows, p_rows, viewer="school"):
        cols = np.arange(ix.n_partners) if p_rows is None else p_rows
        return np.broadcast_to((cols == far).astype(np.float32), (len(s_rows), len(cols)))

    def nearest(ix, s_rows, p_rows, viewer="school"):
        return 1.0 - knows(ix, s_rows, p_rows)

    rep = once_tried({"knows": knows, "nearest": nearest}, index, holdout)
    assert rep["models"]["knows"]["deliver"]["pooled"]["auc"] == 1.0
    assert rep["models"]["nearest"]["deliver"]["pooled"]["auc"] == 0.0


def test_partner_lists_merged_chunk_by_chunk_equal_one_pass(engine: Engine, tmp_path: Path) -> None:
    import numpy as np

    from matcher.evaluation import model_scorer, top_lists

    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    _, model, index = engine.snapshot()
    scorer = model_scorer(model)
    s_rows, p_rows = np.arange(index.n_schools), np.arange(index.n_partners)
    one = top_lists(scorer, index, s_rows, p_rows, k=5, chunk=index.n_schools)
    merged = top_lists(scorer, index, s_rows, p_rows, k=5, chunk=3)
    assert merged == one and all(len(lst) == 5 for lst in one[1][:2])


def test_large_holdouts_are_sampled_and_say_so(engine: Engine, tmp_path: Path) -> None:
    files = reliability_world(tmp_path)
    engine.load_files(files["schools"], files["partners"], files["outcomes"])
    engine.train(evaluate=False)
    _, model, index = engine.snapshot()
    from matcher.evaluation import evaluate_scorers, model_scorer

    holdout = time_split(engine.store.frame("outcomes"), 0.3)
    rep = evaluate_scorers({"m": model_scorer(model)}, index, holdout, max_lists=3)
    assert rep["sampled"] == {"schools": 3, "partners": min(3, rep["test_partners"])}
    assert rep["test_schools"] > 3
    assert "a fixed random sample of 3 schools" in format_report(rep)
    full = evaluate_scorers({"m": model_scorer(model)}, index, holdout)
    assert "sampled" not in full


def test_grouped_auc_equals_auc_within_each_owner() -> None:
    import numpy as np
    import pandas as pd

    from matcher.evaluation import _grouped_auc
    from matcher.metrics import auc

    rng = np.random.default_rng(0)
    owners = rng.integers(0, 40, 1500)
    scores = rng.integers(0, 5, 1500).astype(float)  # many ties
    scores[rng.random(1500) < 0.1] = -np.inf  # unscored pairs
    y = rng.random(1500) < 0.4
    frame = pd.DataFrame({"o": owners, "s": scores, "y": y})
    want = [auc(g["s"].to_numpy(), g["y"].to_numpy()) for _, g in frame.groupby("o", sort=False)]
    assert np.allclose(_grouped_auc(owners, scores, y), [v for v in want if np.isfinite(v)])
