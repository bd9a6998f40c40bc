#!/usr/bin/env bash
# Memory of the release server (VmRSS): right after start, after the first
# login, and after one account logged in with 1,000 distinct user agents
# from uap-core's test file. Not part of `make test`.
source "$(dirname "$0")/common.sh"
ensure_build_tools

PORT=3201
BASE="http://localhost:$PORT"
DIR="$(mktemp -d)"
trap 'kill ${SERVER:-} 2>/dev/null; rm -rf "$DIR"' EXIT

step "Release build"
cargo leptos build --release

rss() { awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER/status"; }

step "Starting the release server on $BASE"
bench_server "sqlite://$DIR/mem.db?mode=rwc" "$PORT" "$DIR" target/release/sessionboard & SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/livez" >/dev/null && break; sleep 0.1; done
sleep 1
at_start=$(rss); note "after start:                      $at_start"

python3 - "$DIR/agents.txt" <<'PY'
import re, sys
seen = []
for line in open("sessions/tests/fixtures/uap/test_ua.yaml", encoding="utf-8"):
    m = re.match(r"\s*- user_agent_string: '(.*)'\s*$", line)
    if m:
        ua = m.group(1).replace("''", "'")
        if ua not in seen and all(32 <= ord(c) < 127 for c in ua):
            seen.append(ua)
    if len(seen) == 1000:
        break
open(sys.argv[1], "w").write("\n".join(seen) + "\n")
print(f"    {len(seen)} distinct user agents")
PY

curl -sf -d "username=memory&password=memory-password&confirm=memory-password" "$BASE/api/register" >/dev/null
first=$(rss); note "after the first login:            $first"
step "Logging in with 1,000 distinct user agents"
start=$(date +%s.%N)
while IFS= read -r ua; do
  curl -sf -A "$ua" -d "username=memory&password=memory-password" "$BASE/api/login" >/dev/null \
    || echo "    a login failed"
done < "$DIR/agents.txt"
end=$(date +%s.%N)
after=$(rss); per_login=$(echo "($end - $start) * 1000 / 1000" | bc -l | cut -c1-5)
note "after 1,000 logins:               $after  ($per_login ms per login, sequential)"
perf_section memory "bash scripts/bench-memory.sh" <<MD
\`VmRSS\` of the release server on SQLite.

| | resident memory | target |
|---|---|---|
| right after start (the user-agent parser is built at the first login) | $at_start | ≤ 60 MB |
| after the first login | $first | |
| after 1,000 logins with distinct user agents from uap-core's tests | $after ($per_login ms per login, sequential, Argon2id included) | ≤ 150 MB |
MD
