"""The ``matcher`` command line (docs/cli.md).

Every user mistake ends as one line on stderr and a non-zero exit status, never a
traceback; set ``MATCHER_DEBUG=1`` to see tracebacks of unexpected failures.

Start-up stays light: this module imports only the standard library and matcher's small
settings/errors modules, so ``matcher --help`` answers at once. The engine (and with it
pandas, scikit-learn, SciPy, numba) is imported inside the command handlers; a new
command imports what it needs there too (tests/test_cli_imports.py checks this).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.config import Settings
from matcher.errors import MatcherError, ModelError, NotFoundError, ValidationError
from matcher.vocabulary import LANGS

if TYPE_CHECKING:
    from matcher.engine import Engine

EXIT_USER, EXIT_NOT_FOUND, EXIT_INTERNAL = 2, 3, 1


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `matcher` (docs/cli.md lists them all)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", help="SQLAlchemy URL (default: sqlite:///var/matcher.db; env MATCHER_DB)"
    )
    common.add_argument(
        "--models", help="model versions folder (default: models/; env MATCHER_MODELS)"
    )
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    p = argparse.ArgumentParser(
        prog="matcher", description="Match schools with partners for mutual benefit."
    )
    sub = p.add_subparsers(dest="command", required=True)

    ld = sub.add_parser("load", parents=[common], help="validate and store input files")
    ld.add_argument("--schools", type=Path)
    ld.add_argument("--partners", type=Path)
    ld.add_argument("--outcomes", type=Path)
    ld.add_argument("--sample", action="store_true", help="load the bundled sample data")

    tr = sub.add_parser("train", parents=[common], help="fit and save a new model version")
    tr.add_argument(
        "--fusion",
        help="how the two directions combine: geometric (default), harmonic, min, arithmetic",
    )
    tr.add_argument("--no-eval", action="store_true", help="skip the holdout check (promote)")
    tr.add_argument("--force", action="store_true", help="activate even if worse than active")
    tr.add_argument(
        "--if-new-outcomes",
        type=int,
        metavar="N",
        help="train only if at least N outcome events arrived since the active model",
    )
    tr.add_argument("--outcome-weight", type=float, help="weight of the outcome model (0..1)")
    tr.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any model setting by its name in `matcher models` (e.g. features__rarity=true)",
    )

    sg = sub.add_parser(
        "suggest", parents=[common], help="partners for a school (or schools for a partner)"
    )
    sg.add_argument("school_id", nargs="?")
    sg.add_argument("--partner", metavar="PARTNER_ID")
    sg.add_argument("-k", type=int, default=10)
    sg.add_argument("--explain", action="store_true", help="show reasons in the table")
    sg.add_argument("--lang", choices=LANGS, default="id")
    sg.add_argument("--format", choices=["table", "json", "csv"], default="table")

    rk = sub.add_parser("rank", parents=[common], help="batch ranking for many schools")
    grp = rk.add_mutually_exclusive_group(required=True)
    grp.add_argument("--province")
    grp.add_argument("--regency")
    grp.add_argument("--district")
    grp.add_argument("--all", action="store_true")
    rk.add_argument("-k", type=int, default=10)
    rk.add_argument(
        "--out", type=Path, help="output file (.csv, .json, .xlsx); default CSV on stdout"
    )
    rk.add_argument("--allocate", action="store_true", help="assign partners within capacities")
    rk.add_argument(
        "--scheduler",
        help="rank on Dask: 'local' starts a LocalCluster, or tcp://HOST:PORT of a scheduler",
    )
    rk.add_argument(
        "--equity-weight",
        type=float,
        default=0.5,
        help="with --allocate: extra weight for under-resourced schools (default 0.5)",
    )
    rk.add_argument(
        "--candidates",
        type=int,
        default=None,
        metavar="N",
        help="with --allocate: best feasible partners per school to choose among (default 20; "
        "more covers more schools when the best lists crowd onto few partners, and takes longer)",
    )
    rk.add_argument("--lang", choices=LANGS, default="id", help="language of reasons and headers")
    rk.add_argument(
        "--mode",
        choices=["optimal", "stable"],
        default="optimal",
        help="with --allocate: optimal (most schools covered, most benefit) or stable "
        "(deferred acceptance: no school and partner prefer each other to what they got)",
    )
    rk.add_argument(
        "--pin",
        nargs=2,
        action="append",
        metavar=("SCHOOL_ID", "PARTNER_ID"),
        help="with --allocate: keep this pair and allocate the rest around it (repeatable)",
    )
    rk.add_argument(
        "--forbid",
        nargs=2,
        action="append",
        metavar=("SCHOOL_ID", "PARTNER_ID"),
        help="with --allocate: never assign this pair (repeatable)",
    )
    rk.add_argument(
        "--publish",
        metavar="WHO",
        help="with --allocate: turn the assignments into proposals to both sides, once, "
        "recorded as published by WHO (an audit record keeps the settings, data and model)",
    )

    ev = sub.add_parser(
        "evaluate", parents=[common], help="offline metrics on a time-based holdout"
    )
    ev.add_argument("-k", type=int, default=10)
    ev.add_argument("--test-fraction", type=float, default=0.2)
    ev.add_argument("--format", choices=["table", "json"], default="table")
    ev.add_argument("--figure", type=Path, help="also draw the report as a PNG file")

    rt = sub.add_parser(
        "read-text", parents=[common], help="the needs and offers a description names"
    )
    rt.add_argument("text", help="a description (Indonesian, English or mixed)")
    rt.add_argument("--side", choices=["school", "partner"], required=True)
    rt.add_argument("--lang", choices=LANGS, default="id", help="language of labels")
    rt.add_argument("--format", choices=["table", "json"], default="table")

    sv = sub.add_parser("serve", parents=[common], help="run the HTTP API")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="server processes (each holds the model and index; a model trained or "
        "activated anywhere reaches all of them within MATCHER_REFRESH_SECONDS)",
    )
    sv.add_argument(
        "--no-sample", action="store_true", help="do not load the sample into an empty database"
    )

    sub.add_parser(
        "notify",
        parents=[common],
        help="send the notifications that are due (MATCHER_SMTP_URL; for cron)",
    )

    us = sub.add_parser("users", parents=[common], help="web accounts")
    usub = us.add_subparsers(dest="users_command", required=True)
    ua = usub.add_parser(
        "add",
        parents=[common],
        help="create an account; prints a one-time link to set its password",
    )
    who = ua.add_mutually_exclusive_group(required=True)
    who.add_argument("--school", metavar="ID", help="the account acts for this school")
    who.add_argument("--partner", metavar="ID", help="the account acts for this partner")
    who.add_argument("--regency", metavar="NAME", help="a district officer of this regency")
    who.add_argument("--admin", action="store_true", help="an administrator")
    ua.add_argument("--email", required=True)
    usub.add_parser("list", parents=[common], help="every account")

    md = sub.add_parser("models", parents=[common], help="list or activate model versions")
    msub = md.add_subparsers(dest="models_command", required=True)
    msub.add_parser("list", parents=[common], help="stored versions, newest last")
    act = msub.add_parser("activate", parents=[common], help="make a version active (rollback)")
    act.add_argument("version")

    db = sub.add_parser("db", parents=[common], help="database schema: revision, upgrade")
    dsub = db.add_subparsers(dest="db_command", required=True)
    dsub.add_parser("current", parents=[common], help="the database's schema revision")
    dsub.add_parser("upgrade", parents=[common], help="migrate the schema to the newest revision")
    return p


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _table(rows: list[dict[str, Any]], cols: list[str]) -> str:
    import pandas as pd

    if not rows:
        return "(no suggestions)"
    df = pd.DataFrame(rows)[cols]
    return df.to_string(index=False, max_colwidth=200)


def cmd_load(eng: Engine, a: argparse.Namespace) -> None:
    if a.sample:
        counts = eng.load_sample()
        warnings: list[str] = []
    else:
        counts, warnings = eng.load_files(a.schools, a.partners, a.outcomes)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    _out("loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def model_settings(items: list[str]) -> dict[str, Any]:
    """``--set NAME=VALUE`` options as model settings: a name of
    :meth:`MatchModel.parameters` (or a flat alias), a value of its default's type."""
    import math

    from matcher.model import ALIASES, MatchModel

    known = MatchModel.from_params({}).parameters()
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        key = ALIASES.get(name.strip(), name.strip())
        if not sep or key not in known:
            names = ", ".join(sorted(known))
            raise MatcherError(f"--set {item!r}: give NAME=VALUE with a NAME of: {names}")
        default = known[key]
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = number and float(value).is_integer()
            value = int(value) if ok else value
        elif isinstance(default, float):
            ok = number and math.isfinite(value)
            value = float(value) if ok else value
        elif isinstance(default, tuple):
            ok = isinstance(value, list) and len(value) == len(default)
            value = tuple(value) if ok else value
        else:
            ok = isinstance(value, type(default))
        if not ok:
            raise MatcherError(f"--set {name}: {raw!r} is not like its default {default!r}")
        out[key] = value
    return out


