"""Publishing an allocation: proposals to both sides exactly once, with an audit record."""

from __future__ import annotations

import pytest

from matcher import publishing
from matcher.engine import Engine
from matcher.errors import MatcherError


def _proposed(engine: Engine) -> list[tuple[str, str]]:
    ev = engine.store.frame("outcomes")
    ev = ev[ev["status"] == "proposed"]
    return list(zip(ev["school_id"], ev["partner_id"], strict=True))


def test_publish_once_with_audit(world_engine: Engine) -> None:
    rows = world_engine.select_schools(regency="Kota Surabaya")
    alloc = world_engine.allocate(rows, k=3, forbidden=[("S1", "P-ONLINE")])
    a = alloc.assignments
    assigned = set(
        zip(
            a.loc[a["assigned"].eq(True), "school_id"],
            a.loc[a["assigned"].eq(True), "partner_id"],
            strict=True,
        )
    )
    rec = world_engine.publish(alloc, "petugas@surabaya.go.id", "Kota Surabaya")
    assert not rec["already"] and rec["proposed"] == len(assigned) and rec["skipped"] == 0
    events = _proposed(world_engine)
    assert sorted(events) == sorted(assigned)  # each assigned pair once, nothing else
    assert rec["published_by"] == "petugas@surabaya.go.id"
    assert rec["settings"]["mode"] == "optimal" and rec["settings"]["forbidden_pairs"] == [
        ["S1", "P-ONLINE"]
    ]
    assert rec["model_version"] == alloc.summary["model_version"]
    assert rec["data_fingerprint"] == alloc.summary["data_fingerprint"]
    assert rec["published_at"] is not None
    # the same publication again (a double click): nothing new
    again = world_engine.publish(alloc, "petugas@surabaya.go.id", "Kota Surabaya")
    assert again["already"] and again["publication_id"] == rec["publication_id"]
    # the same command run again on the data the publication left: still nothing new
    rerun = world_engine.allocate(world_engine.select_schools(regency="Kota Surabaya"), k=3,
                                  forbidden=[("S1", "P-ONLINE")])  # fmt: skip
    third = world_engine.publish(rerun, "petugas@surabaya.go.id", "Kota Surabaya")
    assert third["already"] and third["publication_id"] == rec["publication_id"]
    assert sorted(_proposed(world_engine)) == sorted(assigned)
    log = publishing.history(world_engine.store, "kota surabaya")
    assert [r["publication_id"] for r in log] == [rec["publication_id"]]
    # the default candidate depth is not written (publications made before the option
    # keep their ids); another depth is part of the settings
    assert "candidates" not in rec["settings"]
    deeper = world_engine.allocate(world_engine.select_schools(regency="Kota Surabaya"), k=3,
                                   forbidden=[("S1", "P-ONLINE")], candidates=7)  # fmt: skip
    fourth = world_engine.publish(deeper, "petugas@surabaya.go.id", "Kota Surabaya")
    assert fourth["publication_id"] != rec["publication_id"]
    assert fourth["settings"]["candidates"] == 7


def test_publish_reviewed_subset_and_refusals(world_engine: Engine) -> None:
    rows = world_engine.select_schools(regency="Kota Surabaya")
    alloc = world_engine.allocate(rows, k=3)
    a = alloc.assignments
    first = tuple(a.loc[a["assigned"].eq(True), ["school_id", "partner_id"]].iloc[0])
    with pytest.raises(MatcherError, match="not an assignment"):
        world_engine.publish(alloc, "petugas", "Kota Surabaya", pairs=[("S1", "P-FAR")])
    with pytest.raises(MatcherError, match="who publishes"):
        world_engine.publish(alloc, " ", "Kota Surabaya")
    rec = world_engine.publish(alloc, "petugas", "Kota Surabaya", pairs=[first])
    assert rec["proposed"] == 1 and _proposed(world_engine) == [first]
    # a pair already proposed is not proposed twice, even by another publication
    other = world_engine.allocate(rows, k=3, equity_weight=2.0)
    world_engine.publish(other, "petugas", "Kota Surabaya")
    events = _proposed(world_engine)
    assert len(events) == len(set(events))
