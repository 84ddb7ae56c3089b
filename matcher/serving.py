"""What requests are served from: the active model with its index of the stored data,
swapped in whole, and the answers already given with that pair.

The index is rebuilt only when the stored data or the active model changed, and is
replaced by one assignment, so a concurrent reader sees either the old model and index
or the new ones, never a half-built one. Answers are kept per (active version, data
fingerprint), so any change makes every kept answer stale at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from matcher.answers import check_k, suggestion_answer
from matcher.config import Settings
from matcher.errors import MatcherError, RowError, ValidationError
from matcher.features import SIDES, VocabularyTextMatcher
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.model_store import ModelStore
from matcher.reading import default_matcher, read_text
from matcher.storage import Store

logger = logging.getLogger("matcher.serving")

Key = tuple[str | None, str]  # (active version, data fingerprint)
Snapshot = tuple[str, MatchModel, MatchIndex]  # (version, model, index)


class AnswerCache:
    """Answers by key, least recently used dropped beyond ``size``; each entry also keeps
    what a caller rendered of it (the API's JSON), so an answer is rendered once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, answer: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._entries[key] = [answer, None]
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return answer

    def rendered(self, key: Hashable, render: Callable[[dict[str, Any]], bytes]) -> bytes | None:
        """``render`` of the answer under ``key``, made on the first call; None if no
        answer is kept under ``key``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            if entry[1] is not None:
                return bytes(entry[1])
        body = render(entry[0])  # outside the lock: rendering may take a while
        entry[1] = body
        return body


class Serving:
    """The served model, index and answers of one engine (see the module docstring).

    Parameters
    ----------
    store, models : Store, ModelStore
        Where the data and the model versions are.
    settings : Settings
        ``refresh_seconds`` (how stale the active version and data fingerprint may be)
        and ``result_cache`` (how many answers are kept).
    """

    def __init__(self, store: Store, models: ModelStore, settings: Settings) -> None:
        self.store, self.models, self.settings = store, models, settings
        self.answers = AnswerCache(settings.result_cache)
        self._lock = threading.Lock()
        self._state: tuple[Key, MatchModel, MatchIndex] | None = None
        self._fp: str | None = None
        self._version: str | None = None
        self._fp_at = 0.0
        self._dirty = False
        # (version, fingerprint) kept current by the watcher thread, when one runs
        self._live: Key | None = None
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._reader: VocabularyTextMatcher | None = None

    def changed(self) -> None:
        """The stored data changed: re-read the fingerprint on the next request."""
        self._dirty = True

    @property
    def watching(self) -> bool:
        """Whether a watcher thread keeps the version and fingerprint current."""
        return self._watcher is not None

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

    def close(self) -> None:
        """Stop the watcher thread, if one runs."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)

    def switch(self, version: str) -> None:
        """Load ``version`` and index the data with it, then point the model store at
        it: the switch is one assignment, so every request sees either the old model and
        index or the new ones, and none waits for a rebuild."""
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

    def key(self) -> Key:
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

    def current(self) -> Snapshot:
        """The active model and an index of the stored data, rebuilt only when stale."""
        key = self.key()
        state = self._state
        if state is not None and state[0] == key:
            return key[0] or "", state[1], state[2]
        with self._lock:
            state = self._state
            if state is not None and state[0] == key:
                return key[0] or "", state[1], state[2]
            return self._build(key)

    def _build(self, key: Key) -> Snapshot:
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

    # -- answers -------------------------------------------------------------------------

    def read_text(self, text: str, side: str, lang: str = "id") -> dict[str, Any]:
        """The needs and offers a description names, with the words that named each
        (``{"needs": [{"code", "label", "evidence"}], "offers": [...]}``), read by the
        active model's text reader (a default reader before any model is trained)."""
        if side not in SIDES:
            raise ValidationError("text", [RowError(1, "side", "use school or partner")])
        try:
            matcher = self.current()[1].features_.text_matcher(side)
        except MatcherError:
            if self._reader is None:
                self._reader = default_matcher()
            matcher = self._reader
        return read_text(matcher, text, side, lang)

    def cached(
        self, side: str, record_id: str, k: int = 10, lang: str = "id", explain: bool = True
    ) -> dict[str, Any] | None:
        """The kept answer of :meth:`suggest` if one is current, else None (no scoring)."""
        return self.answers.get((self.key(), side, record_id, k, lang, explain))

    def rendered(
        self,
        side: str,
        record_id: str,
        k: int,
        lang: str,
        explain: bool,
        render: Callable[[dict[str, Any]], bytes],
    ) -> bytes | None:
        """``render`` of the current kept answer, made once per answer; else None."""
        return self.answers.rendered((self.key(), side, record_id, k, lang, explain), render)

    def suggest(
        self, side: str, record_id: str, k: int, lang: str, explain: bool
    ) -> dict[str, Any]:
        """The other side's best matches for one school (``side`` "school") or partner,
        from the kept answers when current, else scored now and kept."""
        check_k(k)
        hit = self.cached(side, record_id, k, lang, explain)
        if hit is not None:
            return hit
        key = self.key()
        version, model, index = self.current()
        answer = suggestion_answer(version, model, index, side, record_id, k, lang, explain)
        return self.answers.put((key, side, record_id, k, lang, explain), answer)
