import { test, expect } from "@playwright/test";
import {
  apiContext, apiLogin, apiRegister, cards, COOKIE, device, field, login, otherCards, ownCard, sessionIds,
  signedIn, tokenOf, uniqueName, UA, PASSWORD,
} from "./helpers";
import { BASE_URL } from "../playwright.config";

test("without JavaScript: log in, see cards and terminate through forms", async ({ browser }) => {
  const user = uniqueName("nojs");
  const other = await apiContext({ userAgent: UA.iphoneSafari });
  await apiRegister(other, user);
  const { context, page } = await device(browser, UA.linuxFirefox, "81.2.69.142", { javaScriptEnabled: false });
  await login(page, user, PASSWORD, false);
  await expect(cards(page)).toHaveCount(2);
  await expect(field(ownCard(page), "browser")).toHaveText("Firefox 125");
  await otherCards(page).getByRole("button", { name: "Terminate" }).click();
  await page.waitForURL("**/sessions?terminated=1");
  await expect(page.getByText("Session terminated.")).toBeVisible();
  await expect(cards(page)).toHaveCount(1);
  expect(await signedIn(other)).toBe(false);

  // Errors reach users without script too.
  await page.goto("/account/password");
  await page.getByLabel("Current password").fill("wrong password!");
  await page.getByLabel("New password", { exact: true }).fill("another secret");
  await page.getByLabel("Repeat new password").fill("another secret");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toHaveText("The current password is wrong.");
  await other.dispose();
  await context.close();
});

test("a cross-site form post to terminate is refused", async ({ browser }) => {
  const user = uniqueName("csrf");
  const victim = await apiContext();
  await apiRegister(victim, user);
  const victimId = (await sessionIds(victim)).current;

  const { context, page } = await device(browser, UA.windowsChrome);
  await login(page, user);
  await expect(cards(page)).toHaveCount(2);
  // A page on another origin of the same host (so the Lax cookie is sent).
  const evil = "http://localhost:3199/evil.html";
  await page.route(evil, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="post" action="${BASE_URL}/api/terminate_session">
               <input name="id" value="${victimId}"><button>Win a prize</button></form>`,
    }),
  );
  await page.goto(evil);
  const [response] = await Promise.all([
    page.waitForResponse(`${BASE_URL}/api/terminate_session`),
    page.getByRole("button", { name: "Win a prize" }).click(),
  ]);
  expect(response.status()).toBe(403);
  await expect(page.getByText("Refused")).toBeVisible();
  expect(await signedIn(victim)).toBe(true);
  await victim.dispose();
  await context.close();
});

test("another account's session id answers like an unknown id", async () => {
  const alice = await apiContext();
  const mallory = await apiContext();
  await apiRegister(alice, uniqueName("alice"));
  await apiRegister(mallory, uniqueName("mallory"));
  const aliceId = (await sessionIds(alice)).current;

  const foreign = await mallory.post("/api/terminate_session", { form: { id: aliceId } });
  const unknown = await mallory.post("/api/terminate_session", { form: { id: "AAAAAAAAAAAAAAAAAAAAAA" } });
  expect(foreign.status()).toBe(404);
  expect(unknown.status()).toBe(foreign.status());
  expect(await unknown.text()).toBe(await foreign.text());
  expect(await foreign.text()).toContain("does not exist or has already ended");
  expect((await sessionIds(alice)).all).toContain(aliceId);
  await alice.dispose();
  await mallory.dispose();
});

test("the current session cannot be terminated through the terminate endpoint", async () => {
  const me = await apiContext();
  await apiRegister(me, uniqueName("self"));
  const myId = (await sessionIds(me)).current;
  const res = await me.post("/api/terminate_session", { form: { id: myId } });
  expect(res.status()).toBe(409);
  expect(await res.text()).toContain("You cannot terminate your current session from this page. Use Log out instead.");
  expect(await signedIn(me)).toBe(true);
  await me.dispose();
});

test("state-changing server functions refuse GET, and no response carries the token", async () => {
  const me = await apiContext();
  await apiRegister(me, uniqueName("leak"));
  const token = (await me.storageState()).cookies.find((c) => c.name === COOKIE)!;
  expect(token.httpOnly).toBe(true);
  expect(token.secure).toBe(true);
  expect(token.sameSite).toBe("Lax");
  expect((await me.get("/api/terminate_session?id=x")).status()).toBe(405);
  expect((await me.get("/api/sign_out_everywhere")).status()).toBe(405);
  expect((await me.get("/api/change_password")).status()).toBe(405);
  for (const path of ["/sessions", "/api/board", "/account/password"]) {
    const res = await me.get(path);
    expect(res.headers()["cache-control"]).toBe("no-store");
    expect(await res.text()).not.toContain(token.value);
  }
  await me.dispose();
});

test("login rotates the token: a cookie from before login is never promoted", async () => {
  const user = uniqueName("fix");
  const me = await apiContext();
  await apiRegister(me, user);
  const before = (await me.storageState()).cookies.find((c) => c.name === COOKIE)!.value;
  await apiLogin(me, user);
  const after = (await me.storageState()).cookies.find((c) => c.name === COOKIE)!.value;
  expect(after).not.toBe(before);
  await me.dispose();
});

test("the live stream authenticates and refuses cross-site origins", async () => {
  const me = await apiContext();
  const stranger = await apiContext();
  await apiRegister(me, uniqueName("sse"));
  expect((await stranger.get("/api/events")).status()).toBe(401);
  expect((await me.get("/api/events", { headers: { Origin: "http://evil.example" } })).status()).toBe(403);
  expect((await me.get("/api/events", { headers: { "Sec-Fetch-Site": "cross-site" } })).status()).toBe(403);
  await me.dispose();
  await stranger.dispose();
});
