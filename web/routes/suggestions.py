"""Suggestions for one's school (partners) or partner (schools), in plain sentences of
what each side gains, with a map, and proposing a partnership from them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from matcher.errors import ConflictError, MatcherError, ModelError, NotFoundError
from matcher.vocabulary import load_vocabulary
from web.config import WebSettings
from web.deps import (
    EngineDep,
    FormDep,
    PageError,
    UserDep,
    flash,
    lang_of,
    pop_flash,
    record_or_404,
    render,
    require_side,
    segment_of,
    side_of,
    web_settings,
)
from web.i18n import message

router = APIRouter(include_in_schema=False)
K = 10


def _labels(items: list[dict[str, Any]] | None, lang: str) -> str:
    return ", ".join(i["label"] for i in items or []) or message(lang, "nothing_clear")


def _where(s: dict[str, Any], lang: str) -> str:
    if s.get("online") or s.get("distance_km") is None:
        return message(lang, "online")
    km = f"{s['distance_km']:.1f}"
    return message(lang, "distance", km=km.replace(".", ",") if lang == "id" else km)


def _record_text(rec: dict[str, int] | None, other: str, lang: str) -> str:
    n, wins = (rec or {}).get("partnerships", 0), (rec or {}).get("successes", 0)
    if not n:
        return message(lang, f"new_{other}")
    return message(lang, f"record_{other}", wins=wins, n=n)


def _kind(side_suggested: str, s: dict[str, Any], lang: str) -> str:
    vocab = load_vocabulary()
    if side_suggested == "partner":
        return vocab.partner_type_labels.get(s.get("type", ""), {}).get(lang, s.get("type", ""))
    return str(s.get("level", ""))


def suggestion_items(
    engine: Any, side: str, record_id: str, me: dict[str, Any], lang: str, tiles: WebSettings
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The suggestions as the page shows them, and the map's points."""
    if side == "school":
        answer = engine.suggest(record_id, K, lang, explain=True)
    else:
        answer = engine.suggest_for_partner(record_id, K, lang, explain=True)
    other = "partner" if side == "school" else "school"
    items, points = [], []
    if me.get("latitude") is not None and me.get("longitude") is not None:
        points.append(
            {"lat": me["latitude"], "lon": me["longitude"], "label": me["name"], "home": True}
        )
    for s in answer["suggestions"]:
        other_id = s[f"{other}_id"]
        if side == "school":
            you_title, you = message(lang, "school_gains_title"), s.get("school_gains")
            they_title = message(lang, "partner_gains_title", name=s["name"])
            they = s.get("partner_gains")
        else:
            you_title, you = message(lang, "you_gain_partner_title"), s.get("partner_gains")
            they_title = message(lang, "school_gets_title", name=s["name"])
            they = s.get("school_gains")
        items.append(
            {
                "rank": s["rank"],
                "name": s["name"],
                "kind": _kind(other, s, lang),
                "you_gain_title": you_title,
                "you_gain": _labels(you, lang),
                "they_gain_title": they_title,
                "they_gain": _labels(they, lang),
                "where": _where(s, lang),
                "record": _record_text(s.get(f"{other}_record"), other, lang),
                "school_id": record_id if side == "school" else other_id,
                "partner_id": other_id if side == "school" else record_id,
                "default_message": message(lang, "default_message", name=s["name"]),
            }
        )
        try:
            rec = engine.get(f"{other}s", other_id)
        except NotFoundError:
            continue
        if rec.get("latitude") is not None and rec.get("longitude") is not None:
            label = f"{s['rank']}. {s['name']}"
            points.append({"lat": rec["latitude"], "lon": rec["longitude"], "label": label})
    tile_url = tiles.tile_url
    attribution = "© OpenStreetMap" if "openstreetmap" in tile_url else ""
    return items, {"points": points, "tiles": tile_url, "attribution": attribution}


@router.get("/{segment}/{record_id}/saran")
def suggestions_page(
    request: Request, segment: str, record_id: str, engine: EngineDep, user: UserDep
) -> Response:
    side = side_of(segment)
    require_side(user, side, record_id)
    me = record_or_404(engine, side, record_id)
    lang = lang_of(request)
    ctx: dict[str, Any] = {"side": side, "me_name": me["name"], "items": [], **pop_flash(request)}
    try:
        items, map_data = suggestion_items(
            engine, side, record_id, me, lang, web_settings(request.app)
        )
        ctx.update(items=items, map_data=map_data)
    except ModelError:
        ctx["error"] = message(lang, "no_model")
    return render(request, "suggestions.html", ctx, user)


@router.post("/kemitraan")
def propose(request: Request, engine: EngineDep, user: UserDep, form: FormDep) -> Response:
    """Propose a partnership to a suggested school or partner."""
    side = user.side
    school_id, partner_id = str(form.get("school_id") or ""), str(form.get("partner_id") or "")
    if side is None:
        raise PageError(403, "err_forbidden")
    own = school_id if side == "school" else partner_id
    require_side(user, side, own)
    other = record_or_404(
        engine,
        "partner" if side == "school" else "school",
        partner_id if side == "school" else school_id,
    )
    lang = lang_of(request)
    try:
        engine.propose(side, school_id, partner_id, user.email, str(form.get("message") or ""))
        flash(request, message(lang, "proposal_sent", name=other["name"]))
    except ConflictError:
        flash(request, message(lang, "already_open"), "error")
    except MatcherError as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(f"/{segment_of(side)}/{quote(own)}/saran", status_code=303)