def cmd_train(eng: Engine, a: argparse.Namespace) -> None:
    from matcher import schema
    from matcher.similarity import FUSIONS

    if a.fusion is not None and a.fusion not in FUSIONS:
        raise MatcherError(f"--fusion {a.fusion!r}: use one of {', '.join(FUSIONS)}")
    params = {"fusion": a.fusion} if a.fusion else {}
    if a.outcome_weight is not None:
        w = schema.check_option("--outcome-weight", a.outcome_weight, 0, schema.MAX_OUTCOME_WEIGHT)
        params["outcome_weight"] = w
    params |= model_settings(a.set)
    if not a.quiet:
        print(
            "training: fitting features and outcome model, checking the holdout ...",
            file=sys.stderr,
        )
    man = eng.train(
        params, evaluate=not a.no_eval, force=a.force, if_new_outcomes=a.if_new_outcomes
    )
    if man.get("skipped"):
        _out(
            f"skipped: {man['new_outcomes']} new outcome events since {man['version']} "
            f"(fewer than {a.if_new_outcomes})"
        )
        return
    m = man.get("metrics") or {}
    extra = ""
    if m.get("schools"):
        extra = (
            f"; holdout NDCG@10 {m['schools']['ndcg']:.3f}, recall@10 {m['schools']['recall']:.3f}"
        )
    state = "active" if man.get("active") else "not activated"
    _out(f"trained model {man['version']} ({state}){extra}")
    _out(f"{man.get('decision', '')}; {man.get('outcome_model', '')}")


