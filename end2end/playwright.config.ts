import { defineConfig } from "@playwright/test";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";

// The servers under test: a fresh build on their own ports and their own
// SQLite files (scripts/test.sh passes E2E_DB_DIR, a temporary directory it
// removes). Both append their logs to E2E_LOG_FILE, which the audit test
// reads at the end of the run.
const PORT = Number(process.env.E2E_PORT ?? 3107);
export const BASE_URL = `http://localhost:${PORT}`;
/** The second server: short idle timeout and re-authentication window. */
export const SHORT_URL = `http://localhost:${PORT + 1}`;
/** The fourth: at most two sessions per account (MAX_SESSIONS_PER_ACCOUNT).
 * (PORT + 2 is durability.spec.ts's own server.) */
export const LIMIT_URL = "http://localhost:3130";
/** The third: DEMO=1, the account the README's pictures show. */
export const DEMO_URL = `http://localhost:${PORT - 1}`;
/** nginx in front of two servers on one PostgreSQL database (when scripts/test.sh set one up). */
export const NGINX_URL = "http://localhost:3110";
const pgUrl = process.env.E2E_PG_URL;
const nginxPrefix = process.env.E2E_NGINX_PREFIX;
export const SEVERAL_SERVERS = Boolean(pgUrl && nginxPrefix);
const root = path.resolve(__dirname, "..");
const dbDir = process.env.E2E_DB_DIR ?? path.join(root, ".tmp");
/** Where the SMTP sink (end2end/smtp-sink.py, aiosmtpd) writes what it receives. */
export const MAIL_DIR = path.join(dbDir, "mail");
const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 2525);
const smtpPython = process.env.E2E_SMTP_PYTHON ?? path.join(root, "tools/py-venv/bin/python");
export const LOG_FILE = process.env.E2E_LOG_FILE ?? path.join(dbDir, "e2e-server.log");
fs.mkdirSync(dbDir, { recursive: true });
/** One key for every server of the run, made before any starts (servers on
 * PostgreSQL refuse to make one of their own). */
const KEY_FILE = path.join(dbDir, "secret.key");
if (!fs.existsSync(KEY_FILE)) {
  fs.writeFileSync(KEY_FILE, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
}

const bin = path.join(root, "target/debug/sessionboard");

/** `sessionboard admin ARGS…` against the main server's database, as an
 * operator runs it; returns what it printed. */
export function adminCommand(...args: string[]): string {
  return execFileSync(bin, ["admin", ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dbDir}/e2e.db?mode=rwc`,
      SECRET_KEY_FILE: KEY_FILE,
      GEOIP_DB: "sessions/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb",
      RUST_LOG: "warn",
    },
  });
}

function server(port: number, name: string, env: Record<string, string>) {
  return {
    // Through a shell, so that the log goes to a file the audit test reads.
    command: `exec "${bin}" >> "${LOG_FILE}" 2>&1`,
    cwd: root,
    url: `http://localhost:${port}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      DATABASE_URL: `sqlite://${dbDir}/${name}.db?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      PUBLIC_ORIGIN: `http://localhost:${port}`,
      GEOIP_DB: "sessions/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb",
      SECRET_KEY_FILE: KEY_FILE,
      TRUSTED_PROXIES: "127.0.0.1/32,::1/128",
      ACTIVITY_FLUSH_INTERVAL: "1s",
      RUST_LOG: "warn,audit=info",
      LOG_FORMAT: "json",
      // The suite registers hundreds of accounts from one address.
      REGISTER_MAX_PER_IP: "100000",
      ...env,
    },
  };
}

/** One of the servers behind nginx, named for finding its connections in PostgreSQL. */
function behindNginx(n: number) {
  return server(3110 + n, `pg${n}`, {
    DATABASE_URL: `${pgUrl}?application_name=sessionboard-${n}`,
    PUBLIC_ORIGIN: NGINX_URL,
    TRUSTED_PROXIES: "127.0.0.1/32",
    PROXY_HEADER: "x-forwarded-for",
  });
}

/** Forward authentication (tests/forward-auth.spec.ts): nginx in path mode
 * and in subdomain mode (TLS, a certificate made here), and Caddy, each in
 * front of its own Sessionboard and two apps that echo what they receive.
 * The proxies run the files in deploy/forward-auth as they are. */
