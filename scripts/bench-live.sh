#!/usr/bin/env bash
# Open boards on one release server (issue 28): about 10,000 live streams
# held by a load client on loopback (server/examples/live_load.rs), then
# memory per stream, CPU while idle, kick-out latency, fan-out to 1, 10 and
# 50 streams of an account, and a new login reaching 1,000 boards that
# refetch their data (1,000 sessions of one account; then 50 sessions with
# 20 tabs each). Bounded: 10,081 boards, 20 runs, two logins; a few minutes
# after the builds. Not part of `make test`.
source "$(dirname "$0")/common.sh"
ensure_build_tools

PORT=3211
DIR="$(mktemp -d)"
trap 'kill ${SERVER:-} 2>/dev/null; rm -rf "$DIR"' EXIT
BOARDS=${BOARDS:-1000}    # per account, 10 accounts
RUNS=${RUNS:-20}

# Both processes hold a socket per stream.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((BOARDS * 10 + 500)) ] \
  || die "the file-descriptor limit ($(ulimit -n)) is below $((BOARDS * 10 + 500)); raise the hard limit (ulimit -Hn)"

step "Release build (server and the load client)"
cargo leptos build --release
cargo build --release -p server --example live_load

step "Creating the accounts and sessions"
DB="sqlite://$DIR/live.db?mode=rwc"
target/release/examples/live_load setup "$DB" "$DIR/sessions.tsv" --accounts 9 --boards "$BOARDS" --runs "$RUNS"

step "Starting the release server on 127.0.0.1:$PORT"
LIVE_STREAMS_PER_USER=$((BOARDS + RUNS + 100)) LIVE_STREAMS_PER_SESSION=$((BOARDS / 50)) \
  bench_server "$DB" "$PORT" "$DIR" target/release/sessionboard 2>"$DIR/server.log" & SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.1; done

step "Opening the streams and measuring"
target/release/examples/live_load run "127.0.0.1:$PORT" "$DIR/sessions.tsv" "$SERVER" --runs "$RUNS" | tee "$DIR/out"
[ "${PIPESTATUS[0]}" -eq 0 ] || { tail -5 "$DIR/server.log"; die "the load client failed"; }
note "server warnings: $(grep -c WARN "$DIR/server.log") (slow pool acquisitions during the refetches, mostly)"
v() { awk -v k="$1" '$1 == k { print $2 }' "$DIR/out"; }

perf_section live "bash scripts/bench-live.sh" <<MD
One release server on SQLite; a load client on the same machine holds
$(v open_streams) live streams: 9 accounts of $BOARDS boards, each board its
own session; one account of $BOARDS boards as 50 sessions with
$((BOARDS / 50)) tabs each; the fan-out accounts. The boards of the first
account and of the tabs' account refetch the board's data on each change,
as the page does; the others only listen.

| | measured | goal |
|---|---|---|
| streams opened | $(v open_streams) in $(v open_secs) s | |
| resident memory | $(v rss_before_mb) MB before, $(v rss_after_mb) MB with every stream open | |
| resident memory per open stream | $(v rss_per_stream_kib) KiB | ≤ 16 KiB |
| CPU while idle with every stream open (heartbeats and session rechecks) | $(v idle_cpu_percent) % of one core | |
| Terminate → that board told it is signed out ($RUNS runs, each refetched by 1,000 boards) | p50 $(v kick_p50_ms) ms, p95 $(v kick_p95_ms) ms, max $(v kick_max_ms) ms | p95 ≤ 300 ms |
| a change reaches every stream of an account: 1 stream | p50 $(v fanout_1_p50_ms) ms, p95 $(v fanout_1_p95_ms) ms | |
| 10 streams | p50 $(v fanout_10_p50_ms) ms, p95 $(v fanout_10_p95_ms) ms | |
| 50 streams | p50 $(v fanout_50_p50_ms) ms, p95 $(v fanout_50_p95_ms) ms | |
| a new login (Argon2id: $(v live0_login_ms) ms) shown on $(v live0_boards) open boards of an account of $(v live0_cards) active sessions (each board its own session), each told and refetching | half by $(v live0_shown_p50_ms) ms, all by $(v live0_shown_all_ms) ms | ≤ 1 s |
| the same on $(v tabs_boards) boards of an account of $(v tabs_cards) active sessions ($((BOARDS / 50)) tabs each) | half by $(v tabs_shown_p50_ms) ms, all by $(v tabs_shown_all_ms) ms | ≤ 1 s |
| resident memory at the end | $(v rss_end_mb) MB | |

Times run from the request that made the change to the stream (or the
refetched data) saying so at the client.
MD
