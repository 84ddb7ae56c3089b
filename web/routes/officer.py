"""The district officer's studio: the regency dashboard, the allocation to review, pin,
forbid, compare and publish, why schools and partners were left out, the Excel
download, and the model page (versions in plain words, retrain, rollback).

Every route checks on the server that the user is the officer of that regency (or an
admin): another regency's officer gets 403. Views prepare plain data; templates show it.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

import web.officer_i18n  # noqa: F401  (adds the officer pages' words to the catalogue)
from matcher.allocation import Allocation
from matcher.engine import Engine
from matcher.errors import ConflictError, MatcherError, ModelError, NotFoundError
from matcher.model_summary import describe_versions, figure
from matcher.vocabulary import load_vocabulary
from matcher.workbook import write_allocation_workbook
from web.deps import (
    EngineDep,
    FormDep,
    PageError,
    UserDep,
    flash,
    lang_of,
    pop_flash,
    render,
    require_officer,
)
from web.i18n import message

router = APIRouter(include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MODES = ("optimal", "stable")
METHODS = ("optimal", "stable", "greedy", "top_k")
SHOWN = 400  # assignment rows shown on the page (the workbook has all)

# Allocations already computed, per regency, settings and state of data and model: the
# studio's page, its download and its publish form ask for the same run.
_CACHE: OrderedDict[Any, Allocation] = OrderedDict()
_CACHE_LOCK = threading.Lock()


class Settings:
    """The studio's controls, read from a query string or a form."""

    def __init__(self, source: Any) -> None:
        def pairs(name: str) -> list[tuple[str, str]]:
            out = []
            for raw in source.getlist(name):
                s, sep, p = str(raw).partition("|")
                if sep and s and p:
                    out.append((s, p))
            return list(dict.fromkeys(out))

        try:
            equity = float(source.get("equity") or 0.5)
        except ValueError:
            equity = 0.5
        self.equity = min(max(equity, 0.0), 3.0) if equity == equity else 0.5
        mode = str(source.get("mode") or "optimal")
        self.mode = mode if mode in MODES else "optimal"
        self.pinned = pairs("pin")
        self.forbidden = pairs("forbid")

    def query(self, **change: Any) -> str:
        """This settings' query string, with ``change`` applied (pin/forbid add)."""
        pinned = self.pinned + ([change["pin"]] if "pin" in change else [])
        forbidden = self.forbidden + ([change["forbid"]] if "forbid" in change else [])
        if "unpin" in change:
            pinned = [p for p in pinned if p != change["unpin"]]
        if "unforbid" in change:
            forbidden = [p for p in forbidden if p != change["unforbid"]]
        items: list[tuple[str, str]] = [
            ("equity", f"{change.get('equity', self.equity):g}"),
            ("mode", change.get("mode", self.mode)),
        ]
        items += [("pin", f"{s}|{p}") for s, p in pinned]
        items += [("forbid", f"{s}|{p}") for s, p in forbidden]
        return urlencode(items)

    def key(self) -> tuple[Any, ...]:
        return (self.equity, self.mode, tuple(self.pinned), tuple(self.forbidden))


def _regency(engine: Engine, regency: str) -> str:
    """The regency as stored (its spelling), or a 404 page."""
    try:
        return str(engine.regency_overview(regency, figures=False).regency)
    except NotFoundError:
        raise PageError(404, "err_not_found") from None


def _allocation(engine: Engine, regency: str, st: Settings, lang: str) -> Allocation:
    state = (engine.models.active_version(), engine.store.fingerprint())
    key = (regency.casefold(), st.key(), lang, state)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    alloc = engine.allocate_selection(
        regency=regency,
        equity_weight=st.equity,
        lang=lang,
        mode=st.mode,
        pinned=st.pinned,
        forbidden=st.forbidden,
    )
    with _CACHE_LOCK:
        _CACHE[key] = alloc
        while len(_CACHE) > 8:
            _CACHE.popitem(last=False)
    return alloc


def _base(regency: str) -> str:
    return f"/dinas/{quote(regency)}"


