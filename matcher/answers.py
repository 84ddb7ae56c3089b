"""Ranked rows turned into what users read: ids, names, rounded scores, reasons.

One school's or partner's suggestions become a record (docs/cli.md, ``matcher suggest``),
a batch ranking becomes DataFrames of ``school_id, rank, partner_id, score`` with names,
an allocation gets names and an explanation per assigned pair, and a memorandum's draft roles are
written from what the pair matches on. Nothing here scores or stores.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from matcher import schema
from matcher.allocation import Allocation
from matcher.explain import explain_pair, no_more_note
from matcher.index import MatchIndex
from matcher.model import MatchModel
from matcher.pairs import assignment_table
from matcher.progress import Progress
from matcher.ranking import Ranked, rank_batch, recommend_partners, recommend_schools
from matcher.vocabulary import load_vocabulary

RANK_COLUMNS = ["school_id", "rank", "partner_id", "score"]


def check_k(k: int) -> None:
    """How many suggestions may be asked for: 1 to ``schema.MAX_K``."""
    schema.check_option("k", k, 1, schema.MAX_K)


def suggestion_answer(
    version: str,
    model: MatchModel,
    index: MatchIndex,
    side: str,
    record_id: str,
    k: int,
    lang: str,
    explain: bool,
) -> dict[str, Any]:
    """The other side's k best for one school (``side`` "school") or partner, best
    first, each with both-way scores and, with ``explain``, the reasons; a note when
    fewer fit than were asked for."""
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
        "suggestions": suggestion_rows(index, ranked, other, row, lang, explain),
    }
    if len(answer["suggestions"]) < k:  # fewer fit: no filler, and say so
        answer["note"] = no_more_note(other, lang)
    return answer


def suggestion_rows(
    index: MatchIndex, ranked: Ranked, other: str, own: int, lang: str, explain: bool
) -> list[dict[str, Any]]:
    """One record per ranked row of the ``other`` side ("partner" or "school") for the
    record at row ``own``."""
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


def rank_frames(
    version: str,
    model: MatchModel,
    index: MatchIndex,
    rows: np.ndarray,
    k: int = 10,
    progress: bool = False,
    chunk: int = 512,
    scheduler: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Top-k partners for each school row, as one DataFrame per chunk with columns
    ``school_id, rank, partner_id, score`` and names; with a ``scheduler`` ("local" or
    a Dask scheduler address) the chunks are ranked on a Dask cluster, identically."""
    check_k(k)
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


def rank_frame(frames: Iterator[pd.DataFrame]) -> pd.DataFrame:
    """The chunks of :func:`rank_frames` as one table."""
    parts = list(frames)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=RANK_COLUMNS)


def dress_allocation(
    alloc: Allocation,
    version: str,
    index: MatchIndex,
    lang: str,
    summary: dict[str, Any],
) -> Allocation:
    """``alloc`` with names, an explanation per assigned pair (its ``pairs`` table),
    and the model version and ``summary`` (settings, data fingerprint) in its summary."""
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
    alloc.summary.update({"model_version": version, **summary})
    return alloc


def mou_roles(
    index: MatchIndex | None, school: dict[str, Any], partner: dict[str, Any]
) -> tuple[str, str]:
    """The draft memorandum's roles, in Indonesian: what the school provides the partner
    and what the partner provides the school, from what the pair matches on as the
    suggestion explained it (with no ``index``, or a pair not in it: what their
    profiles list)."""
    try:
        if index is None:
            raise KeyError(school["school_id"])
        ex = explain_pair(
            index, index.school_row[school["school_id"]], index.partner_row[partner["partner_id"]]
        )
        to_school = [g["label"] for g in ex["school_gains"]]
        to_partner = [g["label"] for g in ex["partner_gains"]]
    except KeyError:
        vocab = load_vocabulary()
        to_school = [vocab.label(c) for c in school["needs"] if c in partner["offers"]]
        to_partner = [vocab.label(c) for c in partner["needs"] if c in school["offers"]]
    s, p = school["name"], partner["name"]
    agreed = "kegiatan yang disepakati bersama"
    school_roles = f"{s} menyediakan {', '.join(to_partner) or agreed} bagi {p}."
    partner_roles = f"{p} memberikan {', '.join(to_school) or agreed} kepada {s}."
    return school_roles, partner_roles