def cmd_suggest(eng: Engine, a: argparse.Namespace) -> None:
    if bool(a.school_id) == bool(a.partner):
        raise MatcherError("give a SCHOOL_ID or --partner PARTNER_ID (one of them)")
    if a.partner:
        res = eng.suggest_for_partner(a.partner, a.k, a.lang, explain=True)
        cols = ["rank", "school_id", "name", "level", "score"]
    else:
        res = eng.suggest(a.school_id, a.k, a.lang, explain=True)
        cols = ["rank", "partner_id", "name", "type", "score"]
    rows = res["suggestions"]
    if a.format == "json":
        _out(json.dumps(res, ensure_ascii=False, indent=2, default=str))
        return
    flat = [
        {
            **r,
            "school_gains": _codes(r.get("school_gains")),
            "partner_gains": _codes(r.get("partner_gains")),
        }
        for r in rows
    ]
    if a.format == "csv":
        import pandas as pd

        from matcher.export import to_csv

        out = pd.DataFrame(
            flat,
            columns=[
                *cols,
                "school_benefit",
                "partner_benefit",
                "distance_km",
                "online",
                "school_gains",
                "partner_gains",
                "explanation",
            ],
        )
        to_csv(out, sys.stdout)
        return
    who = res.get("school_name") or res.get("partner_name")
    _out(f"{who} — model {res['model_version']}")
    for r in flat:
        r["where"] = "online" if r["online"] else f"{r['distance_km']:.1f} km"
    _out(_table(flat, [*cols, "where"]))
    if a.explain:
        for r in flat:
            _out(f"{r['rank']:>3}. {r['name']}: {r['explanation']}")
    if res.get("note"):
        _out(res["note"])


def _codes(items: list[dict[str, Any]] | None) -> str:
    return ";".join(i["code"] for i in items or [])


