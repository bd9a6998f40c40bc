import { test, expect, type Route } from "@playwright/test";
import { SHORT_URL } from "../playwright.config";
import { cards, device, hydrated, login, otherCards, register, uniqueName, UA, PASSWORD } from "./helpers";

// Against the second server: SESSION_IDLE_TIMEOUT=20s, ACTIVITY_FLUSH_INTERVAL=1s, REAUTH_WINDOW=3s.
test.use({ baseURL: SHORT_URL });

test("a sessions tab left open idles out and lands on the login page", async ({ browser }) => {
  test.setTimeout(90_000);
  const { context, page } = await device(browser, UA.linuxFirefox);
  await register(page, uniqueName("idle"));
  await hydrated(page);
  // The board's own refreshes and the live stream are not activity: nothing keeps it alive.
  await page.waitForURL("**/login?expired=1", { timeout: 60_000 });
  await expect(page.getByText("Your session expired after a period of inactivity.")).toBeVisible();
  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});

test("after the re-authentication window, Terminate asks for the password (with script)", async ({ browser }) => {
  const user = uniqueName("reauth");
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await register(b.page, user);
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  // A board refreshed after the window already carries the password field
  // (then the browser itself asks for it): hold A's refreshes until the
  // click, so that the board is the one rendered at login and the server
  // is the one that asks.
  const held: Route[] = [];
  let holding = true;
  await a.page.route(/\/api\/board(\?|$)/, (route) => (holding ? held.push(route) : route.continue()));
  await login(a.page, user);
  await hydrated(a.page);
  await expect(cards(a.page)).toHaveCount(2);
  const other = otherCards(a.page);
  await expect(other.getByLabel("Your password")).toHaveCount(0);
  await a.page.waitForTimeout(3_500);
  await other.getByRole("button", { name: "Terminate" }).click();
  await expect(a.page.getByRole("alert")).toHaveText(/confirm it's you: enter your password/);
  holding = false;
  await Promise.all(held.map((r) => r.continue()));
  await other.getByLabel("Your password").fill(PASSWORD);
  await other.getByRole("button", { name: "Terminate" }).click();
  await expect(a.page.getByText("Session terminated.")).toBeVisible();
  await expect(cards(a.page)).toHaveCount(1);
  await b.page.waitForURL("**/login?ended=1");
  await a.context.close();
  await b.context.close();
});

test("after the re-authentication window, sign out everywhere asks for the password (without script)", async ({ browser }) => {
  const user = uniqueName("nojsre");
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await register(b.page, user);
  const a = await device(browser, UA.windowsChrome, "81.2.69.142", { javaScriptEnabled: false });
  await login(a.page, user, PASSWORD, false);
  await a.page.waitForTimeout(3_500);
  await a.page.getByRole("button", { name: "Sign out everywhere" }).click();
  // Past the window, the confirmation carries a password field.
  const password = a.page.getByRole("alertdialog").getByLabel("Your password");
  await password.fill("not my password");
  await a.page.getByRole("button", { name: "Sign out 1 other session" }).click();
  await expect(a.page.getByRole("alert")).toHaveText("The current password is wrong.");
  await expect(cards(a.page)).toHaveCount(2);
  await password.fill(PASSWORD);
  await a.page.getByRole("button", { name: "Sign out 1 other session" }).click();
  await expect(a.page.getByText("Signed out 1 other session.")).toBeVisible();
  await expect(cards(a.page)).toHaveCount(1);
  await a.context.close();
  await b.context.close();
});
