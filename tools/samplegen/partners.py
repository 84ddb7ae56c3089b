"""Partners: type and sector profile, offers, needs, reach, reliability, names and text."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import (
    LAT_RANGE,
    LON_RANGE,
    PARTNER_COLUMNS,
    PERIOD_DAYS,
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
    place_names,
    sentences_join,
)
from .places import partner_districts, partner_places
from .tables import (
    CI,
    CODES,
    COMMUNITY_ACT,
    FOUNDATION_PATTERNS,
    GOV_AGENCY,
    ISLAMIC_NAMES,
    KUANTA,
    KUANTA_HIDDEN,
    LI,
    MEDIA_PATTERNS,
    N_CODES,
    NGO_PATTERNS,
    NGO_X,
    PROFILES,
    SECTOR_WORD,
    TYPE_EN,
    TYPE_ID,
    TYPE_PARAMS,
    TYPE_SHARE,
    UNI_NAMES,
    WORD_A,
    WORD_B,
)
from .world import World

# mean of the raw reliability below: 0.1 * 1.5 / 7.5 + 0.9 * 6 / 8
RELIABILITY_MEAN = 0.695


def _partner_names(
    rng: np.random.Generator, prof: IntArray, places: pd.DataFrame, kec: ObjArray
) -> ObjArray:
    """Realistic Indonesian names by type and sector, unique.

    Each partner gets a name and an alternative (more local, or numbered differently)
    used when the first is already taken.
    """
    n = len(prof)
    r = rng.integers(0, 1_000_000, size=(n, 6))
    regency = places["regency"].to_numpy(dtype=object)
    first = np.empty(n, dtype=object)
    second = np.empty(n, dtype=object)
    for i in range(n):
        p = PROFILES[prof[i]]
        ri = r[i]
        reg = str(regency[i])
        city = reg.replace("Kota ", "").replace("Kabupaten ", "")
        dis = str(kec[i])
        a = WORD_A[ri[0] % len(WORD_A)]
        b = WORD_B[ri[1] % len(WORD_B)]
        alt = ""
        if p.ptype == "company":
            words = SECTOR_WORD[p.sector]
            w = words[ri[2] % len(words)]
            if p.sector == "banking":
                name = f"Bank {a} {b}" if ri[3] % 2 else f"BPR {a} {b} {city}"
            elif p.sector == "health" and ri[3] % 3 == 0:
                name = f"RS {a} {w} {city}"
            elif p.sector == "hospitality" and ri[3] % 2:
                name = f"Hotel {a} {b} {city}"
            elif p.sector == "education" and ri[3] % 2:
                name = f"{a}{w}.id"
                alt = f"{a}{w}{b}.id"
            elif ri[3] % 7 == 0:
                name = f"CV {a} {w} {b}"
            else:
                name = f"PT {a} {w} {b}" + (" Tbk" if ri[4] % 11 == 0 else "")
            alt = alt or f"{name} {dis}"
        elif p.ptype == "university":
            pat: tuple[str, ...]
            u = UNI_NAMES[ri[0] % len(UNI_NAMES)]
            isl = ISLAMIC_NAMES[ri[1] % len(ISLAMIC_NAMES)]
            pat = {
                "teacher education": ("STKIP {u}", "Universitas Pendidikan {u}", "IKIP {u} {c}"),
                "polytechnic": ("Politeknik {u}", "Politeknik Negeri {c}", "Akademi Komunitas {u}"),
                "higher education": ("Universitas {u}", "Universitas {u} {c}",
                                     "Institut Teknologi {u}"),
                "Islamic higher education": ("Universitas Islam {i}", "Institut Agama Islam {i}",
                                             "STAI {i} {c}"),
            }[p.sector]  # fmt: skip
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(u=u, i=isl, c=city)
            alt = name if city in name else f"{name} {city}"
            if alt == name:
                alt = tpl.format(u=UNI_NAMES[ri[5] % len(UNI_NAMES)], i=isl, c=city)
        elif p.ptype == "ngo":
            pat = NGO_PATTERNS[p.sector]
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(x=NGO_X[ri[0] % len(NGO_X)] if ri[1] % 3 else city)
            alt = tpl.format(x=f"{NGO_X[ri[0] % len(NGO_X)]} {city}")
        elif p.ptype == "community":
            acts = COMMUNITY_ACT[p.sector]
            act = acts[ri[0] % len(acts)]
            if act == "Karang Taruna":
                name = f"Karang Taruna {dis}"
                alt = f"Karang Taruna Kelurahan {place_names(rng, 1, set())[0]}"
            else:
                name = f"Komunitas {act} {city}"
                alt = f"Komunitas {act} {dis}"
        elif p.ptype == "government":
            agency = GOV_AGENCY[p.sector]
            if p.sector == "health" and ri[0] % 2:
                name = f"Puskesmas {dis}"
                alt = f"Puskesmas {place_names(rng, 1, set())[0]}"
            else:
                name = f"{agency} {reg}"
                unit = agency if agency.startswith("UPT") else f"UPT {agency}"
                alt = f"{unit} Wilayah {dis}"
        elif p.ptype == "foundation":
            pat = FOUNDATION_PATTERNS[p.sector]
            tpl = pat[ri[2] % len(pat)]
            name = tpl.format(x=NGO_X[ri[0] % len(NGO_X)], a=a, b=b)
            alt = tpl.format(x=f"{NGO_X[ri[0] % len(NGO_X)]} {city}", a=a, b=f"{b} {city}")
        elif p.ptype == "school":
            k = 1 + ri[0] % 12
            if p.sector == "model school":
                lv = ("SD Negeri", "SMP Negeri", "SMA Negeri")[ri[1] % 3]
                name = f"{lv} {k} {city} (Sekolah Penggerak)"
                alt = f"{lv} {k + 12} {city} (Sekolah Penggerak)"
            elif p.sector == "vocational centre of excellence":
                name = f"SMK Negeri {k} {city} (Pusat Keunggulan)"
                alt = f"SMK Negeri {k + 12} {city} (Pusat Keunggulan)"
            else:
                name = f"Sekolah {UNI_NAMES[ri[1] % len(UNI_NAMES)]} Internasional {city}"
                alt = f"Sekolah {UNI_NAMES[ri[1] % len(UNI_NAMES)]} Internasional {dis}"
        else:
            pat = MEDIA_PATTERNS[p.sector]
            freq = f"{88 + ri[3] % 20}.{ri[4] % 10}"
            name = pat[ri[2] % len(pat)].format(a=a, b=b, city=city, freq=freq)
            alt = pat[ri[2] % len(pat)].format(a=a, b=b, city=f"{city} {dis}", freq=freq)
        first[i] = name
        second[i] = alt
    return _unique_names(first, second)


def _unique_names(first: ObjArray, second: ObjArray) -> ObjArray:
    """Keep the first name where it is free, else the alternative, else number it."""
    out = first.copy()
    nth = pd.Series(out).groupby(pd.Series(out)).cumcount().to_numpy()
    out[nth > 0] = second[nth > 0]
    for _ in range(10):
        nth = pd.Series(out).groupby(pd.Series(out)).cumcount().to_numpy()
        dup = np.flatnonzero(nth > 0)
        if not len(dup):
            break
        for i in dup.tolist():
            name = str(out[i])
            head, sep, tail = name.rpartition(" (")
            if sep:
                out[i] = f"{head} {nth[i] + 1} ({tail}"
            else:
                out[i] = f"{name} {nth[i] + 1}"
    return out


def make_partners(
    rng: np.random.Generator, districts: pd.DataFrame, n: int, national: bool, world: World
) -> tuple[pd.DataFrame, Side]:
    """Draw ``n`` partners (the first is Kuanta)."""
    m = n - 1
    types = np.array(list(TYPE_SHARE), dtype=object)
    t = pick(rng, m, list(TYPE_SHARE.values()))
    if m >= len(types):
        missing = [i for i in range(len(types)) if not np.any(t == i)]
        if missing:
            t[rng.choice(m, size=len(missing), replace=False)] = missing
    ptype = types[t]
    # profile within type
    prof = np.empty(m, dtype=np.int64)
    for ty in types:
        idx = np.flatnonzero(ptype == ty)
        cand = [k for k, p in enumerate(PROFILES) if p.ptype == ty]
        prof[idx] = np.asarray(cand)[pick(rng, len(idx), [PROFILES[k].weight for k in cand])]
    places = partner_places(rng, ptype, districts, national, world.regencies)

    offer_p = np.zeros((len(PROFILES), N_CODES))
    need_p = np.zeros((len(PROFILES), N_CODES))
    for k, p in enumerate(PROFILES):
        for c, v in p.offers.items():
            offer_p[k, CI[c]] = v
        for c, v in p.needs.items():
            need_p[k, CI[c]] = v
    offer = rng.random((m, N_CODES)) < offer_p[prof]
    empty = ~offer.any(axis=1)
    offer[np.flatnonzero(empty), offer_p[prof[empty]].argmax(axis=1)] = True
    need = rng.random((m, N_CODES)) < need_p[prof]
    need &= rng.random(m)[:, None] > 0.06  # a few partners state no needs

    # levels served
    lv_str = np.empty(m, dtype=object)
    for k, p in enumerate(PROFILES):
        idx = np.flatnonzero(prof == k)
        opts = [o for o, _ in p.levels]
        lv_str[idx] = np.asarray(opts, dtype=object)[pick(rng, len(idx), [w for _, w in p.levels])]
    lv_mask = np.array(
        [sum(1 << LI[x] for x in s.split(";")) if s else 0 for s in lv_str], dtype=np.int64
    )

    online_p = np.array([TYPE_PARAMS[str(x)][0] for x in ptype])
    online_p = np.where(places["province"].to_numpy() == "DKI Jakarta", 0.85, online_p)
    online = rng.random(m) < online_p
    no_coords = online & (rng.random(m) < 0.35)
    lat = places["lat"].to_numpy(dtype=np.float64) + rng.normal(0, places["sigma"].to_numpy())
    lon = places["lon"].to_numpy(dtype=np.float64) + rng.normal(0, places["sigma"].to_numpy())
    lat = np.clip(lat, *LAT_RANGE)
    lon = np.clip(lon, *LON_RANGE)
    lo = np.array([TYPE_PARAMS[str(x)][1][0] for x in ptype])
    hi = np.array([TYPE_PARAMS[str(x)][1][1] for x in ptype])
    radius = np.round(rng.uniform(lo, hi))
    radius = np.where(online, np.round(radius * 1.5), radius).clip(5, 150)
    clo = np.array([TYPE_PARAMS[str(x)][2][0] for x in ptype])
    chi = np.array([TYPE_PARAMS[str(x)][2][1] for x in ptype])
    capacity = rng.integers(clo, chi + 1).clip(1, 20)

    # description language (Indonesian, English, mixed), and languages to match it
    mode = pick(rng, m, [1.0 - world.english - world.mixed, world.english, world.mixed])
    lang_mode = pick(rng, m, [0.6, 0.3, 0.05, 0.0, 0.02])  # id, id;en, id;jv, en, id;mad
    en_only = (mode == 1) & (rng.random(m) < 0.25) & (ptype != "government")
    lang_mode = np.where(mode > 0, np.where(en_only, 3, 1), lang_mode)
    intl = np.isin(prof, [k for k, p in enumerate(PROFILES) if p.sector == "international school"])
    lang_mode = np.where(intl & (lang_mode != 3), 1, lang_mode)
    lang_str = np.array(["id", "id;en", "id;jv", "en", "id;mad"], dtype=object)[lang_mode]
    lang_bits = np.array([1, 3, 5, 2, 9], dtype=np.int64)[lang_mode]

    frame = pd.DataFrame(
        {
            "partner_id": [f"P-{i:05d}" for i in range(1, m + 1)],
            "type": ptype,
            "sector": np.array([PROFILES[k].sector for k in prof], dtype=object),
            "province": places["province"].to_numpy(dtype=object),
            "regency": places["regency"].to_numpy(dtype=object),
        }
    )
    frame["name"] = _partner_names(rng, prof, places, partner_districts(rng, places, districts))
    frame["latitude"] = np.where(no_coords, np.nan, lat)
    frame["longitude"] = np.where(no_coords, np.nan, lon)
    frame["service_radius_km"] = radius
    frame["online"] = online
    frame["offers"] = join_masks(offer, CODES)
    frame["needs"] = join_masks(need, CODES)
    frame["levels"] = lv_str
    frame["languages"] = lang_str
    frame["capacity"] = capacity.astype(np.float64)
    frame["description"] = _partner_descriptions(rng, frame, prof, offer, need, mode)
    no_place = no_coords & (rng.random(m) < 0.5)
    frame.loc[no_place, ["province", "regency"]] = ""

    fixed = pd.DataFrame([{k: KUANTA[k] for k in PARTNER_COLUMNS}])
    for col in ("offers", "needs", "levels", "languages"):
        fixed[col] = ";".join(KUANTA[col])
    frame = pd.concat([fixed, frame[list(PARTNER_COLUMNS)]], ignore_index=True)

    k_off = np.zeros((1, N_CODES), dtype=bool)
    k_need = np.zeros((1, N_CODES), dtype=bool)
    for c in KUANTA["offers"]:
        k_off[0, CI[c]] = True
    for c in KUANTA["needs"]:
        k_need[0, CI[c]] = True
    all_need = np.vstack([k_need, need])
    # reliability: most partners deliver, about 10% rarely follow through
    poor = rng.random(m) < 0.1
    raw = np.where(poor, rng.beta(1.5, 6.0, m), rng.beta(6.0, 2.0, m))
    reliability = RELIABILITY_MEAN + world.reliability * (
        np.concatenate([[KUANTA_HIDDEN["reliability"]], raw]) - RELIABILITY_MEAN
    )
    # fame (log scale): how well known a partner is, independent of its reliability;
    # larger organisations are a little better known
    log_cap = np.log(capacity.astype(np.float64))
    fame = rng.normal(0.0, 1.0, m) + 0.4 * (log_cap - log_cap.mean())
    join = np.where(rng.random(m) < 0.55, 0.0, rng.uniform(0, 0.9, m) * PERIOD_DAYS)
    side = Side(
        lat=frame["latitude"].to_numpy(dtype=np.float64),
        lon=frame["longitude"].to_numpy(dtype=np.float64),
        need=masks(all_need),
        offer=masks(np.vstack([k_off, offer])),
        lang=np.concatenate([[3], lang_bits]).astype(np.int64),
        latent=reliability,
        join=np.concatenate([[0.0], join]),
        level=np.concatenate([[0], lv_mask]).astype(np.int64),
        n_need=all_need.sum(axis=1).astype(np.int64),
        radius=frame["service_radius_km"].to_numpy(dtype=np.float64),
        online=frame["online"].to_numpy(dtype=bool),
        capacity=frame["capacity"].to_numpy(dtype=np.float64),
        fame=np.concatenate([[KUANTA_HIDDEN["fame"]], fame]),
    )
    return frame, side


def _partner_descriptions(
    rng: np.random.Generator,
    f: pd.DataFrame,
    prof: IntArray,
    offer: BoolArray,
    need: BoolArray,
    mode: IntArray,
) -> ObjArray:
    """Free text by type: Indonesian, English or mixed."""
    n = len(f)
    r = rng.random((n, 8))
    names = f["name"].to_numpy(dtype=object)
    ptype = f["type"].to_numpy(dtype=object)
    regency = f["regency"].to_numpy(dtype=object)
    online = f["online"].to_numpy(dtype=bool)
    levels = f["levels"].to_numpy(dtype=object)
    o_rows, o_cols = np.nonzero(offer)
    n_rows, n_cols = np.nonzero(need)
    o_start = np.searchsorted(o_rows, np.arange(n + 1))
    n_start = np.searchsorted(n_rows, np.arange(n + 1))
    out = np.empty(n, dtype=object)
    for i in range(n):
        if r[i, 0] < 0.03:
            out[i] = ""
            continue
        md = mode[i]
        p = PROFILES[prof[i]]

        def en(k: int, md: int = md, ri: FloatArray = r[i]) -> bool:
            return bool(md == 1 or (md == 2 and ri[k] < 0.5))

        offs = [CODES[j] for j in o_cols[o_start[i] : o_start[i + 1]].tolist()]
        nds = [CODES[j] for j in n_cols[n_start[i] : n_start[i + 1]].tolist()]
        parts: list[str] = []
        where = regency[i] or "Indonesia"
        if en(1):
            parts.append(f"{names[i]} is a {TYPE_EN[ptype[i]]} in {p.sector}, based in {where}.")
        else:
            parts.append(
                f"{names[i]} adalah {TYPE_ID[ptype[i]]} di bidang {p.sector_id} di {where}."
            )
        shown = offs if r[i, 6] < 0.8 else offs[: max(1, len(offs) - 1)]
        if en(2):
            parts.append("We offer " + np_list([noun(c, True) for c in shown], "en") + ".")
        else:
            parts.append("Kami menyediakan " + np_list([noun(c, False) for c in shown], "id") + ".")
        if levels[i]:
            lv = levels[i].replace(";", ", ")
            parts.append(f"We focus on {lv} schools." if en(3) else f"Fokus kami jenjang {lv}.")
        if online[i]:
            parts.append(
                "Our programmes also run online." if en(4) else "Program kami juga bisa daring."
            )
        if nds:
            if en(5):
                parts.append(
                    "In return we look for " + np_list([noun(c, True) for c in nds], "en") + "."
                )
            else:
                parts.append(
                    "Kami mencari sekolah mitra untuk "
                    + np_list([noun(c, False) for c in nds], "id")
                    + "."
                )
        out[i] = sentences_join(parts)
    return out
