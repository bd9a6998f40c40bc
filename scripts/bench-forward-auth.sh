#!/usr/bin/env bash
# Forward authentication through nginx on loopback (not part of `make test`):
# wrk in alternating rounds against
#   (a) nginx -> a static upstream, no authentication (the ceiling),
#   (b) nginx auth_request to a location nginx answers itself (the mechanism),
#   (c) nginx auth_request to Sessionboard's /auth/verify with a valid cookie;
# the instructions one verification costs Sessionboard (callgrind); and the
# time from a Terminate to the first refusal (302 to the login page) through nginx, p95 over 20 runs, on
# one server and (with PostgreSQL) across two. Bounded in time and count.
source "$(dirname "$0")/common.sh"
ensure_build_tools
command -v wrk >/dev/null 2>&1 || { step "Installing wrk (apt)"; apt-get install -y -qq wrk >/dev/null; }
command -v valgrind >/dev/null 2>&1 || { step "Installing valgrind (apt)"; apt-get install -y -qq valgrind >/dev/null; }
[ -x /usr/sbin/nginx ] || { step "Installing nginx (apt)"; apt-get install -y -qq nginx-light >/dev/null; }

ROUNDS=${BENCH_ROUNDS:-5}
SB=3240; SB2=3241; STATIC=3242; A=3243; B=3244; C=3245
DIR="$(mktemp -d)"; chmod 755 "$DIR"
PG_ADMIN="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="sessionboard_fa_bench_$$"
cleanup() {
  kill ${S1:-} ${S2:-} ${VG:-} 2>/dev/null || true
  [ -f "$DIR/nginx.pid" ] && kill "$(cat "$DIR/nginx.pid")" 2>/dev/null || true
  [ -n "${PG_URL:-}" ] && psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

step "Release build"
cargo leptos build --release

printf '[[app]]\nname = "Bench"\nurl = "http://localhost:%s/"\n' "$C" > "$DIR/apps.toml"
SNIPPETS="$ROOT/deploy/forward-auth/nginx"
cat > "$DIR/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $DIR/nginx.pid;
error_log stderr;
events { worker_connections 1024; }
http {
  access_log off;
  include $SNIPPETS/sessionboard-http.conf;
  upstream sessionboard { server 127.0.0.1:$SB; keepalive 32; }
  upstream static { server 127.0.0.1:$STATIC; keepalive 32; }
  server { listen 127.0.0.1:$STATIC; location / { return 200 "hello\n"; } }
  server { listen 127.0.0.1:$A;
    location / { proxy_pass http://static; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$B;
    location = /.ok { internal; return 200; }
    location / { auth_request /.ok; proxy_pass http://static; proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$C;
    include $SNIPPETS/sessionboard-server.conf;
    location / { include $SNIPPETS/sessionboard-protect.conf;
      proxy_pass http://static; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGINX

start_sessionboard() { # PORT DATABASE_URL [COMMAND PREFIX...]
  local port=$1 db=$2; shift 2
  bench_server "$db" "$port" "$DIR" APPS_FILE="$DIR/apps.toml" TRUSTED_PROXIES=127.0.0.1/32 \
    PUBLIC_ORIGIN="http://localhost:$C" "$@" target/release/sessionboard
}
wait_up() { for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/livez" >/dev/null && return; sleep 0.3; done; die "port $1 did not answer"; }

step "Starting Sessionboard and nginx"
start_sessionboard "$SB" "sqlite://$DIR/fa.db?mode=rwc" & S1=$!
wait_up "$SB"
/usr/sbin/nginx -p "$DIR" -c "$DIR/nginx.conf" -e stderr
wait_up "$A"
curl -sf -c "$DIR/jar" -o /dev/null -d "username=bench&password=benchmark-pass&confirm=benchmark-pass" \
  -H "Origin: http://localhost:$C" "http://127.0.0.1:$SB/api/register" || die "could not register"
COOKIE="__Host-sb_session=$(awk '$6 == "__Host-sb_session" { print $7 }' "$DIR/jar")"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://localhost:$C/")" = 200 ] \
  || die "the benchmark cookie is not let through (c)"
[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://localhost:$C/")" = "302 http://localhost:$C/login?rd=http%3A%2F%2Flocalhost%3A$C%2F" ] \
  || die "(c) does not send an anonymous request to the login page"

step "Throughput (wrk -t2 -c16 -d4s, $ROUNDS rounds, order rotating, medians)"
ra=(); rb=(); rc=()
for round in $(seq "$ROUNDS"); do
  for k in 0 1 2; do
    case $(( (round + k) % 3 )) in
      0) ra+=("$(rps -d4s -H "Cookie: $COOKIE" "http://localhost:$A/")") ;;
      1) rb+=("$(rps -d4s -H "Cookie: $COOKIE" "http://localhost:$B/")") ;;
      2) rc+=("$(rps -d4s -H "Cookie: $COOKIE" "http://localhost:$C/")") ;;
    esac
  done
done
ma=$(median "${ra[@]}"); mb=$(median "${rb[@]}"); mc=$(median "${rc[@]}")
echo "    (a) nginx -> static, no auth:        ${ra[*]} req/s, median $ma"
echo "    (b) auth_request answered by nginx:  ${rb[*]} req/s, median $mb"
echo "    (c) auth_request to /auth/verify:    ${rc[*]} req/s, median $mc"
cb=$(printf '%.3f' "$(echo "$mc/$mb" | bc -l)"); ca=$(printf '%.3f' "$(echo "$mc/$ma" | bc -l)")
echo "    (c)/(b) = $cb (goal >= 0.85), (c)/(a) = $ca"

# Time from sending Terminate (the commit happens before its answer) to the
# first refusal (302 to the login page) a keep-alive client polling through nginx sees; prints p50 and p95 (ms).
cat > "$DIR/revoke.py" <<'PY'
import http.client, re, sys, time, urllib.parse
nginx_port, sb_port, end_port, runs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
origin = f"http://localhost:{nginx_port}"
def login(port):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/api/login", body="username=bench&password=benchmark-pass",
              headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", "Origin": origin})
    r = c.getresponse(); r.read()
    m = re.search(r"__Host-sb_session=([^;]+)", r.getheader("set-cookie") or "")
    if r.status != 200 or not m: sys.exit(f"login failed: {r.status}")
    return "__Host-sb_session=" + m.group(1)
def public_id(cookie):
    c = http.client.HTTPConnection("127.0.0.1", sb_port)
    c.request("GET", "/auth/verify", headers={"Cookie": cookie, "X-Original-URL": origin + "/"})
    r = c.getresponse(); r.read()
    return r.getheader("remote-session")
times = []
for _ in range(runs):
    victim, actor = login(sb_port), login(end_port)
    vid = public_id(victim)
    poll = http.client.HTTPConnection("127.0.0.1", nginx_port)
    # The app's address is localhost's, as the apps file says.
    app = {"Cookie": victim, "Host": f"localhost:{nginx_port}"}
    poll.request("GET", "/", headers=app); r = poll.getresponse(); r.read()
    assert r.status == 200, r.status
    end = http.client.HTTPConnection("127.0.0.1", end_port)
    t0 = time.monotonic()
    end.request("POST", "/api/terminate_session", body=urllib.parse.urlencode({"id": vid}),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                         "Origin": origin, "Cookie": actor})
    while True:
        poll.request("GET", "/", headers=app); r = poll.getresponse(); r.read()
        if r.status == 302 and "/login" in (r.getheader("location") or ""): break
        if r.status != 200: sys.exit(f"unexpected {r.status}")
        if time.monotonic() - t0 > 10: sys.exit("still let through after 10 s")
    times.append((time.monotonic() - t0) * 1000)
    e = end.getresponse(); e.read()
    if e.status != 200: sys.exit(f"terminate: {e.status}")
times.sort()
print(f"{times[len(times)//2]:.1f} {times[min(len(times)-1, int(len(times)*0.95))]:.1f}")
PY
step "Revocation through nginx, one server (20 runs)"
read -r one_p50 one_p95 < <(python3 "$DIR/revoke.py" "$C" "$SB" "$SB" 20)
echo "    Terminate -> first refusal (302 to the login page): p50 $one_p50 ms, p95 $one_p95 ms"

two="not measured (no PostgreSQL)"
if command -v psql >/dev/null 2>&1 && psql "$PG_ADMIN" -qc "CREATE DATABASE $PG_DB" >/dev/null 2>&1; then
  PG_URL="${PG_ADMIN%/*}/$PG_DB"
  step "Revocation across two servers on PostgreSQL (ended on the second, verified by the first; 20 runs)"
  kill "$S1"; wait "$S1" 2>/dev/null || true
  start_sessionboard "$SB" "$PG_URL" & S1=$!
  wait_up "$SB"
  start_sessionboard "$SB2" "$PG_URL" & S2=$!
  wait_up "$SB2"
  curl -sf -o /dev/null -d "username=bench&password=benchmark-pass&confirm=benchmark-pass" \
    -H "Origin: http://localhost:$C" "http://127.0.0.1:$SB/api/register" || die "could not register on PostgreSQL"
  read -r two_p50 two_p95 < <(python3 "$DIR/revoke.py" "$C" "$SB" "$SB2" 20)
  echo "    Terminate on server 2 -> first refusal (302 to the login page) through server 1: p50 $two_p50 ms, p95 $two_p95 ms"
  two="p50 $two_p50 ms, p95 $two_p95 ms"
  kill "$S2" "$S1"; wait "$S2" "$S1" 2>/dev/null || true; S1=""; S2=""
else
  kill "$S1"; wait "$S1" 2>/dev/null || true; S1=""
fi

step "Instructions per verification (callgrind, 3000 keep-alive requests to /auth/verify)"
start_sessionboard "$SB" "sqlite://$DIR/cg.db?mode=rwc" valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.%p" 2>"$DIR/vg.log" & VG=$!
wait_up "$SB"
curl -sf -m 120 -c "$DIR/jar2" -o /dev/null -d "username=callgrind&password=benchmark-pass&confirm=benchmark-pass" \
  -H "Origin: http://localhost:$C" "http://127.0.0.1:$SB/api/register" || die "could not register under callgrind"
CG_COOKIE="__Host-sb_session=$(awk '$6 == "__Host-sb_session" { print $7 }' "$DIR/jar2")"
cat > "$DIR/client.py" <<'PY'
import http.client, sys
port, n, cookie, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("GET", "/auth/verify", headers={"Cookie": cookie, "X-Original-URL": url})
    r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"status {r.status}")
PY
python3 "$DIR/client.py" "$SB" 200 "$CG_COOKIE" "http://localhost:$C/"
callgrind_control -z "$VG" >/dev/null 2>&1
python3 "$DIR/client.py" "$SB" 3000 "$CG_COOKIE" "http://localhost:$C/"
callgrind_control -d "$VG" >/dev/null 2>&1
f=$(ls -t "$DIR"/cg.*.* | head -1)
per=$(callgrind_annotate "$f" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); printf "%.0f", $1 / 3000 }')
echo "    $per instructions per verification"

{
  echo "wrk -t2 -c16 -d4s through nginx on loopback, $ROUNDS rounds in rotating order, medians; nginx with one worker."
  echo
  echo "| | req/s (median) | runs |"
  echo "|---|---|---|"
  echo "| (a) nginx → static upstream, no authentication | $ma | ${ra[*]} |"
  echo "| (b) auth_request to a location nginx answers | $mb | ${rb[*]} |"
  echo "| (c) auth_request to \`/auth/verify\`, valid cookie | $mc | ${rc[*]} |"
  echo
  echo "(c)/(b) = **$cb** (goal ≥ 0.85); (c)/(a) = $ca. One verification costs Sessionboard **$per instructions** (callgrind, user space, 3000 keep-alive requests after 200 of warm-up)."
  echo
  echo "Terminate → first refusal (302 to the login page) through nginx (from sending Terminate; 20 runs): one server p50 $one_p50 ms, p95 **$one_p95 ms**; across two servers on PostgreSQL: $two."
} | perf_section forward-auth "bash scripts/bench-forward-auth.sh"
