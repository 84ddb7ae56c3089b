"""Offline evaluation on a time-based holdout, from both sides, beside baselines.

The stored outcome events are split at a cut-off time: everything before it is what a
model may learn from (and what decides which pairs are already in progress); pairs that
first appear after it are the test set. Two kinds of metric:

* **formed next** — NDCG, recall and precision@k of who partnered after the cut-off. A
  new pair's relevance is graded: 2 for a mutual success (completed, no rating below 4),
  1 for a partnership that formed (accepted, active, completed) without failing, 0
  otherwise. These say who was *tried* next, which exposure (who already sees whom)
  decides as much as benefit does: read them with care.
* **once tried** — on the holdout's tried pairs only, the AUC of accepted vs declined and
  of mutual success vs failure of an accepted partnership, from schools' lists (within
  each school's tried pairs), partners' lists and pooled. Exposure decides which pairs are
  tried, not how they go, so these cannot be won by ranking the visible first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import numpy as np
import pandas as pd

from matcher.errors import MatcherError
from matcher.history import ACCEPTED, attempts, low_rating, mutual_success
from matcher.index import MatchIndex
from matcher.metrics import (
    auc,
    bootstrap_mean,
    gini,
    ndcg_at_k,
    paired_bootstrap,
    precision_at_k,
    recall_at_k,
)
from matcher.model import MatchModel
from matcher.ranking import top_k


class Scorer(Protocol):
    """Scores of schools ``s_rows`` against partners ``p_rows`` (all when None), -inf
    where not suggested, on ``viewer``'s list ("school" or "partner": a model filters
    and weighs a partner's own list as that partner sees it; baselines are symmetric)."""

    def __call__(
        self,
        index: MatchIndex,
        s_rows: np.ndarray,
        p_rows: np.ndarray | None,
        viewer: str = "school",
    ) -> np.ndarray: ...


def pair_grades(events: pd.DataFrame) -> pd.DataFrame:
    """Graded relevance per (school, partner) pair from its events."""
    if not len(events):
        return pd.DataFrame(columns=["school_id", "partner_id", "grade"])
    ev = events.assign(
        success=mutual_success(events),
        formed=events["status"].isin([s for s in ACCEPTED if s != "ended_early"]),
        failed=events["status"].isin(["declined", "ended_early"]) | low_rating(events),
    )
    g = ev.groupby(["school_id", "partner_id"], sort=False)[["success", "formed", "failed"]].any()
    grade = np.where(g["success"], 2.0, np.where(g["formed"] & ~g["failed"], 1.0, 0.0))
    return g.reset_index()[["school_id", "partner_id"]].assign(grade=grade)


@dataclass
class Holdout:
    cutoff: datetime
    train: pd.DataFrame
    test: pd.DataFrame  # school_id, partner_id, grade — new pairs only
    tried: pd.DataFrame  # new pairs' attempts (history.attempts): accepted, success


def time_split(outcomes: pd.DataFrame, test_fraction: float = 0.2) -> Holdout:
    """Split at the time before which ``1 - test_fraction`` of events were recorded."""
    if outcomes is None or len(outcomes) < 20:
        raise MatcherError(
            "evaluation needs recorded outcome events (at least 20); load some with "
            "`matcher load --outcomes FILE`"
        )
    times = outcomes["recorded_at"].sort_values()
    cutoff = times.iloc[int(len(times) * (1 - test_fraction))]
    train = outcomes[outcomes["recorded_at"] < cutoff]
    later = outcomes[outcomes["recorded_at"] >= cutoff]
    seen = pd.MultiIndex.from_frame(train[["school_id", "partner_id"]])
    key = pd.MultiIndex.from_frame(later[["school_id", "partner_id"]])
    new = later[~key.isin(seen)]
    return Holdout(
        cutoff=cutoff.to_pydatetime(), train=train, test=pair_grades(new), tried=attempts(new)
    )


def model_scorer(model: MatchModel, own_index: MatchIndex | None = None) -> Scorer:
    """Scores of a fitted model; ``own_index`` when its features differ from the shared
    index's (rows are the same: both come from the same records in the same order)."""

    def score(
        index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None, viewer: str = "school"
    ) -> np.ndarray:
        return model.score_block(own_index or index, s_rows, p_rows, viewer=viewer).score

    return score


