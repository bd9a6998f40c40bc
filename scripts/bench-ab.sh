#!/usr/bin/env bash
# Same-run A/B of the sessions page between two release server binaries (the
# build before a change and the build after): both seeded like bench-web.sh
# and served side by side, then measured in alternating wrk rounds, so that
# the machine's drift hits both alike. Not part of `make test`.
#   cp target/release/sessionboard /tmp/before   # ...change, rebuild...
#   bash scripts/bench-ab.sh /tmp/before target/release/sessionboard [ROUNDS]
source "$(dirname "$0")/common.sh"
[ $# -ge 2 ] || die "usage: bench-ab.sh BEFORE_BINARY AFTER_BINARY [ROUNDS, default 8]"
BEFORE=$1 AFTER=$2 ROUNDS=${3:-8}
[ -x "$BEFORE" ] && [ -x "$AFTER" ] || die "both binaries must exist and be executable"
[ -d target/site/pkg ] || die "target/site is missing: run cargo leptos build --release first"
command -v wrk >/dev/null 2>&1 || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
DIR_A="$(mktemp -d)" DIR_B="$(mktemp -d)"
trap 'kill ${PID_A:-} ${PID_B:-} 2>/dev/null; rm -rf "$DIR_A" "$DIR_B"' EXIT

step "Starting both servers (before on :3210, after on :3211) and seeding them alike"
bench_server "sqlite://$DIR_A/bench.db?mode=rwc" 3210 "$DIR_A" "$BEFORE" & PID_A=$!
bench_server "sqlite://$DIR_B/bench.db?mode=rwc" 3211 "$DIR_B" "$AFTER" & PID_B=$!
for port in 3210 3211; do
  for _ in $(seq 50); do curl -sf "http://localhost:$port/livez" >/dev/null && break; sleep 0.2; done
done
COOKIE_A=$(seed_sessions_page http://localhost:3210 "$DIR_A")
COOKIE_B=$(seed_sessions_page http://localhost:3211 "$DIR_B")

step "/sessions, $ROUNDS rounds of wrk -t2 -c16 -d4s each, the order alternating"
page() { rps -d4s -H "Cookie: $SESSION_COOKIE=$1" -H "Accept: text/html" "http://localhost:$2/sessions"; }
a=(); b=(); ahead=0
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    a+=("$(page "$COOKIE_A" 3210)"); b+=("$(page "$COOKIE_B" 3211)")
  else
    b+=("$(page "$COOKIE_B" 3211)"); a+=("$(page "$COOKIE_A" 3210)")
  fi
  awk -v x="${a[-1]}" -v y="${b[-1]}" 'BEGIN { exit !(y > x) }' && ahead=$((ahead + 1))
done
echo "    before: ${a[*]} req/s, median $(median "${a[@]}")"
echo "    after:  ${b[*]} req/s, median $(median "${b[@]}")"
printf '    after / before, ratio of medians: %.3f; after ahead in %d of %d rounds\n' \
  "$(echo "$(median "${b[@]}") / $(median "${a[@]}")" | bc -l)" "$ahead" "$ROUNDS"
