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
    assert names[:4] == ["random", "popularity", "one-way match", "content only"]
    assert any(n.startswith("previous") for n in names) and names[-1].startswith("model")
    for m in rep["models"].values():
        for side in ("schools", "partners"):
            assert 0.0 <= m[side]["ndcg"] <= 1.0 and 0.0 <= m[side]["recall"] <= 1.0
        assert 0.0 <= m["coverage"] <= 1.0
    assert rep["reference"] == "content only"
    assert "vs_reference" not in rep["models"]["content only"]
    for name in names[:3] + names[4:]:
        for side in ("schools", "partners"):
            g = rep["models"][name]["vs_reference"][side]
            assert g["low"] <= g["gain"] <= g["high"]
    ref = rep["models"]["content only"]["schools"]["ndcg"]
    gain = rep["models"]["random"]["vs_reference"]["schools"]["gain"]
    assert gain == pytest.approx(rep["models"]["random"]["schools"]["ndcg"] - ref)
    text = format_report(rep)
    assert "schools lists" in text and "per segment" in text
    assert "gain over content only (95% paired bootstrap interval)" in text
