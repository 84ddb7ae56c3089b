"""The HTTP service under load: suggestions beside the framework's ceiling, and a
retraining through the API while the load runs.

Run: ``.venv/bin/python benchmarks/bench_service.py [--seconds 20] [--connections 32]``

Starts the real server (``matcher serve``) on the bundled sample in a temporary database,
then drives it from a second process with wrk (Debian package ``wrk``; installed with
apt-get when missing) over 32 connections:

1. ``GET /livez`` — a trivial endpoint of the same app: the ceiling on this machine;
2. ``GET /schools/{id}/suggestions?k=10`` for random sample schools, twice (the first
   run computes the answers, the second finds them current);
3. the same two on the same app served with uvicorn's pure-Python HTTP parser (h11) and
   asyncio's event loop, as ``matcher serve`` ran before httptools and uvloop were
   dependencies (``--no-baseline`` skips it);
4. the suggestions load while ``POST /models/train`` retrains and switches the model;
   prints how many requests failed (non-2xx or socket errors).

With 32 connections and one request at a time per connection, a request waits for the
ones ahead of it: p50 is about connections / throughput, so p99 < 50 ms needs well over
640 requests per second from the server on a machine it shares with wrk.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench-write-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_wrk() -> str:
    exe = shutil.which("wrk")
    if exe:
        return exe
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> dict:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def run_wrk(wrk: str, url: str, seconds: int, conns: int, script: Path | None) -> dict:
    cmd = [wrk, "-t2", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(x) for x in sock.groups()) if sock else 0
    )
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "requests": total, "errors": errors}


def start(cmd: list[str], env: dict[str, str], log: Path, cwd: Path, base: str):  # type: ignore[no-untyped-def]
    """Start a server process and wait until it answers ``/health``."""
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            cwd=cwd)  # fmt: skip
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-500:]}")
        try:
            get(base + "/health")
            return proc
        except OSError:
            time.sleep(0.5)
    raise SystemExit("server did not start")


def stop(proc) -> None:  # type: ignore[no-untyped-def]
    proc.terminate()
    proc.wait(timeout=30)


def measure(wrk: str, base: str, script: Path, ids: list[str], a: argparse.Namespace) -> dict:
    """/livez, then suggestions twice (the first computes answers), on one server."""
    get(base + f"/schools/{ids[0]}/suggestions")  # warm: model and kernels loaded
    ceiling = run_wrk(wrk, base + "/livez", a.seconds, a.connections, None)
    cold = run_wrk(wrk, base + "/", a.seconds, a.connections, script)
    warm = run_wrk(wrk, base + "/", a.seconds, a.connections, script)
    return {"ceiling": ceiling, "cold": cold, "warm": warm, "load": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1, help="matcher serve --workers")
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the run with the pure-Python parser and loop")  # fmt: skip
    a = ap.parse_args()
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    port = a.port or free_port()
    env = {
        **os.environ,
        "MATCHER_DB": f"sqlite:///{tmp / 'm.db'}",
        "MATCHER_MODELS": str(tmp / "models"),
        "MATCHER_API_KEYS": f"write:{KEY}",
    }
    base = f"http://127.0.0.1:{port}"
    with (ROOT / "data" / "sample" / "schools.csv").open(encoding="utf-8") as fh:
        ids = [r["school_id"] for r in csv.DictReader(fh)]
    script = tmp / "suggest.lua"
    script.write_text(
        "ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
        "request = function()\n"
        "  return wrk.format('GET', '/schools/' .. ids[math.random(#ids)] .."
        " '/suggestions?k=10')\nend\n"
    )
    serve = [str(Path(sys.executable).with_name("matcher")), "serve", "--port", str(port), "-q",
             "--workers", str(a.workers)]  # fmt: skip
    # the same app under uvicorn's pure-Python parser (h11) and asyncio's own loop: what
    # `matcher serve` ran before httptools and uvloop were dependencies
    plain = [sys.executable, "-m", "uvicorn", "api.main:serve_app", "--factory", "--port",
             str(port), "--http", "h11", "--loop", "asyncio", "--no-access-log",
             "--workers", str(a.workers)]  # fmt: skip
    print(
        f"server: uvicorn, {a.workers} worker process(es), {os.cpu_count()} cores; "
        f"wrk -t2 -c{a.connections} -d{a.seconds}s, from a second process\n"
    )
    results: dict[str, dict] = {}
    server = start(serve, env, tmp / "server.log", tmp, base)  # loads the sample, trains
    try:
        results["matcher serve (httptools, uvloop)"] = measure(wrk, base, script, ids, a)
    finally:
        stop(server)
    if not a.no_baseline:
        server = start(plain, env, tmp / "plain.log", ROOT, base)
        try:
            results["same app, h11 parser + asyncio loop"] = measure(wrk, base, script, ids, a)
        finally:
            stop(server)
    print(f"{'server':<38}{'endpoint':<30}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'% livez':>9}{'load':>6}")  # fmt: skip
    for name, r in results.items():
        rows = (("GET /livez (ceiling)", r["ceiling"]),
                ("suggestions, answers computed", r["cold"]),
                ("suggestions, answers current", r["warm"]))  # fmt: skip
        for label, x in rows:
            share = 100 * x["rps"] / r["ceiling"]["rps"]
            print(f"{name:<38}{label:<30}{x['rps']:>9.0f}{x['p50']:>9.1f}{x['p99']:>9.1f}"
                  f"{x['errors']:>8}{share:>8.0f}%{r['load']:>6.1f}")  # fmt: skip

    # retrain through the API while the suggestions load runs
    server = start(serve, env, tmp / "server2.log", tmp, base)
    try:
        wrk_proc = subprocess.Popen(
            [sys.executable, __file__, "--_wrk", base, str(script), str(a.seconds),
             str(a.connections)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(min(3, a.seconds / 4))
        req = urllib.request.Request(
            base + "/models/train", data=b'{"force": true}', method="POST",
            headers={"X-API-Key": KEY, "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=30) as r:
            job = json.loads(r.read())
        t0 = time.monotonic()
        while job["status"] in ("queued", "running"):
            time.sleep(0.5)
            job = get(base + f"/models/jobs/{job['job_id']}")
        took = time.monotonic() - t0
        under = json.loads(wrk_proc.communicate()[0])
        print(
            f"\nretraining under load: job {job['status']} in {took:.1f}s "
            f"(new version {job.get('result', {}).get('version')}); during the run "
            f"{under['requests']} requests, {under['errors']} failed, "
            f"{under['rps']:.0f} req/s, p99 {under['p99']:.1f} ms"
        )
    finally:
        stop(server)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_wrk":
        base, script, seconds, conns = sys.argv[2:6]
        res = run_wrk(ensure_wrk(), base + "/", int(seconds), int(conns), Path(script))
        print(json.dumps(res))
    else:
        main()
