"""Schools, partners and outcome events as users hand them in and read them back.

Every file or record is validated as docs/files.md describes before anything is stored
(a bad one is refused whole, naming each bad record), and an id that looks like a
stored one but differs is remarked on. What is written is reported through the
``changed`` callable, so the served index follows the data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from matcher import schema
from matcher.errors import MatcherError, RowError, ValidationError
from matcher.storage import Store

# a school's own profile: a register row never overwrites these for a stored school
KEPT_FROM_PROFILE = ("offers", "description", "languages", "capacity", "contact_name", "whatsapp")

Reader = Callable[[str, str], dict[str, Any]]  # (text, side) -> needs and offers read


class Records:
    """Validated writes to ``store`` and readable records from it.

    Parameters
    ----------
    store : Store
        Where records are kept.
    read : callable
        ``read(text, side)``: the needs and offers a description names.
    changed : callable
        Called after every write.
    """

    def __init__(self, store: Store, read: Reader, changed: Callable[[], None]) -> None:
        self.store, self.read, self.changed = store, read, changed

    def load_files(
        self,
        schools: str | Path | None = None,
        partners: str | Path | None = None,
        outcomes: str | Path | None = None,
    ) -> tuple[dict[str, int], list[str]]:
        """Validate every given file, then store all of them in one transaction.

        Raises ValidationError naming every bad record of the first bad file; then
        nothing of any file is written.
        """
        given = {"schools": schools, "partners": partners, "outcomes": outcomes}
        if not any(given.values()):
            raise MatcherError("nothing to load: give --schools, --partners and/or --outcomes")
        frames, warnings, errors = {}, [], []
        for kind, path in given.items():
            if path is None:
                continue
            try:
                frames[kind], w = schema.read_file(kind, path)
                warnings += w
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            if len(errors) == 1:
                raise errors[0]
            raise ValidationError(
                " and ".join(e.source for e in errors),
                [e for exc in errors for e in exc.errors],
            )
        for kind in ("schools", "partners"):
            if kind in frames:
                ids = frames[kind][schema.ID_COLUMN[kind]].tolist()
                warnings += self.id_warnings(kind, ids, str(given[kind]))
        if frames.get("schools") is not None and frames["schools"].attrs.get("register"):
            frames["schools"] = self._keep_filled_in(frames["schools"])
        counts = self.store.load(frames)
        self.changed()
        return counts, warnings

    def _keep_filled_in(self, register: pd.DataFrame) -> pd.DataFrame:
        """A register row for a stored school updates what registers know (name, form,
        status, place, size, accreditation) and keeps what the school filled in itself:
        its needs (the register's implied needs are added), offers, description,
        languages, capacity and contacts the register leaves blank."""
        stored = self.store.frame("schools")
        if not len(stored):
            return register
        stored = stored.set_index("school_id")
        out = register.copy()
        known = out["school_id"].isin(stored.index).to_numpy()
        if not known.any():
            return out
        rows = out.index[known]
        old = stored.loc[out.loc[known, "school_id"]]

        def put(where: pd.Index, col: str, values: list[Any]) -> None:
            # a Series, so list values (needs, offers) land one per row
            out[col] = out[col].astype(object)
            out.loc[where, col] = pd.Series(values, index=where, dtype=object)

        for col in KEPT_FROM_PROFILE:
            put(rows, col, list(old[col]))
        put(
            rows,
            "needs",
            [
                list(dict.fromkeys([*have, *implied]))
                for have, implied in zip(old["needs"], out.loc[known, "needs"], strict=True)
            ],
        )
        for col in ("students", "teachers", "phone", "email"):
            vals = out.loc[rows, col]
            blank = vals.index[vals.isna().to_numpy() | (vals == "").to_numpy()]
            if len(blank):
                put(blank, col, list(stored.loc[out.loc[blank, "school_id"], col]))
        same = rows[
            out.loc[rows, "name"].str.casefold().to_numpy() == old["name"].str.casefold().to_numpy()
        ]
        if len(same):  # "SMP PGRI 6 SURABAYA" does not replace "SMP PGRI 6 Surabaya"
            put(same, "name", list(stored.loc[out.loc[same, "school_id"], "name"]))
        out.attrs = dict(register.attrs)
        return out

    def id_warnings(self, kind: str, ids: list[str], source: str | None = None) -> list[str]:
        """A remark for each new id that looks like a stored one but differs (case,
        dashes, compatibility forms): likely the same record typed twice."""
        stored = self.store.ids(kind)
        where = f"{source}: " if source else ""
        return [
            f"{where}{schema.ID_COLUMN[kind]} {new!r} looks like the stored {old!r}; "
            "they are two records — check that this is meant"
            for new, old in schema.lookalikes([i for i in ids if i not in stored], stored)
        ]

    def load_records(self, kind: str, records: list[dict[str, Any]]) -> dict[str, int]:
        """Validate and store records given as dicts (the API's PUT and POST)."""
        frame, _ = schema.validate_records(kind, list(enumerate(records, start=1)), kind)
        counts = self.store.load({kind: frame})
        self.changed()
        return counts

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """One stored school or partner (``kind`` is "schools" or "partners"), with the
        needs and offers read from its description (``needs_read``, ``offers_read``)."""
        record = self.store.get(kind, record_id)
        side = "school" if kind == "schools" else "partner"
        read = self.read(record.get("description") or "", side)
        return {**record, "needs_read": read["needs"], "offers_read": read["offers"]}

    def list_records(
        self, kind: str, filters: dict[str, str] | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[dict[str, Any]]]:
        """A page of stored records with exact-value filters; returns (total, records)."""
        total, frame = self.store.page(kind, filters, limit, offset)
        recs = frame.astype(object).where(frame.notna(), None).to_dict("records")
        return total, [{str(k): v for k, v in r.items()} for r in recs]

    def put(
        self,
        kind: str,
        record_id: str,
        record: dict[str, Any],
        warnings: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create or replace one school or partner, validated exactly as a file row;
        remarks (an id that looks like a stored one) are appended to ``warnings``."""
        key = schema.ID_COLUMN[kind]
        body = dict(record)
        if body.get(key) not in (None, "", record_id):
            raise ValidationError(
                kind, [RowError(1, key, f"{body[key]!r} differs from the id in the path")]
            )
        body[key] = record_id
        found = self.id_warnings(kind, [record_id])
        self.load_records(kind, [body])
        if warnings is not None:
            warnings += found
        return self.store.get(kind, record_id)

    def delete(self, kind: str, record_id: str) -> None:
        """Delete one school or partner together with its outcome events."""
        self.store.delete(kind, record_id)
        self.changed()

    def record_outcomes(self, records: list[dict[str, Any]]) -> dict[str, int]:
        """Store outcome events; an event already stored (same outcome_id) is not added
        again. Unknown school or partner ids reject the whole batch."""
        if not records:
            raise ValidationError("outcomes", [RowError(1, "*", "no events given")])
        frame, _ = schema.validate_records(
            "outcomes", list(enumerate(records, start=1)), "outcomes"
        )
        added = self.store.load({"outcomes": frame}).get("outcomes", 0)
        self.changed()
        return {"received": len(frame), "added": added, "duplicates": len(frame) - added}

    def load_sample(self, data_dir: Path) -> dict[str, int]:
        """Load the sample of ``data_dir``/sample (schools, partners, outcomes)."""
        d = data_dir / "sample"
        counts, _ = self.load_files(d / "schools.csv", d / "partners.csv", d / "outcomes.csv")
        return counts