def cmd_rank(eng: Engine, a: argparse.Namespace) -> None:
    out: Path | None = a.out
    suffix = out.suffix.lower() if out else ".csv"
    if suffix not in (".csv", ".json", ".xlsx"):
        raise MatcherError(f"--out {out}: use a .csv, .json or .xlsx file name")
    from matcher import schema

    if not a.allocate and (
        a.pin or a.forbid or a.publish or a.mode != "optimal" or a.candidates is not None
    ):
        raise MatcherError("--mode, --pin, --forbid, --candidates and --publish need --allocate")
    if a.candidates is not None:
        schema.check_option("--candidates", a.candidates, 1, schema.MAX_CANDIDATES)
    schema.check_option("-k", a.k, 1, schema.MAX_K)
    schema.check_option("--equity-weight", a.equity_weight, 0, schema.MAX_EQUITY_WEIGHT)
    state, rows = eng.batch(a.regency, a.district, a.all, province=a.province)
    if a.allocate:
        _write_allocation(eng, rows, a, out, suffix, state)
        return
    from matcher.export import to_csv

    frames = eng.rank(rows, a.k, progress=not a.quiet, scheduler=a.scheduler, state=state)
    if suffix == ".csv":
        fh = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            first = True
            for f in frames:  # streamed: a national run never holds all rows at once
                to_csv(f, fh, header=first)
                first = False
            if first:
                fh.write("school_id,rank,partner_id,score\n")
        finally:
            if out:
                fh.close()
    else:
        from matcher.engine import rank_frame

        assert out is not None
        df = rank_frame(frames)
        if suffix == ".json":
            df.to_json(out, orient="records", force_ascii=False, indent=1)
        else:
            from matcher.workbook import write_ranking_workbook

            write_ranking_workbook(df, out)
    if out:
        print(f"wrote {out} ({len(rows)} schools)", file=sys.stderr)


def _write_allocation(
    eng: Engine, rows: Any, a: argparse.Namespace, out: Path | None, suffix: str, state: Any
) -> None:
    from matcher import schema

    alloc = eng.allocate(
        rows,
        a.k,
        a.equity_weight,
        a.lang,
        progress=not a.quiet,
        state=state,
        mode=a.mode,
        pinned=[tuple(x) for x in a.pin or []],
        forbidden=[tuple(x) for x in a.forbid or []],
        candidates=a.candidates if a.candidates is not None else schema.DEFAULT_CANDIDATES,
    )
    from matcher.export import to_csv

    df, summary = alloc.assignments, alloc.summary
    if suffix == ".csv":
        if out:
            with out.open("w", encoding="utf-8", newline="") as fh:
                to_csv(df, fh)
        else:
            to_csv(df, sys.stdout)
    elif suffix == ".json":
        assert out is not None
        records = {
            "assignments": df,
            "partner_load": alloc.partner_load,
            "why_not_schools": alloc.why_not_schools,
            "why_not_partners": alloc.why_not_partners,
        }
        payload = {"summary": summary} | {
            k: json.loads(v.to_json(orient="records", force_ascii=False))
            for k, v in records.items()
        }
        out.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        from matcher.workbook import write_allocation_workbook

        assert out is not None
        write_allocation_workbook(alloc, out, a.lang)
    s = summary
    c = s["comparison"]
    print(
        f"allocated ({s['mode']}): {s['schools_matched']}/{s['schools']} schools matched "
        f"(at most {s['schools_coverable']} coverable by the capacities), "
        f"{s['assignments']} assignments, {s['partners_over_capacity']} partners over capacity, "
        f"total benefit {s['total_benefit']}, {s['blocking_pairs']} blocking pairs "
        f"(best-first greedy: {s['greedy_schools_matched']} schools matched, benefit "
        f"{s['greedy_total_benefit']}; stable: {c['stable']['schools_matched']} schools, "
        f"benefit {c['stable']['total_benefit']}; optimal: {c['optimal']['schools_matched']} "
        f"schools, benefit {c['optimal']['total_benefit']})",
        file=sys.stderr,
    )
    if a.publish:
        scope = a.regency or a.district or a.province or "all"
        rec = eng.publish(alloc, a.publish, scope)
        if rec["already"]:
            print(f"already published as {rec['publication_id']}: nothing new", file=sys.stderr)
        else:
            print(
                f"published {rec['publication_id']}: {rec['proposed']} proposals to both "
                f"sides ({rec['skipped']} pairs already in progress), by {rec['published_by']}",
                file=sys.stderr,
            )


