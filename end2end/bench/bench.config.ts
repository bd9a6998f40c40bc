import { defineConfig } from "@playwright/test";
import base from "../playwright.config";

// Benchmarks only (scripts/bench-web.sh): against an already running release server.
export default defineConfig({
  ...base,
  testDir: ".",
  timeout: 300_000,
  webServer: undefined,
  use: { ...base.use, baseURL: process.env.BENCH_BASE_URL ?? "http://localhost:3200" },
});
