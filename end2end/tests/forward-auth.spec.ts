import { Browser, BrowserContext, Page, expect, test } from "@playwright/test";
import { FA } from "../playwright.config";
import { PASSWORD, UA, apiContext, cards, field, hydrated, otherCards, ownCard } from "./helpers";

// Forward authentication through real proxies: nginx (path mode and, with
// TLS, subdomain mode) and Caddy, each running the files of
// deploy/forward-auth, in front of two apps that echo what they received.

type Echo = { app: string; path: string; cookie: string | null; remote: Record<string, string> };

async function echo(page: Page): Promise<Echo> {
  return JSON.parse((await page.locator("#echo").textContent()) ?? "{}");
}

/** A browser on its own device; `Remote-*` headers it sends must never reach an app. */
async function browserAt(browser: Browser, userAgent = UA.linuxFirefox): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    userAgent,
    ignoreHTTPSErrors: true,
    extraHTTPHeaders: { "Remote-User": "mallory", "Remote-Email": "mallory@example.com" },
  });
  return { context, page: await context.newPage() };
}

/** Registers `name` on the Sessionboard behind `origin` (straight to it, on `port`). */
async function account(origin: string, port: number, name: string): Promise<void> {
  const api = await apiContext({ baseURL: `http://localhost:${port}`, headers: { Origin: origin } });
  const res = await api.post("/api/register", {
    form: { username: name, password: PASSWORD, confirm: PASSWORD },
    headers: { Accept: "application/json" },
  });
  expect(res.status()).toBe(200);
  // Registering signs in: that session is not one of the devices below.
  // (Sent by hand: a cookie for the subdomains' domain is not this host's.)
  const cookie = (res.headers()["set-cookie"] ?? "").split(";")[0];
  const out = await api.post("/api/logout", { headers: { Accept: "application/json", Cookie: cookie } });
  expect(out.status()).toBe(200);
  await api.dispose();
}

async function signInAt(page: Page, name: string): Promise<void> {
  await hydrated(page);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Whether `page`'s app answered, showing what it got. */
async function expectApp(page: Page, app: string, user: string): Promise<Echo> {
  await expect(page.getByRole("heading", { name: app })).toBeVisible();
  const got = await echo(page);
  expect(got.remote["remote-user"]).toBe(user);
  // No verified address: none, or empty (Caddy 2.6 sets what it copies).
  expect(got.remote["remote-email"] ?? "").toBe("");
  expect(got.cookie ?? "").not.toContain("sb_session");
  expect(got.cookie ?? "").not.toContain("sb_pending");
  return got;
}

/** The flow of the issue, through one front: `wiki` and `photos` are the apps' addresses. */
async function flow(browser: Browser, o: { board: string; port: number; wiki: string; photos: string; origin: string }) {
  await account(o.origin, o.port, FA.allowed);
  await account(o.origin, o.port, "bob");
  const a = await browserAt(browser);
  // Visiting app 1 lands on the login page, and signing in returns there.
  await a.page.goto(`${o.wiki}page?x=1`);
  await expect(a.page).toHaveURL(/\/login\?rd=/);
  await signInAt(a.page, FA.allowed);
  await a.page.waitForURL(`${o.wiki}page?x=1`);
  const got = await expectApp(a.page, "Wiki", FA.allowed);
  expect(got.path).toContain("page?x=1");
  // App 2 opens without signing in again.
  await a.page.goto(o.photos);
  await expectApp(a.page, "Photos", FA.allowed);
  // The card shows both apps, and where the sign-in started.
  await a.page.goto(`${o.board}/sessions`);
  await hydrated(a.page);
  await expect(field(ownCard(a.page), "apps")).toContainText("Photos");
  await expect(field(ownCard(a.page), "apps")).toContainText("Wiki");
  await expect(field(ownCard(a.page), "started-app")).toHaveText("Wiki");

  // Another device ends that session: the next request to either app
  // lands on the login page.
  const b = await browserAt(browser, UA.iphoneSafari);
  await b.page.goto(`${o.board}/login`);
  await signInAt(b.page, FA.allowed);
  await b.page.waitForURL(`${o.board}/sessions`);
  await hydrated(b.page);
  await expect(otherCards(b.page)).toHaveCount(1);
  await otherCards(b.page).getByRole("button", { name: "Terminate" }).click();
  await expect(cards(b.page)).toHaveCount(1);
  // A's open board is told at once, and leaves for the login page.
  await expect(a.page).toHaveURL(/\/login\?ended=1/);
  for (const url of [o.wiki, o.photos]) {
    await a.page.goto(url);
    await expect(a.page).toHaveURL(/\/login\?rd=/);
    await expect(a.page.getByRole("heading", { name: "Log in" })).toBeVisible();
  }

  // A user the app does not allow is refused, and told why.
  const c = await browserAt(browser, UA.windowsChrome);
  await c.page.goto(o.photos);
  await signInAt(c.page, "bob");
  await expect(c.page.getByRole("heading", { name: "You cannot open this app" })).toBeVisible();
  await expect(c.page.getByText("Photos is not open to your account.")).toBeVisible();
  // The other app is open to everyone.
  await c.page.goto(o.wiki);
  await expectApp(c.page, "Wiki", "bob");
  for (const d of [a, b, c]) await d.context.close();
}

test("nginx, path mode: sign in once for every app, see them on the card, end them everywhere", async ({ browser }) => {
  await flow(browser, { board: FA.path, port: 3120, wiki: `${FA.path}/wiki/`, photos: `${FA.path}/photos/`, origin: FA.path });
});

test("nginx, subdomain mode over TLS: the shared cookie signs every subdomain in and never reaches an app", async ({ browser }) => {
  await flow(browser, { board: FA.auth, port: 3122, wiki: `${FA.wikiSub}/`, photos: `${FA.photosSub}/`, origin: FA.auth });
});

test("Caddy forward_auth: sign in, return, revocation", async ({ browser }) => {
  await flow(browser, { board: FA.caddy, port: 3126, wiki: `${FA.caddy}/wiki/`, photos: `${FA.caddy}/photos/`, origin: FA.caddy });
});
