import { APIRequestContext, Browser, BrowserContext, Locator, Page, expect, request as playwrightRequest } from "@playwright/test";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { BASE_URL, MAIL_DIR } from "../playwright.config";

/** The session cookie's name (the `__Host-` prefix pins it to this host). */
export const COOKIE = "__Host-sb_session";

/**
 * A script's HTTP client, as a same-origin page would call the server:
 * state-changing requests that carry a session cookie must say where they
 * come from.
 */
export async function apiContext(
  options: { userAgent?: string; baseURL?: string; headers?: Record<string, string> } = {},
): Promise<APIRequestContext> {
  const baseURL = options.baseURL ?? BASE_URL;
  const extraHTTPHeaders = { Origin: baseURL, ...(options.headers ?? {}) };
  return playwrightRequest.newContext({ baseURL, userAgent: options.userAgent, extraHTTPHeaders });
}

/** The session token a context holds. */
export async function tokenOf(ctx: APIRequestContext | BrowserContext): Promise<string | undefined> {
  return (await ctx.storageState()).cookies.find((c) => c.name === COOKIE)?.value;
}

export const PASSWORD = "correct horse battery";

export const UA = {
  windowsChrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  iphoneSafari:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  linuxFirefox: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  macSafari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
};

let counter = 0;
/** A username no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}${counter}`.slice(0, 32);
}

/** A browser context that looks like a given device at a given client IP. */
export async function device(
  browser: Browser,
  userAgent: string,
  ip?: string,
  options: { javaScriptEnabled?: boolean; baseURL?: string; headers?: Record<string, string> } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const { headers, ...rest } = options;
  const context = await browser.newContext({
    userAgent,
    extraHTTPHeaders: { ...(ip ? { "X-Forwarded-For": ip } : {}), ...(headers ?? {}) },
    ...rest,
  });
  return { context, page: await context.newPage() };
}

/** Clicks made before hydration are lost: wait for it. */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('body[data-hydrated="true"]').waitFor();
}

export async function register(page: Page, username: string, password = PASSWORD, js = true): Promise<void> {
  await page.goto("/register");
  if (js) await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/sessions");
  await expect(cards(page).first()).toBeVisible();
}

export async function login(page: Page, username: string, password = PASSWORD, js = true): Promise<void> {
  await page.goto("/login");
  if (js) await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/sessions");
  await expect(cards(page).first()).toBeVisible();
}

export function cards(page: Page): Locator {
  return page.locator("article[data-session-id]");
}

export function ownCard(page: Page): Locator {
  return cards(page).filter({ has: page.getByText("This device", { exact: true }) });
}

export function otherCards(page: Page): Locator {
  return cards(page).filter({ hasNot: page.getByText("This device", { exact: true }) });
}

export function field(card: Locator, name: string): Locator {
  return card.locator(`[data-field="${name}"]`);
}

/** Logs in over plain HTTP (form post, as a browser without script would). */
export async function apiLogin(request: APIRequestContext, username: string, password = PASSWORD): Promise<void> {
  const res = await request.post("/api/login", {
    form: { username, password },
    headers: { Accept: "application/json" },
  });
  expect(res.status()).toBe(200);
}

export async function apiRegister(request: APIRequestContext, username: string, password = PASSWORD): Promise<void> {
  const res = await request.post("/api/register", {
    form: { username, password, confirm: password },
    headers: { Accept: "application/json" },
  });
  expect(res.status()).toBe(200);
}

/** The public ids of the active session cards on the sessions page, this device's first. */
export async function sessionIds(request: APIRequestContext): Promise<{ current: string; all: string[] }> {
  const res = await request.get("/sessions", { maxRedirects: 0 });
  expect(res.status()).toBe(200);
  const html = await res.text();
  const cards = [...html.matchAll(/<article([^>]*)>/g)].map((m) => ({
    id: /data-session-id="([^"]+)"/.exec(m[1])?.[1] ?? "",
    current: /class="[^"]*\bcurrent\b/.test(m[1]),
  }));
  const current = cards.find((c) => c.current)?.id;
  expect(current).toBeTruthy();
  return { current: current!, all: cards.map((c) => c.id) };
}

