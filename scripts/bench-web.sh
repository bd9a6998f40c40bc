#!/usr/bin/env bash
# Web benchmarks (not part of `make test`): transferred size of the page's
# wasm + js + css, SSR and session-layer throughput with wrk on loopback, and
# terminate → kicked-out latency in Chromium. Bounded in time and count.
source "$(dirname "$0")/common.sh"
ensure_build_tools
command -v wrk >/dev/null 2>&1 || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }

PORT=3200
BASE="http://localhost:$PORT"
BARE="http://127.0.0.1:3299"
DIR="$(mktemp -d)"
trap 'kill $SERVER $BARE_PID 2>/dev/null; rm -rf "$DIR"' EXIT

step "Release build (and a bare axum router with one route, the physical limit)"
cargo leptos build --release
cargo build --release -q -p server --example bare
target/release/examples/bare 127.0.0.1:3299 & BARE_PID=$!

step "Starting the release server on $BASE"
bench_server "sqlite://$DIR/bench.db?mode=rwc" "$PORT" "$DIR" target/release/sessionboard & SERVER=$!
for _ in $(seq 50); do curl -sf "$BASE/livez" >/dev/null && break; sleep 0.2; done

step "Transferred size of /sessions' wasm + js + css (gzip, as served)"
total=0
for f in sessionboard.wasm sessionboard.js sessionboard.css; do
  raw=$(stat -c %s "target/site/pkg/$f")
  gz=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$BASE/pkg/$f")
  total=$((total + gz)); printf '    %-20s raw %8d B   gzip %8d B\n' "$f" "$raw" "$gz"
done
size_kb=$(printf '%.1f' "$(echo "$total/1024" | bc -l)")
printf '    total transferred: %d B (%s KB)\n' "$total" "$size_kb"

step "Seeding a user with 20 active sessions and 50 in history"
COOKIE=$(seed_sessions_page "$BASE" "$DIR")
curl -sf -b "$SESSION_COOKIE=$COOKIE" "$BASE/sessions" | python3 -c 'import sys; h=sys.stdin.read(); print("    active cards:", h.count("data-field=\"pages-visited\""), " history page rows:", h.count("<tr data-session-id"))'

step "Throughput (wrk -t2 -c16 -d4s; the three in turn, order rotating, 9 rounds, medians)"
base=(); auth=(); bare=()
for round in 1 2 3 4 5 6 7 8 9; do
  # The same request (cookie included) to the same handler, which the
  # session layer passes through untouched, to the authenticated route, and
  # to a bare router; the order rotates every round so that drift on this
  # shared 2-core machine hits all alike.
  for k in 0 1 2; do
    case $(( (round + k) % 3 )) in
      0) base+=("$(rps -d4s -H "Cookie: $SESSION_COOKIE=$COOKIE" "$BASE/livez")") ;;
      1) auth+=("$(rps -d4s -H "Cookie: $SESSION_COOKIE=$COOKIE" "$BASE/api/ping")") ;;
      2) bare+=("$(rps -d4s -H "Cookie: $SESSION_COOKIE=$COOKIE" "$BARE/livez")") ;;
    esac
  done
done
ssrs=()
for _ in 1 2 3; do ssrs+=("$(rps -d5s -H "Cookie: $SESSION_COOKIE=$COOKIE" -H "Accept: text/html" "$BASE/sessions")"); done
ssr="${ssrs[*]}, median $(median "${ssrs[@]}")"
echo "    /livez (same handler, passed through):  ${base[*]} req/s, median $(median "${base[@]}")"
echo "    /api/ping (authenticated, session layer): ${auth[*]} req/s, median $(median "${auth[@]}")"
echo "    bare axum router, no layers:              ${bare[*]} req/s, median $(median "${bare[@]}")"
echo "    /sessions SSR (20 active, 50 in history): $ssr req/s"
printf '    ratio of medians, authenticated / no session layer: %.3f\n' \
  "$(echo "$(median "${auth[@]}") / $(median "${base[@]}")" | bc -l)"
printf '    ratio of medians, authenticated / bare router: %.3f\n' \
  "$(echo "$(median "${auth[@]}") / $(median "${bare[@]}")" | bc -l)"
# Each round's three runs are adjacent in time, so the median of the rounds'
# ratios is less moved by the machine's drift than the ratio of medians.
pairs=(); bares=()
for i in "${!base[@]}"; do
  pairs+=("$(echo "${auth[$i]} / ${base[$i]}" | bc -l | cut -c1-5)")
  bares+=("$(echo "${auth[$i]} / ${bare[$i]}" | bc -l | cut -c1-5)")
done
echo "    per-round ratios, authenticated / no session layer: ${pairs[*]}, median $(median "${pairs[@]}")"
echo "    per-round ratios, authenticated / bare router: ${bares[*]}, median $(median "${bares[@]}")"

step "Terminate → kicked-out latency (Playwright, 20 runs)"
latency=$(cd end2end && BENCH_BASE_URL="$BASE" npx playwright test --config bench/bench.config.ts | tee /dev/stderr \
  | sed -n 's/.*over [0-9]* runs: median \([0-9.]*\) ms, p95 \([0-9.]*\) ms.*/median \1 ms, p95 \2 ms/p')

ratio() { printf '%.3f' "$(echo "$1 / $2" | bc -l)"; }
perf_section web "bash scripts/bench-web.sh" <<MD
wrk -t2 -c16 on loopback, 9 rounds of 4 s with the order rotating (wrk shares the two cores with the server); medians.

| | figure | target |
|---|---|---|
| bare axum router, no layers (baseline) | $(median "${bare[@]}") req/s | |
| \`/livez\`, passed through the session layer (baseline) | $(median "${base[@]}") req/s | |
| \`/api/ping\`, the same handler authenticated and tracked | $(median "${auth[@]}") req/s | |
| ratio authenticated / passed through (median of the rounds' ratios) | $(ratio "$(median "${auth[@]}")" "$(median "${base[@]}")") ($(median "${pairs[@]}")) | ≥ 0.95 |
| ratio authenticated / bare router (median of the rounds' ratios) | $(ratio "$(median "${auth[@]}")" "$(median "${bare[@]}")") ($(median "${bares[@]}")) | ≥ 0.85 |
| \`/sessions\` SSR, 20 active sessions and 50 in history | $(median "${ssrs[@]}") req/s (3 runs of 5 s: ${ssrs[*]}) | ≥ 3,500 |
| Terminate → the other browser leaves \`/sessions\`, 20 runs | ${latency:-not measured} | p95 ≤ 200 ms |
| wasm + js + css for \`/sessions\`, gzip as served | $size_kb KB | ≤ 160 KB |
MD
