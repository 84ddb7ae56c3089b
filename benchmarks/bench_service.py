"""The HTTP service under load: suggestions beside the framework's ceiling, and a
retraining through the API while the load runs.

Run: ``.venv/bin/python benchmarks/bench_service.py [--seconds 20] [--connections 32]``

Starts the real server (``matcher serve``) on the bundled sample in a temporary database,
then drives it from a second process with wrk (Debian package ``wrk``; installed with
apt-get when missing) over 32 connections:

1. ``GET /livez`` — a trivial endpoint of the same app: the ceiling on this machine;
2. ``GET /schools/{id}/suggestions?k=10`` for random sample schools;
3. the same suggestions load while ``POST /models/train`` retrains and switches the
   model; prints how many requests failed (non-2xx or socket errors).
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=1, help="matcher serve --workers")
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
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
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("matcher")), "serve", "--port", str(port), "-q",
         "--workers", str(a.workers)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                get(base + "/health")
                break
            except OSError:
                time.sleep(0.5)
        with (ROOT / "data" / "sample" / "schools.csv").open(encoding="utf-8") as fh:
            ids = [r["school_id"] for r in csv.DictReader(fh)]
        script = tmp / "suggest.lua"
        script.write_text(
            "ids = {" + ",".join(f'"{i}"' for i in ids) + "}\n"
            "request = function()\n"
            "  return wrk.format('GET', '/schools/' .. ids[math.random(#ids)] .."
            " '/suggestions?k=10')\nend\n"
        )
        get(base + f"/schools/{ids[0]}/suggestions")  # warm: model and kernels loaded
        print(
            f"server: uvicorn, {a.workers} worker process(es), {os.cpu_count()} cores; "
            f"wrk -t2 -c{a.connections}"
            f" -d{a.seconds}s, from a second process\n"
        )
        ceiling = run_wrk(wrk, base + "/livez", a.seconds, a.connections, None)
        cold = run_wrk(wrk, base + "/", a.seconds, a.connections, script)
        warm = run_wrk(wrk, base + "/", a.seconds, a.connections, script)
        print(f"{'endpoint':<44}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
        rows = (
            ("GET /livez (ceiling)", ceiling),
            ("suggestions, first run (answers computed)", cold),
            ("suggestions, second run (answers current)", warm),
        )
        for name, r in rows:
            print(f"{name:<44}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{r['errors']:>8}")
        print(
            f"suggestions at {100 * cold['rps'] / ceiling['rps']:.0f}% (first run) and "
            f"{100 * warm['rps'] / ceiling['rps']:.0f}% (second run) of the ceiling's req/s"
        )

        # retrain through the API while the suggestions load runs
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
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--_wrk":
        base, script, seconds, conns = sys.argv[2:6]
        res = run_wrk(ensure_wrk(), base + "/", int(seconds), int(conns), Path(script))
        print(json.dumps(res))
    else:
        main()
