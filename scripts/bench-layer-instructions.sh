#!/usr/bin/env bash
# Instructions per authenticated request of the session layer crate alone
# (callgrind counts instructions, which repeat on a noisy machine):
# examples/embedded's `/whoami` (the layer, the store's cached
# authentication and the SignedIn extractor) against its `/livez` (the same
# router, outside the layer), on one keep-alive connection. User space only.
# Not part of `make test`.
source "$(dirname "$0")/common.sh"
command -v valgrind >/dev/null 2>&1 || { step "Installing valgrind (apt)"; apt-get install -y -qq valgrind >/dev/null; }

N=${BENCH_REQUESTS:-3000}
PORT=3330
DIR="$(mktemp -d)"
trap 'kill ${VG:-} 2>/dev/null; rm -rf "$DIR"' EXIT

step "Release build of the example"
cargo build --release -q -p embedded-example --bin embedded-example

count() { callgrind_per_request "$DIR" "$VG" "$PORT" "$1" "$N" "${2:-}"; }

step "The example under callgrind ($N requests each)"
ADDR=127.0.0.1:$PORT DATABASE_URL="sqlite://$DIR/e.db?mode=rwc" \
  valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.%p" target/release/embedded-example >/dev/null 2>"$DIR/vg.log" & VG=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.5; done
curl -sf -m 120 -c "$DIR/jar" -H "Origin: http://localhost:$PORT" -d 'username=instructions&password=benchmark-pass' \
  "http://127.0.0.1:$PORT/signup" >/dev/null || die "could not sign up"
COOKIE="session=$(awk '$6 == "session" { print $7 }' "$DIR/jar")"
bare=$(count /livez "")
layered=$(count /whoami "$COOKIE")
alone=$((layered - bare))
note "/livez $bare, /whoami $layered: the layer alone $alone instructions per request"

perf_section layer-instructions "bash scripts/bench-layer-instructions.sh" <<MD
callgrind, user space only, $N keep-alive requests on one connection after
200 of warm-up, release build of examples/embedded.

| | instructions per request |
|---|---|
| \`/livez\`, outside the layer (baseline) | $bare |
| \`/whoami\` signed in: the layer, the cached authentication, \`SignedIn\` | $layered |
| **the layer alone** (difference) | **$alone** |
MD
