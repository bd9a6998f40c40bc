import { test, expect } from "@playwright/test";
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
  await login(a.page, user);
  await hydrated(a.page);
  await expect(cards(a.page)).toHaveCount(2);
  const other = otherCards(a.page);
  // Within the window, nothing is asked; once it lapses, the card asks by
  // itself (the page knows when the proof ends).
  await expect(other.getByLabel("Your password")).toHaveCount(0);
  const password = other.getByLabel("Your password");
  await expect(password).toBeVisible({ timeout: 10_000 });
  await password.fill("not my password");
  await other.getByRole("button", { name: "Terminate" }).click();
  await expect(other.getByRole("alert")).toHaveText("The current password is wrong.");
  await expect(cards(a.page)).toHaveCount(2);
  await password.fill(PASSWORD);
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
