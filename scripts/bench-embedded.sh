#!/usr/bin/env bash
# The session layer crate in an app of its own (not part of `make test`):
# examples/embedded's authenticated page against the same page on
# tower-sessions 0.14 with its moka store, wrk on loopback, rounds
# alternating, medians. Bounded in time and count.
source "$(dirname "$0")/common.sh"
command -v wrk >/dev/null 2>&1 || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }

OURS=127.0.0.1:3310
THEIRS=127.0.0.1:3311
DIR="$(mktemp -d)"
trap 'kill $OURS_PID $THEIRS_PID 2>/dev/null; rm -rf "$DIR"' EXIT

step "Release build of the example and of the tower-sessions baseline"
cargo build --release -q -p embedded-example --features baseline --bins

step "Starting both"
ADDR=$OURS DATABASE_URL="sqlite://$DIR/e.db?mode=rwc" target/release/embedded-example >/dev/null & OURS_PID=$!
ADDR=$THEIRS target/release/tower-sessions-baseline & THEIRS_PID=$!
for _ in $(seq 50); do curl -sf "http://$OURS/" >/dev/null && curl -s "http://$THEIRS/notes" >/dev/null && break; sleep 0.2; done

step "Signing in to each"
curl -sf -c "$DIR/ours" -H "Origin: http://localhost:${OURS##*:}" -d 'username=bench&password=benchmark-pass' "http://$OURS/signup" >/dev/null
curl -sf -c "$DIR/theirs" -X POST "http://$THEIRS/login" >/dev/null
OURS_COOKIE=$(awk '$6 == "session" { print $6 "=" $7 }' "$DIR/ours")
THEIRS_COOKIE=$(awk '$6 == "id" { print $6 "=" $7 }' "$DIR/theirs")
[ -n "$OURS_COOKIE" ] && [ -n "$THEIRS_COOKIE" ] || die "sign-in failed"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $OURS_COOKIE" "http://$OURS/notes")" = 200 ] || die "the example refused its cookie"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $THEIRS_COOKIE" "http://$THEIRS/notes")" = 200 ] || die "the baseline refused its cookie"

step "GET /notes signed in (wrk -t2 -c16 -d4s, 7 rounds, order alternating)"
ours=(); theirs=()
for round in 1 2 3 4 5 6 7; do
  if [ $((round % 2)) -eq 1 ]; then
    ours+=("$(rps -d4s -H "Cookie: $OURS_COOKIE" "http://$OURS/notes")")
    theirs+=("$(rps -d4s -H "Cookie: $THEIRS_COOKIE" "http://$THEIRS/notes")")
  else
    theirs+=("$(rps -d4s -H "Cookie: $THEIRS_COOKIE" "http://$THEIRS/notes")")
    ours+=("$(rps -d4s -H "Cookie: $OURS_COOKIE" "http://$OURS/notes")")
  fi
  note "round $round: sessionboard-layer ${ours[-1]}  tower-sessions ${theirs[-1]}"
done
m_ours=$(median "${ours[@]}"); m_theirs=$(median "${theirs[@]}")
ratio=$(printf '%.3f' "$(echo "$m_ours / $m_theirs" | bc -l)")
note "medians: sessionboard-layer $m_ours req/s, tower-sessions $m_theirs req/s, ratio $ratio"

perf_section embedded "bash scripts/bench-embedded.sh" <<MD
examples/embedded's \`GET /notes\` signed in, against the same page on
tower-sessions 0.14 with its moka store (sessions in memory, its fastest
setup); both release builds, wrk -t2 -c16 -d4s on loopback, 7 rounds
alternating, medians.

| | req/s (median) | runs |
|---|---|---|
| sessionboard-layer (SQLite store, per-thread authentication cache) | $m_ours | ${ours[*]} |
| tower-sessions 0.14 + moka store | $m_theirs | ${theirs[*]} |

sessionboard-layer / tower-sessions = **$ratio** (goal ≥ 1.0).
MD