def popularity_scorer(model: MatchModel, train: pd.DataFrame) -> Scorer:
    """Partners (and schools) with the most partnerships formed before the cut-off."""
    formed = train[train["status"].isin([s for s in ACCEPTED if s != "ended_early"])]
    counts: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per index, counted once

    def score(
        index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None, viewer: str = "school"
    ) -> np.ndarray:
        feas = model.reachable(index, s_rows, p_rows)
        if id(index) not in counts:
            pc = formed["partner_id"].map(index.partner_row).dropna().astype(int)
            sc = formed["school_id"].map(index.school_row).dropna().astype(int)
            counts[id(index)] = (
                np.bincount(pc, minlength=index.n_partners).astype(np.float32),
                np.bincount(sc, minlength=index.n_schools).astype(np.float32),
            )
        pop, spop = counts[id(index)]
        cols = pop if p_rows is None else pop[p_rows]
        s = cols[None, :] + spop[s_rows][:, None] + 1e-3 * np.arange(feas.shape[1])[None, ::-1]
        return np.where(feas, s, -np.inf).astype(np.float32)

    return score


def random_scorer(model: MatchModel, seed: int = 0) -> Scorer:
    """Any reachable partner, in random order."""
    rng = np.random.default_rng(seed)

    def score(
        index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None, viewer: str = "school"
    ) -> np.ndarray:
        feas = model.reachable(index, s_rows, p_rows)
        return np.where(feas, rng.random(feas.shape), -np.inf).astype(np.float32)

    return score


def tag_overlap_scorer(model: MatchModel) -> Scorer:
    """The hand-written baseline: the share of the school's listed needs the partner's
    listed offers meet, the same the other way (a partner listing no needs is content),
    combined by the harmonic mean; tags only, among reachable partners."""

    def score(
        index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray | None, viewer: str = "school"
    ) -> np.ndarray:
        sel = slice(None) if p_rows is None else p_rows
        s_need, s_offer = index.s.need_tag[s_rows], index.s.offer_tag[s_rows]
        p_offer, p_need = index.p.offer_tag[sel], index.p.need_tag[sel]
        fw = (s_need @ p_offer.T) / np.maximum(s_need.sum(axis=1), 1)[:, None]
        n_p = p_need.sum(axis=1)
        bw = np.where(n_p[None, :] > 0, (s_offer @ p_need.T) / np.maximum(n_p, 1)[None, :], 1.0)
        total = fw + bw
        hm = np.divide(2 * fw * bw, total, out=np.zeros_like(total), where=total > 0)
        return np.where(model.reachable(index, s_rows, p_rows), hm, -np.inf).astype(np.float32)

    return score


def pair_scores(
    scorer: Scorer, index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray
) -> np.ndarray:
    """A scorer's score of aligned pairs ``(s_rows[i], p_rows[i])``, block by block."""
    out = np.empty(len(s_rows), dtype=np.float64)
    for start in range(0, len(s_rows), 2048):
        s, p = s_rows[start : start + 2048], p_rows[start : start + 2048]
        us, si = np.unique(s, return_inverse=True)
        up, pi = np.unique(p, return_inverse=True)
        out[start : start + len(s)] = scorer(index, us, up)[si, pi]
    return out


