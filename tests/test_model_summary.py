"""Model versions described for an officer: plain sentences, no metric names."""

from __future__ import annotations

from matcher.model_summary import describe, describe_versions, figure

BASE = {
    "version": "v20261201-120000-001",
    "created_at": "2026-12-01T12:00:00+00:00",
    "data": {"schools": 1200, "partners": 260, "outcomes": 5690},
    "state": "ok",
}


def test_better_model_in_plain_indonesian() -> None:
    m = {**BASE, "active": True, "metrics": {
        "cutoff": "2026-06-07T00:00:00", "schools": {"ndcg": 0.224, "recall": 0.41},
        "champion": {"version": "v20261101-000000-000", "schools": {"ndcg": 0.2}}}}  # fmt: skip
    d = describe(m, "id")
    text = " ".join(d["sentences"])
    assert "Dilatih 2026-12-01 dari 1.200 sekolah, 260 mitra dan 5.690 catatan" in text
    assert "Sedang dipakai." in text
    assert "41% sudah ada di 10 saran teratas" in text
    assert "12% lebih tinggi dari model yang aktif saat itu (v20261101-000000-000)" in text
    assert "NDCG" not in text and "bootstrap" not in text
    en = " ".join(describe(m, "en")["sentences"])
    assert "12% higher than the model active at the time" in en


def test_worse_untested_and_refused_versions() -> None:
    worse = {**BASE, "metrics": {"cutoff": "2026-06-07", "schools": {"ndcg": 0.18, "recall": 0.3},
             "champion": {"version": "v1", "schools": {"ndcg": 0.2}}}}  # fmt: skip
    assert "10% lebih rendah" in " ".join(describe(worse)["sentences"])
    assert "Belum diuji" in " ".join(describe({**BASE, "metrics": {}})["sentences"])
    refused = describe({"version": "v0", "state": "refused", "reason": "not signed"})
    assert refused["sentences"] == ["Tidak dapat dipakai: not signed"]


def test_figure_one_message() -> None:
    d = describe_versions(
        [{**BASE, "active": True, "metrics": {"schools": {"recall": 0.41, "ndcg": 0.2}}}]
    )
    svg, reading = figure(d, "id")
    assert (
        svg.startswith("<svg")
        and reading == "Versi terbaru menemukan 41% kemitraan baru di 10 saran teratas."
    )
    assert figure([], "en") == ("", "No version has been tested yet.")
