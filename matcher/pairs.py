"""What each assigned pair brings, for the officer's tables — many pairs at once.

An allocation of a province assigns tens of thousands of pairs; explaining them one by
one (:func:`matcher.explain.explain_pair`) took most of its time. Here the gains both
ways, the distance and the sentence are computed for all pairs together: the gain
matrices are sorted once, and the phrase of each distinct ordered list of gains is
written once. The sentence is the one ``explain_pair`` writes (a test holds them equal).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.explain import TEXT
from matcher.geo import EARTH_RADIUS_KM
from matcher.index import MatchIndex
from matcher.vocabulary import Vocabulary

CONTACT_COLUMNS = ("contact_name", "phone", "email", "whatsapp")
SOURCE_TAG, SOURCE_TEXT, SOURCE_PROFILE = 0, 1, 2


def _gain_lists(
    contrib: np.ndarray, tag: np.ndarray, text: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the codes with a positive contribution, largest first (ties by code
    order), each as ``code * 3 + source``, padded with -1; and the row's number."""
    order = np.argsort(-contrib, axis=1, kind="stable")
    vals = np.take_along_axis(contrib, order, axis=1)
    src = np.where(
        np.take_along_axis(tag, order, axis=1) > 0,
        SOURCE_TAG,
        np.where(np.take_along_axis(text, order, axis=1) > 0, SOURCE_TEXT, SOURCE_PROFILE),
    )
    # explain_pair stops at the first non-positive contribution
    ok = np.cumprod(vals > 0, axis=1).astype(bool)
    width = int(ok.sum(axis=1).max()) if len(ok) else 0
    items = np.where(ok, order * 3 + src, -1)[:, :width]
    return items, ok.sum(axis=1)


