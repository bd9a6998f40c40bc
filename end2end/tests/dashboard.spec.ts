import { test, expect, Page } from "@playwright/test";
import {
  apiContext, apiLogin, apiRegister, cards, device, field, hydrated, login, otherCards, ownCard, register, uniqueName, UA,
} from "./helpers";
import { BASE_URL } from "../playwright.config";

async function expectOtherCard(page: Page, want: Record<string, string>) {
  const other = otherCards(page);
  await expect(other).toHaveCount(1);
  for (const [name, value] of Object.entries(want)) {
    await expect(field(other, name)).toHaveText(value);
  }
  await expect(other.getByRole("button", { name: "Terminate" })).toBeVisible();
  const mine = ownCard(page);
  await expect(mine).toHaveCount(1);
  await expect(mine.getByRole("button", { name: "Terminate" })).toHaveCount(0);
}

test("two devices see each other; terminating one kicks it out live", async ({ browser }) => {
  const user = uniqueName("pair");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await register(a.page, user);
  await hydrated(a.page);

  // B logs in while A watches: B's card appears on A without a reload.
  await login(b.page, user);
  await hydrated(b.page);
  await expect(cards(a.page)).toHaveCount(2);
  await expect(cards(b.page)).toHaveCount(2);

  await expectOtherCard(a.page, {
    "device-type": "Mobile",
    platform: "iOS",
    browser: "Mobile Safari 17",
    ip: "89.160.20.128",
    location: "Sweden",
  });
  await expectOtherCard(b.page, {
    "device-type": "Desktop",
    platform: "Windows",
    browser: "Chrome 124",
    ip: "81.2.69.142",
    location: "United Kingdom",
  });
  const bId = await ownCard(b.page).getAttribute("data-session-id");
  const bCookies = await b.context.cookies();

  // A terminates B.
  await otherCards(a.page).getByRole("button", { name: "Terminate" }).click();
  await expect(cards(a.page)).toHaveCount(1);
  await expect(a.page.getByText("Session terminated.")).toBeVisible();

  // B, which only has /sessions open, lands on the login page by itself.
  await b.page.waitForURL("**/login?ended=1");
  await expect(b.page.getByText("This session was ended from another device.")).toBeVisible();

  // B's old cookie gets no data anywhere.
  const replay = await browser.newContext();
  await replay.addCookies(bCookies);
  const r1 = await replay.request.get("/api/board");
  expect(r1.status()).toBe(401);
  const r2 = await replay.request.get("/sessions", { maxRedirects: 0 });
  expect(r2.status()).toBe(303);
  expect(r2.headers()["location"]).toBe("/login");
  const r3 = await replay.request.get("/api/whoami");
  expect(await r3.json()).toBeNull();
  // Its stream says only that it ended, and why (then closes).
  const stream = await replay.request.get("/api/events");
  expect(stream.status()).toBe(200);
  expect(await stream.text()).toMatch(/^event: signed_out\ndata: ended\n/m);
  await replay.close();

  // A's history shows B ended, terminated, with a duration.
  const row = a.page.locator(`tr[data-session-id="${bId}"]`);
  await expect(row.locator("td").nth(4)).toHaveText("Ended — terminated");
  await expect(row.locator("td").nth(3)).toHaveText(/less than a minute|\d+ min/);
  await expect(row.locator("td").nth(0)).toHaveText(/^Mobile · Mobile Safari 17 on iOS/);
  // Marked when it signed in: a device and a country the account had not used.
  await expect(row.locator('[data-field="new-device"]')).toBeVisible();
  await a.context.close();
  await b.context.close();
});