export const FA = {
  path: "http://localhost:3121",
  auth: "https://auth.sb.test:3123",
  wikiSub: "https://wiki.sb.test:3123",
  photosSub: "https://photos.sb.test:3123",
  caddy: "http://localhost:3127",
  /** The one account the apps' allow lists name. */
  allowed: "alice",
};
const faDir = path.join(dbDir, "forward-auth");
const deployDir = path.join(root, "deploy/forward-auth");

function faSetUp(): void {
  for (const d of ["nginx-path", "nginx-sub", "caddy"]) fs.mkdirSync(path.join(faDir, d), { recursive: true, mode: 0o777 });
  const apps = (wiki: string, photos: string) =>
    `[[app]]\nname = "Wiki"\nurl = "${wiki}"\n\n[[app]]\nname = "Photos"\nurl = "${photos}"\nallow = ["${FA.allowed}"]\n`;
  fs.writeFileSync(path.join(faDir, "path-apps.toml"), apps(`${FA.path}/wiki/`, `${FA.path}/photos/`));
  fs.writeFileSync(path.join(faDir, "sub-apps.toml"), apps(`${FA.wikiSub}/`, `${FA.photosSub}/`));
  fs.writeFileSync(path.join(faDir, "caddy-apps.toml"), apps(`${FA.caddy}/wiki/`, `${FA.caddy}/photos/`));
  const cert = path.join(faDir, "sb.test.pem");
  const key = path.join(faDir, "sb.test.key");
  if (!fs.existsSync(cert)) {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", key, "-out", cert,
      "-subj", "/CN=sb.test", "-addext", "subjectAltName=DNS:sb.test,DNS:*.sb.test",
    ], { stdio: "ignore" });
  }
  const snippets = path.join(deployDir, "nginx");
  const head = (prefix: string) => `user root;\nworker_processes 1;\npid ${prefix}/nginx.pid;\nerror_log stderr;\nevents { worker_connections 256; }\n`;
  // Each front has its own Sessionboard: each nginx its own "sessionboard" upstream.
  const protect = (loc: string, port: number) =>
    `location ${loc} {\n include ${snippets}/sessionboard-protect.conf;\n proxy_set_header Host $host;\n proxy_pass http://127.0.0.1:${port};\n}\n`;
  const toSessionboard = `location / {\n proxy_pass http://sessionboard;\n proxy_http_version 1.1;\n proxy_set_header Connection "";\n proxy_set_header Host $host;\n proxy_set_header X-Forwarded-For $remote_addr;\n proxy_buffering off;\n proxy_read_timeout 1h;\n}\n`;
  const prefixPath = path.join(faDir, "nginx-path");
  fs.writeFileSync(path.join(prefixPath, "nginx.conf"), `${head(prefixPath)}http {\naccess_log off;\ninclude ${snippets}/sessionboard-http.conf;\nupstream sessionboard { server 127.0.0.1:3120; keepalive 8; }\nserver {\nlisten 127.0.0.1:3121;\ninclude ${snippets}/sessionboard-server.conf;\n${protect("/wiki/", 3124)}${protect("/photos/", 3125)}${toSessionboard}}\n}\n`);
  const prefixSub = path.join(faDir, "nginx-sub");
  const tls = `listen 127.0.0.1:3123 ssl;\nssl_certificate ${cert};\nssl_certificate_key ${key};\n`;
  fs.writeFileSync(path.join(prefixSub, "nginx.conf"), `${head(prefixSub)}http {\naccess_log off;\ninclude ${snippets}/sessionboard-http.conf;\nupstream sessionboard { server 127.0.0.1:3122; keepalive 8; }\nserver {\n${tls}server_name auth.sb.test;\n${toSessionboard}}\nserver {\n${tls}server_name wiki.sb.test;\ninclude ${snippets}/sessionboard-server.conf;\n${protect("/", 3124)}}\nserver {\n${tls}server_name photos.sb.test;\ninclude ${snippets}/sessionboard-server.conf;\n${protect("/", 3125)}}\n}\n`);
  const caddyfile = fs
    .readFileSync(path.join(deployDir, "Caddyfile"), "utf8")
    .replace(/^example\.com \{$/m, `${FA.caddy} {`)
    .replaceAll("127.0.0.1:3000", "127.0.0.1:3126")
    .replaceAll("127.0.0.1:8081", "127.0.0.1:3124")
    .replaceAll("127.0.0.1:8082", "127.0.0.1:3125");
  fs.writeFileSync(path.join(faDir, "caddy", "Caddyfile"), `{\n\tadmin off\n\tauto_https off\n\tstorage file_system ${faDir}/caddy/data\n\tlog {\n\t\tlevel ERROR\n\t}\n}\n\n${caddyfile}`);
}
faSetUp();

