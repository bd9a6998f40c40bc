#!/usr/bin/env bash
# The admin console's criterion benchmarks on PostgreSQL (not part of
# `make test`): 100,000 accounts and BENCH_AUDIT_ROWS audit events
# (10,000,000 by default) in a database created and dropped by the bench;
# the account search and the audit filters, and the cost of a sign-in's
# audit events. The figures go into PERFORMANCE.md.
source "$(dirname "$0")/common.sh"
need cargo "install Rust with rustup"
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

step "cargo bench -p sessions --bench admin"
rm -rf target/criterion/admin_postgres target/criterion/sign_in_postgres
cargo bench -p sessions --bench admin 2>&1 | tee "$OUT"

python3 - "$OUT" <<'PY' | perf_section admin "bash scripts/bench-admin.sh"
import glob, json, os, re, sys
log = open(sys.argv[1], encoding="utf-8", errors="replace").read()
est = {}
for bench in glob.glob("target/criterion/**/new/benchmark.json", recursive=True):
    meta = json.load(open(bench))
    median = json.load(open(os.path.join(os.path.dirname(bench), "estimates.json")))["median"]["point_estimate"]
    est[(meta["group_id"], meta["function_id"])] = median

def fmt(ns):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= div: return f"{ns / div:.2f} {unit}"
    return f"{ns:.1f} ns"

g = "admin_postgres"
seeded = re.search(r"seeded (\d+) accounts and (\d+) audit events in (\S+)", log)
if seeded:
    print(f"criterion medians, PostgreSQL on loopback: {int(seeded.group(1)):,} accounts and {int(seeded.group(2)):,} audit events (seeded by one `generate_series` statement each, in {seeded.group(3)}); through the store as the pages call it, the administrator's checks included.")
    print()
print("| | median | target |")
print("|---|---|---|")
for label, fn, target in (
    ("baseline `SELECT 1` round trip", "select_1", ""),
    ("`/admin/users` search (`user4242`: 11 accounts)", "users_search", "≤ 5 ms"),
    ("audit filter by account (50 newest of 100)", "audit_by_account", "≤ 5 ms"),
    ("audit filter by kind (50 newest of 2,000,000)", "audit_by_kind", "≤ 5 ms"),
):
    v = est.get((g, fn))
    print(f"| {label} | {fmt(v) if v else '—'} | {target} |")
plain, audit = est.get(("sign_in_postgres", "plain")), est.get(("sign_in_postgres", "its_audit_events"))
if plain and audit:
    print()
    print(f"A password sign-in at the production Argon2 cost: {fmt(plain)}. Its two audit events captured and written at once (the worst case; the server batches them with the activity flush), measured alone: {fmt(audit)}, so a sign-in with them costs **{(plain + audit) / plain:.3f}×** (goal ≤ 1.05×).")
PY