def cmd_evaluate(eng: Engine, a: argparse.Namespace) -> None:
    if not 0 < a.test_fraction < 1:  # also refuses nan
        raise MatcherError("--test-fraction must be between 0 and 1")
    from matcher import schema

    schema.check_option("-k", a.k, 1, schema.MAX_K)
    if not a.quiet:
        print(
            "evaluating: refitting every model on the data before the cut-off ...", file=sys.stderr
        )
    from matcher.evaluation import format_report

    rep = eng.evaluate(k=a.k, test_fraction=a.test_fraction)
    _out(json.dumps(rep, indent=2) if a.format == "json" else format_report(rep))
    if a.figure:
        from matcher.report import plot_report  # matplotlib only when asked

        plot_report(rep, a.figure)
        print(f"wrote {a.figure}", file=sys.stderr)


def cmd_read_text(eng: Engine, a: argparse.Namespace) -> None:
    read = eng.read_text(a.text, a.side, a.lang)
    if a.format == "json":
        _out(json.dumps(read, ensure_ascii=False))
        return
    rows = [{"as": kind[:-1], **item} for kind in ("needs", "offers") for item in read[kind]]
    if not rows:
        _out("(nothing read: the text names no need or offer of the vocabulary)")
        return
    import pandas as pd

    _out(pd.DataFrame(rows)[["as", "code", "label", "evidence"]].to_string(index=False))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"must be between 1 and 64, got {value}")
    return value


def cmd_serve(eng: Engine, a: argparse.Namespace) -> None:
    import uvicorn  # the web server is only needed here

    os.environ["MATCHER_DB"] = eng.settings.db_url
    os.environ["MATCHER_MODELS"] = str(eng.settings.models_dir)
    if not os.environ.get("MATCHER_BASE_URL"):  # links printed for this server
        eng.settings.base_url = f"http://{a.host}:{a.port}"
    if not a.no_sample:
        prepare_demo(eng, quiet=a.quiet)
    if os.environ.get("MATCHER_SMTP_URL", "").strip():
        mail, store, server, sender, base, _ = _mailer(eng, secret=False)
        # the secret is read each round: the app writes var/secret.key as it starts
        mail.start_sender(store, server, sender, base, None)
        if not a.quiet:
            print(
                f"notifications: due e-mail sent every {mail.SEND_INTERVAL:.0f} s", file=sys.stderr
            )
    # the API logs each request itself, with its request id and latency
    # the factory checks the service settings first: a bad one exits 78 with one line
    uvicorn.run(
        "api.main:serve_app",
        factory=True,
        host=a.host,
        port=a.port,
        workers=a.workers,
        log_level="info",
        access_log=False,
        **_worker_options(uvicorn, a.workers),
    )


def _mailer(eng: Engine, secret: bool = True) -> tuple[Any, Any, Any, str, str, str]:
    """matcher.notifications and its arguments from the environment (docs/cli.md,
    notify): MATCHER_SMTP_URL, MATCHER_MAIL_FROM, the base URL of links and the web
    app's secret that signs stop links."""
    from matcher import notifications as mail

    url = os.environ.get("MATCHER_SMTP_URL", "").strip()
    if not url:
        raise MatcherError("set MATCHER_SMTP_URL (smtp://HOST:PORT) to send notifications")
    server = mail.SmtpServer.parse(url)
    sender = os.environ.get("MATCHER_MAIL_FROM", "").strip() or f"noreply@{server.host}"
    key = mail.signing_secret() if secret else ""
    return mail, eng.store, server, sender, eng.settings.base_url, key


def cmd_notify(eng: Engine, a: argparse.Namespace) -> None:
    mail, *args = _mailer(eng)
    done = mail.send_due(*args)
    _out(f"notifications: {done.enqueued} new, {done.sent} sent, {done.failed} waiting to retry")
    if done.failed and not done.sent:
        raise MatcherError(
            f"the mail server did not take {done.failed} mail(s); they wait for the next run"
        )


def _worker_options(uvicorn: Any, workers: int) -> dict[str, Any]:
    """With several workers, uvicorn's supervisor pings each one and kills it if no
    answer comes within 5 s; a worker loading its model and index (or compiling the
    kernels) holds the GIL for longer than that on a busy machine, so allow a minute."""
    import inspect

    if workers > 1 and "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        return {"timeout_worker_healthcheck": 60}
    return {}


