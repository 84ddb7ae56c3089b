"""The officer's regency dashboard: statuses, counts, readings and figures."""

from __future__ import annotations

import pandas as pd
import pytest

from matcher.dashboard import overview, partnership_trend, school_status
from matcher.engine import Engine
from matcher.errors import NotFoundError


def _events(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"outcome_id": f"o{i}", "school_id": s, "partner_id": p, "status": st,
             "recorded_at": pd.Timestamp(at), "school_rating": None, "partner_rating": None}
            for i, (s, p, st, at) in enumerate(rows)
        ]
    )  # fmt: skip


EVENTS = _events(
    [
        ("S1", "P-EXACT", "proposed", "2025-01-05"),
        ("S1", "P-EXACT", "accepted", "2025-01-20"),
        ("S2", "P-DEVICES", "proposed", "2025-04-02"),
        ("S3", "P-SPORT", "proposed", "2024-11-01"),
        ("S3", "P-SPORT", "active", "2024-11-10"),
        ("S3", "P-SPORT", "completed", "2025-05-01"),
    ]
)


def test_school_status_from_latest_events() -> None:
    schools = pd.DataFrame({"school_id": ["S1", "S2", "S3", "S4"]})
    status = school_status(schools, EVENTS)
    assert status.to_dict() == {"S1": "active", "S2": "proposed", "S3": "past", "S4": "none"}


def test_trend_counts_starts_and_ends_per_quarter() -> None:
    tr = partnership_trend(EVENTS).set_index("quarter")
    assert tr.loc["2024Q4", "new"] == 1 and tr.loc["2025Q1", "new"] == 1
    assert tr.loc["2025Q2", "ended"] == 1 and tr["new"].sum() == 2


def test_overview_of_known_world(world_engine: Engine) -> None:
    world_engine.store.load({"outcomes": EVENTS})
    ov = world_engine.regency_overview("kota surabaya")
    assert ov.regency == "Kota Surabaya"
    assert ov.counts["schools"] == 5 and ov.counts["active_partnerships"] == 1
    assert ov.counts["pending_proposals"] == 1 and ov.counts["without_partner"] == 4
    assert ov.readings["without"].startswith("4 dari 5 sekolah belum punya mitra aktif")
    assert (
        ov.readings["map"]
        == "1 sekolah bermitra aktif, 1 sedang diajukan, 2 belum pernah bermitra."
    )
    for fig in ov.figures.values():
        assert fig.svg.startswith("<svg") and fig.svg.rstrip().endswith("</svg>")
        assert fig.reading
    en = world_engine.regency_overview("Kota Surabaya", lang="en", figures=False)
    assert en.readings["without"].startswith("4 of 5 schools have no active partner")
    with pytest.raises(NotFoundError):
        world_engine.regency_overview("Kabupaten Nowhere")


def test_small_private_reading() -> None:
    schools = pd.DataFrame(
        {"school_id": ["A", "B", "C"], "name": ["A", "B", "C"], "district": ["X", "X", "Y"],
         "level": "SD", "ownership": ["swasta", "swasta", "negeri"], "students": [80, 400, 90],
         "accreditation": ["C", "A", "B"], "latitude": -7.2, "longitude": 112.7, "regency": "R"}
    )  # fmt: skip
    partners = pd.DataFrame({"partner_id": ["P"], "regency": ["R"]})
    ov = overview("R", schools, partners, EVENTS.iloc[:0], figures=False)
    assert ov.readings["weak"] == "1 sekolah swasta kecil belum punya mitra."
    assert ov.schools.set_index("school_id").loc["A", "underresourced"]