def _guard(engine: Engine, user: Any, regency: str) -> str:
    require_officer(user, regency)  # before anything is read: 403 for another regency
    return _regency(engine, regency)


@router.get("/dinas/{regency}")
def dashboard(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """The regency at a glance: counts, who has no partner where, figures."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    ov = engine.regency_overview(name, lang=lang)
    weak = ov.schools[ov.schools["underresourced"] & ov.schools["without_partner"]]
    weak = weak.sort_values(["need", "district", "name"], ascending=[False, True, True])
    ctx = {
        "regency": name,
        "base": _base(name),
        "counts": ov.counts,
        "readings": ov.readings,
        "figures": ov.figures,
        "by_district": ov.without_by_district.head(15).to_dict("records"),
        "weak": weak.head(30).to_dict("records"),
        "n_weak": len(weak),
        **pop_flash(request),
    }
    return render(request, "officer_dashboard.html", ctx, user)


def _kind(code: str, lang: str) -> str:
    vocab = load_vocabulary()
    return vocab.partner_type_labels.get(code, {}).get(lang, code)


@router.get("/dinas/{regency}/alokasi")
def studio(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """The allocation to review: controls, comparison, the assignments with pin and
    forbid, and the publish form."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    st = Settings(request.query_params)
    ctx: dict[str, Any] = {"regency": name, "base": _base(name), "st": st, **pop_flash(request)}
    try:
        alloc = _allocation(engine, name, st, lang)
    except ModelError:
        ctx["error"] = message(lang, "no_model")
        return render(request, "officer_studio.html", ctx, user)
    except MatcherError as exc:  # a pin that cannot hold: say why, keep the rest
        ctx["error"] = str(exc)
        return render(request, "officer_studio.html", ctx, user)
    pairs = alloc.pairs.sort_values(
        ["district", "school_name", "score"], ascending=[True, True, False]
    )
    q = str(request.query_params.get("q") or "").strip()
    if q:  # find a school or partner among the assignments
        hit = (
            (pairs["school_id"] == q)
            | (pairs["partner_id"] == q)
            | pairs["school_name"].str.casefold().str.contains(q.casefold(), regex=False)
            | pairs["partner_name"].str.casefold().str.contains(q.casefold(), regex=False)
        )
        pairs = pairs[hit]
    keep = "&" + urlencode({"q": q}) if q else ""  # pin and forbid links keep the search
    rows = []
    for r in pairs.head(SHOWN).to_dict("records"):
        pair = (r["school_id"], r["partner_id"])
        rows.append(
            {
                **r,
                "kind": _kind(str(r["partner_type"]), lang),
                "where": message(lang, "online")
                if r["online"]
                else message(lang, "distance", km=_km(r["distance_km"], lang)),
                "pin_q": (st.query(unpin=pair) if r["pinned"] else st.query(pin=pair)) + keep,
                "forbid_q": st.query(forbid=pair) + keep,
            }
        )
    s = alloc.summary
    comp = [{"method": m, **s["comparison"][m]} for m in METHODS if m in s["comparison"]]
    ctx.update(
        summary=s,
        comparison=comp,
        rows=rows,
        n_rows=len(pairs),
        shown=min(len(pairs), SHOWN),
        other_mode=st.query(mode="stable" if st.mode == "optimal" else "optimal"),
        unpin=[(p, st.query(unpin=p)) for p in st.pinned],
        unforbid=[(p, st.query(unforbid=p)) for p in st.forbidden],
        query=st.query(),
        q=q,
        n_why_schools=len(alloc.why_not_schools),
        n_why_partners=len(alloc.why_not_partners),
    )
    return render(request, "officer_studio.html", ctx, user)


def _km(value: Any, lang: str) -> str:
    try:
        text = f"{float(value):.1f}"
    except (TypeError, ValueError):
        return "-"
    return text.replace(".", ",") if lang == "id" else text


@router.get("/dinas/{regency}/alasan")
def why_not(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """Every school and partner left out of the allocation, with the reason in words."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    st = Settings(request.query_params)
    ctx: dict[str, Any] = {"regency": name, "base": _base(name), "query": st.query()}
    try:
        alloc = _allocation(engine, name, st, lang)
    except MatcherError as exc:
        ctx["error"] = message(lang, "no_model") if isinstance(exc, ModelError) else str(exc)
        return render(request, "officer_why.html", ctx, user)
    ctx.update(
        schools=alloc.why_not_schools.sort_values(["district", "name"]).to_dict("records"),
        partners=alloc.why_not_partners.sort_values("name").to_dict("records"),
    )
    return render(request, "officer_why.html", ctx, user)


@router.get("/dinas/{regency}/unduh")
def download(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """The allocation as the officer's Excel workbook."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    st = Settings(request.query_params)
    try:
        alloc = _allocation(engine, name, st, lang)
    except MatcherError:
        raise PageError(409, "err_no_allocation") from None
    buf = io.BytesIO()
    write_allocation_workbook(alloc, buf, lang)
    filename = f"alokasi-{name.lower().replace(' ', '-')}.xlsx"
    return Response(
        buf.getvalue(),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/dinas/{regency}/terbitkan")
def publish(
    request: Request, regency: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    """Publish the reviewed allocation: proposals in both sides' inboxes, once."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    st = Settings(form)
    target = f"{_base(name)}/alokasi?{st.query()}"
    try:
        alloc = _allocation(engine, name, st, lang)
        rec = engine.publish(alloc, user.email, name)
    except (MatcherError, ConflictError) as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(target, status_code=303)
    if rec["already"]:
        flash(request, message(lang, "already_published", id=rec["publication_id"]))
    else:
        flash(
            request,
            message(lang, "published", n=rec["proposed"], skipped=rec["skipped"],
                    id=rec["publication_id"]),
        )  # fmt: skip
    return RedirectResponse(f"{_base(name)}/terbitan", status_code=303)


@router.get("/dinas/{regency}/terbitan")
def publications(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """The audit trail: who published what, when, with which settings, data and model."""
    name = _guard(engine, user, regency)
    ctx = {
        "regency": name,
        "base": _base(name),
        "records": engine.publications(name),
        **pop_flash(request),
    }
    return render(request, "officer_publications.html", ctx, user)


@router.get("/dinas/{regency}/model")
def model_page(request: Request, regency: str, engine: EngineDep, user: UserDep) -> Response:
    """Model versions in plain words, the retrain button and rollback."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    job_id = request.query_params.get("job")
    job = None
    if job_id:
        try:
            job = engine.jobs.get(job_id).as_dict()
        except NotFoundError:
            job = None
    described = describe_versions(engine.models.versions(), lang)
    svg, reading = figure(described, lang)
    ctx = {
        "regency": name,
        "base": _base(name),
        "versions": described[::-1],
        "job": job,
        "figure_svg": svg,
        "figure_reading": reading,
        **pop_flash(request),
    }
    if request.headers.get("HX-Request") and job is not None:
        return render(request, "_officer_job.html", ctx, user)
    return render(request, "officer_model.html", ctx, user)


@router.post("/dinas/{regency}/model/latih")
def retrain(
    request: Request, regency: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    """Start a retraining in the background; the page shows its progress."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    try:
        job = engine.jobs.start()
    except ConflictError:
        flash(request, message(lang, "train_running"), "error")
        return RedirectResponse(f"{_base(name)}/model", status_code=303)
    return RedirectResponse(f"{_base(name)}/model?job={job.job_id}", status_code=303)


@router.post("/dinas/{regency}/model/aktifkan")
def activate(
    request: Request, regency: str, engine: EngineDep, user: UserDep, form: FormDep
) -> Response:
    """Make an earlier version active again (rollback)."""
    name = _guard(engine, user, regency)
    lang = lang_of(request)
    version = str(form.get("version") or "")
    try:
        engine.activate(version)
        flash(request, message(lang, "activated", version=version))
    except (MatcherError, ModelError) as exc:
        flash(request, str(exc), "error")
    return RedirectResponse(f"{_base(name)}/model", status_code=303)
