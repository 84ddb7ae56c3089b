"""The ledger world: benefit is the number of needs met, delivered or not.

Every formula of this world is here, once; the simulation draws from them and the truth
takes their expectation. Nothing is imported from ``tools.samplegen`` but its data
tables (codes, East Java places, noun phrases, type names).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tools.samplegen.tables import (
    CODES,
    EAST_JAVA,
    LEVELS,
    PARTNER_TYPES,
    PHRASES,
    TYPE_EN,
    TYPE_ID,
)

# which way each code flows, as the generator's vocabulary copy says (to_partner from
# talent_pipeline on; a handful of school-side codes also flow both ways)
_FIRST_TO_PARTNER = CODES.index("talent_pipeline")
BOTH = frozenset(
    ("teaching_innovation", "research_collaboration", "environment_program", "arts_culture")
    + ("sports", "language_learning", "entrepreneurship")
)
SCHOOL_NEEDS = np.array([i < _FIRST_TO_PARTNER for i in range(len(CODES))])
SCHOOL_GIVES = np.array([i >= _FIRST_TO_PARTNER or c in BOTH for i, c in enumerate(CODES)])
N = len(CODES)
START = np.datetime64("2023-01-01", "D")
PERIOD_DAYS = 1400
MAX_PAIRS = 20_000_000
NO_LANGUAGE = 0.6  # delivery without a shared language, relative to with one
PHILANTHROPY = 1.0  # a partner that needs nothing back still gains this (in needs) by giving


@dataclass(frozen=True)
class LedgerWorld:
    """Settings of a ledger world.

    Parameters
    ----------
    reliability : float
        0..1 spread of partners' hidden delivery around 0.7: 1 strong (from about 0.1 to
        1), 0.25 weak (0.6 to 0.8).
    text_only_needs : float
        Share of schools' true needs written only in their description.
    english : float
        Share of descriptions in English (a fifth of the rest mixes both languages).
    exposure : float
        0..1: how much fame and proximity, rather than the listed fit, decide whom a
        school asks.
    implicit_value : float
        True worth of what a school's profile implies it gives (CSR impact for a small or
        private school, visibility for a large one), in needs met; 0 in this family.
    proposals : float
        Mean proposals per school over the period.
    """

    reliability: float = 1.0
    text_only_needs: float = 0.0
    english: float = 0.0
    exposure: float = 0.5
    implicit_value: float = 0.0
    proposals: float = 1.6

    def __post_init__(self) -> None:
        for f in ("reliability", "text_only_needs", "english", "exposure", "implicit_value"):
            v = float(getattr(self, f))
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{f} must be between 0 and 1, got {v}")
        if not 0.0 < float(self.proposals) <= 50.0:
            raise ValueError(f"proposals must be above 0 and at most 50, got {self.proposals}")


SETTINGS = tuple(f.name for f in fields(LedgerWorld))


@dataclass
class _Sides:
    s_need: np.ndarray  # true needs (bool, n_s x N)
    s_need_tag: np.ndarray
    s_offer: np.ndarray  # true offers = listed (and written) offers
    s_implied: np.ndarray  # what the profile implies (worth implicit_value each)
    s_eng: np.ndarray
    s_lat: np.ndarray
    s_lon: np.ndarray
    s_level: np.ndarray
    s_lang: np.ndarray  # bits: 1 id, 2 en
    p_offer: np.ndarray
    p_need: np.ndarray
    p_rel: np.ndarray
    p_fame: np.ndarray
    p_lat: np.ndarray
    p_lon: np.ndarray
    p_radius: np.ndarray
    p_online: np.ndarray
    p_levels: np.ndarray  # bit mask, 0 = all
    p_lang: np.ndarray
    p_capacity: np.ndarray


def _sentence(code: str, en: bool, kind: str) -> str:
    noun = PHRASES[code][3] if en else PHRASES[code][2]
    if kind == "need":
        return f"We lack {noun}." if en else f"Kami kekurangan {noun}."
    return f"We can provide {noun}." if en else f"Kami dapat memberikan {noun}."


def _lang_of(rng: np.random.Generator, n: int, english: float) -> np.ndarray:
    """0 Indonesian, 1 English, 2 mixed (a fifth of the non-English share mixes)."""
    u = rng.random(n)
    mixed = 0.2 * min(english, 1.0 - english)
    return np.where(u < english, 1, np.where(u < english + mixed, 2, 0))


def _places(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rows = []
    for reg, _short, _kota, share, _sigma, _l2, _l2p, kecs in EAST_JAVA:
        for kec in kecs:
            rows.append((reg, kec[0], kec[1], kec[2], share / len(kecs)))
    t = pd.DataFrame(rows, columns=["regency", "district", "lat", "lon", "w"])
    pick = rng.choice(len(t), size=n, p=(t["w"] / t["w"].sum()).to_numpy())
    at = t.iloc[pick].reset_index(drop=True)
    lat = at["lat"].to_numpy() + rng.normal(0, 0.04, n)
    lon = at["lon"].to_numpy() + rng.normal(0, 0.04, n)
    return at, lat, lon


def _draw_codes(
    rng: np.random.Generator, weights: np.ndarray, k: np.ndarray, allowed: np.ndarray
) -> np.ndarray:
    """Per row, ``k`` distinct allowed codes drawn by weight (Gumbel top-k)."""
    w = np.where(allowed[None, :], weights, 0.0)
    with np.errstate(divide="ignore"):
        key = np.log(w) + rng.gumbel(size=w.shape)
    rank = np.argsort(np.argsort(-key, axis=1), axis=1)
    return (rank < k[:, None]) & (w > 0)


def _join(m: np.ndarray, names: Sequence[str] = CODES) -> list[str]:
    return [";".join(names[int(j)] for j in np.flatnonzero(r)) for r in m]


def _schools(rng: np.random.Generator, n: int, w: LedgerWorld) -> tuple[pd.DataFrame, dict]:
    at, lat, lon = _places(rng, n)
    level = rng.choice(len(LEVELS), size=n, p=[0.4, 0.2, 0.1, 0.1, 0.03, 0.1, 0.04, 0.03])
    negeri = rng.random(n) < 0.5
    students = np.round(np.exp(rng.normal(5.6, 0.7, n))).clip(20, 3000)
    popularity = rng.dirichlet(np.full(N, 0.8))  # this world's own taste in needs
    k = np.minimum(1 + rng.poisson(1.6, n), 6)
    need = _draw_codes(rng, popularity[None, :].repeat(n, 0), k, SCHOOL_NEEDS)
    hidden = need & (rng.random((n, N)) < w.text_only_needs)
    listed = need & ~hidden
    none = ~listed.any(axis=1)
    first = np.argmax(need, axis=1)
    listed[none, first[none]] = True
    hidden[none, first[none]] = False
    k_off = rng.integers(0, 4, n)
    offer = _draw_codes(rng, np.ones((n, N)), k_off, SCHOOL_GIVES)
    # what the profile implies: small or private schools "give" CSR impact, large ones
    # visibility, public ones programme reach (worth w.implicit_value, 0 in this family)
    implied = np.zeros((n, N), dtype=bool)
    implied[:, CODES.index("csr_impact")] = (students < 300) | ~negeri
    implied[:, CODES.index("brand_visibility")] = students >= 600
    implied[:, CODES.index("program_reach")] = negeri
    mode = _lang_of(rng, n, w.english)
    texts = []
    r = rng.random((n, N))
    names = [
        f"{LEVELS[lv]} {'Negeri' if ng else 'Swasta'} {i + 1} {d}"
        for i, (lv, ng, d) in enumerate(zip(level, negeri, at["district"], strict=True))
    ]
    for i in range(n):
        en = mode[i] == 1 or (mode[i] == 2 and r[i, 0] < 0.5)
        parts = [
            f"{names[i]} is a school in {at['district'][i]}, {at['regency'][i]}."
            if en
            else f"{names[i]} adalah sekolah di {at['district'][i]}, {at['regency'][i]}."
        ]
        for j in np.flatnonzero(need[i]):
            if hidden[i, j] or r[i, j] < 0.4:
                e = mode[i] == 1 or (mode[i] == 2 and r[i, (j + 1) % N] < 0.5)
                parts.append(_sentence(CODES[j], bool(e), "need"))
        for j in np.flatnonzero(offer[i]):
            if r[i, j] < 0.5:
                parts.append(_sentence(CODES[j], bool(en), "offer"))
        texts.append(" ".join(parts))
    lang = np.where(mode > 0, 3, 1)
    frame = pd.DataFrame(
        {
            "school_id": [f"{60000001 + i}" for i in range(n)],
            "name": names,
            "level": np.asarray(LEVELS, dtype=object)[level],
            "ownership": np.where(negeri, "negeri", "swasta"),
            "province": "Jawa Timur",
            "regency": at["regency"],
            "district": at["district"],
            "latitude": [f"{v:.5f}" for v in lat],
            "longitude": [f"{v:.5f}" for v in lon],
            "students": students.astype(int).astype(str),
            "teachers": np.maximum(students // 20, 4).astype(int).astype(str),
            "accreditation": rng.choice(["A", "B", "C", "none"], size=n, p=[0.3, 0.4, 0.2, 0.1]),
            "needs": _join(listed),
            "offers": _join(offer),
            "description": texts,
            "languages": np.where(lang == 3, "id;en", "id"),
            "capacity": rng.integers(1, 5, n).astype(str),
        }
    )
    latent = {
        "s_need": need,
        "s_need_tag": listed,
        "s_offer": offer,
        "s_implied": implied,
        "s_eng": rng.beta(3.0, 2.0, n),
        "s_lat": lat,
        "s_lon": lon,
        "s_level": level,
        "s_lang": lang,
    }
    return frame, latent


def _partners(rng: np.random.Generator, n: int, w: LedgerWorld) -> tuple[pd.DataFrame, dict]:
    at, lat, lon = _places(rng, n)
    ptype = rng.choice(len(PARTNER_TYPES), size=n)
    taste = rng.dirichlet(np.full(N, 0.5), size=len(PARTNER_TYPES))  # per type
    offer = _draw_codes(rng, taste[ptype], rng.integers(1, 6, n), SCHOOL_NEEDS)
    wants = rng.random(n) >= 0.3  # 30% want nothing back
    need = _draw_codes(rng, taste[ptype], np.where(wants, rng.integers(1, 4, n), 0), SCHOOL_GIVES)
    online = rng.random(n) < 0.15
    radius = np.where(online, 150.0, rng.uniform(15, 80, n).round())
    some = rng.random(n) < 0.4
    levels = np.zeros(n, dtype=np.int64)
    for row in np.flatnonzero(some):
        chosen = rng.choice(len(LEVELS), size=int(rng.integers(2, 5)), replace=False)
        levels[row] = int(sum(1 << int(c) for c in chosen))
    rel = np.clip(0.7 + w.reliability * 1.2 * (rng.beta(2.0, 2.0, n) - 0.5), 0.05, 1.0)
    mode = _lang_of(rng, n, w.english)
    en_only = (mode == 1) & (rng.random(n) < 0.4)
    lang = np.where(en_only, 2, np.where(mode > 0, 3, 1))
    texts = []
    for i in range(n):
        en = bool(mode[i] == 1)
        t = PARTNER_TYPES[ptype[i]]
        nouns = [str(PHRASES[CODES[j]][3 if en else 2]) for j in np.flatnonzero(offer[i])]
        parts = [
            f"We are a {TYPE_EN[t]} in {at['regency'][i]}. We offer {', '.join(nouns)}."
            if en
            else f"Kami {TYPE_ID[t]} di {at['regency'][i]}. Kami menawarkan {', '.join(nouns)}."
        ]
        got = [str(PHRASES[CODES[j]][3 if en else 2]) for j in np.flatnonzero(need[i])]
        if got:
            parts.append(
                f"In return we need {', '.join(got)}."
                if en
                else f"Sebagai gantinya kami membutuhkan {', '.join(got)}."
            )
        texts.append(" ".join(parts))
    frame = pd.DataFrame(
        {
            "partner_id": [f"L-{i + 1:05d}" for i in range(n)],
            "name": [f"Mitra {PARTNER_TYPES[t].title()} {i + 1}" for i, t in enumerate(ptype)],
            "type": np.asarray(PARTNER_TYPES, dtype=object)[ptype],
            "sector": "",
            "province": "Jawa Timur",
            "regency": at["regency"],
            "latitude": [f"{v:.5f}" for v in lat],
            "longitude": [f"{v:.5f}" for v in lon],
            "service_radius_km": [f"{v:.0f}" for v in radius],
            "online": np.where(online, "true", "false"),
            "offers": _join(offer),
            "needs": _join(need),
            "levels": [
                ";".join(LEVELS[b] for b in range(len(LEVELS)) if m >> b & 1) for m in levels
            ],
            "description": texts,
            "languages": np.where(lang == 2, "en", np.where(lang == 3, "id;en", "id")),
            "capacity": rng.integers(1, 9, n).astype(str),
        }
    )
    latent = {
        "p_offer": offer,
        "p_need": need,
        "p_rel": rel,
        "p_fame": rng.normal(0, 1, n),
        "p_lat": lat,
        "p_lon": lon,
        "p_radius": radius,
        "p_online": online,
        "p_levels": levels,
        "p_lang": lang,
        "p_capacity": frame["capacity"].astype(int).to_numpy(),
    }
    return frame, latent


def _km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass
class _Dense:
    """Every pair's terms (n_s x n_p)."""

    feasible: np.ndarray
    dist: np.ndarray
    shared: np.ndarray
    forward: np.ndarray  # true needs of the school the partner meets (count)
    backward: np.ndarray  # needs of the partner the school meets (count, implied included)
    listed_fit: np.ndarray  # what a school sees: its listed needs the partner lists


