"""The outbox on every database backend (SQLite, and PostgreSQL where MATCHER_TEST_PG
names one): one mail per event and account however often it is scanned, and two
senders at once never take the same mail."""

from __future__ import annotations

import threading
from pathlib import Path

from matcher.engine import Engine
from matcher.outbox import Outbox


def test_outbox_enqueues_once_and_claims_apart(
    engine: Engine, world_files: dict[str, Path], db_backend: str
) -> None:
    engine.load_files(world_files["schools"], world_files["partners"])
    engine.add_user(email="exact@mitra.test", partner_id="P-EXACT", password="rahasia-123")
    engine.add_user(email="exact2@mitra.test", partner_id="P-EXACT", password="rahasia-123")
    for sid in ("S1", "S2"):
        engine.propose("school", sid, "P-EXACT", "kepsek@test", "")
    box = Outbox(engine.store)
    assert box.scan() == 4  # two proposals, each to both of the partner's accounts
    assert box.scan() == 0
    got: list[list[int]] = []
    barrier = threading.Barrier(2)

    def take() -> None:
        barrier.wait()
        got.append([m.outbox_id for m in box.claim()])

    threads = [threading.Thread(target=take) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = got[0] + got[1]
    assert sorted(taken) == sorted(set(taken)) and len(taken) == 4
    for oid in taken:
        box.sent(oid)
    assert box.counts() == {"sent": 4, "waiting": 0}
    assert box.claim() == []
