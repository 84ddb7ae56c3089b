"""Batch runs over a selection of schools: each school's top-k partners as a table, or
the capacity-respecting allocation of all of them, with names and reasons.

The command line ranks a province, regency or district on an index of its own (its
schools, every partner), so one region never encodes the whole country; the API and
the pages use the served index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from matcher import answers, schema
from matcher.allocation import Allocation, allocate
from matcher.model_store import ModelStore
from matcher.progress import Progress
from matcher.selection import Selection
from matcher.serving import Snapshot
from matcher.storage import Store

Pairs = list[tuple[str, str]]


class Batches:
    """Batch ranking and allocation of the stored data.

    Parameters
    ----------
    store, models : Store, ModelStore
        The data and the model versions (a region's own index uses the active one).
    current : callable
        What is served now (:meth:`matcher.serving.Serving.current`).
    """

    def __init__(self, store: Store, models: ModelStore, current: Callable[[], Snapshot]) -> None:
        self.store, self.models, self.current = store, models, current

    def batch(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> tuple[Snapshot, np.ndarray]:
        """The model, an index and the rows of the selected schools for a batch run.

        A province, regency or district is indexed on its own (its schools, all
        partners), so a command-line run for one region never encodes the whole country;
        otherwise the serving index is used."""
        sel = Selection.of(province, regency, district, all_schools, school_ids)
        if sel.region is None:
            snapshot = self.current()
            return snapshot, sel.rows(snapshot[2])
        version, model, _ = self.models.load(self.models.active_version())
        index = sel.region_index(model, self.store)
        return (version, model, index), np.arange(index.n_schools)

    def select_schools(
        self,
        regency: str | None = None,
        district: str | None = None,
        all_schools: bool = False,
        school_ids: list[str] | None = None,
        province: str | None = None,
    ) -> np.ndarray:
        """Rows of the schools a batch covers; exactly one selector must be given."""
        sel = Selection.of(province, regency, district, all_schools, school_ids)
        return sel.rows(self.current()[2])

    def rank(
        self,
        rows: np.ndarray,
        k: int = 10,
        progress: bool = False,
        chunk: int = 512,
        scheduler: str | None = None,
        state: Snapshot | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Top-k partners for each selected school, as one DataFrame per chunk with
        columns ``school_id, rank, partner_id, score`` and readable extras. With a
        ``scheduler`` ("local" or a Dask scheduler address) the chunks are ranked on a
        Dask cluster, with identical results."""
        answers.check_k(k)
        version, model, index = state or self.current()
        yield from answers.rank_frames(version, model, index, rows, k, progress, chunk, scheduler)

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
        return answers.rank_frame(self.rank(rows, k)), {"schools": int(len(rows))}

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
        rows = self.select_schools(regency, district, False, school_ids)
        return self.allocate(
            rows,
            k,
            equity_weight,
            lang,
            mode=mode,
            pinned=pinned,
            forbidden=forbidden,
            candidates=candidates,
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
        """Capacity-respecting assignment for the selected schools, with reasons for the
        assigned pairs (see :mod:`matcher.allocation`): ``mode`` "optimal" or "stable",
        ``pinned``/``forbidden`` pairs of (school_id, partner_id) the officer decided,
        ``candidates`` best feasible partners per school to choose among."""
        answers.check_k(k)
        schema.check_option("equity weight", equity_weight, 0, schema.MAX_EQUITY_WEIGHT)
        schema.check_option("candidates", candidates, 1, schema.MAX_CANDIDATES, whole=True)
        version, model, index = state or self.current()
        bar = Progress(len(rows), "scoring candidates", enabled=progress)
        alloc = allocate(
            model,
            index,
            rows,
            k=k,
            equity_weight=equity_weight,
            candidates=candidates,
            progress=bar,
            mode=mode,
            pinned=pinned or [],
            forbidden=forbidden or [],
            lang=lang,
        )
        summary = {
            "equity_weight": equity_weight,
            "k": k,
            "candidates": int(candidates),
            "data_fingerprint": self.store.fingerprint(),
            "pinned_pairs": [list(x) for x in pinned or []],
            "forbidden_pairs": [list(x) for x in forbidden or []],
        }
        return answers.dress_allocation(alloc, version, index, lang, summary)
