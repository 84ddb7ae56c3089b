"""Publishing an allocation: reviewed assignments become proposals, once, on the record.

An officer's reviewed assignments turn into ``proposed`` outcome events — so they show
in both sides' inboxes and training learns what became of them — together with an
audit record of who published what, when, with which settings, on which data and
model. Publishing is idempotent: the publication's id is a hash of its scope, settings,
data fingerprint and model version (which determine the allocation), and each event's
id derives from it; and a publication asked for on exactly the data the same
publication left behind (its own events being the only change) is the same one again.
So a double click, a retry after a lost answer or a re-run command stores nothing new.
A pair already in a proposal or partnership is not proposed again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from matcher import schema, storage
from matcher.allocation import Allocation
from matcher.errors import ConflictError, MatcherError
from matcher.history import IN_PROGRESS, pair_states

publications = storage.publications


def publication_id(
    scope: str, settings: dict[str, Any], data_fingerprint: str, model_version: str
) -> str:
    """The id of a publication: the same allocation inputs always give the same id."""
    body = json.dumps(
        [scope.casefold(), settings, data_fingerprint, model_version], sort_keys=True, default=str
    )
    return "pub-" + hashlib.sha256(body.encode()).hexdigest()[:24]


def event_id(pub_id: str, school_id: str, partner_id: str) -> str:
    """The outcome id of one proposal of a publication (fits the 80-character key)."""
    h = hashlib.sha256(f"{pub_id}\x1f{school_id}\x1f{partner_id}".encode()).hexdigest()[:24]
    return f"{pub_id}-{h}"


def _record(row: Any) -> dict[str, Any]:
    rec = dict(row._mapping)
    rec["settings"] = json.loads(rec["settings"])
    rec["pairs"] = json.loads(rec["pairs"])
    return rec


def get(store: storage.Store, pub_id: str) -> dict[str, Any] | None:
    """The audit record of one publication, or None."""
    with store.engine.connect() as conn:
        row = conn.execute(
            sa.select(publications).where(publications.c.publication_id == pub_id)
        ).first()
    return None if row is None else _record(row)


def history(store: storage.Store, scope: str | None = None) -> list[dict[str, Any]]:
    """Audit records, newest first, of one scope (e.g. a regency) or all."""
    q = sa.select(publications).order_by(publications.c.published_at.desc())
    if scope is not None:
        q = q.where(storage.same_text(publications.c.scope, scope))
    with store.engine.connect() as conn:
        return [_record(r) for r in conn.execute(q)]


def _repeat(
    store: storage.Store, scope: str, settings: str, fingerprint: str, model_version: str
) -> dict[str, Any] | None:
    """The publication with these settings whose own events are all that changed the
    data since (its fingerprint after writing is the current one), if any."""
    q = sa.select(publications).where(
        storage.same_text(publications.c.scope, scope),
        publications.c.settings == settings,
        publications.c.model_version == model_version,
        publications.c.fingerprint_after == fingerprint,
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return None if row is None else _record(row)


def publish(
    store: storage.Store,
    pairs: Sequence[tuple[str, str]],
    published_by: str,
    scope: str,
    settings: dict[str, Any],
    data_fingerprint: str,
    model_version: str,
    now: datetime | None = None,
    propose: Callable[[str, str], Any] | None = None,
) -> dict[str, Any]:
    """Store ``proposed`` events for ``pairs`` and the audit record, in one transaction.

    With ``propose`` (a callable taking a school id and a partner id, e.g. the web
    app's proposal step, which writes the event and the inbox entries), each pair is
    proposed through it instead, and a pair it refuses as already open
    (:class:`~matcher.errors.ConflictError`) is skipped.

    Returns the audit record with ``already`` (True when this publication was stored
    before: nothing new was written) and ``skipped_pairs`` (pairs already in a proposal
    or partnership, which get no second proposal)."""
    if not published_by or not str(published_by).strip():
        raise MatcherError("publishing needs the name of who publishes")
    pairs = list(dict.fromkeys((str(s), str(p)) for s, p in pairs))
    if not pairs:
        raise MatcherError("nothing to publish: the allocation has no assignments")
    pub_id = publication_id(scope, settings, data_fingerprint, model_version)
    settings_json = json.dumps(settings, sort_keys=True, default=str)
    known = get(store, pub_id) or _repeat(
        store, scope, settings_json, data_fingerprint, model_version
    )
    if known is not None:
        return known | {"already": True, "skipped_pairs": []}
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    states = pair_states(store.frame("outcomes"))
    busy = set(
        zip(
            states.loc[states["status"].isin(IN_PROGRESS), "school_id"],
            states.loc[states["status"].isin(IN_PROGRESS), "partner_id"],
            strict=True,
        )
    )
    fresh = [pr for pr in pairs if pr not in busy]
    skipped = [pr for pr in pairs if pr in busy]
    records = [
        {
            "outcome_id": event_id(pub_id, s, p),
            "school_id": s,
            "partner_id": p,
            "status": "proposed",
            "recorded_at": stamp.isoformat(),
        }
        for s, p in fresh
    ]
    frame = (
        schema.validate_records("outcomes", list(enumerate(records, 1)), "publication")[0]
        if records
        else pd.DataFrame()
    )
    audit = {
        "publication_id": pub_id,
        "scope": scope,
        "published_by": str(published_by).strip(),
        "published_at": stamp,
        "mode": str(settings.get("mode", "optimal")),
        "settings": settings_json,
        "data_fingerprint": data_fingerprint,
        "fingerprint_after": "",
        "model_version": model_version,
        "proposed": len(fresh),
        "skipped": len(skipped),
        "pairs": json.dumps([list(p) for p in pairs]),
    }
    if propose is not None:
        done = []
        for s_id, p_id in fresh:
            try:
                propose(s_id, p_id)
                done.append((s_id, p_id))
            except ConflictError:
                skipped.append((s_id, p_id))
        audit["proposed"], audit["skipped"] = len(done), len(skipped)
        frame = pd.DataFrame()
    inserted = True
    with store.transaction() as conn:
        if len(frame):
            store.add_outcomes(conn, frame)
        if dialect_insert_ignore(conn, audit) == 0:
            inserted = False  # a concurrent identical publication won: same events, same ids
    if inserted:
        with store.transaction() as conn:
            conn.execute(
                publications.update()
                .where(publications.c.publication_id == pub_id)
                .values(fingerprint_after=store.fingerprint())
            )
    rec = get(store, pub_id)
    assert rec is not None
    return rec | {"already": not inserted, "skipped_pairs": [list(p) for p in skipped]}


def dialect_insert_ignore(conn: sa.Connection, audit: dict[str, Any]) -> int:
    """Insert the audit record unless its id is stored; returns rows inserted."""
    exists = conn.execute(
        sa.select(sa.func.count())
        .select_from(publications)
        .where(publications.c.publication_id == audit["publication_id"])
    ).scalar_one()
    if exists:
        return 0
    conn.execute(publications.insert().values(**audit))
    return 1


def publish_allocation(
    store: storage.Store,
    alloc: Allocation,
    published_by: str,
    scope: str,
    pairs: list[tuple[str, str]] | None = None,
    propose: Callable[[str, str], Any] | None = None,
) -> dict[str, Any]:
    """:func:`publish` an allocation's assignments (or the reviewed ``pairs`` of them,
    each of which must be one), with the settings, data fingerprint and model version
    its summary records."""
    a = alloc.assignments
    given = a[a["assigned"].eq(True)]
    assigned = list(zip(given["school_id"], given["partner_id"], strict=True))
    if pairs is not None:
        unknown = [pr for pr in pairs if tuple(pr) not in set(assigned)]
        if unknown:
            s_id, p_id = unknown[0]
            raise MatcherError(f"pair {s_id!r}–{p_id!r} is not an assignment of this allocation")
        assigned = [tuple(pr) for pr in pairs]  # type: ignore[misc]
    s = alloc.summary
    settings = {
        key: s.get(key) for key in ("mode", "equity_weight", "k", "pinned_pairs", "forbidden_pairs")
    }
    if s.get("candidates", schema.DEFAULT_CANDIDATES) != schema.DEFAULT_CANDIDATES:
        # only when changed: allocations published before the option keep their ids
        settings["candidates"] = s["candidates"]
    return publish(
        store,
        assigned,
        published_by,
        scope,
        settings,
        str(s.get("data_fingerprint", "")),
        str(s.get("model_version", "")),
        propose=propose,
    )