def _grouped_auc(owners: np.ndarray, scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """AUC within each owner's pairs (owners with both outcomes only), as
    :func:`~matcher.metrics.auc` per owner: ranks within each owner (ties averaged,
    unscored pairs lowest), in one grouped pass."""
    s = np.asarray(scores, dtype=np.float64)
    s = np.where(np.isnan(s), -np.inf, s)
    frame = pd.DataFrame({"o": owners, "s": s, "y": np.asarray(y).astype(bool)})
    frame["r"] = frame.groupby("o", sort=False)["s"].rank(method="average")
    g = frame.assign(rp=frame["r"].where(frame["y"], 0.0)).groupby("o", sort=False)
    n_pos = g["y"].sum().to_numpy(dtype=np.float64)
    n_all = g["y"].size().to_numpy(dtype=np.float64)
    rank_pos = g["rp"].sum().to_numpy(dtype=np.float64)
    n_neg = n_all - n_pos
    ok = (n_pos > 0) & (n_neg > 0)
    return (rank_pos[ok] - n_pos[ok] * (n_pos[ok] + 1) / 2.0) / (n_pos[ok] * n_neg[ok])


def once_tried(scorers: dict[str, Scorer], index: MatchIndex, holdout: Holdout) -> dict[str, Any]:
    """AUC of each scorer on the holdout's tried pairs: accepted vs declined, and mutual
    success vs failure once accepted; pooled over pairs, and within schools' and
    partners' tried pairs, each with a 95% bootstrap interval."""
    tried = holdout.tried
    tried = tried[
        tried["school_id"].isin(index.school_row) & tried["partner_id"].isin(index.partner_row)
    ]
    s_rows = tried["school_id"].map(index.school_row).to_numpy(dtype=np.int64)
    p_rows = tried["partner_id"].map(index.partner_row).to_numpy(dtype=np.int64)
    out: dict[str, Any] = {
        "pairs": {
            "accept": int(tried["accepted"].notna().sum()),
            "deliver": int(tried["success"].notna().sum()),
        },
        "models": {},
    }
    for name, scorer in scorers.items():
        sc = pair_scores(scorer, index, s_rows, p_rows) if len(tried) else np.zeros(0)
        res: dict[str, Any] = {}
        for stage, col in (("accept", "accepted"), ("deliver", "success")):
            y = tried[col].to_numpy(dtype=np.float64)
            ok = np.isfinite(y)
            if ok.sum() < 2 or len(np.unique(y[ok])) < 2:
                continue
            pooled = auc(sc[ok], y[ok])
            rng = np.random.default_rng(0)
            idx = np.flatnonzero(ok)
            boots = [auc(sc[b], y[b]) for b in rng.choice(idx, (300, len(idx)))]
            lo, hi = np.nanpercentile(boots, [2.5, 97.5])
            res[stage] = {"pooled": {"auc": pooled, "low": float(lo), "high": float(hi)}}
            for side, owners in (("schools", s_rows), ("partners", p_rows)):
                per = _grouped_auc(owners[ok], sc[ok], y[ok])
                m, lo, hi = bootstrap_mean(per)
                res[stage][side] = {"auc": m, "low": lo, "high": hi, "lists": len(per)}
        out["models"][name] = res
    return out


def top_lists(
    scorer: Scorer,
    index: MatchIndex,
    s_rows: np.ndarray,
    p_rows: np.ndarray,
    k: int,
    chunk: int | None = None,
) -> tuple[list[list[str]], list[list[str]]]:
    """Each school's k best partner ids and each partner's k best school ids by
    ``scorer`` (partners' lists merged over ``chunk`` schools at a time)."""
    pid = index.partners["partner_id"].to_numpy()
    sid = index.schools["school_id"].to_numpy()
    school_lists: list[list[str]] = []
    for start in range(0, len(s_rows), 1024):
        idx = top_k(scorer(index, s_rows[start : start + 1024], None), k)
        school_lists += [pid[r[r >= 0]].tolist() for r in idx]
    if not len(p_rows):
        return school_lists, []
    # Partners' lists run over every school: a running top-k per partner, merged chunk
    # by chunk, so memory stays (partners × chunk) however many schools there are.
    n_p = len(p_rows)
    best_s = np.full((n_p, 0), -np.inf, dtype=np.float32)
    best_i = np.zeros((n_p, 0), dtype=np.int64)
    chunk = chunk or int(np.clip(16_000_000 // n_p, 256, 4096))
    for start in range(0, index.n_schools, chunk):
        rows = np.arange(start, min(start + chunk, index.n_schools))
        block = scorer(index, rows, p_rows, viewer="partner").T.astype(np.float32)
        cand_s = np.hstack([best_s, block])
        cand_i = np.hstack([best_i, np.broadcast_to(rows, block.shape)])
        pos = top_k(cand_s, k)  # earlier (lower) school rows win ties, as in one pass
        ok = pos >= 0
        pos0 = np.where(ok, pos, 0)
        best_s = np.where(ok, np.take_along_axis(cand_s, pos0, axis=1), -np.inf)
        best_i = np.where(ok, np.take_along_axis(cand_i, pos0, axis=1), -1)
    return school_lists, [sid[r[r >= 0]].tolist() for r in best_i]


def _score_lists(
    lists: list[list[str]], owners: list[str], rel: dict[str, dict[str, float]], k: int
) -> pd.DataFrame:
    rows = []
    for owner, ranked in zip(owners, lists, strict=True):
        r = rel[owner]
        relevant = {i for i, g in r.items() if g > 0}
        rows.append(
            {
                "id": owner,
                "ndcg": ndcg_at_k(ranked, r, k),
                "recall": recall_at_k(ranked, relevant, k),
                "precision": precision_at_k(ranked, relevant, k),
            }
        )
    return pd.DataFrame(rows, columns=["id", "ndcg", "recall", "precision"])


def segments(schools: pd.DataFrame) -> pd.DataFrame:
    """Per school: the segments reported separately (ownership, size, regency)."""
    students = pd.to_numeric(schools["students"], errors="coerce")
    return pd.DataFrame(
        {
            "id": schools["school_id"],
            "ownership": schools["ownership"],
            "size": np.where(students.fillna(0) < 300, "small (<300)", "large (300+)"),
            "regency": schools["regency"],
        }
    )


def evaluate_scorers(
    scorers: dict[str, Scorer],
    index: MatchIndex,
    holdout: Holdout,
    k: int = 10,
    reference: str | None = None,
    max_lists: int = 5000,
) -> dict[str, Any]:
    """Metrics of each scorer on the holdout, for schools' and partners' lists.

    With ``reference`` (a scorer's name), each model also gets ``vs_reference``: its
    NDCG@k gain over that scorer on each side, list by list, with a 95% paired
    bootstrap interval, so a margin can be told from the luck of the holdout.

    At most ``max_lists`` schools' and partners' lists are scored (a fixed random
    sample of the test schools and partners beyond it), which bounds the time and
    memory of a national evaluation; the report says when it sampled."""
    test = holdout.test
    test = test[
        test["school_id"].isin(index.school_row) & test["partner_id"].isin(index.partner_row)
    ]
    pos = test[test["grade"] > 0]
    if not len(pos):
        raise MatcherError("the holdout has no new partnerships to evaluate against")
    s_all = sorted(pos["school_id"].unique())
    p_all = sorted(pos["partner_id"].unique())
    rng = np.random.default_rng(0)
    s_ids, p_ids = (
        ids if len(ids) <= max_lists else sorted(rng.choice(ids, max_lists, replace=False))
        for ids in (s_all, p_all)
    )
    s_rel: dict[str, dict[str, float]] = {s: {} for s in s_ids}
    p_rel: dict[str, dict[str, float]] = {p: {} for p in p_ids}
    for s, p, g in test[["school_id", "partner_id", "grade"]].itertuples(index=False):
        if s in s_rel:
            s_rel[s][p] = g
        if p in p_rel:
            p_rel[p][s] = g
    s_rows, p_rows = index.school_rows(s_ids), index.partner_rows(p_ids)
    seg = segments(index.schools).set_index("id")
    report: dict[str, Any] = {
        "cutoff": holdout.cutoff.isoformat(),
        "k": k,
        "test_schools": len(s_all),
        "test_partners": len(p_all),
        "test_pairs": len(pos),
        "models": {},
        "segments": {},
    }
    if len(s_ids) < len(s_all) or len(p_ids) < len(p_all):
        report["sampled"] = {"schools": len(s_ids), "partners": len(p_ids)}
    per_list: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, scorer in scorers.items():
        s_lists, p_lists = top_lists(scorer, index, s_rows, p_rows, k)
        sm = _score_lists(s_lists, s_ids, s_rel, k)
        pm = _score_lists(p_lists, p_ids, p_rel, k)
        exposure = pd.Series([p for lst in s_lists for p in lst]).value_counts()
        counts = exposure.reindex(index.partners["partner_id"], fill_value=0).to_numpy()
        report["models"][name] = {
            "schools": {m: float(sm[m].mean()) for m in ("ndcg", "recall", "precision")},
            "partners": {m: float(pm[m].mean()) for m in ("ndcg", "recall", "precision")},
            "coverage": float((counts > 0).mean()),
            "gini": gini(counts),
        }
        per_list[name] = (sm["ndcg"].to_numpy(), pm["ndcg"].to_numpy())
        joined = sm.join(seg, on="id")
        for col in ("ownership", "size", "regency"):
            for val, grp in joined.groupby(col):
                key = f"{col}={val}"
                report["segments"].setdefault(key, {"n": len(grp)})[name] = float(
                    grp["ndcg"].mean()
                )
    report["once_tried"] = once_tried(scorers, index, holdout)
    if reference is not None and reference in per_list:
        report["reference"] = reference
        ref = per_list[reference]
        for name, lists in per_list.items():
            if name == reference:
                continue
            report["models"][name]["vs_reference"] = {
                side: dict(
                    zip(("gain", "low", "high"), paired_bootstrap(lists[i], ref[i]), strict=True)
                )
                for i, side in enumerate(("schools", "partners"))
            }
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as a plain-text table."""
    w = max([22] + [len(n) + 2 for n in report["models"]])
    lines = [
        f"time-based holdout: cut-off {report['cutoff']}, {report['test_pairs']} new pairs, "
        f"{report['test_schools']} schools, {report['test_partners']} partners; k={report['k']}",
        "formed next: who partnered after the cut-off (exposure decides this as much as "
        "benefit does)",
        *(
            [
                f"lists scored: a fixed random sample of {report['sampled']['schools']} "
                f"schools and {report['sampled']['partners']} partners"
            ]
            if report.get("sampled")
            else []
        ),
        "",
        f"{'model':<{w}}{'NDCG@k':>8}{'recall':>8}{'prec':>8}  |{'NDCG@k':>8}{'recall':>8}"
        f"{'prec':>8}  |{'coverage':>9}{'gini':>7}",
        f"{'':<{w}}{'schools lists':^24}  |{'partners lists':^24}  |",
    ]
    for name, m in report["models"].items():
        s, p = m["schools"], m["partners"]
        lines.append(
            f"{name:<{w}}{s['ndcg']:>8.3f}{s['recall']:>8.3f}{s['precision']:>8.3f}  |"
            f"{p['ndcg']:>8.3f}{p['recall']:>8.3f}{p['precision']:>8.3f}  |"
            f"{m['coverage']:>9.3f}{m['gini']:>7.3f}"
        )
    if report.get("reference"):
        lines += ["", f"NDCG@k gain over {report['reference']} (95% paired bootstrap interval):"]
        for name, m in report["models"].items():
            if "vs_reference" not in m:
                continue
            parts = []
            for side in ("schools", "partners"):
                g = m["vs_reference"][side]
                clear = "clear" if g["low"] > 0 else "not clear" if g["high"] > 0 else "worse"
                parts.append(
                    f"{side} {g['gain']:+.3f} [{g['low']:+.3f}, {g['high']:+.3f}] {clear:<9}"
                )
            lines.append(f"{name:<{w}}" + "   ".join(parts).rstrip())
    tried = report.get("once_tried")
    if tried and any(tried["models"].values()):
        n = tried["pairs"]
        lines += [
            "",
            f"once tried: AUC on the holdout's tried pairs ({n['accept']} answered proposals, "
            f"{n['deliver']} ended partnerships); 0.5 is chance",
            f"{'model':<{w}}{'accepted vs declined':^33}|{'mutual success vs failure':^33}",
            f"{'':<{w}}{'pooled':>11}{'schools':>11}{'partners':>11}|"
            f"{'pooled':>11}{'schools':>11}{'partners':>11}",
        ]
        for name, res in tried["models"].items():
            cells = []
            for stage in ("accept", "deliver"):
                for side in ("pooled", "schools", "partners"):
                    v = res.get(stage, {}).get(side, {}).get("auc", float("nan"))
                    cells.append(f"{v:>11.3f}")
                cells.append("|")
            lines.append(f"{name:<{w}}" + "".join(cells[:-1]))
    if report.get("segments"):
        names = list(report["models"])
        lines += ["", "NDCG@k of schools' lists per segment:"]
        lines.append(f"{'segment':<34}{'n':>6}" + "".join(f"{n[:14]:>16}" for n in names))
        for key, vals in report["segments"].items():
            lines.append(
                f"{key[:34]:<34}{vals['n']:>6}"
                + "".join(f"{vals.get(n, float('nan')):>16.3f}" for n in names)
            )
    return "\n".join(lines)