function faNginx(dir: string, url: string) {
  const prefix = path.join(faDir, dir);
  return {
    command: `exec /usr/sbin/nginx -e stderr -p "${prefix}" -c "${prefix}/nginx.conf" -g "daemon off;"`,
    url,
    ignoreHTTPSErrors: true,
    timeout: 30_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
  };
}

const forwardAuth = [
  {
    command: `exec python3 echo-app.py Wiki=3124 Photos=3125`,
    cwd: __dirname,
    port: 3124,
    timeout: 30_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
  },
  server(3120, "fa-path", {
    PUBLIC_ORIGIN: FA.path,
    APPS_FILE: path.join(faDir, "path-apps.toml"),
    TRUSTED_PROXIES: "127.0.0.1/32",
  }),
  server(3122, "fa-sub", {
    PUBLIC_ORIGIN: FA.auth,
    COOKIE_DOMAIN: "sb.test",
    APPS_FILE: path.join(faDir, "sub-apps.toml"),
    TRUSTED_PROXIES: "127.0.0.1/32",
  }),
  server(3126, "fa-caddy", {
    PUBLIC_ORIGIN: FA.caddy,
    APPS_FILE: path.join(faDir, "caddy-apps.toml"),
    TRUSTED_PROXIES: "127.0.0.1/32",
  }),
  faNginx("nginx-path", `${FA.path}/livez`),
  faNginx("nginx-sub", "https://127.0.0.1:3123/livez"),
  {
    command: `exec caddy run --config "${faDir}/caddy/Caddyfile" --adapter caddyfile`,
    url: `${FA.caddy}/livez`,
    env: { HOME: path.join(faDir, "caddy"), XDG_DATA_HOME: path.join(faDir, "caddy"), XDG_CONFIG_HOME: path.join(faDir, "caddy") },
    timeout: 30_000,
    reuseExistingServer: false,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
  },
];

const smtpSink = {
  command: `exec "${smtpPython}" smtp-sink.py`,
  cwd: __dirname,
  port: SMTP_PORT,
  timeout: 30_000,
  reuseExistingServer: false,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  env: { E2E_MAIL_DIR: MAIL_DIR, E2E_SMTP_PORT: String(SMTP_PORT) },
};

const nginx = {
  command: `exec /usr/sbin/nginx -e stderr -p "${nginxPrefix}" -c "${nginxPrefix}/nginx.conf" -g "daemon off; pid ${nginxPrefix}/nginx.pid;"`,
  url: `${NGINX_URL}/livez`,
  timeout: 30_000,
  reuseExistingServer: false,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // The subdomain-mode apps of the forward-authentication tests.
        "--host-resolver-rules=MAP *.sb.test 127.0.0.1",
      ],
    },
  },
  webServer: [
    smtpSink,
    server(PORT, "e2e", {
      SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`,
      MAIL_FROM: "Sessionboard <sessionboard@example.org>",
      MAIL_POLL_INTERVAL: "1s",
    }),
    server(PORT + 1, "short", {
      SESSION_IDLE_TIMEOUT: "20s",
      REAUTH_WINDOW: "3s",
    }),
    server(PORT - 1, "demo", { DEMO: "1" }),
    server(3130, "limited", { MAX_SESSIONS_PER_ACCOUNT: "2" }),
    ...(SEVERAL_SERVERS ? [behindNginx(1), behindNginx(2), nginx] : []),
    ...forwardAuth,
  ],
});
