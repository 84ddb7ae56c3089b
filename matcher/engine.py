"""The engine's front door: the one object the command line, the API and the pages call.

Each method hands over to the module that owns the work: :mod:`matcher.records`
(validated records in and out), :mod:`matcher.training` (versions fitted, judged and
promoted), :mod:`matcher.serving` (the served model, index and kept answers),
:mod:`matcher.batch` (ranking and allocating a :mod:`~matcher.selection` of schools),
:mod:`matcher.answers` (ranked rows made readable), and the web app's accounts,
partnerships, publishing and dashboard modules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matcher import answers, publishing, schema
from matcher.accounts import Accounts
from matcher.allocation import Allocation
from matcher.answers import rank_frame
from matcher.batch import Batches
from matcher.config import Settings
from matcher.errors import MatcherError
from matcher.jobs import TrainingJobs
from matcher.model_store import ModelStore
from matcher.partnerships import DINAS, Partnership, Partnerships
from matcher.records import Records
from matcher.serving import Serving
from matcher.storage import Store
from matcher.training import Trainer

__all__ = ["MAX_K", "Engine", "rank_frame"]
MAX_K = schema.MAX_K


class Engine:
    """Schools, partners, outcomes and models, with ranking and explanations on top.

    Most public methods are a part's own, bound in ``__init__`` (``engine.rank`` is
    :meth:`matcher.batch.Batches.rank`); the methods written here combine parts.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = s = settings or Settings()
        self.store = Store(s.db_url)
        self.models = ModelStore(s.models_dir, keep=s.keep_versions)
        self.serving = v = Serving(self.store, self.models, s)
        self.trainer = t = Trainer(self.store, self.models, v.switch)
        self.records = r = Records(self.store, v.read_text, v.changed)
        self.batches = b = Batches(self.store, self.models, v.current)
        self.accounts = a = Accounts(self.store, s)
        self.partnerships = Partnerships(self.store, v.changed)
        self.jobs = TrainingJobs(self._train_job, Path(s.models_dir) / ".jobs")
        # the parts' own methods, as they are
        self.read_text, self.snapshot = v.read_text, v.current
        self.cached_suggestions, self.cached_rendering = v.cached, v.rendered
        self.train, self.evaluate, self.model_versions = t.train, t.evaluate, self.models.versions
        self.load_files, self.id_warnings = r.load_files, r.id_warnings
        self.load_records, self.record_outcomes = r.load_records, r.record_outcomes
        self.get, self.list_records, self.put, self.delete = r.get, r.list_records, r.put, r.delete
        self.batch, self.select_schools, self.rank = b.batch, b.select_schools, b.rank
        self.rank_table, self.allocate_selection = b.rank_table, b.allocate_selection
        self.allocate = b.allocate
        self.add_user, self.ensure_demo_users = a.add_user, a.ensure_demo_users

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

    # -- models --------------------------------------------------------------------------

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
