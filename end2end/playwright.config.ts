import { defineConfig } from "@playwright/test";
import * as path from "node:path";

// The server under test: a fresh build, its own port and its own SQLite file
// (scripts/test.sh passes E2E_DB_DIR, a temporary directory it removes).
const PORT = Number(process.env.E2E_PORT ?? 3107);
export const BASE_URL = `http://localhost:${PORT}`;
const root = path.resolve(__dirname, "..");
const dbDir = process.env.E2E_DB_DIR ?? path.join(root, ".tmp");

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
  webServer: {
    command: path.join(root, "target/debug/sessionboard"),
    cwd: root,
    url: `${BASE_URL}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dbDir}/e2e.db?mode=rwc`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: "target/site",
      PUBLIC_ORIGIN: BASE_URL,
      GEOIP_DB: "sessions/tests/fixtures/geoip/GeoIP2-Country-Test.mmdb",
      TRUSTED_PROXIES: "127.0.0.1/32,::1/128",
      ACTIVITY_FLUSH_INTERVAL: "1s",
      RUST_LOG: "warn",
    },
  },
});
