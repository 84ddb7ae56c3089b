"""The engine's front door: one object that the command line and the API both call.

It ties the store, the model versions and the match index together, and turns ranked
rows into records users read (ids, names, scores, explanations). The index is rebuilt
only when the stored data or the active model changed, and is swapped in whole, so a
concurrent reader never sees a half-built one.
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher import publishing, schema, storage
from matcher.accounts import DEMO_PARTNER, DEMO_SCHOOL, DEMO_USERS, Accounts, User
from matcher.allocation import Allocation, allocate
from matcher.config import Settings
from matcher.errors import MatcherError, ModelError, NotFoundError, RowError, ValidationError
from matcher.evaluation import (
    evaluate_scorers,
    model_scorer,
    popularity_scorer,
    random_scorer,
    tag_overlap_scorer,
    time_split,
)
from matcher.explain import explain_pair, no_more_note
from matcher.features import SIDES, VocabularyTextMatcher
from matcher.index import MatchIndex
from matcher.jobs import TrainingJobs
from matcher.model import MatchModel
from matcher.model_store import ModelStore
from matcher.pairs import assignment_table
from matcher.partnerships import Partnership, Partnerships
from matcher.progress import Progress
from matcher.ranking import Ranked, rank_batch, recommend_partners, recommend_schools
from matcher.reading import default_matcher, read_text
from matcher.storage import Store
from matcher.vocabulary import load_vocabulary

MAX_K = schema.MAX_K
logger = logging.getLogger("matcher.engine")


class Engine:
    """Schools, partners, outcomes and models, with ranking and explanations on top."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(self.settings.db_url)
        self.models = ModelStore(self.settings.models_dir, keep=self.settings.keep_versions)
        self.accounts = Accounts(self.store.engine)
        self.partnerships = Partnerships(self.store.engine, self.record_outcomes)
        self._lock = threading.Lock()
        self._state: tuple[tuple[str | None, str], MatchModel, MatchIndex] | None = None
        self.jobs = TrainingJobs(self)
        self._results: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self._results_lock = threading.Lock()
        self._fp: str | None = None
        self._version: str | None = None
        self._fp_at = 0.0
        self._dirty = False
        self._reader: VocabularyTextMatcher | None = None
        # (version, fingerprint) kept current by the watcher thread, when one runs
        self._live: tuple[str | None, str] | None = None
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()

    def close(self) -> None:
        """Release database connections (at service shutdown)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.store.close()

    def watch(self) -> None:
        """Keep the active version and the stored data's fingerprint current from a
        background thread, every ``refresh_seconds``; a change (another process trained,
        activated or wrote) gets its index built there before requests see it. Requests
        then neither query the database to learn what is current nor wait for a rebuild
        (the service calls this at start-up; every worker process runs its own)."""
        if self._watcher is not None or self.settings.refresh_seconds <= 0:
            return  # 0: every request checks, as without a watcher
        self._watcher = threading.Thread(target=self._watch, name="matcher-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.refresh_seconds):
            try:
                key = (self.models.active_version(), self.store.fingerprint())
                state = self._state
                if key[0] is not None and (state is None or state[0] != key):
                    with self._lock:
                        self._build(key)
                self._live = key
            except Exception:  # a failed check is retried; serving goes on as it was
                logger.exception("checking for a new model or data failed")

    # -- data ----------------------------------------------------------------------------

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
        counts = self.store.load(frames)
        self._dirty = True
        return counts, warnings

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
        self._dirty = True
        return counts

    def get(self, kind: str, record_id: str) -> dict[str, Any]:
        """One stored school or partner (``kind`` is "schools" or "partners"), with the
        needs and offers read from its description (``needs_read``, ``offers_read``)."""
        record = self.store.get(kind, record_id)
        side = "school" if kind == "schools" else "partner"
        read = self.read_text(record.get("description") or "", side)
        return {**record, "needs_read": read["needs"], "offers_read": read["offers"]}

    def read_text(self, text: str, side: str, lang: str = "id") -> dict[str, Any]:
        """The needs and offers a description names, with the words that named each
        (``{"needs": [{"code", "label", "evidence"}], "offers": [...]}``), read by the
        active model's text reader (a default reader before any model is trained)."""
        if side not in SIDES:
            raise ValidationError("text", [RowError(1, "side", "use school or partner")])
        try:
            model = self._current()[1]
            matcher = model.features_.text_matcher(side)
        except MatcherError:
            matcher = self._default_reader()
        return read_text(matcher, text, side, lang)

    def _default_reader(self) -> VocabularyTextMatcher:
        if self._reader is None:
            self._reader = default_matcher()
        return self._reader

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
        self._dirty = True

    def record_outcomes(self, records: list[dict[str, Any]]) -> dict[str, int]:
        """Store outcome events; an event already stored (same outcome_id) is not added
        again. Unknown school or partner ids reject the whole batch."""
        if not records:
            raise ValidationError("outcomes", [RowError(1, "*", "no events given")])
        frame, _ = schema.validate_records(
            "outcomes", list(enumerate(records, start=1)), "outcomes"
        )
        added = self.store.load({"outcomes": frame}).get("outcomes", 0)
        self._dirty = True
        return {"received": len(frame), "added": added, "duplicates": len(frame) - added}

    def health(self) -> dict[str, Any]:
        """Status, active model version and stored counts."""
        counts = self.store.counts()
        return {
            "status": "ok",
            "model_version": self.models.active_version(),
            "schools": counts["schools"],
            "partners": counts["partners"],
            "outcomes": counts["outcomes"],
        }

    def load_sample(self) -> dict[str, int]:
        d = self.settings.data_dir / "sample"
        counts, _ = self.load_files(d / "schools.csv", d / "partners.csv", d / "outcomes.csv")
        return counts

    # -- models --------------------------------------------------------------------------

    def train(
        self,
        params: dict[str, Any] | None = None,
        evaluate: bool = True,
        force: bool = False,
        if_new_outcomes: int | None = None,
    ) -> dict[str, Any]:
        """Fit a model on everything stored and save it as a new version.

        Champion/challenger: the new version becomes active only if, refitted on the same
        time-based holdout, it is not worse (schools' NDCG@10) than the active version's
        settings — unless ``force``. With ``if_new_outcomes=N`` nothing is trained unless
        at least N outcome events arrived since the active version was trained (then the
        returned manifest has ``"skipped": True``). A failure leaves the active model as it
        was: nothing is activated before the new version is complete.
        """
        schools = self.store.frame("schools")
        partners = self.store.frame("partners")
        outcomes = self.store.frame("outcomes")
        if not len(schools) or not len(partners):
            raise MatcherError("no schools or partners stored; run `matcher load` first")
        active = self.models.active_version()
        champion, refused = None, ""
        if active:
            try:
                champion = self.models.manifest(active)
            except ModelError as exc:  # e.g. unsigned: replaced, not compared with
                refused = f" (active {active} refused: {exc})"
        if if_new_outcomes is not None and champion is not None:
            new = len(outcomes) - int(champion["data"]["outcomes"])
            if new < if_new_outcomes:
                return {**champion, "skipped": True, "new_outcomes": new}
        if (w := (params or {}).get("outcome_weight")) is not None:
            schema.check_option("outcome weight", w, 0, schema.MAX_OUTCOME_WEIGHT)
        model = MatchModel(**(params or {}))
        metrics: dict[str, Any] = {}
        decision = ("activated: first model" + refused) if champion is None else "activated"
        promote = True
        if evaluate:
            try:
                holdout = time_split(outcomes)
            except MatcherError as exc:
                holdout = None
                decision = f"activated without holdout check ({exc})"
            if holdout is not None:
                metrics = self._holdout_metrics(
                    model.get_params(), schools, partners, outcomes, holdout
                )
                if champion is not None:
                    # the same settings on the same holdout score the same (fits are
                    # seeded): refit the champion only when its settings differ
                    same = _as_json(champion["parameters"]) == _as_json(model.get_params())
                    base = (
                        dict(metrics)
                        if same
                        else self._holdout_metrics(
                            champion["parameters"], schools, partners, outcomes, holdout
                        )
                    )
                    metrics["champion"] = {"version": active, **base}
                    new_ndcg, old_ndcg = metrics["schools"]["ndcg"], base["schools"]["ndcg"]
                    promote = new_ndcg >= old_ndcg - 1e-9
                    decision = (
                        f"activated: holdout NDCG@10 {new_ndcg:.4f} vs active {old_ndcg:.4f}"
                        if promote
                        else f"kept {active}: holdout NDCG@10 {new_ndcg:.4f} is worse than "
                        f"{old_ndcg:.4f}"
                    )
        if force and not promote:
            promote, decision = True, decision.replace("kept", "forced over")
        model.fit(schools, partners, outcomes)
        manifest = {
            "parameters": model.get_params(),
            "data": {
                "fingerprint": self.store.fingerprint(),
                "schools": len(schools),
                "partners": len(partners),
                "outcomes": len(outcomes),
            },
            "outcome_model": model.outcome_note_,
            "metrics": metrics,
            "decision": decision,
        }
        version = self.models.save(model, manifest, activate=False)
        if promote:
            self._switch(version)
        return {**self.models.manifest(version), "active": promote}

    def _holdout_metrics(
        self,
        params: dict[str, Any],
        schools: pd.DataFrame,
        partners: pd.DataFrame,
        outcomes: pd.DataFrame,
        holdout: Any,
    ) -> dict[str, Any]:
        fitted, index = _fit_on_holdout(params, schools, partners, outcomes, holdout)
        rep = evaluate_scorers({"model": model_scorer(fitted)}, index, holdout)
        return {"cutoff": rep["cutoff"], **rep["models"]["model"]}

    def evaluate(self, k: int = 10, test_fraction: float = 0.2) -> dict[str, Any]:
        """Holdout metrics of the active model beside baselines: random, popularity,
        two-way tag overlap, one-way match, content only, and the previously active
        version — who formed partnerships next, and how tried pairs went."""
        version, model, _ = self.models.load()
        schools, partners = self.store.frame("schools"), self.store.frame("partners")
        outcomes = self.store.frame("outcomes")
        holdout = time_split(outcomes, test_fraction)
        params = model.get_params()

        def fit(**over: Any) -> MatchModel:
            return MatchModel(**{**params, **over}).fit(schools, partners, holdout.train)

        fitted, index = _fit_on_holdout(params, schools, partners, outcomes, holdout)
        scorers = {
            "random": random_scorer(fitted),
            "popularity": popularity_scorer(fitted, holdout.train),
            "two-way tag overlap": tag_overlap_scorer(fitted),
            "one-way match": model_scorer(fit(fusion="forward", outcome_weight=0.0)),
            "content only": model_scorer(fit(outcome_weight=0.0)),
        }
        older = [m for m in self.models.versions() if m["state"] == "ok" and m["version"] < version]
        if older:
            prev = older[-1]
            prev_model, prev_index = _fit_on_holdout(
                prev["parameters"], schools, partners, outcomes, holdout
            )
            scorers[f"previous {prev['version']}"] = model_scorer(prev_model, prev_index)
        scorers[f"model {version}"] = model_scorer(fitted)
        report = evaluate_scorers(scorers, index, holdout, k, reference="content only")
        report["model_version"] = version
        return report

    def model_versions(self) -> list[dict[str, Any]]:
        """Manifests of the stored versions, oldest first, each with ``active``."""
        return self.models.versions()

    def activate(self, version: str) -> dict[str, Any]:
        """Make a stored version active (rollback) after checking it loads; the index is
        rebuilt before the switch is visible to requests."""
        self._switch(version)
        return self.models.manifest(version)

    def _switch(self, version: str) -> None:
        """Load ``version`` and index the data with it, then point the store at it: the
        switch is one assignment, so every request sees either the old model and index
        or the new ones, and none waits for a rebuild."""
        _, model, _ = self.models.load(version)  # refuses a damaged artifact first
        fp = self.store.fingerprint()
        if self._state is None:
            # nothing is served yet (the command line's `train`, a first model): the
            # index is built on first use instead of once more here for nobody
            with self._lock:
                self.models.activate(version)
                self._fp, self._fp_at, self._dirty = fp, time.monotonic(), False
                self._version = version
                if self._watcher is not None:
                    self._live = (version, fp)
            return
        index = model.index(
            self.store.frame("schools"), self.store.frame("partners"), self.store.frame("outcomes")
        )
        with self._lock:
            self.models.activate(version)
            self._fp, self._fp_at, self._dirty = fp, time.monotonic(), False
            self._version = version
            self._state = ((version, fp), model, index)
            if self._watcher is not None:
                self._live = (version, fp)

    def _key(self) -> tuple[str | None, str]:
        """(active version, data fingerprint). Both are re-read after this engine wrote or
        switched models, and otherwise at most every ``refresh_seconds`` (other processes
        may write or activate too), so requests do not each query the database; with
        :meth:`watch` running, only after this engine wrote."""
        live = self._live
        if live is not None and not self._dirty:
            return live
        now = time.monotonic()
        if self._fp is None or self._dirty or now - self._fp_at > self.settings.refresh_seconds:
            self._dirty = False
            self._version = self.models.active_version()
            self._fp, self._fp_at = self.store.fingerprint(), now
            if self._watcher is not None:
                self._live = (self._version, self._fp)
        return self._version, self._fp

    def _current(self) -> tuple[str, MatchModel, MatchIndex]:
        """The active model and an index of the stored data, rebuilt only when stale."""
        key = self._key()
        state = self._state
        if state is not None and state[0] == key:
            return key[0] or "", state[1], state[2]
        with self._lock:
            state = self._state
            if state is not None and state[0] == key:
                return key[0] or "", state[1], state[2]
            return self._build(key)

    def _build(self, key: tuple[str | None, str]) -> tuple[str, MatchModel, MatchIndex]:
        """Load the model of ``key`` and index the stored data with it, then swap the
        state in whole (the caller holds ``_lock``)."""
        version, model, _ = self.models.load(key[0])
        index = model.index(
            self.store.frame("schools"),
            self.store.frame("partners"),
            self.store.frame("outcomes"),
        )
        self._state = ((version, key[1]), model, index)
        return version, model, index

    def snapshot(self) -> tuple[str, MatchModel, MatchIndex]:
        """What is served now: the active version, its model and the index of the stored
        data (read-only; for tools and tests that score outside the engine)."""
        return self._current()

    def refresh(self) -> str:
        """Load the active model and index now (at service start-up); returns its version."""
        return self._current()[0]

    # -- suggestions ---------------------------------------------------------------------

    def cached_suggestions(
        self, side: str, record_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any] | None:
        """A stored answer of :meth:`suggest` (``side`` "school") or
        :meth:`suggest_for_partner` ("partner") if one is current, else None. Answers
        are kept per model version and data fingerprint, so any change makes them stale;
        a look-up does no scoring (the API answers hits without a worker thread)."""
        key = (self._key(), side, record_id, k, lang, explain)
        with self._results_lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def _remember(
        self,
        side: str,
        record_id: str,
        k: int,
        lang: str,
        explain: bool,
        state: tuple[str | None, str],
        value: dict[str, Any],
    ) -> dict[str, Any]:
        key = (state, side, record_id, k, lang, explain)
        with self._results_lock:
            self._results[key] = value
            while len(self._results) > self.settings.result_cache:
                self._results.popitem(last=False)
        return value

    def suggest(
        self, school_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any]:
        """Partners for one school, best first, each with both-way scores and reasons."""
        return self._suggest("school", school_id, k, lang, explain)

    def suggest_for_partner(
        self, partner_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any]:
        """Schools for one partner, best first: the other side of the market."""
        return self._suggest("partner", partner_id, k, lang, explain)

    def _suggest(
        self, side: str, record_id: str, k: int, lang: str, explain: bool
    ) -> dict[str, Any]:
        _check_k(k)
        hit = self.cached_suggestions(side, record_id, k, lang, explain)
        if hit is not None:
            return hit
        state = self._key()
        version, model, index = self._current()
        if side == "school":
            row = int(index.school_rows([record_id])[0])
            ranked, other, name = recommend_partners(model, index, row, k), "partner", index.s_meta
        else:
            row = int(index.partner_rows([record_id])[0])
            ranked, other, name = recommend_schools(model, index, row, k), "school", index.p_meta
        answer = {
            f"{side}_id": record_id,
            f"{side}_name": str(name["name"][row]),
            "model_version": version,
            "lang": lang,
            "suggestions": self._rows(index, ranked, other, row, lang, explain),
        }
        if len(answer["suggestions"]) < k:  # fewer fit: no filler, and say so
            answer["note"] = no_more_note(other, lang)
        return self._remember(side, record_id, k, lang, explain, state, answer)

    def _rows(
        self, index: MatchIndex, ranked: Ranked, other: str, own: int, lang: str, explain: bool
    ) -> list[dict[str, Any]]:
        meta = index.p_meta if other == "partner" else index.s_meta
        attr = "type" if other == "partner" else "level"
        viewer = "school" if other == "partner" else "partner"
        out = []
        for rank, (r, sc, fw, bw) in enumerate(
            zip(ranked.rows, ranked.scores, ranked.forward, ranked.backward, strict=True), 1
        ):
            r = int(r)
            s_row, p_row = (own, r) if other == "partner" else (r, own)
            item: dict[str, Any] = {
                "rank": rank,
                f"{other}_id": str(meta[f"{other}_id"][r]),
                "name": str(meta["name"][r]),
                attr: str(meta[attr][r]),
                "score": round(float(sc), 6),
                "school_benefit": round(float(fw), 6),
                "partner_benefit": round(float(bw), 6),
            }
            if explain:
                ex = explain_pair(index, s_row, p_row, lang, viewer=viewer)
                item["explanation"] = ex.pop("text")
                item.update(ex)
            else:
                item["explanation"] = None
            out.append(item)
        return out

    # -- accounts and partnerships (the web app) -----------------------------------------

    def add_user(
        self,
        email: str,
        school_id: str | None = None,
        partner_id: str | None = None,
        regency: str | None = None,
        admin: bool = False,
        password: str | None = None,
    ) -> tuple[User, str | None]:
        """Create a web account for one school, one partner, a regency's officer or an
        admin; returns it and, without ``password``, its set-password link."""
        given = [x for x in (school_id, partner_id, regency) if x] + ([True] if admin else [])
        if len(given) != 1:
            raise MatcherError("give exactly one of --school, --partner, --regency, --admin")
        if school_id:
            self.store.get("schools", school_id)
            user, token = self.accounts.add(email, "school", school_id=school_id, password=password)
        elif partner_id:
            self.store.get("partners", partner_id)
            user, token = self.accounts.add(
                email, "partner", partner_id=partner_id, password=password
            )
        elif regency:
            known = self.store.page("schools", {"regency": regency}, limit=1)[0]
            if not known:
                raise NotFoundError(f"no schools with regency {regency!r}")
            user, token = self.accounts.add(email, "officer", regency=regency, password=password)
        else:
            user, token = self.accounts.add(email, "admin", password=password)
        link = None if token is None else f"{self.settings.base_url}/set-password?token={token}"
        return user, link

    def ensure_demo_users(self) -> list[tuple[User, str]]:
        """On the bundled sample, create the README's demo accounts (unless an account
        has their e-mail) and return those that still open with their demo password,
        with it. On any other data nothing is created."""
        try:  # only on the bundled sample: never known passwords on real data
            sample = self.store.get("schools", DEMO_SCHOOL[0])["name"] == DEMO_SCHOOL[1]
            self.store.get("partners", DEMO_PARTNER)
        except NotFoundError:
            sample = False
        if not sample:
            return []
        shown = []
        for email, kind, value, password in DEMO_USERS:
            try:
                user = self.accounts.by_email(email)
            except NotFoundError:
                try:
                    user, _ = self.add_user(
                        email,
                        school_id=value if kind == "school_id" else None,
                        partner_id=value if kind == "partner_id" else None,
                        regency=value if kind == "regency" else None,
                        password=password,
                    )
                except NotFoundError:
                    continue  # not the bundled sample: no demo account for it
            if self.accounts.verifies(email, password):
                shown.append((user, password))
        return shown

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
        """Accept (drafting the memorandum from the matched needs and offers) or decline
        a proposal received by ``side``."""
        p = self.partnerships.get(partnership_id)
        roles = self.mou_roles(p.school_id, p.partner_id) if accept else ("", "")
        return self.partnerships.respond(partnership_id, side, author, accept, message, roles)

    def mou_roles(self, school_id: str, partner_id: str) -> tuple[str, str]:
        """The draft memorandum's roles, in Indonesian: what the school provides the
        partner and what the partner provides the school, from what the pair matches
        on (as the suggestion explained it)."""
        school, partner = (
            self.store.get("schools", school_id),
            self.store.get("partners", partner_id),
        )
        try:
            _, _, index = self._current()
            ex = explain_pair(
                index, index.school_row[school_id], index.partner_row[partner_id], "id"
            )
            to_school = [g["label"] for g in ex["school_gains"]]
            to_partner = [g["label"] for g in ex["partner_gains"]]
        except (MatcherError, KeyError):  # no model yet: what their profiles list
            vocab = load_vocabulary()
            to_school = [vocab.label(c) for c in school["needs"] if c in partner["offers"]]
            to_partner = [vocab.label(c) for c in partner["needs"] if c in school["offers"]]
        s, p = school["name"], partner["name"]
        agreed = "kegiatan yang disepakati bersama"
        school_roles = f"{s} menyediakan {', '.join(to_partner) or agreed} bagi {p}."
        partner_roles = f"{p} memberikan {', '.join(to_school) or agreed} kepada {s}."
        return school_roles, partner_roles

    # -- batch ranking -------------------------------------------------------------------

    def batch(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> tuple[tuple[str, MatchModel, MatchIndex], np.ndarray]:
        """The model, an index and the rows of the selected schools for a batch run.

        A province, regency or district is indexed on its own (its schools, all
        partners), so a command-line run for one region never encodes the whole country;
        otherwise the serving index is used."""
        region = _region(province, regency, district, all_schools, school_ids)
        if region is None:
            rows = self.select_schools(regency, district, all_schools, school_ids, province)
            return self._current(), rows
        col, val = region
        version, model, _ = self.models.load(self.models.active_version())
        table = storage.schools
        schools = self.store.frame("schools", storage.same_text(table.c[col], str(val)))
        if not len(schools):
            raise _no_region(col, str(val), self.store.distinct("schools", col))
        index = model.index(schools, self.store.frame("partners"), self.store.frame("outcomes"))
        return (version, model, index), np.arange(len(schools))

    def select_schools(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> np.ndarray:
        """Rows of the schools a batch covers; exactly one selector must be given."""
        region = _region(province, regency, district, all_schools, school_ids)
        _, _, index = self._current()
        sch = index.schools
        if all_schools:
            return np.arange(len(sch))
        if school_ids is not None:  # each school once, however often it is named
            return index.school_rows(list(dict.fromkeys(school_ids)))
        assert region is not None
        col, val = region
        mask = sch[col].str.lower() == str(val).lower()  # as the database compares
        if not mask.any():
            raise _no_region(col, str(val), sorted(sch[col].unique()))
        return np.flatnonzero(mask.to_numpy())

    def rank(
        self,
        rows: np.ndarray,
        k: int = 10,
        progress: bool = False,
        chunk: int = 512,
        scheduler: str | None = None,
        state: tuple[str, MatchModel, MatchIndex] | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Top-k partners for each selected school, as one DataFrame per chunk with
        columns ``school_id, rank, partner_id, score`` and readable extras. With a
        ``scheduler`` ("local" or a Dask scheduler address) the chunks are ranked on a
        Dask cluster, with identical results."""
        _check_k(k)
        version, model, index = state or self._current()
        bar = Progress(len(rows), "ranking schools", enabled=progress)
        sid = index.schools["school_id"].to_numpy()
        sname = index.schools["name"].to_numpy()
        pid = index.partners["partner_id"].to_numpy()
        pname = index.partners["name"].to_numpy()
        if scheduler:
            from matcher.distributed import rank_distributed

            batches = rank_distributed(model, index, rows, k, scheduler, progress=bar)
        else:
            batches = rank_batch(model, index, rows, k, chunk, bar)
        for srows, idx, scores in batches:
            keep = idx >= 0
            r_i, c_i = np.nonzero(keep)
            p = idx[r_i, c_i]
            yield pd.DataFrame(
                {
                    "school_id": sid[srows[r_i]],
                    "rank": c_i + 1,
                    "partner_id": pid[p],
                    "score": np.round(scores[r_i, c_i].astype(np.float64), 6),
                    "school_name": sname[srows[r_i]],
                    "partner_name": pname[p],
                    "model_version": version,
                }
            )

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
        """Batch ranking of a regency, a district or a list of schools as one table, and
        a summary (schools selected; with ``allocate``, the allocation's summary)."""
        rows = self.select_schools(regency, district, False, school_ids)
        if allocate:
            alloc = self.allocate(rows, k, equity_weight, lang)
            return alloc.assignments, alloc.summary
        return rank_frame(self.rank(rows, k)), {"schools": int(len(rows))}

    def allocate_selection(
        self,
        regency: str | None = None,
        district: str | None = None,
        school_ids: list[str] | None = None,
        k: int = 10,
        equity_weight: float = 0.5,
        lang: str = "id",
        mode: str = "optimal",
        pinned: list[tuple[str, str]] | None = None,
        forbidden: list[tuple[str, str]] | None = None,
    ) -> Allocation:
        """:meth:`allocate` for a regency, a district or a list of schools (one of them)."""
        rows = self.select_schools(regency, district, False, school_ids)
        return self.allocate(
            rows, k, equity_weight, lang, mode=mode, pinned=pinned, forbidden=forbidden
        )

    def allocate(
        self,
        rows: np.ndarray,
        k: int = 10,
        equity_weight: float = 0.5,
        lang: str = "id",
        progress: bool = False,
        state: tuple[str, MatchModel, MatchIndex] | None = None,
        mode: str = "optimal",
        pinned: list[tuple[str, str]] | None = None,
        forbidden: list[tuple[str, str]] | None = None,
    ) -> Allocation:
        """Capacity-respecting assignment for the selected schools, with reasons for the
        assigned pairs (see :mod:`matcher.allocation`): ``mode`` "optimal" or "stable",
        ``pinned``/``forbidden`` pairs of (school_id, partner_id) the officer decided."""
        _check_k(k)
        schema.check_option("equity weight", equity_weight, 0, schema.MAX_EQUITY_WEIGHT)
        version, model, index = state or self._current()
        bar = Progress(len(rows), "scoring candidates", enabled=progress)
        alloc = allocate(
            model,
            index,
            rows,
            k=k,
            equity_weight=equity_weight,
            progress=bar,
            mode=mode,
            pinned=pinned or [],
            forbidden=forbidden or [],
            lang=lang,
        )
        a = alloc.assignments
        names_s = pd.Series(index.s_meta["name"], index=index.s_meta["school_id"])
        names_p = pd.Series(index.p_meta["name"], index=index.p_meta["partner_id"])
        a.insert(1, "school_name", a["school_id"].map(names_s))
        a["partner_name"] = a["partner_id"].map(names_p)
        a["explanation"] = ""
        alloc.pairs = assignment_table(index, a, lang)
        if len(alloc.pairs):
            pos = np.flatnonzero(a["assigned"].eq(True).to_numpy())
            a.loc[pos, "explanation"] = alloc.pairs["explanation"].to_numpy()
        a["model_version"] = version
        alloc.partner_load.insert(1, "name", alloc.partner_load["partner_id"].map(names_p))
        alloc.summary["model_version"] = version
        alloc.summary["equity_weight"] = equity_weight
        alloc.summary["k"] = k
        alloc.summary["data_fingerprint"] = self.store.fingerprint()
        alloc.summary["pinned_pairs"] = [list(x) for x in pinned or []]
        alloc.summary["forbidden_pairs"] = [list(x) for x in forbidden or []]
        return alloc

    def regency_overview(self, regency: str, lang: str = "id", figures: bool = True) -> Any:
        """The officer's dashboard of one regency (see :mod:`matcher.dashboard`); the
        under-resourced index uses the active model's index when there is one."""
        from matcher.allocation import underresourced
        from matcher.dashboard import overview

        table = storage.schools
        schools = self.store.frame("schools", storage.same_text(table.c.regency, regency))
        if not len(schools):
            raise NotFoundError(f"no schools with regency {regency!r}")
        partners = self.store.frame("partners")
        outcomes = self.store.frame("outcomes")
        need = None
        if self.models.active_version() is not None:
            _, _, index = self._current()
            need = underresourced(index, index.school_rows(schools["school_id"].tolist()))
        name = str(schools["regency"].iloc[0])
        return overview(name, schools, partners, outcomes, need, lang, figures)

    def publish(
        self,
        alloc: Allocation,
        published_by: str,
        scope: str,
        pairs: list[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Turn an allocation's assignments (or the reviewed ``pairs`` of it) into
        ``proposed`` events for both sides, once, with an audit record (who, when,
        settings, data fingerprint, model version); see :mod:`matcher.publishing`."""
        a = alloc.assignments
        given = a[a["assigned"].eq(True)]
        assigned = list(zip(given["school_id"], given["partner_id"], strict=True))
        if pairs is not None:
            unknown = [pr for pr in pairs if tuple(pr) not in set(assigned)]
            if unknown:
                s_id, p_id = unknown[0]
                raise MatcherError(
                    f"pair {s_id!r}–{p_id!r} is not an assignment of this allocation"
                )
            assigned = [tuple(pr) for pr in pairs]  # type: ignore[misc]
        s = alloc.summary
        settings = {
            key: s.get(key)
            for key in ("mode", "equity_weight", "k", "pinned_pairs", "forbidden_pairs")
        }
        propose = None
        if hasattr(self, "partnerships"):  # the web app's proposals: inbox entries too
            note = f"Usulan dinas pendidikan {scope} (alokasi oleh {published_by})."

            def propose(school_id: str, partner_id: str) -> Any:
                return self.partnerships.propose(
                    "school", school_id, partner_id, published_by, note
                )

        rec = publishing.publish(
            self.store,
            assigned,
            published_by,
            scope,
            settings,
            str(s.get("data_fingerprint", "")),
            str(s.get("model_version", "")),
            propose=propose,
        )
        self._dirty = True
        return rec

    def publications(self, scope: str | None = None) -> list[dict[str, Any]]:
        """Audit records of published allocations, newest first (one scope or all)."""
        return publishing.history(self.store, scope)


def _region(
    province: str | None,
    regency: str | None,
    district: str | None,
    all_schools: bool,
    school_ids: list[str] | None,
) -> tuple[str, str] | None:
    """The (column, value) of a regional selection, None for --all or a list of ids;
    a MatcherError unless exactly one selector is given."""
    given = {"province": province, "regency": regency, "district": district}
    region = [(c, v) for c, v in given.items() if v is not None]
    if len(region) + bool(all_schools) + (school_ids is not None) != 1:
        raise MatcherError("choose exactly one of --province, --regency, --district, --all")
    return region[0] if region else None


def _no_region(column: str, value: str, names: list[str]) -> NotFoundError:
    """No school in that region: name the closest stored names, if any look alike."""
    by_lower = {n.lower(): n for n in names if n}
    close = difflib.get_close_matches(value.lower(), list(by_lower), n=3, cutoff=0.6)
    if close:
        hint = " or ".join(repr(by_lower[c]) for c in close)
        return NotFoundError(f"no schools with {column} {value!r}; did you mean {hint}?")
    known = ", ".join(repr(n) for n in names[:5])
    more = ", ..." if len(names) > 5 else ""
    return NotFoundError(f"no schools with {column} {value!r} (stored: {known}{more})")


def _as_json(params: dict[str, Any]) -> str:
    """Parameters as the manifest stores them (tuples become lists), for comparing."""
    return json.dumps(params, sort_keys=True, default=str)


def _fit_on_holdout(
    params: dict[str, Any],
    schools: pd.DataFrame,
    partners: pd.DataFrame,
    outcomes: pd.DataFrame,
    holdout: Any,
) -> tuple[MatchModel, MatchIndex]:
    """A model with ``params`` fitted on what was known before the holdout's cut-off,
    and its index of the data as it stood then. Capacity is not applied: the holdout
    window spans months in which partnerships end and partners take new schools, so a
    partner that was full on the cut-off day is still a fair candidate."""
    fitted = MatchModel(**params).fit(schools, partners, holdout.train)
    index = fitted.index(schools, partners, outcomes, as_of=holdout.cutoff, count_capacity=False)
    return fitted, index


def _check_k(k: int) -> None:
    schema.check_option("k", k, 1, MAX_K)


def rank_frame(frames: Iterator[pd.DataFrame]) -> pd.DataFrame:
    parts = list(frames)
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["school_id", "rank", "partner_id", "score"])
    )
