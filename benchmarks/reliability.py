"""Reliability probes of the real service and command line (issue 11's "Done when").

Run: ``.venv/bin/python benchmarks/reliability.py [--port 8103] [--probes all]``

Starts ``matcher serve`` on loopback on the bundled sample in a temporary database and
models folder, then:

1. **concurrency** — HTTP writers (``POST /outcomes``) and command-line writers
   (``matcher load --outcomes``) at once, beside trials of ``POST /outcomes`` racing
   ``DELETE /schools/{id}`` for a fresh school;
2. **kill -9** — the server killed while HTTP writers run (then restarted), a large
   ``matcher load`` killed half-way (all or nothing), and ``matcher train`` killed
   half-way (the active model keeps serving; its leftover is cleaned by the next train);
3. **schemathesis** — every phase including stateful, against the running server with
   a write key, bounded by ``--max-examples``.

Prints: cases (requests answered), 5xx answers, events acknowledged vs stored, orphan
events (of deleted schools or partners). Exits 1 if any 5xx, lost event or orphan, or
if schemathesis reports a failure, so ``.ci/run`` can run ``--probes fuzz``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
KEY = "reliability-write-key"
STATUS_RE = re.compile(r'" (\d{3}) [\d.]+ms rid=')


class Service:
    """``matcher serve`` on loopback, its stderr (access log) kept in a file."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self, timeout: float = 600) -> None:
        cmd = [sys.executable, "-m", "matcher.cli", "serve", "--host", "127.0.0.1"]
        with self.log.open("ab") as fh:
            self.proc = subprocess.Popen(
                [*cmd, "--port", str(self.port)], env=self.env, stdout=fh, stderr=fh, cwd=ROOT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                status, _ = request(self.base + "/health")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit("server did not answer /health in time")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def statuses(self) -> Counter[int]:
        """Status of every request the server logged so far."""
        text = self.log.read_text("utf-8", "replace")
        return Counter(int(m.group(1)) for m in STATUS_RE.finditer(text))


def request(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            raw = r.read()
            return r.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode("utf-8", "replace")


def event(oid: str, school: str, partner: str) -> dict[str, Any]:
    return {
        "outcome_id": oid,
        "school_id": school,
        "partner_id": partner,
        "status": "proposed",
        "recorded_at": "2026-11-30",
    }


class Tally:
    """Acknowledged events and every answer's status, from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acknowledged: set[str] = set()
        self.statuses: Counter[int] = Counter()

    def post(self, base: str, events: list[dict[str, Any]]) -> int:
        try:
            status, _ = request(base + "/outcomes", "POST", events)
        except OSError:
            return 0  # connection refused or reset (the server was killed): not acknowledged
        with self.lock:
            self.statuses[status] += 1
            if status == 200:
                self.acknowledged.update(e["outcome_id"] for e in events)
        return status


def stored_ids(db_url: str) -> set[str]:
    eng = sa.create_engine(db_url)
    with eng.connect() as conn:
        ids = set(conn.execute(sa.text("SELECT outcome_id FROM outcomes")).scalars())
    eng.dispose()
    return ids


def orphans(db_url: str) -> int:
    eng = sa.create_engine(db_url)
    q = sa.text(
        "SELECT count(*) FROM outcomes WHERE school_id NOT IN (SELECT school_id FROM schools)"
        " OR partner_id NOT IN (SELECT partner_id FROM partners)"
    )
    with eng.connect() as conn:
        n = int(conn.execute(q).scalar_one())
    eng.dispose()
    return n


def write_outcomes(path: Path, events: list[dict[str, Any]]) -> Path:
    cols = ["outcome_id", "school_id", "partner_id", "status", "recorded_at"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(events)
    return path


def probe_concurrency(
    svc: Service, env: dict[str, str], tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    _, page = request(svc.base + "/schools?limit=40")
    schools = [s["school_id"] for s in page["items"]]
    _, page = request(svc.base + "/partners?limit=40")
    partners = [p["partner_id"] for p in page["items"]]
    tally = Tally()
    cli_ack: set[str] = set()

    def http_writer(w: int) -> None:
        for n in range(0, args.events, 10):
            batch = [
                event(f"http-{w}-{n + i}", schools[(w + n + i) % len(schools)], partners[i])
                for i in range(10)
            ]
            tally.post(svc.base, batch)

    def cli_writer(w: int) -> None:
        evs = [
            event(f"cli-{w}-{n}", schools[(w * 7 + n) % len(schools)], partners[n % 10])
            for n in range(args.events)
        ]
        path = write_outcomes(tmp / f"cli-{w}.csv", evs)
        cmd = [sys.executable, "-m", "matcher.cli", "load", "-q", "--outcomes", str(path)]
        if subprocess.run(cmd, env=env, capture_output=True, cwd=ROOT).returncode == 0:
            with tally.lock:
                cli_ack.update(e["outcome_id"] for e in evs)

    race_acked_after_delete = 0

    def race(t: int) -> None:
        nonlocal race_acked_after_delete
        sid = f"RACE-{t}"
        _, rec = request(svc.base + f"/schools/{schools[0]}")
        body = {k: v for k, v in rec.items() if k not in ("school_id", "needs_read", "offers_read")}
        request(svc.base + f"/schools/{sid}", "PUT", body)
        deleted = threading.Event()

        def poster() -> None:
            for n in range(5):
                tally.post(svc.base, [event(f"race-{t}-{n}", sid, partners[0])])

        def deleter() -> None:
            status, _ = request(svc.base + f"/schools/{sid}", "DELETE")
            with tally.lock:
                tally.statuses[status] += 1
            deleted.set()

        ts = [threading.Thread(target=poster), threading.Thread(target=deleter)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()

    threads = [threading.Thread(target=http_writer, args=(w,)) for w in range(args.writers)]
    threads += [threading.Thread(target=cli_writer, args=(w,)) for w in range(args.writers)]
    for th in threads:
        th.start()
    for t in range(args.trials):  # the delete races run while the writers write
        race(t)
    for th in threads:
        th.join()
    stored = stored_ids(env["MATCHER_DB"])
    durable = {i for i in tally.acknowledged | cli_ack if not i.startswith("race-")}
    return {
        "answers": sum(tally.statuses.values()),
        "5xx": sum(n for s, n in tally.statuses.items() if s >= 500),
        "acknowledged": len(durable),
        "stored": len(durable & stored),
        "lost": len(durable - stored),
        "race events left": len({i for i in stored if i.startswith("race-")}),
        "orphans": orphans(env["MATCHER_DB"]),
    }


def probe_kill9(svc: Service, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    _, page = request(svc.base + "/schools?limit=10")
    schools = [s["school_id"] for s in page["items"]]
    _, page = request(svc.base + "/partners?limit=10")
    partners = [p["partner_id"] for p in page["items"]]
    out: dict[str, Any] = {}

    # a) the server, killed while four writers post events one by one
    tally = Tally()
    stop = threading.Event()

    def writer(w: int) -> None:
        n = 0
        while not stop.is_set():
            tally.post(svc.base, [event(f"k9-{w}-{n}", schools[n % 10], partners[w])])
            n += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for th in threads:
        th.start()
    time.sleep(2.0)
    svc.kill9()
    stop.set()
    for th in threads:
        th.join()
    svc.start()
    stored = stored_ids(env["MATCHER_DB"])
    out["server: acknowledged"] = len(tally.acknowledged)
    out["server: lost"] = len(tally.acknowledged - stored)
    out["server: 5xx"] = sum(n for s, n in tally.statuses.items() if s >= 500)

    # b) a large load, killed half-way: all or nothing
    evs = [event(f"big-{n}", schools[n % 10], partners[n % 10]) for n in range(40_000)]
    path = write_outcomes(tmp / "big.csv", evs)
    cmd = [sys.executable, "-m", "matcher.cli", "load", "-q", "--outcomes", str(path)]
    wal = Path(env["MATCHER_DB"].removeprefix("sqlite:///") + "-wal")
    start = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        # kill it inside its write transaction: once its first pages reach the WAL
        if wal.exists() and wal.stat().st_size > start + 256 * 1024:
            break
        time.sleep(0.01)
    out["killed load: while writing"] = int(proc.poll() is None)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    got = sum(1 for i in stored_ids(env["MATCHER_DB"]) if i.startswith("big-"))
    out["killed load: stored of 40000"] = got
    out["killed load: partial"] = int(got not in (0, 40_000))

    # c) a training, killed half-way: the active model keeps serving, the leftover goes
    models = Path(env["MATCHER_MODELS"])
    _, before = request(svc.base + "/health")
    cmd = [sys.executable, "-m", "matcher.cli", "train", "-q", "--no-eval", "--force"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list(models.glob(".tmp-*")):
        time.sleep(0.05)  # kill it while it writes its version
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = len(list(models.glob(".tmp-*")))
    status, after = request(svc.base + f"/schools/{schools[0]}/suggestions?k=3")
    out["killed train: leftovers"] = left
    out["killed train: still serving"] = int(
        status == 200 and after["model_version"] == before["model_version"]
    )
    listed = request(svc.base + "/models")[1]
    out["killed train: listed incomplete"] = sum(m["state"] == "incomplete" for m in listed)
    subprocess.run(cmd, env=env, capture_output=True, cwd=ROOT)
    out["next train: leftovers"] = len(list(models.glob(".tmp-*")))
    out["orphans"] = orphans(env["MATCHER_DB"])
    return out


def probe_fuzz(
    svc: Service, env: dict[str, str], tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    before = svc.statuses()
    st = Path(sys.executable).with_name("schemathesis")
    cmd = [
        str(st), "run", svc.base + "/openapi.json",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(args.max_examples),
        "--checks", "not_a_server_error",
        "--header", f"X-API-Key: {KEY}",
        "--seed", "11",
        "--request-timeout", "60",
        "--workers", "1",  # threads: CPython 3.11's ast.parse is not thread-safe (hypothesis
        # describes filter lambdas with it: "AST constructor recursion depth mismatch")
        "--no-color",
    ]  # fmt: skip
    started = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp)  # its cache
    seconds = time.perf_counter() - started
    after = svc.statuses()
    new = after - before
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    phases = [ln for ln in lines if re.search(r"(Examples|Coverage|Fuzzing|Stateful)\b", ln)]
    tail = phases + lines[-6:]
    if args.fuzz_log:
        Path(args.fuzz_log).write_text(r.stdout, "utf-8")
    return {
        "cases": sum(new.values()),
        "5xx": sum(n for s, n in new.items() if s >= 500),
        "schemathesis exit": r.returncode,
        "seconds": round(seconds, 1),
        "orphans": orphans(env["MATCHER_DB"]),
        "_summary": tail,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=8103)
    p.add_argument("--probes", default="all", help="all, or a comma list of conc,kill,fuzz")
    p.add_argument("--writers", type=int, default=4, help="HTTP writers and as many CLI ones")
    p.add_argument("--events", type=int, default=200, help="events per writer")
    p.add_argument("--trials", type=int, default=20, help="POST /outcomes vs DELETE races")
    p.add_argument("--max-examples", type=int, default=20, help="schemathesis, per operation")
    p.add_argument("--fuzz-log", help="write schemathesis' full output to this file")
    args = p.parse_args(argv)
    probes = {"conc", "kill", "fuzz"} if args.probes == "all" else set(args.probes.split(","))
    with tempfile.TemporaryDirectory(prefix="matcher-reliability-") as d:
        tmp = Path(d)
        env = {
            **os.environ,
            "MATCHER_DB": f"sqlite:///{tmp / 'db' / 'matcher.db'}",
            "MATCHER_MODELS": str(tmp / "models"),
            "MATCHER_API_KEYS": f"write:{KEY}",
            "MATCHER_MODEL_KEY": "reliability-probe-model-key",
            "MATCHER_PRODUCTION": "0",
        }
        env.pop("MATCHER_SETTINGS", None)
        svc = Service(env, args.port, tmp / "server.log")
        results: dict[str, dict[str, Any]] = {}
        try:
            svc.start()
            if "conc" in probes:
                results["concurrency"] = probe_concurrency(svc, env, tmp, args)
            if "kill" in probes:
                results["kill -9"] = probe_kill9(svc, env, tmp)
            if "fuzz" in probes:
                results["schemathesis"] = probe_fuzz(svc, env, tmp, args)
        finally:
            svc.stop()
        bad = 0
        for name, res in results.items():
            print(f"== {name}")
            for k, v in res.items():
                if k == "_summary":
                    for line in v:
                        print(f"   | {line}")
                    continue
                print(f"   {k}: {v}")
                if k in ("5xx", "lost", "orphans", "server: lost", "server: 5xx") and v:
                    bad += 1
                if k in ("killed load: partial", "next train: leftovers", "race events left"):
                    bad += int(bool(v))
                if k == "schemathesis exit" and v != 0:
                    bad += 1
        statuses = svc.statuses()
        print(
            f"== all: {sum(statuses.values())} requests answered, "
            f"{sum(n for s, n in statuses.items() if s >= 500)} with 5xx"
        )
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
