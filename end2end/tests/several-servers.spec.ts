import { test, expect, request, APIRequestContext, Browser } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { NGINX_URL, SEVERAL_SERVERS } from "../playwright.config";
import {
  apiContext, apiLogin, apiRegister, cards, device, hydrated, login, otherCards, register, sessionIds, signedIn,
  uniqueName, UA,
} from "./helpers";

// nginx in front of two servers on one PostgreSQL database. A browser is
// pinned to one server with the X-Sessionboard-Server header nginx routes on.
test.skip(!SEVERAL_SERVERS, "needs PostgreSQL and nginx (scripts/test.sh sets them up)");
test.use({ baseURL: NGINX_URL });

const on = (n: 1 | 2) => ({ headers: { "X-Sessionboard-Server": String(n) }, baseURL: NGINX_URL });

function pinned(browser: Browser, n: 1 | 2, ua: string) {
  return device(browser, ua, undefined, on(n));
}

/** Runs SQL against the PostgreSQL server as its administrator. */
function psql(sql: string): string {
  const r = spawnSync("psql", [process.env.E2E_PG_ADMIN_URL!, "-Atqc", sql], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
  return r.stdout.trim();
}

test("a terminate on server 1 reaches the page and the cookie on server 2", async ({ browser }) => {
  const user = uniqueName("multi");
  const a = await pinned(browser, 1, UA.windowsChrome);
  const b = await pinned(browser, 2, UA.iphoneSafari);
  await register(a.page, user);
  await login(b.page, user);
  await hydrated(a.page);
  await hydrated(b.page);
  // B's login, made on server 2, appears on A's page on server 1.
  await expect(cards(a.page)).toHaveCount(2);
  const bCookies = await b.context.cookies();

  await otherCards(a.page).getByRole("button", { name: "Terminate" }).click();
  await b.page.waitForURL("**/login?ended=1");
  await expect(b.page.getByText("This session was ended from another device.")).toBeVisible();
  for (const n of [1, 2] as const) {
    const replay = await browser.newContext({ baseURL: NGINX_URL, extraHTTPHeaders: on(n).headers });
    await replay.addCookies(bCookies);
    expect(await signedIn(replay.request), `server ${n}`).toBe(false);
    await replay.close();
  }
  await a.context.close();
  await b.context.close();
});

test("sign out everywhere on server 1 ends the sessions held on server 2", async ({ browser }) => {
  const user = uniqueName("multi");
  const a = await pinned(browser, 1, UA.windowsChrome);
  const b = await pinned(browser, 2, UA.iphoneSafari);
  const c = await pinned(browser, 2, UA.macSafari);
  await register(a.page, user);
  await login(b.page, user);
  await login(c.page, user);
  await hydrated(b.page);
  await hydrated(c.page);
  await a.page.reload();
  await hydrated(a.page);
  await a.page.getByRole("button", { name: "Sign out everywhere" }).click();
  await a.page.getByRole("button", { name: "Sign out 2 other sessions" }).click();
  await expect(a.page.getByText("Signed out 2 other sessions.")).toBeVisible();
  await b.page.waitForURL("**/login?ended=1");
  await c.page.waitForURL("**/login?ended=1");
  for (const d of [a, b, c]) await d.context.close();
});

test("pages visited and last activity add up across the two servers", async () => {
  const user = uniqueName("count");
  const first = await apiContext(on(1));
  await apiRegister(first, user);
  const state = await first.storageState();
  const client = (n: 1 | 2) =>
    request.newContext({ baseURL: NGINX_URL, storageState: state, extraHTTPHeaders: on(n).headers });
  const servers = [await client(1), await client(2)];
  // One session, alternating between the servers: three page loads on each.
  for (let i = 0; i < 3; i++) {
    for (const c of servers) {
      const res = await c.get("/sessions", { headers: { Accept: "text/html", "Sec-Fetch-Dest": "document" } });
      expect(res.status()).toBe(200);
    }
  }
  // Both flush within a second; the board's data (not a page load) then reads the same on both.
  const read = async (c: APIRequestContext) => {
    const board = await (await c.get("/api/board")).json();
    return { pages: board.cards[0].pv as number, seen: board.cards[0].seen as number };
  };
  await expect
    .poll(async () => {
      const [one, two] = [await read(servers[0]), await read(servers[1])];
      return { pages: [one.pages, two.pages], sameLastActivity: one.seen === two.seen };
    }, { timeout: 15_000 })
    .toEqual({ pages: [6, 6], sameLastActivity: true });
  for (const c of [first, ...servers]) await c.dispose();
});

test("a lost listener: revocation within the short TTL, streams resync after reconnecting", async ({ browser }) => {
  test.setTimeout(90_000);
  const user = uniqueName("listen");
  const a = await pinned(browser, 1, UA.windowsChrome);
  const b = await pinned(browser, 2, UA.iphoneSafari);
  await register(a.page, user);
  await login(b.page, user);
  await hydrated(b.page);
  const victim = await apiContext(on(2));
  await apiLogin(victim, user);
  expect(await signedIn(victim)).toBe(true); // now cached on server 2
  const victimId = (await sessionIds(victim)).current;

  const killed = psql(
    `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity ` +
      `WHERE application_name = 'sessionboard-2' AND query LIKE 'LISTEN%'`,
  );
  expect(Number(killed)).toBe(1);
  // Revoked on server 1 while server 2 may not hear it.
  await a.page.reload();
  await hydrated(a.page);
  const card = a.page.locator(`article[data-session-id="${victimId}"]`);
  await card.getByRole("button", { name: "Terminate" }).click();
  await expect(card).toHaveCount(0);
  await expect.poll(() => signedIn(victim), { timeout: 3_000, intervals: [250] }).toBe(false);

  // A login on server 1 that server 2's page may have missed shows up there
  // anyway: after reconnecting, every stream resyncs.
  const third = await apiContext(on(1));
  await apiLogin(third, user);
  const thirdId = (await sessionIds(third)).current;
  await expect(b.page.locator(`article[data-session-id="${thirdId}"]`)).toHaveCount(1, { timeout: 15_000 });
  await expect(b.page.locator(`article[data-session-id="${victimId}"]`)).toHaveCount(0);
  for (const c of [victim, third]) await c.dispose();
  await a.context.close();
  await b.context.close();
});

test("a database outage is a clear 503, and the servers recover by themselves", async () => {
  test.setTimeout(90_000);
  const db = process.env.E2E_PG_DB!;
  const user = uniqueName("outage");
  const me = await apiContext(on(2));
  await apiRegister(me, user);
  try {
    psql(`ALTER DATABASE ${db} ALLOW_CONNECTIONS false`);
    psql(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${db}'`);
    for (const n of [1, 2] as const) {
      const other = await apiContext(on(n));
      const res = await other.post("/api/login", { form: { username: user, password: "correct horse battery" } });
      expect(res.status(), `server ${n}`).toBe(503);
      expect(await res.text()).toContain("The session database is unavailable. Please try again.");
      expect((await other.get("/healthz")).status()).toBe(503);
      // Pages that need no database still load.
      expect((await other.get("/login")).status()).toBe(200);
      await other.dispose();
    }
  } finally {
    psql(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
  }
  for (const n of [1, 2] as const) {
    const other = await apiContext(on(n));
    await expect
      .poll(async () => (await other.post("/api/login", { form: { username: user, password: "correct horse battery" } })).status(), {
        timeout: 30_000,
      })
      .toBe(200);
    await other.dispose();
  }
  await me.dispose();
});

test("'Was this you?' travels: a sign-in on server 2 asks on server 1, and the answer clears server 2's page", async ({
  browser,
}) => {
  const user = uniqueName("multi");
  const a = await pinned(browser, 1, UA.windowsChrome);
  await register(a.page, user);
  await hydrated(a.page);
  // The same session, its password page open through server 2.
  const a2 = await browser.newContext({ userAgent: UA.windowsChrome, baseURL: NGINX_URL, extraHTTPHeaders: on(2).headers });
  await a2.addCookies(await a.context.cookies());
  const a2Page = await a2.newPage();
  await a2Page.goto("/account/password");
  await hydrated(a2Page);

  const b = await pinned(browser, 2, UA.iphoneSafari);
  await login(b.page, user);
  const notice = a.page.locator("article[data-notice]");
  await expect(notice).toHaveCount(1);
  await expect(a2Page.locator("article[data-notice]")).toHaveCount(1);
  await expect(notice.locator('[data-field="new-device"]')).toBeVisible();
  await notice.getByRole("button", { name: "Yes, it was me" }).click();
  await expect(a2Page.locator("article[data-notice]")).toHaveCount(0);
  await expect(notice).toHaveCount(0);
  await a.context.close();
  await a2.close();
  await b.context.close();
});
