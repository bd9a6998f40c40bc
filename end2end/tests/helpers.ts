import { APIRequestContext, Browser, BrowserContext, Locator, Page, expect, request as playwrightRequest } from "@playwright/test";
import { BASE_URL } from "../playwright.config";

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