def _dense(x: _Sides, w: LedgerWorld) -> _Dense:
    dist = _km(x.s_lat[:, None], x.s_lon[:, None], x.p_lat[None, :], x.p_lon[None, :])
    reach = x.p_online[None, :] | (dist <= x.p_radius[None, :])
    lvl = (x.p_levels[None, :] == 0) | ((x.p_levels[None, :] >> x.s_level[:, None]) & 1 > 0)
    f = lambda a, b: a.astype(np.float32) @ b.astype(np.float32).T  # noqa: E731
    back = f(x.s_offer, x.p_need) + w.implicit_value * f(x.s_implied & ~x.s_offer, x.p_need)
    return _Dense(
        feasible=reach & lvl,
        dist=dist,
        shared=(x.s_lang[:, None] & x.p_lang[None, :]) > 0,
        forward=f(x.s_need, x.p_offer),
        backward=back,
        listed_fit=f(x.s_need_tag, x.p_offer),
    )


def _gain_partner(d: _Dense, x: _Sides) -> np.ndarray:
    """What the partner gains, in needs met (one that needs nothing gains by giving)."""
    wants = np.asarray(x.p_need.any(axis=1))[None, :]
    return np.where(wants, d.backward, PHILANTHROPY * (d.forward > 0))


def _deliver(rel: np.ndarray, eng: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Chance that an accepted partnership delivers what it promised."""
    return rel * (0.7 + 0.3 * eng) * np.where(shared, 1.0, NO_LANGUAGE)


def _accept_logit(gain: np.ndarray, shared: np.ndarray, load: np.ndarray) -> np.ndarray:
    """The asked partner's own gain and how loaded it is decide."""
    return -1.2 + 1.3 * gain + 0.4 * shared - 2.5 * load


def _simulate(rng: np.random.Generator, x: _Sides, d: _Dense, w: LedgerWorld) -> pd.DataFrame:
    n_s, n_p = d.feasible.shape
    k = rng.poisson(w.proposals * (0.5 + x.s_eng) / (0.5 + x.s_eng).mean())
    util = (
        (1.0 - w.exposure) * 1.5 * d.listed_fit
        + w.exposure * (x.p_fame[None, :] - np.minimum(d.dist, 150.0) / 30.0)
        + 0.3 * d.shared
        - 4.0 * ~d.feasible
        + rng.gumbel(size=(n_s, n_p))
    )
    order = np.argsort(-util, axis=1)
    props = [(s, int(p)) for s in range(n_s) for p in order[s, : int(k[s])]]
    day = np.sort(rng.uniform(0, PERIOD_DAYS * 0.95, len(props)))
    rng.shuffle(props)
    gain = _gain_partner(d, x)
    busy_until: list[list[float]] = [[] for _ in range(n_p)]
    rows: list[tuple[int, int, str, float, float, float]] = []
    nan = float("nan")
    for (s, p), t in zip(props, day, strict=True):
        rows.append((s, p, "proposed", t, nan, nan))
        if rng.random() > 0.9:  # never answered
            continue
        t1 = t + 1 + rng.exponential(7.0)
        load = sum(1 for e in busy_until[p] if e > t1) / x.p_capacity[p]
        z = _accept_logit(gain[s, p], d.shared[s, p], load)
        if rng.random() >= 1.0 / (1.0 + np.exp(-z)):
            rows.append((s, p, "declined", t1, nan, nan))
            continue
        rows.append((s, p, "accepted", t1, nan, nan))
        rel, eng, shared = x.p_rel[p], x.s_eng[s], d.shared[s, p]
        dur = rng.uniform(90, 300)
        if rng.random() > 0.35 + 0.65 * rel:  # no follow-through: stays accepted
            busy_until[p].append(t1 + 60)
            continue
        t2 = t1 + 1 + rng.exponential(15.0)
        rows.append((s, p, "active", t2, nan, nan))
        ok = rng.random() < float(_deliver(np.asarray(rel), np.asarray(eng), np.asarray(shared)))
        fw, bw = float(d.forward[s, p]), float(gain[s, p])
        if ok:
            t3 = t2 + dur
            sr = 2.2 + 0.7 * fw + 1.2 * rel + rng.normal(0, 0.6)
            pr = 2.4 + 0.6 * bw + 1.0 * eng + rng.normal(0, 0.6)
            status = "completed"
        else:
            t3 = t2 + dur * rng.uniform(0.1, 0.6)
            sr = 1.0 + 0.4 * fw + 1.5 * rel + rng.normal(0, 0.7)
            pr = 1.2 + 0.3 * bw + 1.2 * eng + rng.normal(0, 0.7)
            status = "ended_early"
        busy_until[p].append(t3)
        sr_i = float(np.clip(round(sr), 1, 5)) if rng.random() > 0.05 else nan
        pr_i = float(np.clip(round(pr), 1, 5)) if rng.random() > 0.05 else nan
        rows.append((s, p, status, t3, sr_i, pr_i))
    ev = pd.DataFrame(rows, columns=["s", "p", "status", "day", "sr", "pr"])
    ev = ev[ev["day"] < PERIOD_DAYS].sort_values(["day", "s", "p"], kind="stable")
    return ev.reset_index(drop=True)


def _ints(v: pd.Series) -> list[str]:
    return ["" if np.isnan(a) else str(int(a)) for a in v.to_numpy(dtype=np.float64)]


def _outcomes_frame(ev: pd.DataFrame, sid: np.ndarray, pid: np.ndarray) -> pd.DataFrame:
    days = START + np.floor(ev["day"].to_numpy()).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "outcome_id": [f"LO-{i:06d}" for i in range(1, len(ev) + 1)],
            "school_id": sid[ev["s"].to_numpy()],
            "partner_id": pid[ev["p"].to_numpy()],
            "status": ev["status"].to_numpy(),
            "school_rating": _ints(ev["sr"]),
            "partner_rating": _ints(ev["pr"]),
            "recorded_at": np.datetime_as_string(days, unit="D"),
        }
    )


