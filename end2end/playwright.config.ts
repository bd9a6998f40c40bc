import { defineConfig } from "@playwright/test";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

// The servers under test: a fresh build on their own ports and their own
// SQLite files (scripts/test.sh passes E2E_DB_DIR, a temporary directory it
// removes). Both append their logs to E2E_LOG_FILE, which the audit test
// reads at the end of the run.
const PORT = Number(process.env.E2E_PORT ?? 3107);
export const BASE_URL = `http://localhost:${PORT}`;
/** The second server: short idle timeout and re-authentication window. */
export const SHORT_URL = `http://localhost:${PORT + 1}`;
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
const smtpPython = process.env.E2E_SMTP_PYTHON ?? path.join(root, "tools/smtp-venv/bin/python");
export const LOG_FILE = process.env.E2E_LOG_FILE ?? path.join(dbDir, "e2e-server.log");
fs.mkdirSync(dbDir, { recursive: true });
/** One key for every server of the run, made before any starts (servers on
 * PostgreSQL refuse to make one of their own). */
const KEY_FILE = path.join(dbDir, "secret.key");
if (!fs.existsSync(KEY_FILE)) {
  fs.writeFileSync(KEY_FILE, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
}

const bin = path.join(root, "target/debug/sessionboard");

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
    ...(SEVERAL_SERVERS ? [behindNginx(1), behindNginx(2), nginx] : []),
  ],
});
