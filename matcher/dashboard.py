"""A regency at a glance for its district officer: counts, who has no partner yet and
where, the under-resourced schools, a map by partnership status, and how partnerships
moved over time — as plain data and as small SVG figures, each with a one-line reading
in Indonesian (or English).

Figures are drawn on the server with matplotlib (no chart library in the page), small
enough for a slow connection.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from matcher.errors import NotFoundError
from matcher.history import ENDED, OCCUPYING, pair_states
from matcher.index import MatchIndex
from matcher.storage import Store

# A school's partnership status, from the latest event of each of its pairs.
STATUS_ORDER = ("active", "proposed", "past", "none")
STATUS_WORDS = {
    "id": {
        "active": "bermitra aktif",
        "proposed": "sedang diajukan",
        "past": "pernah bermitra",
        "none": "belum pernah bermitra",
    },
    "en": {
        "active": "active partnership",
        "proposed": "proposal pending",
        "past": "partnered before",
        "none": "never partnered",
    },
}
COLOURS = {"active": "#1a9850", "proposed": "#fdae61", "past": "#74add1", "none": "#d73027"}

READINGS = {
    "id": {
        "without": "{n} dari {total} sekolah belum punya mitra aktif; terbanyak di kecamatan "
        "{where} ({m} sekolah).",
        "without_none": "Semua {total} sekolah punya mitra aktif.",
        "weak": "{n} sekolah swasta kecil belum punya mitra.",
        "map": "{active} sekolah bermitra aktif, {proposed} sedang diajukan, {none} belum "
        "pernah bermitra.",
        "trend": "Kemitraan baru per triwulan: {last} pada triwulan terakhir yang lengkap "
        "({change} dibanding triwulan sebelumnya).",
        "trend_none": "Belum ada kemitraan tercatat.",
        "more": "lebih banyak {d}",
        "less": "lebih sedikit {d}",
        "same": "sama",
        "new": "kemitraan baru",
        "ended": "selesai atau berakhir",
        "quarter": "triwulan",
        "schools": "sekolah",
        "kecamatan": "kecamatan",
    },
    "en": {
        "without": "{n} of {total} schools have no active partner; most in {where} ({m} schools).",
        "without_none": "All {total} schools have an active partner.",
        "weak": "{n} small private schools have no partner yet.",
        "map": "{active} schools with an active partnership, {proposed} with a proposal "
        "pending, {none} never partnered.",
        "trend": "New partnerships per quarter: {last} in the last complete quarter "
        "({change} than the quarter before).",
        "trend_none": "No partnership recorded yet.",
        "more": "{d} more",
        "less": "{d} fewer",
        "same": "the same",
        "new": "new partnerships",
        "ended": "completed or ended",
        "quarter": "quarter",
        "schools": "schools",
        "kecamatan": "district",
    },
}


@dataclass
class Figure:
    """One figure: its SVG text and the sentence that says what it shows."""

    svg: str
    reading: str


@dataclass
class Overview:
    """What the dashboard shows for one regency."""

    regency: str
    counts: dict[str, int]
    schools: pd.DataFrame  # one row per school: ids, names, kecamatan, status, need
    without_by_district: pd.DataFrame  # kecamatan, schools, without partner
    trend: pd.DataFrame  # quarter, new, ended
    figures: dict[str, Figure] = field(default_factory=dict)
    readings: dict[str, str] = field(default_factory=dict)


def school_status(schools: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    """Per school id: "active" (a partnership accepted or running), "proposed" (only
    pending proposals), "past" (partnered before, nothing now) or "none"."""
    status = pd.Series("none", index=schools["school_id"].to_numpy(), dtype=object)
    states = pair_states(outcomes)
    if not len(states):
        return status
    states = states[states["school_id"].isin(status.index)]
    ever = set(states["school_id"])
    pending = set(states.loc[states["status"] == "proposed", "school_id"])
    busy = set(states.loc[states["status"].isin(OCCUPYING), "school_id"])
    status[status.index.isin(ever)] = "past"
    status[status.index.isin(pending)] = "proposed"
    status[status.index.isin(busy)] = "active"
    return status


def partnership_trend(outcomes: pd.DataFrame) -> pd.DataFrame:
    """New partnerships (a pair's first accepted or active event) and ended ones
    (completed or ended early) per calendar quarter."""
    cols = ["quarter", "new", "ended"]
    if outcomes is None or not len(outcomes):
        return pd.DataFrame(columns=cols)
    ev = outcomes.sort_values("recorded_at")
    started = ev[ev["status"].isin(OCCUPYING)].drop_duplicates(["school_id", "partner_id"])
    ended = ev[ev["status"].isin(ENDED)].drop_duplicates(["school_id", "partner_id"])
    q_new = pd.to_datetime(started["recorded_at"]).dt.to_period("Q").value_counts()
    q_end = pd.to_datetime(ended["recorded_at"]).dt.to_period("Q").value_counts()
    quarters = sorted(set(q_new.index) | set(q_end.index))
    if not quarters:
        return pd.DataFrame(columns=cols)
    span = pd.period_range(quarters[0], quarters[-1], freq="Q")
    return pd.DataFrame(
        {
            "quarter": [str(q) for q in span],
            "new": [int(q_new.get(q, 0)) for q in span],
            "ended": [int(q_end.get(q, 0)) for q in span],
        }
    )


def regency_overview(
    store: Store,
    regency: str,
    index: Callable[[], MatchIndex | None],
    lang: str = "id",
    figures: bool = True,
) -> Overview:
    """:func:`overview` of a stored regency (named in any case); the under-resourced
    index comes from ``index()`` (the served index, None before any model) when given.
    NotFoundError for a regency without schools."""
    from matcher.allocation import underresourced

    schools = store.schools_in("regency", regency)
    if not len(schools):
        raise NotFoundError(f"no schools with regency {regency!r}")
    partners = store.frame("partners")
    outcomes = store.frame("outcomes")
    served = index()
    need = None
    if served is not None:
        need = underresourced(served, served.school_rows(schools["school_id"].tolist()))
    name = str(schools["regency"].iloc[0])
    return overview(name, schools, partners, outcomes, need, lang, figures)


def overview(
    regency: str,
    schools: pd.DataFrame,
    partners: pd.DataFrame,
    outcomes: pd.DataFrame,
    need: np.ndarray | None = None,
    lang: str = "id",
    figures: bool = True,
) -> Overview:
    """The dashboard of ``regency`` from its schools, all partners and the outcome log;
    ``need`` is the under-resourced index per school (see
    :func:`matcher.allocation.underresourced`), computed without remoteness if None."""
    w = READINGS.get(lang, READINGS["id"])
    sch = schools.reset_index(drop=True)
    ids = set(sch["school_id"])
    ev = outcomes[outcomes["school_id"].isin(ids)] if len(outcomes) else outcomes
    status = school_status(sch, ev)
    if need is None:
        students = pd.to_numeric(sch["students"], errors="coerce").fillna(0).to_numpy()
        need = (
            (students < 150).astype(float)
            + (sch["ownership"].to_numpy() == "swasta")
            + np.isin(sch["accreditation"].to_numpy(), ["C", "none"])
        ) / 4.0
    students = pd.to_numeric(sch["students"], errors="coerce").fillna(0).to_numpy()
    table = pd.DataFrame(
        {
            "school_id": sch["school_id"],
            "name": sch["name"],
            "district": sch["district"].fillna("").astype(str),
            "level": sch["level"],
            "ownership": sch["ownership"],
            "students": students.astype(int),
            "accreditation": sch["accreditation"],
            "latitude": sch["latitude"].astype(float),
            "longitude": sch["longitude"].astype(float),
            "status": status.reindex(sch["school_id"]).to_numpy(),
            "need": np.round(np.asarray(need, dtype=float), 2),
        }
    )
    table["underresourced"] = table["need"] >= 0.5
    table["without_partner"] = table["status"] != "active"
    by = (
        table.groupby("district")
        .agg(schools=("school_id", "size"), without_partner=("without_partner", "sum"))
        .reset_index()
        .sort_values(["without_partner", "schools"], ascending=False)
    )
    states = pair_states(ev)
    in_region = partners["regency"].fillna("").str.casefold() == regency.casefold()
    counts = {
        "schools": len(table),
        "partners": int(in_region.sum()),
        "partners_active_here": int(
            states.loc[states["status"].isin(OCCUPYING), "partner_id"].nunique()
        ),
        "active_partnerships": int(states["status"].isin(OCCUPYING).sum()),
        "pending_proposals": int((states["status"] == "proposed").sum()),
        "without_partner": int(table["without_partner"].sum()),
        "underresourced": int(table["underresourced"].sum()),
        "underresourced_without": int((table["underresourced"] & table["without_partner"]).sum()),
    }
    trend = partnership_trend(ev)
    small_private = (table["ownership"] == "swasta") & (table["students"] < 150)
    n_without = counts["without_partner"]
    readings = {
        "without": (
            w["without"].format(
                n=n_without,
                total=len(table),
                where=by.iloc[0]["district"] or "-",
                m=int(by.iloc[0]["without_partner"]),
            )
            if n_without
            else w["without_none"].format(total=len(table))
        ),
        "weak": w["weak"].format(n=int((small_private & table["without_partner"]).sum())),
        "map": w["map"].format(
            active=int((table["status"] == "active").sum()),
            proposed=int((table["status"] == "proposed").sum()),
            none=int((table["status"] == "none").sum()),
        ),
        "trend": _trend_reading(trend, w),
    }
    out = Overview(regency, counts, table, by, trend, readings=readings)
    if figures:
        out.figures = draw(out, lang)
    return out


def _trend_reading(trend: pd.DataFrame, w: dict[str, str]) -> str:
    """The last complete quarter against the one before (the latest quarter, still
    running, would always look like a fall)."""
    done = trend.iloc[:-1] if len(trend) > 1 else trend
    if not len(done) or not done["new"].sum():
        return w["trend_none"]
    last = int(done["new"].iloc[-1])
    before = int(done["new"].iloc[-2]) if len(done) > 1 else 0
    d = last - before
    change = w["more"].format(d=d) if d > 0 else w["less"].format(d=-d) if d < 0 else w["same"]
    return w["trend"].format(last=last, change=change)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg") :]  # the element only, to inline in a page


def draw(ov: Overview, lang: str = "id") -> dict[str, Figure]:
    """The dashboard's figures as inline SVG, each with its reading."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = READINGS.get(lang, READINGS["id"])
    words = STATUS_WORDS.get(lang, STATUS_WORDS["id"])
    plt.rcParams.update({"font.size": 9, "svg.fonttype": "none"})
    figs: dict[str, Figure] = {}

    top = ov.without_by_district.head(12).iloc[::-1]
    fig, ax = plt.subplots(figsize=(4.2, 0.25 * len(top) + 1.0))
    ax.barh(top["district"], top["schools"], color="#d9d9d9", label=w["schools"])
    ax.barh(top["district"], top["without_partner"], color=COLOURS["none"])
    ax.set_xlabel(w["schools"])
    ax.spines[["top", "right"]].set_visible(False)
    figs["without"] = Figure(_svg(fig), ov.readings["without"])

    t = ov.schools
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    for st in STATUS_ORDER[::-1]:
        part = t[t["status"] == st]
        if len(part):
            ax.scatter(part["longitude"], part["latitude"], s=10, c=COLOURS[st],
                       label=f"{words[st]} ({len(part)})", edgecolors="none")  # fmt: skip
    weak = t[t["underresourced"] & t["without_partner"]]
    if len(weak):
        ax.scatter(weak["longitude"], weak["latitude"], s=28, facecolors="none",
                   edgecolors="black", linewidths=0.6)  # fmt: skip
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=2, fontsize=7, frameon=False)
    figs["map"] = Figure(_svg(fig), ov.readings["map"])

    tr = ov.trend.tail(12)
    fig, ax = plt.subplots(figsize=(4.2, 2.4))
    if len(tr):
        x = np.arange(len(tr))
        ax.plot(x, tr["new"], marker="o", color=COLOURS["active"], label=w["new"])
        ax.plot(x, tr["ended"], marker=".", color="#999999", label=w["ended"])
        ax.set_xticks(x, tr["quarter"], rotation=45, fontsize=7)
        ax.legend(fontsize=7, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    figs["trend"] = Figure(_svg(fig), ov.readings["trend"])
    return figs
