#!/usr/bin/env bash
# The wheel runs anywhere: build it, install it (not editable) into a fresh venv in a
# temporary folder, then from an empty folder `matcher load --sample && matcher train &&
# matcher serve`, probe /health, stop the server. Bounded: the whole check in 15 min.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
unset MATCHER_DB MATCHER_MODELS MATCHER_DATA MATCHER_SETTINGS MATCHER_PRODUCTION MATCHER_API_KEYS

timeout 600 python3 -m venv "$tmp/venv"
py="$tmp/venv/bin/python"
timeout 600 "$py" -m pip install -q --upgrade pip
timeout 300 "$py" -m pip wheel -q --no-deps -w "$tmp/dist" "$repo"
timeout 600 "$py" -m pip install -q "$tmp"/dist/*.whl
mkdir "$tmp/run" && cd "$tmp/run"
m="$tmp/venv/bin/matcher"
timeout 300 "$m" load --sample
timeout 600 "$m" train -q
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$m" serve --port "$port" --no-sample -q >"$tmp/serve.log" 2>&1 &
server=$!
"$py" - "$port" "$server" <<'PY'
import json, os, sys, time, urllib.request
port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 120
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
            health = json.load(r)
        break
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            sys.exit("wheel check: the server exited before answering /health")
        if time.monotonic() > deadline:
            sys.exit("wheel check: no answer on /health within 120 s")
        time.sleep(1)
assert health["status"] == "ok" and health["model_version"], health
assert health["schools"] > 0 and health["partners"] > 0, health
print(f"wheel check: /health {health}")
PY
test -f "$tmp/run/var/matcher.db" && test -f "$tmp/run/models/ACTIVE"
echo "wheel check passed: installed wheel loads, trains and serves from an empty folder"