def _truth(x: _Sides, d: _Dense, sid: np.ndarray, pid: np.ndarray) -> dict[str, np.ndarray]:
    """Benefit = chance of delivery x (needs of the school met + needs of the partner
    met), 0 where the pair cannot work; ``p_accept`` at no load, ``p_success`` the chance
    of delivery once accepted, ``partner_reliability`` each partner's hidden delivery."""
    gain = _gain_partner(d, x)
    deliver = _deliver(x.p_rel[None, :], x.s_eng[:, None], d.shared)
    z = _accept_logit(gain, d.shared, np.zeros_like(gain))
    f32 = np.float32
    return {
        "school_ids": np.asarray(sid, dtype=str),
        "partner_ids": np.asarray(pid, dtype=str),
        "benefit": np.where(d.feasible, deliver * (d.forward + d.backward), 0.0).astype(f32),
        "forward": d.forward.astype(f32),
        "backward": d.backward.astype(f32),
        "p_accept": (1.0 / (1.0 + np.exp(-z))).astype(f32),
        "p_success": deliver.astype(f32),
        "partner_reliability": x.p_rel.astype(f32),
    }


def _build(n_s: int, n_p: int, seed: int, settings: dict[str, Any]):
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise TypeError(f"unknown ledger world settings: {', '.join(sorted(unknown))}")
    w = LedgerWorld(**settings)
    if n_s < 10 or n_p < 10:
        raise ValueError("need at least 10 schools and 10 partners")
    if n_s * n_p > MAX_PAIRS:
        raise ValueError(f"{n_s * n_p:,} pairs is above the limit of {MAX_PAIRS:,}")
    rng = np.random.default_rng([seed, 0x1ED6E6])  # a stream of its own
    schools, sl = _schools(rng, n_s, w)
    partners, pl = _partners(rng, n_p, w)
    x = _Sides(**sl, **pl)
    d = _dense(x, w)
    sid = schools["school_id"].to_numpy(dtype=object)
    pid = partners["partner_id"].to_numpy(dtype=object)
    outcomes = _outcomes_frame(_simulate(rng, x, d, w), sid, pid)
    return schools, partners, outcomes, _truth(x, d, sid, pid)


