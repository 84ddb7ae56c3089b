"""Batch ranking on a Dask distributed cluster, for runs that outgrow one machine.

The model and index are sent to every worker once; schools are cut into geographically
compact chunks that workers rank with the very same code as a local run
(:func:`matcher.ranking.rank_batch`), so results are identical. Results come back in
chunk order, so output is streamed in the same order as well.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from matcher.errors import MatcherError
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.ranking import rank_batch, spatial_order


def _rank_chunk(
    rows: np.ndarray, model: MatchModel, index: MatchIndex, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    parts = list(rank_batch(model, index, rows, k, blocking=True))
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def connect(scheduler: str) -> Any:
    """A Dask client: ``local`` starts a LocalCluster on this machine, anything else is
    a scheduler address such as ``tcp://10.0.0.5:8786``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise MatcherError(
            "--scheduler needs Dask: pip install 'school-partner-matcher[dask]'"
        ) from None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            return Client(cluster)
        return Client(scheduler, timeout="10s")
    except OSError as exc:
        raise MatcherError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None


def rank_distributed(
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    k: int,
    scheduler: str,
    chunk: int = 4096,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Like :func:`matcher.ranking.rank_batch`, computed by the cluster's workers."""
    client = connect(scheduler)
    try:
        ordered = spatial_order(index, np.asarray(rows, dtype=np.int64))
        chunks = [ordered[i : i + chunk] for i in range(0, len(ordered), chunk)]
        model_f, index_f = client.scatter([model, index], broadcast=True)
        futures = client.map(_rank_chunk, chunks, model=model_f, index=index_f, k=k, pure=False)
        for fut, rows_chunk in zip(futures, chunks, strict=True):
            result = fut.result()
            if progress:
                progress(len(rows_chunk))
            yield result
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
