"""Schools: level, size, needs (some only in the description), offers, names and text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import (
    LAT_RANGE,
    LON_RANGE,
    PERIOD_DAYS,
    SCHOOL_COLUMNS,
    BoolArray,
    FloatArray,
    IntArray,
    ObjArray,
    Side,
    join_masks,
    masks,
    noun,
    np_list,
    pick,
    pick_rows,
    sentences_join,
    top_k_rows,
)
from .tables import (
    CI,
    CLOSE_EN,
    CLOSE_ID,
    CODES,
    FOUNDATIONS,
    INTRO_EN,
    INTRO_ID,
    INTRO_REMOTE_EN,
    INTRO_REMOTE_ID,
    ISLAMIC_NAMES,
    LANG_BITS,
    LEVEL_LONG_EN,
    LEVEL_LONG_ID,
    LEVEL_P,
    LEVELS,
    LI,
    MEDIAN_NEGERI,
    MEDIAN_SWASTA,
    N_CODES,
    NEGERI_P,
    PGRI6,
    PGRI6_HIDDEN,
    PGRI6_ID,
    PHRASES,
    RATIO,
    SCHOOL_NEED_WEIGHTS,
    SCHOOL_OFFER_WEIGHTS,
)
from .world import World


def _school_need_weights(level: IntArray) -> FloatArray:
    """Base weight of each school-need code for the random extra needs, by level."""
    w = np.full((len(level), N_CODES), 0.0)
    for code, v in SCHOOL_NEED_WEIGHTS.items():
        w[:, CI[code]] = v
    sec = np.isin(level, [LI["SMA"], LI["SMK"], LI["MA"]])
    prim = np.isin(level, [LI["SD"], LI["MI"]])
    w[prim, CI["career_guidance"]] = 0.05
    w[prim, CI["research_collaboration"]] = 0.2
    w[sec, CI["career_guidance"]] = 2.5
    w[sec, CI["entrepreneurship"]] = 1.5
    w[prim, CI["health_nutrition"]] = 2.0
    w[prim, CI["parent_engagement"]] = 2.0
    w[prim, CI["learning_materials"]] = 3.0
    w[level == LI["SMK"], CI["entrepreneurship"]] = 2.0
    w[np.isin(level, [LI["SMP"], LI["SMA"], LI["MTs"], LI["MA"]]), CI["counseling_wellbeing"]] = 2
    return w


def make_schools(
    rng: np.random.Generator, districts: pd.DataFrame, n: int, national: bool, world: World
) -> tuple[pd.DataFrame, Side]:
    """Draw ``n`` schools (the first is SMP PGRI 6 Surabaya).

    ``world.text_only_needs`` of the true needs go into the description only,
    ``world.english`` sets the language of the descriptions and ``world.reliability`` the
    spread of the hidden engagement.
    """
    m = n - 1
    dw = districts["weight"].to_numpy(dtype=np.float64)
    d = pick(rng, m, dw)
    dist = districts.iloc[d].reset_index(drop=True)
    kota = dist["kota"].to_numpy(dtype=bool)
    remote_p = dist["remote"].to_numpy(dtype=np.float64)
    remote = rng.random(m) < np.where(kota, 0.0, np.maximum(remote_p, 0.04))
    is_sumenep = (dist["regency"] == "Kabupaten Sumenep").to_numpy()

    # level, with more madrasah in Madura and more SMA/SMK in cities
    lw = np.tile(LEVEL_P, (m, 1))
    mad = [LI["MI"], LI["MTs"], LI["MA"]]
    lw[np.ix_(np.flatnonzero(is_sumenep), np.asarray(mad))] *= 2.2
    lw[np.ix_(np.flatnonzero(kota), np.asarray([LI["SMA"], LI["SMK"]]))] *= 1.3
    level = pick_rows(rng, lw)
    if m >= len(LEVELS):  # every level present
        missing = [i for i in range(len(LEVELS)) if not np.any(level == i)]
        if missing:
            slots = rng.choice(m, size=len(missing), replace=False)
            level[slots] = missing
    madrasah = np.isin(level, mad)
    pneg = NEGERI_P[level] * np.where(kota & (level == LI["SD"]), 0.85, 1.0)
    negeri = rng.random(m) < pneg

    # size
    med = np.where(negeri, MEDIAN_NEGERI[level], MEDIAN_SWASTA[level])
    sig = np.where(negeri, 0.45, 0.7)
    students = med * np.exp(rng.normal(0, sig)) * np.where(remote, 0.55, 1.0)
    small_private = ~negeri & (rng.random(m) < 0.3) & (level != LI["SLB"])
    students = np.where(small_private, rng.integers(40, 121, m), students)
    students = np.clip(np.round(students), 12, 3600)
    students = np.where(level == LI["SLB"], np.clip(students, 12, 320), students)
    small_private = small_private | (~negeri & (students <= 120))
    teachers = np.maximum(
        np.round(students / RATIO[level] * np.exp(rng.normal(0, 0.2, m))),
        np.where(level == LI["SLB"], 4, 6),
    )

    # accreditation
    z = (
        0.9 * np.log(students / MEDIAN_NEGERI[level])
        + 0.8 * negeri
        - 0.7 * remote
        - 0.5 * small_private
        + rng.normal(0, 0.7, m)
        + 0.2
    )
    acc_idx = np.select([z > 1.0, z > -0.5, z > -1.5], [0, 1, 2], 3)
    accreditation = np.array(["A", "B", "C", "none"], dtype=object)[acc_idx]

    # needs: profile-driven and random extras
    p = np.zeros((m, N_CODES))
    smk = level == LI["SMK"]
    p[smk, CI["internships"]] = 0.85
    p[smk, CI["curriculum_alignment"]] = 0.7
    p[smk, CI["competency_certification"]] = 0.6
    p[level == LI["SLB"], CI["inclusive_education"]] = 0.95
    p[remote, CI["internet_connectivity"]] = 0.8
    p[remote, CI["digital_devices"]] = 0.7
    p[remote, CI["infrastructure"]] = 0.3
    p[remote, CI["learning_materials"]] = 0.25
    p[small_private, CI["leadership_coaching"]] = 0.6
    p[small_private, CI["funding"]] = 0.6
    p[(acc_idx >= 2), CI["leadership_coaching"]] = np.maximum(
        p[(acc_idx >= 2), CI["leadership_coaching"]], 0.35
    )
    need = rng.random((m, N_CODES)) < p
    k_extra = rng.integers(1, 4, m)
    k_extra = np.where(need.sum(axis=1) >= 3, k_extra - 1, k_extra)
    need |= top_k_rows(rng, _school_need_weights(level) * ~need, k_extra)

    # which needs are only written in the description
    has_desc = rng.random(m) > 0.04
    hidden = need & (rng.random((m, N_CODES)) < world.text_only_needs) & has_desc[:, None]
    tags = need & ~hidden
    empty = ~tags.any(axis=1)
    if empty.any():
        keys = np.where(need[empty], rng.random((int(empty.sum()), N_CODES)), -1.0)
        j = keys.argmax(axis=1)
        tags[np.flatnonzero(empty), j] = True
        hidden[np.flatnonzero(empty), j] = False
    need = tags | hidden

    # offers
    ow = np.zeros((m, N_CODES))
    ow[:, CI["teaching_practicum"]] = np.where(students > 300, 3.0, 1.5)
    ow[:, CI["research_site"]] = 1.5
    ow[:, CI["venue_facilities"]] = np.where(students > 400, 2.0, 0.8)
    ow[:, CI["student_volunteers"]] = np.where(np.isin(level, [0, 5, 4]), 0.6, 2.0)
    ow[:, CI["community_access"]] = np.where(kota, 1.0, 2.0)
    ow[:, CI["talent_pipeline"]] = np.select(
        [smk, np.isin(level, [LI["SMA"], LI["MA"]])], [4.0, 0.8], 0.0
    )
    for code, v in SCHOOL_OFFER_WEIGHTS.items():
        ow[:, CI[code]] = v
    ow[smk, CI["entrepreneurship"]] = 1.2
    ow *= ~need
    k_off = np.where(rng.random(m) < 0.6, rng.integers(1, 4, m), 0)
    offer = top_k_rows(rng, ow, k_off)

    # languages
    lang2 = dist["lang2"].to_numpy(dtype=object)
    lang2_p = dist["lang2_p"].to_numpy(dtype=np.float64)
    has2 = (rng.random(m) < lang2_p) & (lang2 != "")
    has_en = rng.random(m) < np.where(acc_idx == 0, 0.08, 0.02) * np.where(kota, 2.0, 1.0)
    # description language: Indonesian, English or mixed; who writes English reads it
    mode = pick(rng, m, [1.0 - world.english - world.mixed, world.english, world.mixed])
    has_en |= (mode > 0) & has_desc
    lang = 1 + np.where(has_en, 2, 0)
    for code, bit in LANG_BITS.items():
        if code not in ("id", "en"):
            lang = lang + np.where(has2 & (lang2 == code), bit, 0)

    # coordinates
    sigma = dist["sigma"].to_numpy(dtype=np.float64) * np.where(remote & ~kota, 2.2, 1.0)
    lat = np.clip(dist["lat"].to_numpy(dtype=np.float64) + rng.normal(0, sigma), *LAT_RANGE)
    lon = np.clip(dist["lon"].to_numpy(dtype=np.float64) + rng.normal(0, sigma), *LON_RANGE)

    capacity = np.clip(
        pick(rng, m, [0.1, 0.2, 0.45, 0.15, 0.1]) + 1 + (students > 900) - small_private, 1, 5
    )

    # identifiers
    ids = _school_ids(rng, madrasah, national)

    frame = pd.DataFrame(
        {
            "school_id": ids,
            "level": np.asarray(LEVELS, dtype=object)[level],
            "ownership": np.where(negeri, "negeri", "swasta").astype(object),
            "province": dist["province"].to_numpy(dtype=object),
            "regency": dist["regency"].to_numpy(dtype=object),
            "district": dist["district"].to_numpy(dtype=object),
            "short": dist["short"].to_numpy(dtype=object),
            "kota": kota,
        }
    )
    frame["name"] = _school_names(rng, frame)
    frame["latitude"] = lat
    frame["longitude"] = lon
    frame["students"] = students
    frame["teachers"] = teachers
    frame["accreditation"] = accreditation
    frame["needs"] = join_masks(tags, CODES)
    frame["offers"] = join_masks(offer, CODES)
    frame["languages"] = join_masks(
        (lang[:, None] & np.array(list(LANG_BITS.values()))[None, :]) > 0, list(LANG_BITS)
    )
    frame["capacity"] = capacity.astype(np.float64)
    frame["description"] = _school_descriptions(
        rng, frame, tags, hidden, offer, remote, has_desc, mode
    )

    # blanks in optional fields, as real uploads have them
    blank = rng.random((m, 4))
    frame.loc[blank[:, 0] < 0.01, ["students", "teachers"]] = np.nan
    frame.loc[blank[:, 1] < 0.02, "languages"] = ""
    frame.loc[blank[:, 2] < 0.05, "capacity"] = np.nan
    frame.loc[blank[:, 3] < 0.01, "district"] = ""

    # fixed school first
    fixed = pd.DataFrame([{k: PGRI6[k] for k in SCHOOL_COLUMNS}])
    for col in ("needs", "offers", "languages"):
        fixed[col] = ";".join(PGRI6[col])
    frame = pd.concat([fixed, frame[list(SCHOOL_COLUMNS)]], ignore_index=True)

    # latent side
    f_need = np.zeros((1, N_CODES), dtype=bool)
    f_off = np.zeros((1, N_CODES), dtype=bool)
    for c in PGRI6["needs"]:
        f_need[0, CI[c]] = True
    for c in PGRI6["offers"]:
        f_off[0, CI[c]] = True
    all_need = np.vstack([f_need, need])
    all_off = np.vstack([f_off, offer])
    level_all = np.concatenate([[LI["SMP"]], level]).astype(np.int64)
    students_all = np.concatenate([[180.0], students])
    negeri_all = np.concatenate([[False], negeri])
    remote_all = np.concatenate([[False], remote])
    small_all = np.concatenate([[False], small_private])
    acc_all = np.concatenate([[1], acc_idx])
    kota_all = np.concatenate([[True], kota])
    n_need = all_need.sum(axis=1).astype(np.int64)
    needy = remote_all | small_all | (acc_all >= 2) | (n_need >= 4)
    sec = np.isin(level_all, [LI["SMP"], LI["SMA"], LI["SMK"], LI["MTs"], LI["MA"]])
    implicit: dict[int, FloatArray] = {
        CI["csr_impact"]: np.where(needy, 0.7, 0.3),
        CI["brand_visibility"]: np.where((students_all >= 600) | (acc_all == 0), 0.7, 0.25),
        CI["program_reach"]: np.where(negeri_all | remote_all, 0.7, 0.35),
        CI["product_pilot"]: np.where((students_all >= 300) & ~remote_all, 0.5, 0.2),
        CI["community_access"]: np.where(kota_all, 0.3, 0.5),
        CI["student_volunteers"]: np.where(sec, 0.4, 0.1),
        CI["venue_facilities"]: np.where(students_all >= 500, 0.3, 0.1),
        CI["talent_pipeline"]: np.select(
            [level_all == LI["SMK"], np.isin(level_all, [LI["SMA"], LI["MA"]])], [0.4, 0.2], 0.0
        ),
        CI["teaching_practicum"]: np.full(n, 0.3),
        CI["research_site"]: np.full(n, 0.3),
    }
    raw = np.concatenate(
        [[PGRI6_HIDDEN["engagement"]], rng.beta(3.0, 2.0, m)]
    )  # beta(3, 2) has mean 0.6
    engagement = 0.6 + world.reliability * (raw - 0.6)
    engagement = np.where(small_all, engagement * 0.9, engagement)
    join = np.where(rng.random(n) < 0.7, 0.0, rng.uniform(0, 0.85, n) * PERIOD_DAYS)
    join[0] = PERIOD_DAYS if PGRI6_HIDDEN["joined_at_end"] else 0.0
    side = Side(
        lat=frame["latitude"].to_numpy(dtype=np.float64),
        lon=frame["longitude"].to_numpy(dtype=np.float64),
        need=masks(all_need),
        offer=masks(all_off),
        lang=np.concatenate([[1 | LANG_BITS["jv"]], lang]).astype(np.int64),
        latent=engagement,
        join=join,
        level=level_all,
        n_need=n_need,
        implicit=implicit,
    )
    return frame, side


def _school_ids(rng: np.random.Generator, madrasah: BoolArray, national: bool) -> ObjArray:
    """Unique 8-digit NPSN-like ids; madrasah ids start with 6 as in EMIS."""
    out = np.empty(len(madrasah), dtype=object)
    ranges = ((10_000_000, 60_000_000), (60_000_000, 70_000_000))
    if not national:
        ranges = ((20_500_000, 20_600_000), (60_700_000, 60_800_000))
    for flag, (lo, hi) in zip((False, True), ranges, strict=True):
        idx = np.flatnonzero(madrasah == flag)
        draw = rng.choice(hi - lo, size=len(idx) + 1, replace=False) + lo
        draw = draw[draw != int(PGRI6_ID)][: len(idx)]
        out[idx] = draw.astype(str)
    return out


def _school_names(rng: np.random.Generator, f: pd.DataFrame) -> ObjArray:
    """Realistic names ("SD Negeri 3 Tambaksari", "SMK PGRI 2 Sidoarjo", "MI Al-Hidayah")."""
    n = len(f)
    level = f["level"].to_numpy(dtype=object)
    neg = (f["ownership"] == "negeri").to_numpy()
    kota = f["kota"].to_numpy(dtype=bool)
    district = f["district"].to_numpy(dtype=object)
    short = f["short"].to_numpy(dtype=object)
    mad = np.isin(level, ["MI", "MTs", "MA"])
    fnd = rng.integers(len(FOUNDATIONS), size=n)
    isl = rng.integers(len(ISLAMIC_NAMES), size=n)
    swasta_word = rng.random(n) < 0.25
    # place the school is named after: city-wide numbering for SMP/SMA/SMK in a kota,
    # kecamatan numbering otherwise
    citywide = kota & np.isin(level, ["SMP", "SMA", "SMK"]) | np.isin(level, ["SLB"])
    place = np.where(citywide | (neg & mad), short, district)
    base = np.empty(n, dtype=object)
    numbered = np.zeros(n, dtype=bool)
    neg_prefix = {"MI": "MIN", "MTs": "MTsN", "MA": "MAN", "SLB": "SLB Negeri"}
    for i in range(n):
        lv = level[i]
        if neg[i]:
            base[i] = neg_prefix.get(lv, f"{lv} Negeri")
            numbered[i] = True
        elif mad[i]:
            base[i] = f"{lv} {ISLAMIC_NAMES[isl[i]]}"
        else:
            fname, num = FOUNDATIONS[fnd[i]]
            if lv == "SLB" or (lv in ("SD", "SMP") and fname == "PGRI" and rng.random() < 0.5):
                fname = "Bina Bangsa" if lv == "SLB" else fname
            word = f"{lv} Swasta" if swasta_word[i] else lv
            base[i] = f"{word} {fname}"
            numbered[i] = num
    key = pd.Series(base).astype(str) + "|" + pd.Series(place).astype(str)
    nth = key.groupby(key).cumcount().to_numpy() + 1
    count = key.map(key.value_counts()).to_numpy()
    names = np.empty(n, dtype=object)
    for i in range(n):
        pl = place[i] or short[i]
        if neg[i] and level[i] in ("SD",) or numbered[i] and (count[i] > 1 or neg[i]):
            names[i] = f"{base[i]} {nth[i]} {pl}"
        elif count[i] > 1:
            names[i] = f"{base[i]} {pl} {nth[i]}" if nth[i] > 1 else f"{base[i]} {pl}"
        else:
            names[i] = f"{base[i]} {pl}"
    clash = np.flatnonzero(names == PGRI6["name"])
    if len(clash):
        names[clash] = f"SMP PGRI {int(count[clash[0]]) + 1} Surabaya"
    return names


def _school_descriptions(
    rng: np.random.Generator,
    f: pd.DataFrame,
    tags: BoolArray,
    hidden: BoolArray,
    offer: BoolArray,
    remote: BoolArray,
    has_desc: BoolArray,
    mode: IntArray,
) -> ObjArray:
    """Free text from templates: Indonesian (most), English or mixed."""
    n = len(f)
    # needs mentioned: up to two tagged needs plus every hidden one
    mention_tag = tags & (rng.random(tags.shape) < 0.55)
    mention = mention_tag | hidden
    r = rng.random((n, 12))
    variant = rng.integers(0, 2, size=(n, N_CODES))
    names = f["name"].to_numpy(dtype=object)
    level = f["level"].to_numpy(dtype=object)
    own = f["ownership"].to_numpy(dtype=object)
    district = f["district"].to_numpy(dtype=object)
    regency = f["regency"].to_numpy(dtype=object)
    students = f["students"].to_numpy(dtype=np.float64)
    teachers = f["teachers"].to_numpy(dtype=np.float64)
    m_rows, m_cols = np.nonzero(mention)
    o_rows, o_cols = np.nonzero(offer)
    m_start = np.searchsorted(m_rows, np.arange(n + 1))
    o_start = np.searchsorted(o_rows, np.arange(n + 1))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if not has_desc[i]:
            out[i] = ""
            continue
        md = mode[i]
        ri = r[i]
        fields = {
            "name": names[i],
            "level_id": LEVEL_LONG_ID[level[i]],
            "level_en": LEVEL_LONG_EN[level[i]],
            "own_id": own[i],
            "own_en": "public" if own[i] == "negeri" else "private",
            "district": district[i],
            "regency": regency[i],
            "students": int(students[i]),
            "teachers": int(teachers[i]),
        }
        intro_en = md == 1 or (md == 2 and ri[0] < 0.3)
        pool: tuple[str, ...]
        if intro_en:
            pool = INTRO_REMOTE_EN if remote[i] else INTRO_EN
        else:
            pool = INTRO_REMOTE_ID if remote[i] else INTRO_ID
        parts = [pool[int(ri[1] * len(pool))].format(**fields)]
        codes = m_cols[m_start[i] : m_start[i + 1]]
        for k, j in enumerate(codes.tolist()):
            en = md == 1 or (md == 2 and r[i, (k + 2) % 12] < 0.5)
            ph = PHRASES[CODES[j]][1 if en else 0]
            parts.append(ph[variant[i, j] % len(ph)])
        offs = [CODES[j] for j in o_cols[o_start[i] : o_start[i + 1]].tolist()]
        if offs and ri[6] < 0.7:
            en = md == 1 or (md == 2 and ri[7] < 0.5)
            items = [noun(c, en) for c in offs]
            lead = "We can offer " if en else "Kami dapat menyediakan "
            parts.append(lead + np_list(items, "en" if en else "id") + ".")
        close = CLOSE_EN if (md == 1 or (md == 2 and ri[8] < 0.5)) else CLOSE_ID
        parts.append(close[int(ri[9] * len(close))])
        out[i] = sentences_join(parts)
    return out
