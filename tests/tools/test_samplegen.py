"""Tests of the synthetic data generator (``tools.samplegen``) and the committed sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tools.samplegen import KUANTA_ID, PGRI6_ID, generate, main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
VOCAB = json.loads((ROOT / "data" / "vocabulary.json").read_text(encoding="utf-8"))
CODES = {c["code"] for c in VOCAB["codes"]}
LANGS = {"id", "en", "jv", "su", "mad"}

SCHOOL_COLUMNS = [
    "school_id", "name", "level", "ownership", "province", "regency", "district",
    "latitude", "longitude", "students", "teachers", "accreditation", "needs", "offers",
    "description", "languages", "capacity",
]  # fmt: skip
PARTNER_COLUMNS = [
    "partner_id", "name", "type", "sector", "province", "regency", "latitude", "longitude",
    "service_radius_km", "online", "offers", "needs", "levels", "description", "languages",
    "capacity",
]  # fmt: skip
OUTCOME_COLUMNS = [
    "outcome_id", "school_id", "partner_id", "status", "school_rating", "partner_rating",
    "recorded_at",
]  # fmt: skip

ALLOWED_NEXT = {
    None: {"proposed"},
    "proposed": {"accepted", "declined"},
    "accepted": {"active"},
    "active": {"completed", "ended_early"},
    "completed": {"proposed"},
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _codes(cell: str) -> list[str]:
    return [c for c in cell.split(";") if c]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("small"), 150, 40, seed=7)


@pytest.fixture(scope="module")
def frames(small: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {k: _read(v) for k, v in small.items()}


@pytest.fixture(scope="module")
def committed() -> dict[str, pd.DataFrame]:
    return {k: _read(SAMPLE / f"{k}.csv") for k in ("schools", "partners", "outcomes")}


def test_same_seed_same_files(tmp_path: Path, small: dict[str, Path]) -> None:
    again = generate(tmp_path, 150, 40, seed=7)
    assert set(again) == {"schools", "partners", "outcomes"}
    for key, path in small.items():
        assert path.read_bytes() == again[key].read_bytes(), key


def test_other_seed_other_files(tmp_path: Path, small: dict[str, Path]) -> None:
    other = generate(tmp_path, 150, 40, seed=8)
    for key, path in small.items():
        assert path.read_bytes() != other[key].read_bytes(), key


def test_outcomes_optional(tmp_path: Path) -> None:
    paths = generate(tmp_path, 30, 12, seed=1, outcomes=False)
    assert set(paths) == {"schools", "partners"}
    assert not (tmp_path / "outcomes.csv").exists()


def test_too_small_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, 5, 5)


def test_schools_valid(frames: dict[str, pd.DataFrame]) -> None:
    s = frames["schools"]
    assert list(s.columns) == SCHOOL_COLUMNS
    assert len(s) == 150
    assert s["school_id"].is_unique
    assert s["school_id"].str.fullmatch(r"\d{8}").all()
    assert s["name"].str.len().gt(0).all()
    assert s["level"].isin(VOCAB["levels"]).all()
    assert s["ownership"].isin(VOCAB["ownership"]).all()
    assert s["accreditation"].isin([*VOCAB["accreditation"], ""]).all()
    assert s["province"].str.len().gt(0).all() and s["regency"].str.len().gt(0).all()
    lat = pd.to_numeric(s["latitude"])
    lon = pd.to_numeric(s["longitude"])
    assert lat.between(-11.1, 6.1).all() and lon.between(94.9, 141.1).all()
    for col in ("students", "teachers"):
        v = pd.to_numeric(s[col].replace("", None))
        assert (v.dropna() >= 0).all() and (v.dropna() % 1 == 0).all()
    cap = pd.to_numeric(s["capacity"].replace("", None)).dropna()
    assert cap.between(1, 5).all()
    for cell in s["needs"]:
        assert _codes(cell), "every school needs something"
        assert set(_codes(cell)) <= CODES
    for cell in s["offers"]:
        assert set(_codes(cell)) <= CODES
    for cell in s["languages"]:
        assert set(_codes(cell)) <= LANGS


def test_partners_valid(frames: dict[str, pd.DataFrame]) -> None:
    p = frames["partners"]
    assert list(p.columns) == PARTNER_COLUMNS
    assert len(p) == 40
    assert p["partner_id"].is_unique and p["name"].is_unique
    assert p["type"].isin(VOCAB["partner_types"]).all()
    assert p["online"].isin(["true", "false"]).all()
    has_xy = p["latitude"].ne("") & p["longitude"].ne("")
    assert (has_xy | p["online"].eq("true")).all(), "coordinates required unless online"
    lat = pd.to_numeric(p.loc[has_xy, "latitude"])
    lon = pd.to_numeric(p.loc[has_xy, "longitude"])
    assert lat.between(-11.1, 6.1).all() and lon.between(94.9, 141.1).all()
    radius = pd.to_numeric(p["service_radius_km"])
    assert radius.between(5, 150).all()
    assert pd.to_numeric(p["capacity"]).between(1, 40).all()
    for cell in p["offers"]:
        assert _codes(cell) and set(_codes(cell)) <= CODES
    for cell in p["needs"]:
        assert set(_codes(cell)) <= CODES
    for cell in p["levels"]:
        assert set(_codes(cell)) <= set(VOCAB["levels"])
    for cell in p["languages"]:
        assert set(_codes(cell)) <= LANGS


def test_outcomes_valid(frames: dict[str, pd.DataFrame]) -> None:
    o = frames["outcomes"]
    assert list(o.columns) == OUTCOME_COLUMNS
    assert len(o) > 0
    assert o["outcome_id"].is_unique
    assert o["status"].isin(VOCAB["statuses"]).all()
    assert o["school_id"].isin(frames["schools"]["school_id"]).all()
    assert o["partner_id"].isin(frames["partners"]["partner_id"]).all()
    day = pd.to_datetime(o["recorded_at"], format="%Y-%m-%d")
    assert day.min() >= pd.Timestamp("2023-01-01")
    assert day.max() <= pd.Timestamp("2026-10-31")
    for col in ("school_rating", "partner_rating"):
        r = pd.to_numeric(o[col].replace("", None))
        assert r.dropna().between(1, 5).all() and (r.dropna() % 1 == 0).all()
        rated = r.notna()
        assert o.loc[rated, "status"].isin(["completed", "ended_early"]).all()


def _check_sequences(o: pd.DataFrame) -> None:
    o = o.assign(day=pd.to_datetime(o["recorded_at"])).sort_values(["day", "outcome_id"])
    for _, g in o.groupby(["school_id", "partner_id"], sort=False):
        prev = None
        for status in g["status"]:
            assert status in ALLOWED_NEXT.get(prev, set()), (prev, status)
            prev = status


def test_outcome_sequences(frames: dict[str, pd.DataFrame]) -> None:
    _check_sequences(frames["outcomes"])


def test_fixed_records_present(frames: dict[str, pd.DataFrame]) -> None:
    _check_fixed(frames["schools"], frames["partners"])


def _check_fixed(s: pd.DataFrame, p: pd.DataFrame) -> None:
    row = s.loc[s["school_id"] == PGRI6_ID]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["name"] == "SMP PGRI 6 Surabaya"
    assert (r["level"], r["ownership"], r["province"]) == ("SMP", "swasta", "Jawa Timur")
    assert (r["regency"], r["district"]) == ("Kota Surabaya", "Semampir")
    assert float(r["latitude"]) == pytest.approx(-7.2210)
    assert float(r["longitude"]) == pytest.approx(112.7490)
    assert (int(r["students"]), int(r["teachers"]), r["accreditation"]) == (180, 14, "B")
    assert set(_codes(r["needs"])) == {
        "leadership_coaching",
        "teacher_training",
        "environment_program",
        "teaching_innovation",
    }
    assert set(_codes(r["offers"])) == {
        "teaching_practicum",
        "community_access",
        "student_volunteers",
    }
    assert "Jalan Bulak Rukem III No 7-9, Wonokusumo, Semampir, Surabaya" in r["description"]
    assert "generasi unggul" in r["description"] and "Adiwiyata" in r["description"]
    assert (s["name"] == "SMP PGRI 6 Surabaya").sum() == 1

    row = p.loc[p["partner_id"] == KUANTA_ID]
    assert len(row) == 1
    k = row.iloc[0]
    assert (k["name"], k["type"], k["sector"], k["online"]) == (
        "Kuanta",
        "company",
        "education",
        "true",
    )
    assert set(_codes(k["offers"])) == {
        "leadership_coaching",
        "teacher_training",
        "teaching_innovation",
        "teacher_career",
    }
    assert set(_codes(k["needs"])) == {"brand_visibility", "community_access", "product_pilot"}
    assert k["levels"] == "" and int(k["capacity"]) == 40
    assert "Kepsek Jaman Now" in k["description"] and "Zoom" in k["description"]


def test_national_mode_small(tmp_path: Path) -> None:
    paths = generate(tmp_path, 400, 60, seed=3, national=True)
    s = _read(paths["schools"])
    assert s["province"].nunique() >= 15
    assert s["school_id"].is_unique
    lat = pd.to_numeric(s["latitude"])
    lon = pd.to_numeric(s["longitude"])
    assert lat.between(-11.1, 6.1).all() and lon.between(94.9, 141.1).all()
    o = _read(paths["outcomes"])
    assert o["school_id"].isin(s["school_id"]).all()
    again = generate(tmp_path / "again", 400, 60, seed=3, national=True)
    for key, path in paths.items():
        assert path.read_bytes() == again[key].read_bytes(), key


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--schools", "40", "--partners", "15", "--seed", "5"]) == 0
    assert "schools: 40 rows" in capsys.readouterr().out
    assert main(["--out", str(tmp_path), "--schools", "3"]) != 0


# ---- the committed default sample ----------------------------------------------------


def test_committed_sample_is_current(tmp_path: Path) -> None:
    """data/sample is exactly what ``python -m tools.samplegen --seed 42`` writes."""
    fresh = generate(tmp_path, 1200, 260, seed=42)
    for key, path in fresh.items():
        assert path.read_bytes() == (SAMPLE / f"{key}.csv").read_bytes(), key


def test_committed_sample_coverage(committed: dict[str, pd.DataFrame]) -> None:
    s, p, o = committed["schools"], committed["partners"], committed["outcomes"]
    assert len(s) == 1200 and len(p) == 260
    assert 4000 <= len(o) <= 8000
    assert set(s["level"]) == set(VOCAB["levels"])
    assert set(s["ownership"]) == {"negeri", "swasta"}
    assert set(p["type"]) == set(VOCAB["partner_types"])
    assert {"Kota Surabaya", "Kabupaten Sidoarjo", "Kabupaten Malang", "Kabupaten Sumenep"} <= set(
        s["regency"]
    )
    assert s["level"].value_counts().idxmax() == "SD"
    assert set(o["status"]) == set(VOCAB["statuses"])
    _check_fixed(s, p)
    _check_sequences(o)


def test_committed_sample_history_shape(committed: dict[str, pd.DataFrame]) -> None:
    o = committed["outcomes"]
    day = pd.to_datetime(o["recorded_at"])
    assert set(day.dt.year) == {2023, 2024, 2025, 2026}
    cut = pd.Timestamp("2023-01-01") + 0.8 * (
        pd.Timestamp("2026-10-31") - pd.Timestamp("2023-01-01")
    )
    assert 0.1 < (day > cut).mean() < 0.5, "a time-based holdout has data on both sides"
    latest = (
        o.assign(day=day)
        .sort_values(["day", "outcome_id"])
        .groupby(["school_id", "partner_id"])["status"]
        .last()
    )
    assert latest.isin(["active", "accepted"]).sum() > 20, "some partnerships are running now"
    per_partner = o.groupby("partner_id").size().reindex(committed["partners"]["partner_id"])
    per_partner = per_partner.fillna(0)
    assert (per_partner == 0).any()
    assert per_partner.max() >= 5 * per_partner.median()


def test_committed_sample_rewards_mutual_fit(committed: dict[str, pd.DataFrame]) -> None:
    """Pairs where each side meets the other's listed needs succeed more often."""
    s = committed["schools"].set_index("school_id")
    p = committed["partners"].set_index("partner_id")
    o = committed["outcomes"]
    pairs = o[["school_id", "partner_id"]].drop_duplicates()
    done = o[o["status"] == "completed"]
    ok = ~(pd.to_numeric(done["school_rating"].replace("", None)) < 4) & ~(
        pd.to_numeric(done["partner_rating"].replace("", None)) < 4
    )
    success = set(zip(done.loc[ok, "school_id"], done.loc[ok, "partner_id"], strict=True))
    both, neither = [], []
    for sid, pid in zip(pairs["school_id"], pairs["partner_id"], strict=True):
        fwd = set(_codes(s.at[sid, "needs"])) & set(_codes(p.at[pid, "offers"]))
        bwd = set(_codes(p.at[pid, "needs"])) & set(_codes(s.at[sid, "offers"]))
        hit = (sid, pid) in success
        if fwd and bwd:
            both.append(hit)
        elif not fwd and not bwd:
            neither.append(hit)
    assert len(both) >= 30 and len(neither) >= 30
    assert sum(both) / len(both) > 2 * sum(neither) / len(neither)
