#!/usr/bin/env bash
# The JSON API's list of one's own sessions (not part of `make test`): an
# account with 10 active sessions in a SQLite table of a million rows, one
# release server, wrk with one connection for latency. Bounded in time.
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null 2>&1 || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }

PORT=3320
BASE="http://localhost:$PORT"
DIR="$(mktemp -d)"
ROWS=1000000
trap 'kill $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT

start() {
  bench_server "sqlite://$DIR/api.db?mode=rwc" "$PORT" "$DIR" target/release/sessionboard & SERVER=$!
  for _ in $(seq 100); do curl -sf "$BASE/livez" >/dev/null && return; sleep 0.2; done
  die "the server did not start"
}

step "Release build of the server"
cargo build --release -q -p server --bin sessionboard

step "An account with 10 active sessions"
start
user="api$RANDOM"
curl -sf -c "$DIR/jar" -d "username=$user&password=benchmark-pass&confirm=benchmark-pass" "$BASE/api/register" >/dev/null
for _ in $(seq 9); do curl -sf -d "username=$user&password=benchmark-pass" "$BASE/api/login" >/dev/null; done
COOKIE="$SESSION_COOKIE=$(awk -v n="$SESSION_COOKIE" '$6 == n { print $7 }' "$DIR/jar")"
kill $SERVER; wait $SERVER 2>/dev/null || true

step "Seeding $ROWS sessions of 10,000 other accounts"
python3 scripts/seed-rows.py "$DIR/api.db" "$ROWS" 10000
start
count=$(curl -sf -H "Cookie: $COOKIE" "$BASE/api/v1/sessions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')
[ "$count" = 10 ] || die "expected 10 sessions, got $count"

step "GET /api/v1/sessions (wrk -t1 -c1 -d5s --latency, 3 runs after a warm-up)"
wrk -t1 -c1 -d2s -H "Cookie: $COOKIE" "$BASE/api/v1/sessions" >/dev/null
p50=(); p99=(); rate=()
for run in 1 2 3; do
  out=$(wrk -t1 -c1 -d5s --latency -H "Cookie: $COOKIE" "$BASE/api/v1/sessions")
  p50+=("$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99+=("$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  rate+=("$(awk '/Requests\/sec/ { print $2 }' <<<"$out")")
  note "run $run: p50 ${p50[-1]}  p99 ${p99[-1]}  ${rate[-1]} req/s"
done

perf_section api "bash scripts/bench-api.sh" <<MD
\`GET /api/v1/sessions\` (cookie) for an account with 10 active sessions,
in a SQLite table of $ROWS other accounts' sessions (10,000 accounts, one
in ten still active); one release server; wrk -t1 -c1 -d5s --latency,
3 runs after a 2 s warm-up.

| run | p50 | p99 | req/s |
|---|---|---|---|
| 1 | ${p50[0]} | ${p99[0]} | ${rate[0]} |
| 2 | ${p50[1]} | ${p99[1]} | ${rate[1]} |
| 3 | ${p50[2]} | ${p99[2]} | ${rate[2]} |

Goal: p50 ≤ 1 ms.
MD