def _unique_rows(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a small-integer matrix and each row's position among them: by
    a 64-bit hash of the row (np.unique over rows sorts far slower), checked exactly,
    with the plain way as the fallback should two rows ever share a hash."""
    mult = np.random.default_rng(0).integers(1, 2**62, items.shape[1], dtype=np.int64) | 1
    with np.errstate(over="ignore"):
        h = ((items + 1) * mult).sum(axis=1)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    uniq = items[first]
    if not (uniq[inv] == items).all():
        uniq, inv = np.unique(items, axis=0, return_inverse=True)
    return uniq, inv.ravel()


def _phrases(items: np.ndarray, lang: str, vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``items``: the phrase (labels with source notes) and the codes
    joined by ";", written once per distinct row."""
    t = TEXT.get(lang, TEXT["id"])
    note = {
        SOURCE_TAG: "",
        SOURCE_TEXT: f" ({t['from_text']})",
        SOURCE_PROFILE: f" ({t['implicit']})",
    }
    if not len(items):
        return np.zeros(0, dtype=object), np.zeros(0, dtype=object)
    if not items.shape[1]:
        n = len(items)
        return np.full(n, t["nothing"], dtype=object), np.full(n, "", dtype=object)
    uniq, inv = _unique_rows(items)
    phrase, codes = [], []
    for row in uniq:
        row = row[row >= 0]
        names = [vocab.codes[i // 3] for i in row]
        phrase.append(
            ", ".join(
                vocab.label(c, lang) + note[int(i % 3)] for c, i in zip(names, row, strict=True)
            )
            or t["nothing"]
        )
        codes.append(";".join(names))
    return np.array(phrase, dtype=object)[inv], np.array(codes, dtype=object)[inv]


def _km(index: MatchIndex, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Great-circle distance of each pair in km (haversine; NaN without coordinates)."""
    la1, lo1 = np.radians(index.s_meta["latitude"][s]), np.radians(index.s_meta["longitude"][s])
    la2, lo2 = np.radians(index.p_meta["latitude"][p]), np.radians(index.p_meta["longitude"][p])
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def pair_details(
    index: MatchIndex, s_rows: np.ndarray, p_rows: np.ndarray, lang: str = "id"
) -> pd.DataFrame:
    """One row per pair ``(s_rows[i], p_rows[i])``: what the school gains and what the
    partner gains (labels and codes), distance, online, shared language, and the
    sentence of :func:`~matcher.explain.explain_pair` as the school reads it."""
    t = TEXT.get(lang, TEXT["id"])
    s, p = np.asarray(s_rows, dtype=np.int64), np.asarray(p_rows, dtype=np.int64)
    S, P = index.s, index.p
    g_items, _ = _gain_lists(S.need[s] * P.offer[p], S.need_tag[s], S.need_text[s])
    o_items, _ = _gain_lists(P.need[p] * S.offer[s], S.offer_tag[s], S.offer_text[s])
    gains, gain_codes = _phrases(g_items, lang, index.vocab())
    gives, give_codes = _phrases(o_items, lang, index.vocab())
    online = index.p_meta["online"][p].astype(bool)
    km = _km(index, s, p)
    where = np.array(
        [
            t["online"] if o else f"{t['away']} {d:.1f} {t['km']}"
            for o, d in zip(online, km, strict=True)
        ],
        dtype=object,
    )
    if lang == "id":
        where = np.array([w.replace(".", ",") for w in where], dtype=object)
    shared = (index.s_lang_bits[s] & index.p_lang_bits[p]) != 0
    n_dec = index.extra["p_decided"][p].astype(np.int64)
    wins = index.extra["p_successes"][p].astype(np.int64)
    record = np.array(
        [
            t["record"].format(who=t["partner"], wins=w, n=n)
            if n
            else t["no_record"].format(who=t["partner"])
            for n, w in zip(n_dec, wins, strict=True)
        ],
        dtype=object,
    )
    sentence = [
        f"{t['gains']}: {g}; {t['gives']}: {o}; {w}" + ("" if sh else f"; {t['langs']}") + f"; {r}."
        for g, o, w, sh, r in zip(gains, gives, where, shared, record, strict=True)
    ]
    has_xy = np.isfinite(km)
    return pd.DataFrame(
        {
            "school_gains": gains,
            "partner_gains": gives,
            "school_gain_codes": gain_codes,
            "partner_gain_codes": give_codes,
            "distance_km": np.where(has_xy, np.round(km, 2), np.nan),
            "online": online,
            "shared_language": shared,
            "explanation": np.array(sentence, dtype=object),
        }
    )


def contacts(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The contact columns a side's records have (none before they were added), for
    ``rows``; columns absent from the records are left out."""
    have = [c for c in CONTACT_COLUMNS if c in frame.columns]
    return frame.iloc[rows][have].reset_index(drop=True)


def assignment_table(
    index: MatchIndex, assignments: pd.DataFrame, lang: str = "id"
) -> pd.DataFrame:
    """One row per assigned pair of an allocation's ``assignments``, in their order:
    kecamatan, both sides' names, what each gains, distance, contacts (school_… and
    partner_… columns when the records have them), score and the sentence."""
    a = assignments[assignments["assigned"].eq(True).to_numpy()]
    s = np.array([index.school_row[x] for x in a["school_id"]], dtype=np.int64)
    p = np.array([index.partner_row[x] for x in a["partner_id"]], dtype=np.int64)
    sch, par = index.schools, index.partners
    base = pd.DataFrame(
        {
            "district": sch["district"].to_numpy()[s] if "district" in sch else None,
            "school_id": a["school_id"].to_numpy(),
            "school_name": index.s_meta["name"][s],
            "level": index.s_meta["level"][s],
            "ownership": sch["ownership"].to_numpy()[s],
            "partner_id": a["partner_id"].to_numpy(),
            "partner_name": index.p_meta["name"][p],
            "partner_type": index.p_meta["type"][p],
            "score": a["score"].to_numpy(dtype=np.float64),
            "pinned": a["pinned"].to_numpy(dtype=bool) if "pinned" in a else False,
        }
    )
    details = pair_details(index, s, p, lang)
    sc = contacts(sch, s).add_prefix("school_")
    pc = contacts(par, p).add_prefix("partner_")
    return pd.concat([base, details, sc, pc], axis=1)
