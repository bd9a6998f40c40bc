#!/usr/bin/env bash
# The store's criterion benchmarks (not part of `make test`): SQLite with
# 1,000,000 session rows and PostgreSQL with BENCH_PG_ROWS (10,000,000 by
# default) in a database created and dropped by the bench, then user-agent
# parsing; the figures go into PERFORMANCE.md. BENCH_SKIP_SQLITE=1 skips
# SQLite. About ten minutes with the build.
source "$(dirname "$0")/common.sh"
need cargo "install Rust with rustup"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

step "cargo bench -p sessions --bench store"
rm -rf target/criterion/store_* target/criterion/user_agent
cargo bench -p sessions --bench store 2>&1 | tee "$OUT"

python3 - "$OUT" <<'PY' | perf_section store "bash scripts/bench-store.sh"
import glob, json, os, re, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
est = {}
for bench in glob.glob("target/criterion/**/new/benchmark.json", recursive=True):
    meta = json.load(open(bench))
    median = json.load(open(os.path.join(os.path.dirname(bench), "estimates.json")))["median"]["point_estimate"]
    est[(meta["group_id"], meta["function_id"])] = median

def fmt(ns):
    if ns is None: return "—"
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div: return f"{ns / div:.1f} {unit}"
    return f"{ns:.1f} ns"

rows = [
    ("baseline `SELECT 1` round trip", "baseline_select_1", ""),
    ("authenticate, database read", "authenticate_uncached", "≤ 1.3 × `SELECT 1` on PostgreSQL"),
    ("authenticate, cached", "authenticate_cached", ""),
    ("record activity (in memory)", "record_activity_in_memory", ""),
    ("flush of 1,000 sessions, one statement per batch", "flush_1000_sessions_one_statement", ""),
    ("the same flush row by row (the former loop, for comparison)", "flush_1000_sessions_row_by_row", ""),
    ("list active (20 of a user's 100)", "list_active", "≤ 5 ms"),
    ("first history page", "history_first_page", "≤ 5 ms"),
    ("the whole sessions page (one statement)", "sessions_page", ""),
]
backends = [b for b in ("sqlite", "postgres") if any(g == f"store/{b}" for g, _ in est)]
print("criterion medians. SQLite: a file in WAL mode with 1,000,000 session rows; PostgreSQL: loopback, rows seeded by one `generate_series` statement.")
print()
print("| | " + " | ".join({"sqlite": "SQLite", "postgres": "PostgreSQL"}[b] for b in backends) + " | target |")
print("|---|" + "---|" * len(backends) + "---|")
for label, fn, target in rows:
    print(f"| {label} | " + " | ".join(fmt(est.get((f"store/{b}", fn))) for b in backends) + f" | {target} |")
print()
for b in backends:
    m = re.search(rf"store/{b}/authenticate_vs_select_1: .*?ratio of the rounds' medians: median ([0-9.]+) \(rounds ([0-9.]+) to ([0-9.]+)\)", log)
    if m: print(f"- {b}: authenticate read / `SELECT 1` from interleaved rounds (steadier than the ratio of the two medians): {m.group(1)}, rounds {m.group(2)} to {m.group(3)}")
for b in backends:
    m = re.search(rf"store/{b}/prune: (.*)", log)
    if m: print(f"- {b}, pruning 1,000,000 expired rows: {m.group(1).strip()}")
for m in re.finditer(r"seeded (\d+) sessions in (\S+)", log):
    print(f"- seeded {int(m.group(1)):,} rows in {m.group(2)}")
print()
print("| user-agent parsing | median |")
print("|---|---|")
for label, fn in (("building the parser (once, at the first login)", "parser_construction"), ("a cold parse", "parse_cold"), ("a cached lookup", "parse_cached")):
    print(f"| {label} | {fmt(est.get(('user_agent', fn)))} |")
PY