def prepare_demo(eng: Engine, quiet: bool = False) -> None:
    """On an empty database, load the bundled sample; with no model, or an active one
    that is refused (unsigned, damaged, other library versions), train one."""
    if eng.store.counts()["schools"] == 0:
        if not quiet:
            print("empty database: loading the bundled sample ...", file=sys.stderr)
        eng.load_sample()
    active = eng.models.active_version()
    if active is None:
        if not quiet:
            print("no model yet: training one ...", file=sys.stderr)
        eng.train()
    else:
        try:
            eng.models.check(active)
        except ModelError as exc:  # e.g. saved before models were signed
            if not quiet:
                print(f"{exc}: training a new one ...", file=sys.stderr)
            eng.train()
    demo = eng.ensure_demo_users()
    if demo and not quiet:
        base = eng.settings.base_url
        print(f"demo accounts (log in at {base}/login):", file=sys.stderr)
        for user, password in demo:
            print(f"  {user.email:<24} password {password:<14} {_acts_for(user)}", file=sys.stderr)


def cmd_users(eng: Engine, a: argparse.Namespace) -> None:
    if a.users_command == "add":
        user, link = eng.add_user(
            a.email, school_id=a.school, partner_id=a.partner, regency=a.regency, admin=a.admin
        )
        _out(f"created {user.role} account {user.email} ({_acts_for(user)})")
        _out(f"set the password (one time, valid 7 days): {link}")
        return
    users = eng.accounts.list()
    if not users:
        _out("no accounts yet; add one with `matcher users add`")
        return
    for u in users:
        state = "" if u.has_password else "  (password not set yet)"
        _out(f"{u.email}  {u.role}  {_acts_for(u)}{state}")


def _acts_for(user: Any) -> str:
    if user.role == "school":
        return f"school {user.school_id}"
    if user.role == "partner":
        return f"partner {user.partner_id}"
    if user.role == "officer":
        return f"regency {user.regency}"
    return "everything"


def cmd_models(eng: Engine, a: argparse.Namespace) -> None:
    if a.models_command == "activate":
        eng.activate(a.version)
        _out(f"active model: {a.version}")
        return
    versions = eng.models.versions()
    if not versions:
        _out("no model versions yet; run `matcher train`")
        return
    for m in versions:
        mark = "*" if m["active"] else " "
        if m["state"] != "ok":
            _out(f"{mark} {m['version']}  {m['state'].upper()}: {m['reason']}")
            continue
        ndcg = (m.get("metrics") or {}).get("schools", {}).get("ndcg")
        score = f"  NDCG@10 {ndcg:.3f}" if ndcg is not None else ""
        _out(f"{mark} {m['version']}  {m['created_at']}  {m['data']['outcomes']} outcomes{score}")


def cmd_db(settings: Settings, a: argparse.Namespace) -> None:
    from matcher import migrations
    from matcher.storage import Store

    store = Store(settings.db_url, migrate=False)  # as it is: `current` changes nothing
    try:
        head = migrations.head()
        if a.db_command == "upgrade":
            before, after = migrations.upgrade(store.engine)
            if before == after:
                _out(f"database already at revision {after} (newest)")
            else:
                _out(f"database upgraded from {before or 'an empty schema'} to {after} (newest)")
            return
        rev, legacy = migrations.current(store.engine)
        if rev is None:
            state = "tables made before migrations" if legacy else "empty database"
            _out(f"no revision ({state}); `matcher db upgrade` brings it to {head}")
        elif rev == head:
            _out(f"{rev} (newest)")
        else:
            _out(f"{rev}; newest is {head}: run `matcher db upgrade`")
    finally:
        store.close()


COMMANDS = {
    "load": cmd_load,
    "train": cmd_train,
    "suggest": cmd_suggest,
    "rank": cmd_rank,
    "evaluate": cmd_evaluate,
    "read-text": cmd_read_text,
    "serve": cmd_serve,
    "models": cmd_models,
    "users": cmd_users,
    "notify": cmd_notify,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_args(args.db, args.models)
        if args.command == "db":  # the schema as it is, without opening (upgrading) it
            cmd_db(settings, args)
            return 0
        from matcher.engine import Engine  # heavy: only once a command runs

        COMMANDS[args.command](Engine(settings), args)
    except NotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_NOT_FOUND
    except (MatcherError, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER
    except BrokenPipeError:  # `matcher ... | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes
        return 0
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: still one line unless debugging
        if os.environ.get("MATCHER_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (MATCHER_DEBUG=1 shows more)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":
    sys.exit(main())