/** Whether the request context's cookie is a live session. */
export async function signedIn(request: APIRequestContext): Promise<boolean> {
  const res = await request.get("/api/whoami");
  expect(res.status()).toBe(200);
  return (await res.json()) !== null;
}

// Two-factor authentication: an authenticator app's codes, and the steps a person takes.

/** RFC 4648 base32 → bytes. */
export function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator app shows at `atMs` (RFC 6238: SHA-1, 6 digits, 30 s). */
export function totp(secret: string, atMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, "0");
}

export async function enrol(page: Page, js: boolean): Promise<{ secret: string; recovery: string[]; usedAt: number }> {
  await page.goto("/sessions");
  if (js) await hydrated(page);
  // The advice points at the second factor.
  await page.getByRole("link", { name: "enabling two-factor authentication" }).click();
  await page.waitForURL("**/account/two-factor");
  await expect(field(page.locator("main"), "two-factor-status")).toHaveText("Two-factor authentication is off.");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await field(page.locator("main"), "totp-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  const usedAt = Date.now();
  await page.getByLabel("Code from the app").fill(totp(secret, usedAt));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("Two-factor authentication is on. Keep your recovery codes somewhere safe.")).toBeVisible();
  const codes = await field(page.locator("main"), "recovery-codes").locator("li").allInnerTexts();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole("link", { name: "Download as text" })).toHaveAttribute(
    "download",
    "sessionboard-recovery-codes.txt",
  );
  // A repeated load loses nothing; once saved, never shown again.
  await page.reload();
  expect(await field(page.locator("main"), "recovery-codes").locator("li").allInnerTexts()).toEqual(codes);
  await page.getByRole("button", { name: "I have saved these codes" }).click();
  await expect(page.getByText("Recovery codes saved. They will not be shown again; each works once.")).toBeVisible();
  await expect(field(page.locator("main"), "recovery-codes")).toHaveCount(0);
  await page.reload();
  await expect(field(page.locator("main"), "recovery-codes")).toHaveCount(0);
  await expect(page.getByText("10 recovery codes left.")).toBeVisible();
  return { secret, recovery: codes.map((c) => c.trim()), usedAt };
}

export async function logOut(page: Page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login?signed_out=1");
  await expect(page.getByText("You have been signed out.")).toBeVisible();
}

export async function passwordStep(page: Page, name: string, js: boolean) {
  await page.goto("/login");
  if (js) await hydrated(page);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/login/verify");
  if (js) await hydrated(page);
}

export async function codeStep(page: Page, code: string) {
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}


// Email: the SMTP sink (end2end/smtp-sink.py, aiosmtpd) writes every
// message it gets to MAIL_DIR.

export type Mail = { rcpt_tos: string[]; from: string; to: string; subject: string; body: string; raw: string };

export function mailsTo(address: string): Mail[] {
  if (!fs.existsSync(MAIL_DIR)) return [];
  return fs
    .readdirSync(MAIL_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(MAIL_DIR, f), "utf8")) as Mail)
    .filter((m) => m.rcpt_tos.includes(address));
}

export async function waitForMails(address: string, count: number): Promise<Mail[]> {
  await expect.poll(() => mailsTo(address).length, { timeout: 15_000 }).toBe(count);
  return mailsTo(address);
}

/** Sets and verifies `address` as the signed-in account's alert address. */
export async function verifiedAddress(page: Page, address: string): Promise<void> {
  await page.goto("/account/email");
  await page.getByLabel("Email address").fill(address);
  await page.getByRole("button", { name: "Send verification link" }).click();
  await expect(page.getByText("We sent a link to that address.")).toBeVisible();
  const [verify] = await waitForMails(address, 1);
  const link = /http:\/\/localhost:\d+(\/account\/email\/verify\?token=[A-Za-z0-9_-]{43})/.exec(verify.body);
  expect(link, verify.body).not.toBeNull();
  await page.goto(link![1]);
  await page.getByRole("button", { name: "Verify email address" }).click();
  await expect(page.getByText("Email address verified.")).toBeVisible();
}
