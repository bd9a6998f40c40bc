#!/usr/bin/env bash
# Instructions per request (valgrind's callgrind counts instructions, not
# seconds, so the figures repeat on a noisy machine where wrk's do not):
# the bare axum router, /livez (passed through the session layer) and
# /api/ping (authenticated from the cache and tracked), on the release
# server. User space only: the kernel's share of a request is not counted.
# Not part of `make test`.
source "$(dirname "$0")/common.sh"
ensure_build_tools
command -v valgrind >/dev/null 2>&1 || { step "Installing valgrind (apt)"; apt-get install -y -qq valgrind >/dev/null; }

N=${BENCH_REQUESTS:-3000}
# Another build to count (e.g. one copied aside before a change), for a
# before/after comparison in one sitting.
SERVER_BINARY=${BENCH_BINARY:-target/release/sessionboard}
PORT=3202
BASE="http://localhost:$PORT"
DIR="$(mktemp -d)"
trap 'kill ${VG:-} 2>/dev/null; rm -rf "$DIR"' EXIT

step "Release build (and the bare router)"
cargo leptos build --release
cargo build --release -q -p server --example bare

# count PORT PATH COOKIE LABEL: instructions per request, printed and kept.
count() {
  local per
  per=$(callgrind_per_request "$DIR" "$VG" "$1" "$2" "$N" "$3")
  printf '    %-52s %7s instructions per request\n' "$4" "$per"
  ROWS+=("| $4 | $per |")
}
ROWS=()

step "Bare axum router under callgrind ($N requests)"
valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.%p" target/release/examples/bare "127.0.0.1:$PORT" 2>"$DIR/vg-bare.log" & VG=$!
for _ in $(seq 100); do curl -sf "$BASE/livez" >/dev/null && break; sleep 0.3; done
count "$PORT" /livez "" "bare axum router, no layers (baseline)"
kill "$VG"; wait "$VG" 2>/dev/null || true; rm -f "$DIR"/cg.*

step "$SERVER_BINARY under callgrind ($N requests each)"
bench_server "sqlite://$DIR/b.db?mode=rwc" "$PORT" "$DIR" valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.%p" "$SERVER_BINARY" 2>"$DIR/vg.log" & VG=$!
for _ in $(seq 300); do curl -sf "$BASE/livez" >/dev/null && break; sleep 0.5; done
curl -sf -m 120 -c "$DIR/jar" -o /dev/null -d "username=instructions&password=benchmark-pass&confirm=benchmark-pass" \
  "$BASE/api/register" || die "could not register the benchmark user"
COOKIE="__Host-sb_session=$(awk '$6 == "__Host-sb_session" { print $7 }' "$DIR/jar")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" -H 'Accept: text/html' "$BASE/sessions")" = 200 ] \
  || die "the benchmark cookie does not open /sessions"
count "$PORT" /livez "$COOKIE" "\`/livez\`, passed through the session layer"
count "$PORT" /api/ping "$COOKIE" "\`/api/ping\`, authenticated from the cache and tracked"
note "(one keep-alive connection, as a browser's: its cookie is hashed once and the digest remembered for the connection)"
[ -n "${BENCH_BINARY:-}" ] && { note "BENCH_BINARY is set: PERFORMANCE.md is left as it is"; exit 0; }
{
  echo "callgrind, user space only, $N keep-alive requests on one connection after 200 of warm-up; the server's build is the commit's release build."
  echo
  echo "| | instructions per request |"
  echo "|---|---|"
  printf '%s\n' "${ROWS[@]}"
} | perf_section instructions "bash scripts/bench-instructions.sh"