test("sign out everywhere ends every other session and says how many", async ({ browser }) => {
  const user = uniqueName("every");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  const c = await device(browser, UA.macSafari, "216.160.83.56");
  await register(a.page, user);
  await login(b.page, user);
  await login(c.page, user);
  await hydrated(c.page);
  await expect(cards(c.page)).toHaveCount(3);

  // With WebAssembly both steps happen in place: a page load would wipe this marker.
  await c.page.evaluate(() => ((window as any).__sameDocument = true));
  await c.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(c.page.getByText("This will sign out 2 other sessions.")).toBeVisible();
  await c.page.getByRole("button", { name: "Sign out 2 other sessions" }).click();
  await expect(c.page.getByText("Signed out 2 other sessions.")).toBeVisible();
  await expect(cards(c.page)).toHaveCount(1);
  expect(await c.page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await a.page.waitForURL("**/login?ended=1");
  await b.page.waitForURL("**/login?ended=1");
  const statuses = await c.page.locator("tbody tr td:nth-child(5)").allTextContents();
  expect(statuses.filter((s) => s === "Ended — signed out everywhere")).toHaveLength(2);
  for (const d of [a, b, c]) await d.context.close();
});

test("pages visited counts page loads and navigations, not assets", async ({ browser }) => {
  const { context, page } = await device(browser, UA.linuxFirefox);
  await register(page, uniqueName("pages"));
  const count = async () => Number(await field(ownCard(page), "pages-visited").textContent());

  await page.goto("/sessions");
  await hydrated(page);
  const c0 = await count();
  await page.reload();
  await hydrated(page);
  expect(await count()).toBe(c0 + 1);

  // Two navigations through the menu: to the password page and back.
  await page.getByRole("link", { name: "Password", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
  await page.getByRole("link", { name: "Sessions", exact: true }).click();
  await expect(field(ownCard(page), "pages-visited")).toHaveText(String(c0 + 3));

  // Assets, server-function calls and the live stream are not pages.
  for (const asset of ["/pkg/sessionboard.css", "/pkg/sessionboard.js", "/pkg/sessionboard.wasm", "/favicon.svg", "/api/board", "/api/whoami"]) {
    expect((await page.request.get(asset)).status()).toBe(200);
  }
  await page.reload();
  await hydrated(page);
  expect(await count()).toBe(c0 + 4);
  await context.close();
});

test("changing the password with the box checked signs out other devices", async ({ browser }) => {
  const user = uniqueName("pw");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await register(a.page, user);
  await login(b.page, user);
  await hydrated(b.page);
  const bId = await ownCard(b.page).getAttribute("data-session-id");

  await a.page.getByRole("link", { name: "Password", exact: true }).click();
  await expect(a.page.getByLabel("Also sign out all other devices")).toBeChecked();
  await a.page.getByLabel("Current password").fill("correct horse battery");
  await a.page.getByLabel("New password", { exact: true }).fill("a brand new secret");
  await a.page.getByLabel("Repeat new password").fill("a brand new secret");
  await a.page.getByRole("button", { name: "Change password" }).click();
  await expect(a.page.getByText("Your password was changed. 1 other session was signed out.")).toBeVisible();
  await b.page.waitForURL("**/login?ended=1");

  await a.page.getByRole("link", { name: "Sessions", exact: true }).click();
  const row = a.page.locator(`tr[data-session-id="${bId}"]`);
  await expect(row.locator("td").nth(4)).toHaveText("Ended — password changed");
  await expect(cards(a.page)).toHaveCount(1);

  // The old password no longer works; the new one does.
  await login(b.page, user, "a brand new secret");
  await a.context.close();
  await b.context.close();
});

test("wrong password shows a clear message", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username").fill(uniqueName("nobody"));
  await page.getByLabel("Password").fill("not the password");
  // Hydrated, the form reports in place: a page load would wipe this marker.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page).toHaveURL(/\/login$/);
});

test("history pages with Older and Newer, and the confirmation cancels, all in place", async ({ browser }) => {
  const user = uniqueName("hist");
  const api = await apiContext();
  await apiRegister(api, user);
  // Each login in its own client: signing in again in one would end its previous session.
  for (let i = 0; i < 11; i++) {
    const other = await apiContext();
    await apiLogin(other, user);
    await other.dispose();
  }
  const { context, page } = await device(browser, UA.linuxFirefox);
  await login(page, user); // 13 sessions in all: 10 on the first page, 3 older
  await hydrated(page);
  const rows = page.locator("tbody tr");
  await expect(rows).toHaveCount(10);
  await expect(page.getByRole("button", { name: "Newer" })).toHaveCount(0);
  await page.evaluate(() => ((window as any).__sameDocument = true));

  await page.getByRole("button", { name: "Older" }).click();
  await expect(rows).toHaveCount(3);
  await expect(page).toHaveURL(/\/sessions\?before=/);
  await expect(page.getByRole("button", { name: "Older" })).toHaveCount(0);
  await page.getByRole("button", { name: "Newer" }).click();
  await expect(rows).toHaveCount(10);

  // The confirmation opens and cancels without leaving the page.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.getByText("This will sign out 12 other sessions.")).toBeVisible();
  await page.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("button", { name: "Sign out everywhere" })).toBeVisible();
  await expect(cards(page)).toHaveCount(13);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // A reload shows the page the address bar names.
  await page.getByRole("button", { name: "Older" }).click();
  await expect(rows).toHaveCount(3);
  await page.reload();
  await expect(rows).toHaveCount(3);
  await api.dispose();
  await context.close();
});
