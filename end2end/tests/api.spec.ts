import { expect, request as playwrightRequest, test } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { COOKIE, UA, apiContext, cards, device, hydrated, login, register, tokenOf, uniqueName } from "./helpers";

// The JSON API through the real server: a script on Sessionboard's own page
// lists and ends sessions with the cookie, the board and the ended browser
// follow live, and another site cannot use the cookie.

test("the JSON API lists this account's sessions and ends one; the board and the other browser follow live", async ({
  browser,
}) => {
  const name = uniqueName("api");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);
  const b = await device(browser, UA.linuxFirefox, "81.2.69.150");
  await login(b.page, name);
  await b.page.goto("/sessions");
  await hydrated(b.page);
  await a.page.goto("/sessions");
  await hydrated(a.page);
  await expect(cards(a.page)).toHaveCount(2);

  const listed = await a.page.evaluate(async () => {
    const res = await fetch("/api/v1/sessions");
    return { status: res.status, body: await res.json() };
  });
  expect(listed.status).toBe(200);
  const sessions = listed.body.sessions as { id: string; this_device: boolean; browser: string; os: string }[];
  expect(sessions).toHaveLength(2);
  const other = sessions.find((s) => !s.this_device)!;
  expect(other).toMatchObject({ browser: "Firefox", os: "Linux" });
  expect(sessions.find((s) => s.this_device)).toMatchObject({ browser: "Chrome", os: "Windows" });

  // Another site's page cannot use the cookie to end it.
  const token = await tokenOf(a.context);
  const evil = await apiContext({ headers: { Origin: "http://localhost:3199", Cookie: `${COOKIE}=${token}` } });
  const refused = await evil.delete(`/api/v1/sessions/${other.id}`);
  expect(refused.status()).toBe(403);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  expect((await refused.json()).type).toBe("/api/v1/problems/cross_site");
  await evil.dispose();

  const ended = await a.page.evaluate(async (id) => (await fetch(`/api/v1/sessions/${id}`, { method: "DELETE" })).status, other.id);
  expect(ended).toBe(204);
  await expect(cards(a.page)).toHaveCount(1);
  await b.page.waitForURL("**/login?ended=1");
  const after = await b.page.evaluate(async () => {
    const res = await fetch("/api/v1/me");
    return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
  });
  expect(after).toMatchObject({ status: 401, type: "application/problem+json" });
  expect(after.body.type).toBe("/api/v1/problems/not_signed_in");
  for (const x of [a, b]) await x.context.close();
});

test("the OpenAPI document is served", async ({ request }) => {
  const res = await request.get(`${BASE_URL}/api/v1/openapi.json`);
  expect(res.status()).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(Object.keys(doc.paths)).toContain("/api/v1/sessions/{id}");
});

test("an API token made in the browser calls the API, shows as a card live, and is refused once terminated", async ({
  browser,
}) => {
  const name = uniqueName("token");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);
  const board = await device(browser, UA.linuxFirefox, "81.2.69.150");
  await login(board.page, name);
  await board.page.goto("/sessions");
  await hydrated(board.page);
  await expect(cards(board.page)).toHaveCount(2);

  await a.page.getByRole("link", { name: "API tokens" }).click();
  await hydrated(a.page);
  await a.page.getByLabel("Name").fill("backup script");
  await a.page.getByLabel("What it may do").selectOption("read");
  await a.page.getByRole("button", { name: "Create token" }).click();
  const shown = a.page.getByRole("status").filter({ hasText: "not shown again" });
  await expect(shown).toBeVisible();
  const token = (await shown.innerText()).split(": ").pop()!.trim();
  expect(token.length).toBeGreaterThan(20);

  // The script: no cookie, no origin, just the token.
  const script = await playwrightRequest.newContext({
    baseURL: BASE_URL,
    extraHTTPHeaders: { Authorization: `Bearer ${token}` },
  });
  const me = await script.get("/api/v1/me");
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ username: name, token_scope: "read" });
  const listed = await (await script.get("/api/v1/sessions")).json();
  expect(listed.sessions).toHaveLength(3);

  // Its card appears on the open board by itself, and Terminate ends it.
  const card = cards(board.page).filter({ hasText: "backup script" });
  await expect(card).toHaveCount(1);
  await expect(card.getByText("API token").first()).toBeVisible();
  await card.getByRole("button", { name: "Terminate" }).click();
  await expect(cards(board.page)).toHaveCount(2);
  const refused = await script.get("/api/v1/me");
  expect(refused.status()).toBe(401);
  expect((await refused.json()).type).toBe("/api/v1/problems/not_signed_in");
  await script.dispose();
  for (const x of [a, board]) await x.context.close();
});
