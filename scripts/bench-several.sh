#!/usr/bin/env bash
# Several servers (not part of `make test`): two release servers on one
# PostgreSQL database behind nginx (deploy/nginx.conf), and the time from a
# Terminate click to the other device leaving /sessions, 20 runs each:
# both browsers on server 1 (one server), then A on server 1 and B on
# server 2 (across servers). Needs PostgreSQL (TEST_DATABASE_URL) and nginx.
source "$(dirname "$0")/common.sh"
ensure_build_tools
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { step "Installing nginx (apt)"; apt-get install -y -qq nginx-light >/dev/null; }

ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB="sessionboard_bench_several_$$"
PREFIX="$(mktemp -d /tmp/sessionboard-bench-nginx.XXXXXX)"; chmod 755 "$PREFIX"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  [ -f "$PREFIX/nginx.pid" ] && kill "$(cat "$PREFIX/nginx.pid")" 2>/dev/null
  psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$PREFIX"
}
trap cleanup EXIT
psql "$ADMIN" -qc "CREATE DATABASE $DB" || die "PostgreSQL does not answer at $ADMIN"

step "Release build"
cargo leptos build --release

BASE="http://localhost:3210"
# One key for both servers (on PostgreSQL they refuse to make their own).
head -c 32 /dev/urandom | basenc --base64url | tr -d '=' > "$PREFIX/secret.key"
for n in 1 2; do
  bench_server "${ADMIN%/*}/$DB?application_name=sessionboard-$n" "321$n" "$PREFIX" PUBLIC_ORIGIN="$BASE" \
    TRUSTED_PROXIES=127.0.0.1/32 REGISTER_MAX_PER_IP=100000 target/release/sessionboard & PIDS+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:321$n/livez" >/dev/null && break; sleep 0.1; done
done
sed -e 's/127.0.0.1:3001;\(.*\)# @SERVER_1/127.0.0.1:3211;\1# @SERVER_1/' \
    -e 's/127.0.0.1:3002;\(.*\)# @SERVER_2/127.0.0.1:3212;\1# @SERVER_2/' \
    -e 's/listen 80;   # @LISTEN/listen 127.0.0.1:3210;/' deploy/nginx.conf > "$PREFIX/nginx.conf"
/usr/sbin/nginx -e stderr -p "$PREFIX" -c "$PREFIX/nginx.conf" -g "pid $PREFIX/nginx.pid;"
for _ in $(seq 50); do curl -sf "$BASE/livez" >/dev/null && break; sleep 0.1; done

# latency A B: the Playwright bench with A pinned to server A, B to server B.
latency() {
  (cd end2end && BENCH_BASE_URL="$BASE" BENCH_SERVER_A=$1 BENCH_SERVER_B=$2 npx playwright test --config bench/bench.config.ts) \
    | grep -E "latency|passed|failed" | tee /dev/stderr \
    | sed -n 's/.*runs: median \([0-9.]*\) ms, p95 \([0-9.]*\) ms, max \([0-9.]*\) ms.*/| \1 ms | \2 ms | \3 ms |/p'
}
step "Terminate → kicked-out latency through nginx, both browsers on server 1"
same=$(latency 1 1)
step "Terminate → kicked-out latency through nginx, A on server 1, B on server 2"
across=$(latency 1 2)
perf_section several "bash scripts/bench-several.sh" <<MD
Two release servers on one PostgreSQL database behind nginx (\`deploy/nginx.conf\`); Terminate click → the other browser leaves \`/sessions\`, 20 runs each.

| | median | p95 | max |
|---|---|---|---|
| both browsers on server 1 ${same:-| not measured | | |}
| A on server 1, B on server 2, through \`LISTEN\`/\`NOTIFY\` (target p95 ≤ 500 ms) ${across:-| not measured | | |}
MD
