"""Plain-language explanations: what the school gains, what it gives, how far apart.

Only the k shown suggestions are explained, so a small loop per suggestion is fine here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from matcher.geo import haversine_km
from matcher.index import MatchIndex
from matcher.vocabulary import Vocabulary

TEXT = {
    "id": {
        "gains": "Sekolah mendapat",
        "gives": "Mitra mendapat",
        "from_text": "dari deskripsi",
        "implicit": "dari profil",
        "online": "daring (online)",
        "km": "km",
        "away": "jarak",
        "nothing": "belum ada yang jelas",
        "langs": "tanpa bahasa bersama",
        "record": "riwayat {who}: {wins} dari {n} kemitraan sukses",
        "no_record": "riwayat {who}: belum ada",
        "partner": "mitra",
        "school": "sekolah",
        "no_more": "Tidak ada lagi {who} yang cocok: {who} lain tidak memberi yang dibutuhkan.",
    },
    "en": {
        "gains": "The school gains",
        "gives": "the partner gains",
        "from_text": "from the description",
        "implicit": "from the profile",
        "online": "online",
        "km": "km",
        "away": "distance",
        "nothing": "nothing clear yet",
        "langs": "no shared language",
        "record": "{who} record: {wins} of {n} partnerships succeeded",
        "no_record": "{who} record: none yet",
        "partner": "partner's",
        "school": "school's",
        "no_more": "No more suitable {who}s: no other {who} gives what is needed.",
    },
}


def no_more_note(other: str, lang: str = "id") -> str:
    """The line shown when fewer suggestions fit than were asked for; ``other`` is the
    side suggested ("partner" or "school")."""
    t = TEXT.get(lang, TEXT["id"])
    return t["no_more"].format(who=t[other] if lang == "id" else other)


def _items(
    need: np.ndarray,
    tag: np.ndarray,
    text: np.ndarray,
    offer: np.ndarray,
    lang: str,
    vocab: Vocabulary,
) -> list[dict[str, Any]]:
    contrib = need * offer
    order = np.argsort(-contrib, kind="stable")
    out = []
    for j in order:
        if contrib[j] <= 0:
            break
        source = "tag" if tag[j] > 0 else ("text" if text[j] > 0 else "profile")
        code = vocab.codes[j]
        out.append({"code": code, "label": vocab.label(code, lang), "source": source})
    return out


def _phrase(items: list[dict[str, Any]], t: dict[str, str]) -> str:
    if not items:
        return t["nothing"]
    parts = []
    for it in items:
        note = {"text": f" ({t['from_text']})", "profile": f" ({t['implicit']})"}.get(
            it["source"], ""
        )
        parts.append(it["label"] + note)
    return ", ".join(parts)


def _record(index: MatchIndex, side: str, row: int) -> dict[str, int]:
    """Decided partnerships and mutual successes of one side before the index's time."""
    key = "s" if side == "school" else "p"
    return {
        "partnerships": int(index.extra[f"{key}_decided"][row]),
        "successes": int(index.extra[f"{key}_successes"][row]),
    }


def explain_pair(
    index: MatchIndex, s_row: int, p_row: int, lang: str = "id", viewer: str = "school"
) -> dict[str, Any]:
    """What each side gains from the pair, the distance, each side's track record, and a
    sentence saying so to ``viewer`` (whose list it is: the sentence names the track
    record of the side suggested to it)."""
    t = TEXT.get(lang, TEXT["id"])
    s, p = index.s, index.p
    v = index.vocab()
    gains = _items(s.need[s_row], s.need_tag[s_row], s.need_text[s_row], p.offer[p_row], lang, v)
    gives = _items(p.need[p_row], s.offer_tag[s_row], s.offer_text[s_row], s.offer[s_row], lang, v)
    sm, pm = index.s_meta, index.p_meta
    online = bool(pm["online"][p_row])
    distance = None
    plat, plon = pm["latitude"][p_row], pm["longitude"][p_row]
    if np.isfinite(plat) and np.isfinite(plon):
        slat, slon = float(sm["latitude"][s_row]), float(sm["longitude"][s_row])
        distance = float(haversine_km(slat, slon, np.array([plat]), np.array([plon]))[0])
    where = t["online"] if online else f"{t['away']} {distance:.1f} {t['km']}"
    if lang == "id":
        where = where.replace(".", ",")
    shared = bool((index.s_lang[s_row] * index.p_lang[p_row]).sum() > 0)
    sentence = f"{t['gains']}: {_phrase(gains, t)}; {t['gives']}: {_phrase(gives, t)}; {where}"
    if not shared:
        sentence += f"; {t['langs']}"
    records = {
        "school": _record(index, "school", s_row),
        "partner": _record(index, "partner", p_row),
    }
    other = "partner" if viewer == "school" else "school"
    rec, who = records[other], t[other]
    sentence += "; " + (
        t["record"].format(who=who, wins=rec["successes"], n=rec["partnerships"])
        if rec["partnerships"]
        else t["no_record"].format(who=who)
    )
    return {
        "school_record": records["school"],
        "partner_record": records["partner"],
        "school_gains": gains,
        "partner_gains": gives,
        "distance_km": None if distance is None else round(distance, 2),
        "online": online,
        "shared_language": shared,
        "text": sentence + ".",
    }