def generate(
    out_dir: Path,
    n_schools: int,
    n_partners: int,
    seed: int = 42,
    truth: bool = True,
    **settings: Any,
) -> dict[str, Path]:
    """Write ``schools.csv``, ``partners.csv``, ``outcomes.csv`` (and ``truth.npz``) of a
    ledger world into ``out_dir``; ``settings`` are fields of :class:`LedgerWorld`."""
    schools, partners, outcomes, t = _build(n_schools, n_partners, seed, settings)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in (("schools", schools), ("partners", partners), ("outcomes", outcomes)):
        paths[name] = out / f"{name}.csv"
        frame.to_csv(paths[name], index=False, encoding="utf-8", lineterminator="\n")
    if truth:
        paths["truth"] = out / "truth.npz"
        np.savez_compressed(paths["truth"], **t)
    return paths


def make_world(n_schools: int, n_partners: int, seed: int = 42, **settings: Any):
    """The world in memory: (schools, partners, outcomes, truth arrays)."""
    return _build(n_schools, n_partners, seed, settings)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.worlds --out DIR [--seed S] [--truth] [--reliability R] ...``."""
    d = LedgerWorld()
    ap = argparse.ArgumentParser(prog="python -m tools.worlds", description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--schools", type=int, default=1000)
    ap.add_argument("--partners", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--truth", action="store_true", help="also write truth.npz")
    for f in SETTINGS:
        ap.add_argument("--" + f.replace("_", "-"), type=float, default=getattr(d, f))
    a = ap.parse_args(argv)
    t = time.perf_counter()
    try:
        paths = generate(
            a.out, a.schools, a.partners, a.seed, a.truth, **{f: getattr(a, f) for f in SETTINGS}
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"done in {time.perf_counter() - t:.1f}s")
    return 0
