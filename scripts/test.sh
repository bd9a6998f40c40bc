#!/usr/bin/env bash
# `make test`: formatting, clippy, every Rust test (store tests on SQLite and
# on PostgreSQL), then Playwright end-to-end tests in headless Chromium
# against a freshly built server on its own port and temporary SQLite file.
source "$(dirname "$0")/common.sh"

ensure_build_tools

if ! command -v chromium >/dev/null 2>&1; then
  step "Installing Debian's chromium for the end-to-end tests"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null \
    || die "could not install chromium with apt-get"
fi
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  step "Installing nginx (the load balancer of the several-servers tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx-light >/dev/null \
    || die "could not install nginx with apt-get"
fi
if ! command -v caddy >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  step "Installing Caddy and openssl (the forward-authentication tests' second proxy and certificate)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq caddy openssl >/dev/null \
    || die "could not install caddy and openssl with apt-get"
  # Debian starts a Caddy service on :80; the tests run their own.
  $SUDO systemctl disable --now caddy >/dev/null 2>&1 || true
fi
if [ ! -x tools/py-venv/bin/aiosmtpd ] || [ ! -x tools/py-venv/bin/openapi-spec-validator ]; then
  step "Installing the tests' Python tools into tools/py-venv: aiosmtpd (the email tests' SMTP server), openapi-spec-validator"
  python3 -m venv tools/py-venv || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  tools/py-venv/bin/pip install -q --disable-pip-version-check aiosmtpd 'openapi-spec-validator>=0.7' \
    || die "could not install aiosmtpd and openapi-spec-validator from PyPI"
fi
if [ ! -d end2end/node_modules/@playwright/test ]; then
  step "Installing Playwright (npm, no browser download)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (server side, all targets)"
cargo clippy -p server -p app -p sessions -p migrations -p sessionboard-layer -p embedded-example --all-targets -- -D warnings
step "cargo clippy (browser side, wasm32)"
cargo clippy -p frontend -p app --target wasm32-unknown-unknown -- -D warnings

# A PostgreSQL database of our own for this run, dropped at exit.
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="sessionboard_test_$(date +%s)_$$"
E2E_PG_DB="sessionboard_e2e_$(date +%s)_$$"
E2E_DB_DIR="$(mktemp -d)"
export E2E_DB_DIR
cleanup() {
  rm -rf "$E2E_DB_DIR"
  if [ -f "${E2E_NGINX_PREFIX:-/nonexistent}/nginx.pid" ]; then
    kill "$(cat "$E2E_NGINX_PREFIX/nginx.pid")" 2>/dev/null || true
  fi
  if [ -n "${SESSIONBOARD_TEST_PG_URL:-}" ]; then
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $E2E_PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "${E2E_NGINX_PREFIX:-}"
}
trap cleanup EXIT

if ! command -v psql >/dev/null 2>&1; then
  step "Installing the PostgreSQL client (psql)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq postgresql-client >/dev/null || true
fi
if command -v psql >/dev/null 2>&1 && psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $PG_DB" >/dev/null 2>&1; then
  export SESSIONBOARD_TEST_PG_URL="${PG_ADMIN_URL%/*}/$PG_DB"
  note "PostgreSQL store tests use database $PG_DB"
  if psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $E2E_PG_DB" >/dev/null 2>&1; then
    # Two servers behind nginx on one PostgreSQL database (end2end/tests/several-servers.spec.ts).
    export E2E_PG_URL="${PG_ADMIN_URL%/*}/$E2E_PG_DB" E2E_PG_ADMIN_URL="$PG_ADMIN_URL" E2E_PG_DB
    E2E_NGINX_PREFIX="$(mktemp -d /tmp/sessionboard-nginx.XXXXXX)"
    chmod 755 "$E2E_NGINX_PREFIX"
    export E2E_NGINX_PREFIX
    sed -e 's/127.0.0.1:3001;\(.*\)# @SERVER_1/127.0.0.1:3111;\1# @SERVER_1/' \
        -e 's/127.0.0.1:3002;\(.*\)# @SERVER_2/127.0.0.1:3112;\1# @SERVER_2/' \
        -e 's/listen 80;   # @LISTEN/listen 127.0.0.1:3110;/' \
        deploy/nginx.conf > "$E2E_NGINX_PREFIX/nginx.conf"
    note "several-servers tests: nginx on :3110 over two servers on database $E2E_PG_DB"
  fi
else
  printf '\n\033[1;33m!!! No PostgreSQL answers at %s: the PostgreSQL store tests will be SKIPPED !!!\033[0m\n' "$PG_ADMIN_URL"
  if [ "${CI:-}" = "true" ]; then die "PostgreSQL is required in CI"; fi
fi

step "cargo test (unit, store on SQLite and PostgreSQL, server)"
cargo test -p server -p app -p sessions -p migrations -p sessionboard-layer -p embedded-example

step "cargo doc (the store and the session layer crates, warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc -p sessions -p sessionboard-layer --no-deps -q

step "Validating docs/openapi.json (openapi-spec-validator; the router tests check it matches the code)"
tools/py-venv/bin/openapi-spec-validator --schema 3.1 docs/openapi.json

step "Building the app for the end-to-end tests (debug)"
cargo leptos build

step "Playwright end-to-end tests (headless Chromium)"
(cd end2end && npx playwright test)
