#!/usr/bin/env bash
# Shared by run.sh and test.sh: installs what the build needs, idempotently.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.11"
BINARYEN_BIN="$ROOT/tools/node_modules/.bin"
export PATH="$HOME/.cargo/bin:$BINARYEN_BIN:$PATH"
# cargo-leptos bakes this name into the build; plain cargo commands set it too
# so that both share compiled artifacts instead of rebuilding each other's.
export LEPTOS_OUTPUT_NAME=sessionboard

step() { printf '\n\033[1;34m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required but not installed ($2)"; }

# Downloads and unpacks a crate's source from crates.io into .tmp/src.
fetch_crate() {
  local name=$1 version=$2 dir="$ROOT/.tmp/src/$1-$2"
  if [ ! -d "$dir" ]; then
    mkdir -p "$ROOT/.tmp/src"
    curl -sSfL "https://static.crates.io/crates/$name/$name-$version.crate" | tar xz -C "$ROOT/.tmp/src" \
      || die "could not download $name $version from crates.io"
  fi
  echo "$dir"
}

ensure_rust() {
  need cargo "install Rust with rustup"
  need rustup "install Rust with rustup"
  need curl "apt-get install curl"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "Adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    return
  fi
  step "Installing cargo-leptos $CARGO_LEPTOS_VERSION (built from source: about 10-17 minutes on 2 cores)"
  local src
  src=$(fetch_crate cargo-leptos "$CARGO_LEPTOS_VERSION")
  # Its lockfile's cargo-util-schemas 0.14.2 needs a newer rustc than 1.95.
  (cd "$src" && cargo update -q -p cargo-util-schemas --precise 0.14.1 \
    && cargo install --path . --locked --features no_downloads --root "$HOME/.cargo")
}

ensure_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || die "wasm-bindgen is missing from Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    return
  fi
  step "Installing wasm-bindgen-cli $want (must match the wasm-bindgen crate; about 3 minutes)"
  local src
  src=$(fetch_crate wasm-bindgen-cli "$want")
  # Its lockfile's webpki-roots 1.0.11 fails to build here; 1.0.10 works.
  (cd "$src" && cargo update -q -p webpki-roots --precise 1.0.10 \
    && cargo install --path . --locked --bin wasm-bindgen --root "$HOME/.cargo")
}

ensure_node_tools() {
  need npm "apt-get install nodejs npm"
  if [ ! -x "$BINARYEN_BIN/wasm-opt" ]; then
    step "Installing wasm-opt (npm binaryen@132, not Debian's older one)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
}

ensure_build_tools() {
  ensure_rust
  ensure_cargo_leptos
  ensure_wasm_bindgen
  ensure_node_tools
}

# The environment the benchmarks run the release server in, then a command:
#   bench_server DATABASE_URL PORT STATE_DIR [VAR=value ...] COMMAND [ARGS ...] & PID=$!
# Later VAR=value pairs win (PUBLIC_ORIGIN behind a proxy, say). Only in the
# background: it execs, so that $! is the server (or valgrind) itself.
bench_server() {
  local db=$1 port=$2 dir=$3; shift 3
  exec env DATABASE_URL="$db" LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site \
    PUBLIC_ORIGIN="http://localhost:$port" GEOIP_DB=sessions/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb \
    RUST_LOG=warn SECRET_KEY_FILE="$dir/secret.key" "$@"
}

# The sessions page the benchmarks render: a new user with 20 active sessions
# and 50 in history on the server at BASE (files in DIR); prints the cookie
# value of one of the active sessions.
#   COOKIE=$(seed_sessions_page BASE DIR)
SESSION_COOKIE=__Host-sb_session
seed_sessions_page() {
  local base=$1 dir=$2 user="bench$RANDOM$$" i j
  curl -sf -c "$dir/jar" -d "username=$user&password=benchmark-pass&confirm=benchmark-pass" "$base/api/register" >/dev/null
  for i in $(seq 30); do
    j="$dir/j$i"; curl -sf -c "$j" -d "username=$user&password=benchmark-pass" "$base/api/login" >/dev/null
    curl -sf -b "$j" -H "Origin: $base" -X POST "$base/api/logout" >/dev/null
  done
  for i in $(seq 19); do curl -sf -d "username=$user&password=benchmark-pass" "$base/api/login" >/dev/null; done
  awk -v n="$SESSION_COOKIE" '$6 == n { print $7 }' "$dir/jar"
}

# Instructions per request of the process under callgrind: N keep-alive
# GETs of PATH on one connection (after 200 of warm-up), the counters zeroed
# before and dumped after; fails on any status but 200. The dumps go to DIR
# (valgrind started with --callgrind-out-file="$DIR/cg.%p").
#   per=$(callgrind_per_request DIR VG_PID PORT PATH N [COOKIE])
callgrind_per_request() {
  local dir=$1 vg=$2 port=$3 path=$4 n=$5 cookie=${6:-} f
  cat > "$dir/client.py" <<'PY'
import http.client, sys
port, path, n, cookie = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"{path}: status {r.status}")
PY
  python3 "$dir/client.py" "$port" "$path" 200 "$cookie"
  callgrind_control -z "$vg" >/dev/null 2>&1
  python3 "$dir/client.py" "$port" "$path" "$n" "$cookie"
  callgrind_control -d "$vg" >/dev/null 2>&1
  f=$(ls -t "$dir"/cg.*.* | head -1)
  callgrind_annotate "$f" | awk -v n="$n" '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / n }'
  rm -f "$dir"/cg.*.*
}

# Requests per second of one wrk run (wrk's arguments), and the median of numbers.
rps() { wrk -t2 -c16 "$@" | awk '/Requests\/sec/ { print $2 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Replaces section NAME of PERFORMANCE.md (between <!-- bench:NAME --> and
# <!-- /bench:NAME -->) with the markdown read from stdin, headed by the
# date, the commit, the machine and COMMAND. Latest figures only: git keeps
# the earlier ones.
#   printf '| a | b |\n' | perf_section web "bash scripts/bench-web.sh"
perf_section() {
  local name=$1 command=$2 commit cpu body
  body=$(cat)
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  git -C "$ROOT" diff --quiet HEAD -- . ':!PERFORMANCE.md' 2>/dev/null || commit="$commit with uncommitted changes"
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
  PERF_BODY="$body" python3 - "$ROOT/PERFORMANCE.md" "$name" "$(date -u +%Y-%m-%d)" "$commit" "$(nproc) × ${cpu:-unknown CPU}" "$command" <<'PY'
import os, re, sys
path, name, day, commit, machine, command = sys.argv[1:]
body = os.environ["PERF_BODY"].rstrip("\n")
text = open(path, encoding="utf-8").read()
start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
if start not in text or end not in text:
    sys.exit(f"PERFORMANCE.md has no section {name}")
head = f"_Measured {day}, commit {commit}, on {machine} (nproc × CPU), by `{command}`._"
new = f"{start}\n{head}\n\n{body}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: new, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
print(f"    PERFORMANCE.md: section '{name}' updated")
PY
}
