"""The engine's front door: the one object the command line, the API and the pages call.

Each method hands over to the module that owns the work: :mod:`matcher.records`
(validated records in and out), :mod:`matcher.training` (versions fitted, judged and
promoted), :mod:`matcher.serving` (the served model, index and kept answers),
:mod:`matcher.batch` (ranking and allocating a :mod:`~matcher.selection` of schools),
:mod:`matcher.answers` (ranked rows made readable), and the web app's accounts,
partnerships, publishing and dashboard modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import answers, publishing, schema
from matcher.accounts import Accounts, User
from matcher.allocation import Allocation
from matcher.answers import rank_frame
from matcher.batch import Batches, Pairs
from matcher.config import Settings
from matcher.errors import MatcherError
from matcher.jobs import TrainingJobs
from matcher.model_store import ModelStore
from matcher.partnerships import DINAS, Partnership, Partnerships
from matcher.records import Records
from matcher.serving import Serving, Snapshot
from matcher.storage import Store
from matcher.training import Trainer

__all__ = ["MAX_K", "Engine", "rank_frame"]
MAX_K = schema.MAX_K


class Engine:
    """Schools, partners, outcomes and models, with ranking and explanations on top.

    Every public method is written here, typed and documented, and hands over to the
    part that owns the work (``engine.rank`` calls :meth:`matcher.batch.Batches.rank`),
    so a reader or an IDE can follow a call from a face into the engine. The faces use
    these methods, :mod:`matcher.errors` and :mod:`matcher.public`, not the parts.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = s = settings or Settings()
        self.store = Store(s.db_url)
        self.models = ModelStore(s.models_dir, keep=s.keep_versions)
        self.serving = v = Serving(self.store, self.models, s)
        self.trainer = Trainer(self.store, self.models, v.switch)
        self.records = Records(self.store, v.read_text, v.changed)
        self.batches = Batches(self.store, self.models, v.current)
        self.accounts = Accounts(self.store, s)
        self.partnerships = Partnerships(self.store, v.changed)
        self.jobs = TrainingJobs(self._train_job, Path(s.models_dir) / ".jobs")

    def close(self) -> None:
        """Release database connections (at service shutdown)."""
        self.serving.close()
        self.store.close()

    def watch(self) -> None:
        """Keep what is served current from a background thread
        (:meth:`matcher.serving.Serving.watch`)."""
        self.serving.watch()

    def health(self) -> dict[str, Any]:
        """Status, active model version and stored counts."""
        counts = self.store.counts()
        kinds = ("schools", "partners", "outcomes")
        version = self.models.active_version()
        return {"status": "ok", "model_version": version} | {k: counts[k] for k in kinds}

    def load_sample(self) -> dict[str, int]:
        """Load the bundled sample (schools, partners, outcomes)."""
        return self.records.load_sample(self.settings.data_dir)

    def state(self) -> tuple[str | None, str]:
        """(active model version, fingerprint of the stored data): what an answer computed
        from both depends on, so a face can key a cache of its own on it."""
        return self.models.active_version(), self.store.fingerprint()

    # -- records -------------------------------------------------------------------------

    def load_files(
        self,
        schools: str | Path | None = None,
        partners: str | Path | None = None,
        outcomes: str | Path | None = None,
    ) -> tuple[dict[str, int], list[str]]:
        """Validate every given file, then store all of them in one transaction; returns
        the counts stored and remarks (:meth:`matcher.records.Records.load_files`).

        Raises ``ValidationError`` naming every bad record of the first bad file; then
        nothing of any file is written.
        """
        return self.records.load_files(schools, partners, outcomes)

    def load_records(self, kind: str, records: list[dict[str, Any]]) -> dict[str, int]:
        """Validate and store records given as dicts, as a file's rows are validated."""
        return self.records.load_records(kind, records)

    def record_outcomes(self, records: list[dict[str, Any]]) -> dict[str, int]:
        """Store outcome events, idempotent on ``outcome_id``; an unknown school or
        partner id rejects the whole batch."""
        return self.records.record_outcomes(records)

    def id_warnings(self, kind: str, ids: list[str], source: str | None = None) -> list[str]:
        """A remark for each new id that looks like a stored one (case, dashes,
        compatibility forms): likely the same record typed twice."""
        return self.records.id_warnings(kind, ids, source)

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """One stored school or partner (``kind`` "schools" or "partners"), with what its
        description was read as (``needs_read``, ``offers_read``); ``NotFoundError``
        for an unknown id."""
        return self.records.get(kind, record_id)

    def list_records(
        self, kind: str, filters: dict[str, str] | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[int, list[dict[str, Any]]]:
        """A page of stored records with exact-value filters; returns (total, records)."""
        return self.records.list_records(kind, filters, limit, offset)

    def put(
        self,
        kind: str,
        record_id: str,
        record: dict[str, Any],
        warnings: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create or replace one school or partner, validated exactly as a file row;
        remarks (an id that looks like a stored one) are appended to ``warnings``."""
        return self.records.put(kind, record_id, record, warnings)

    def delete(self, kind: str, record_id: str) -> None:
        """Delete one school or partner together with its outcome events."""
        self.records.delete(kind, record_id)

    def read_text(self, text: str, side: str, lang: str = "id") -> dict[str, Any]:
        """The needs and offers a description names, each with the words that named it,
        read by the active model's reader (a default reader before any model exists)."""
        return self.serving.read_text(text, side, lang)

    # -- models --------------------------------------------------------------------------

    def train(
        self,
        params: dict[str, Any] | None = None,
        evaluate: bool = True,
        force: bool = False,
        if_new_outcomes: int | None = None,
    ) -> dict[str, Any]:
        """Fit a model on everything stored and save it as a new version, active only if
        not worse on the holdout than the active one unless ``force``; with
        ``if_new_outcomes=N`` only once N new outcome events arrived
        (:meth:`matcher.training.Trainer.train`). Returns the version's manifest."""
        return self.trainer.train(params, evaluate, force, if_new_outcomes)

    def evaluate(self, k: int = 10, test_fraction: float = 0.2) -> dict[str, Any]:
        """Holdout metrics of the active model beside baselines
        (:meth:`matcher.training.Trainer.evaluate`)."""
        return self.trainer.evaluate(k, test_fraction)

    def model_versions(self) -> list[dict[str, Any]]:
        """Every stored version, oldest first, with ``active`` and ``state`` ("ok",
        "refused" with the ``reason``, or "incomplete")."""
        return self.models.versions()

    def snapshot(self) -> Snapshot:
        """(version, model, index) being served, rebuilt only when stale: what tests and
        benchmarks score with outside the engine."""
        return self.serving.current()

    def _train_job(self, params: dict[str, Any], force: bool) -> dict[str, Any]:
        manifest = self.train(params, force=force)
        self.refresh()  # build the new index now, so the first request after it is fast
        return manifest

    def activate(self, version: str) -> dict[str, Any]:
        """Make a stored version active (rollback) after checking it loads; the index is
        rebuilt before the switch is visible to requests."""
        self.serving.switch(version)
        return self.models.manifest(version)

    def refresh(self) -> str:
        """Load the active model and index now (at service start-up); returns its version."""
        return self.serving.current()[0]

    # -- serving -------------------------------------------------------------------------

    def suggest(
        self, school_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any]:
        """Partners for one school, best first, each with both-way scores and reasons."""
        return self.serving.suggest("school", school_id, k, lang, explain)

    def suggest_for_partner(
        self, partner_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any]:
        """Schools for one partner, best first: the other side of the market."""
        return self.serving.suggest("partner", partner_id, k, lang, explain)

    def cached_suggestions(
        self, side: str, record_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any] | None:
        """The kept answer of :meth:`suggest` (``side`` "school") or
        :meth:`suggest_for_partner` if one is current, else None; never scores."""
        return self.serving.cached(side, record_id, k, lang, explain)

    def cached_rendering(
        self,
        side: str,
        record_id: str,
        k: int,
        lang: str,
        explain: bool,
        render: Callable[[dict[str, Any]], bytes],
    ) -> bytes | None:
        """``render`` of the current kept answer, made once per answer (the API's fast
        path sends these bytes); else None."""
        return self.serving.rendered(side, record_id, k, lang, explain, render)

    # -- batches -------------------------------------------------------------------------

    def select_schools(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> np.ndarray:
        """Rows of the schools a batch covers; exactly one selector must be given."""
        return self.batches.select_schools(regency, district, all_schools, school_ids, province)

    def batch(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> tuple[Snapshot, np.ndarray]:
        """The model, an index and the rows of the selected schools for a batch run; a
        region is indexed on its own (:meth:`matcher.batch.Batches.batch`)."""
        return self.batches.batch(regency, district, all_schools, school_ids, province)

    def rank(
        self,
        rows: np.ndarray,
        k: int = 10,
        progress: bool = False,
        chunk: int = 512,
        scheduler: str | None = None,
        state: Snapshot | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Top-k partners of each selected school, one DataFrame per chunk
        (``school_id, rank, partner_id, score`` and readable extras); with a
        ``scheduler`` ("local" or a Dask address) ranked on a Dask cluster, identically."""
        return self.batches.rank(rows, k, progress, chunk, scheduler, state)

    def rank_table(
        self,
        regency: str | None = None,
        district: str | None = None,
        school_ids: list[str] | None = None,
        k: int = 10,
        allocate: bool = False,
        equity_weight: float = 0.5,
        lang: str = "id",
    ) -> tuple[pd.DataFrame, dict[str, Any]]:
        """A regency's, a district's or a list of schools' ranking as one table and a
        summary (with ``allocate``, the allocation's summary)."""
        return self.batches.rank_table(
            regency, district, school_ids, k, allocate, equity_weight, lang
        )

    def allocate(
        self,
        rows: np.ndarray,
        k: int = 10,
        equity_weight: float = 0.5,
        lang: str = "id",
        progress: bool = False,
        state: Snapshot | None = None,
        mode: str = "optimal",
        pinned: Pairs | None = None,
        forbidden: Pairs | None = None,
        candidates: int = schema.DEFAULT_CANDIDATES,
    ) -> Allocation:
        """Capacity-respecting assignment of the selected schools (``mode`` "optimal" or
        "stable"), around the officer's ``pinned`` and ``forbidden`` pairs, each school
        choosing among its ``candidates`` best feasible partners
        (:mod:`matcher.allocation`)."""
        return self.batches.allocate(
            rows, k, equity_weight, lang, progress, state, mode, pinned, forbidden, candidates
        )

    def allocate_selection(
        self,
        regency: str | None = None,
        district: str | None = None,
        school_ids: list[str] | None = None,
        k: int = 10,
        equity_weight: float = 0.5,
        lang: str = "id",
        mode: str = "optimal",
        pinned: Pairs | None = None,
        forbidden: Pairs | None = None,
        candidates: int = schema.DEFAULT_CANDIDATES,
    ) -> Allocation:
        """:meth:`allocate` for a regency, a district or a list of schools (one of them)."""
        return self.batches.allocate_selection(
            regency, district, school_ids, k, equity_weight, lang, mode, pinned, forbidden,
            candidates,
        )  # fmt: skip

    # -- accounts ------------------------------------------------------------------------

    def add_user(
        self,
        email: str,
        school_id: str | None = None,
        partner_id: str | None = None,
        regency: str | None = None,
        admin: bool = False,
        password: str | None = None,
    ) -> tuple[User, str | None]:
        """Create a web account for one stored school, one stored partner, a regency's
        officer or an admin; returns it and, without ``password``, its set-password link."""
        return self.accounts.add_user(email, school_id, partner_id, regency, admin, password)

    def ensure_demo_users(self) -> list[tuple[User, str]]:
        """On the bundled sample, the README's demo accounts that still open with their
        demo password, with it (created unless an account has their e-mail); on any other
        data nothing is created and the list is empty."""
        return self.accounts.ensure_demo_users()

    # -- the web app ---------------------------------------------------------------------

    def propose(
        self, side: str, school_id: str, partner_id: str, author: str, message: str = ""
    ) -> Partnership:
        """``side`` ("school" or "partner") proposes a partnership to the other side:
        a ``proposed`` outcome event and an entry in the other side's inbox."""
        self.store.get("schools", school_id)
        self.store.get("partners", partner_id)
        return self.partnerships.propose(side, school_id, partner_id, author, message)

    def respond(
        self, partnership_id: str, side: str, author: str, accept: bool, message: str = ""
    ) -> Partnership:
        """Accept (drafting the memorandum's roles) or decline a proposal ``side`` got."""
        p = self.partnerships.get(partnership_id)
        roles = self.mou_roles(p.school_id, p.partner_id) if accept else ("", "")
        return self.partnerships.respond(partnership_id, side, author, accept, message, roles)

    def mou_roles(self, school_id: str, partner_id: str) -> tuple[str, str]:
        """The draft memorandum's roles (:func:`matcher.answers.mou_roles`)."""
        school = self.store.get("schools", school_id)
        partner = self.store.get("partners", partner_id)
        try:
            index = self.serving.current()[2]
        except MatcherError:  # no model yet: what their profiles list
            index = None
        return answers.mou_roles(index, school, partner)

    def regency_overview(self, regency: str, lang: str = "id", figures: bool = True) -> Any:
        """The officer's dashboard of one regency (:func:`matcher.dashboard.regency_overview`)."""
        from matcher.dashboard import regency_overview

        def served() -> Any:
            return None if self.models.active_version() is None else self.serving.current()[2]

        return regency_overview(self.store, regency, served, lang, figures)

    def publish(
        self,
        alloc: Allocation,
        published_by: str,
        scope: str,
        pairs: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Turn an allocation's (reviewed) assignments into proposals in both sides'
        inboxes, once, on the record (:func:`matcher.publishing.publish_allocation`)."""
        note = f"Usulan Dinas Pendidikan {scope} (alokasi oleh {published_by})."

        def propose(school_id: str, partner_id: str) -> Any:
            # the district's proposal: both sides answer it (matcher.partnerships)
            return self.partnerships.propose(
                DINAS, school_id, partner_id, published_by, note, dinas=scope
            )

        rec = publishing.publish_allocation(self.store, alloc, published_by, scope, pairs, propose)
        self.serving.changed()
        return rec

    def publications(self, scope: str | None = None) -> list[dict[str, Any]]:
        """Audit records of published allocations, newest first (one scope or all)."""
        return publishing.history(self.store, scope)
