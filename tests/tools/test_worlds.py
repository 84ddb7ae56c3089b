"""The second world family (tools.worlds): the same files and truth arrays as
tools.samplegen, written from its own assumptions (benefit a count of needs met, implied
offers worth nothing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matcher import schema
from tools import worlds
from tools.worlds.ledger import CODES


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("ledger")
    worlds.generate(out, 80, 20, seed=3, truth=True, text_only_needs=0.3, english=0.5)
    with np.load(out / "truth.npz", allow_pickle=False) as z:
        return out, {k: z[k] for k in z.files}


def test_files_load_as_the_engine_reads_them(world: tuple[Path, dict]) -> None:
    out, truth = world
    for kind, n in (("schools", 80), ("partners", 20)):
        frame = schema.read_file(kind, out / f"{kind}.csv")[0]
        assert len(frame) == n
    events = schema.read_file("outcomes", out / "outcomes.csv")[0]
    assert {"proposed", "accepted", "declined", "completed"} <= set(events["status"])
    # the same arrays as tools.samplegen's truth, in file order
    assert {"benefit", "forward", "backward", "p_accept", "p_success"} <= set(truth)
    assert (
        truth["school_ids"].tolist()
        == pd.read_csv(out / "schools.csv", dtype=str)["school_id"].tolist()
    )
    assert truth["benefit"].shape == (80, 20)
    assert truth["partner_reliability"].shape == (20,)


def test_benefit_counts_needs_met_and_implied_offers_are_worth_nothing(
    world: tuple[Path, dict],
) -> None:
    out, truth = world
    s = pd.read_csv(out / "schools.csv", dtype=str, keep_default_na=False)
    p = pd.read_csv(out / "partners.csv", dtype=str, keep_default_na=False)

    def hot(col: pd.Series) -> np.ndarray:
        return np.array([[c in v.split(";") for c in CODES] for v in col], dtype=np.float32)

    # the partner gains exactly the needs the school's listed offers meet: nothing from
    # what the school's profile implies (csr_impact for a small school, ...)
    wants = hot(p["needs"]).sum(axis=1) > 0
    listed = hot(s["offers"]) @ hot(p["needs"]).T
    assert np.array_equal(truth["backward"][:, wants], listed[:, wants])
    # benefit is the sum of both directions times delivery, 0 where the pair cannot work
    ok = truth["benefit"] > 0
    total = truth["forward"] + truth["backward"]
    assert np.allclose(truth["benefit"][ok], (truth["p_success"] * total)[ok], rtol=1e-5)
    assert (truth["forward"] >= truth["forward"].astype(int)).all()
    assert truth["forward"].max() >= 2  # a count, not a share


def test_same_seed_same_files_and_bad_settings_refused(tmp_path: Path) -> None:
    a = worlds.generate(tmp_path / "a", 30, 10, seed=5)
    b = worlds.generate(tmp_path / "b", 30, 10, seed=5)
    for k in ("schools", "partners", "outcomes"):
        assert a[k].read_bytes() == b[k].read_bytes()
    with pytest.raises(ValueError, match="reliability must be between 0 and 1"):
        worlds.generate(tmp_path / "c", 30, 10, reliability=2.0)
    with pytest.raises(TypeError, match="unknown ledger world settings: fame"):
        worlds.generate(tmp_path / "c", 30, 10, fame=1.0)


def test_reliability_setting_spreads_delivery() -> None:
    strong = worlds.make_world(60, 40, seed=1, reliability=1.0)[3]["partner_reliability"]
    weak = worlds.make_world(60, 40, seed=1, reliability=0.25)[3]["partner_reliability"]
    assert strong.std() > 2 * weak.std()
