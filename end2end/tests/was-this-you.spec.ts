import { Page, expect, test } from "@playwright/test";
import { UA, cards, device, field, hydrated, login, ownCard, register, uniqueName } from "./helpers";

// Addresses in the MaxMind test database the server runs with.
const GB = "81.2.69.142";
const GB_2 = "81.2.69.143";
const SE = "89.160.20.128";
const US = "216.160.83.56";

function notices(page: Page) {
  return page.locator("article[data-notice]");
}

function card(page: Page, id: string) {
  return page.locator(`article[data-session-id="${id}"]`);
}

async function ownId(page: Page): Promise<string> {
  return (await ownCard(page).getAttribute("data-session-id"))!;
}

test("a new device from a new country: the open page asks at once; 'No' signs it out and offers the password page", async ({
  browser,
}) => {
  const name = uniqueName("wty");
  const a = await device(browser, UA.windowsChrome, GB);
  await register(a.page, name);
  await hydrated(a.page);
  await expect(notices(a.page)).toHaveCount(0);

  const b = await device(browser, UA.iphoneSafari, SE);
  await login(b.page, name);
  const bId = await ownId(b.page);
  // The sign-in happened when B's page loaded: A's page shows it within a second.
  const notice = notices(a.page);
  await expect(notice).toHaveCount(1, { timeout: 1_000 });
  await expect(notice.getByRole("heading", { name: "Was this you?" })).toBeVisible();
  await expect(field(notice, "device-type")).toHaveText("Mobile");
  await expect(field(notice, "browser")).toHaveText(/Mobile Safari 17/);
  await expect(field(notice, "platform")).toHaveText(/iOS/);
  await expect(field(notice, "location")).toHaveText("Sweden");
  await expect(field(notice, "ip")).toHaveText(SE);
  await expect(field(notice, "new-device")).toHaveText("New device");
  await expect(field(notice, "new-location")).toHaveText("New location");
  // The card carries the same marks; B's own page asks nothing about itself.
  await expect(field(card(a.page, bId), "new-device")).toBeVisible();
  await expect(field(card(a.page, bId), "new-location")).toBeVisible();
  await expect(notices(b.page)).toHaveCount(0);

  await notice.getByRole("button", { name: "No — sign it out" }).click();
  await a.page.waitForURL("**/account/password?denied=1");
  await expect(a.page.getByText("That session is signed out. If it was not you, change your password now")).toBeVisible();
  await expect(a.page.getByRole("heading", { name: "Change password" })).toBeVisible();
  await b.page.waitForURL("**/login?ended=1");

  await a.page.goto("/sessions");
  const row = a.page.locator(`tr[data-session-id="${bId}"]`);
  await expect(row).toContainText("Ended — terminated");
  await expect(field(row, "answer")).toHaveText("Denied");
  await expect(field(row, "new-device")).toBeVisible();
  await expect(notices(a.page)).toHaveCount(0);
  await a.context.close();
  await b.context.close();
});

test("a known device from a known country raises no notice, nor does the first session", async ({ browser }) => {
  const name = uniqueName("known");
  const a = await device(browser, UA.windowsChrome, GB);
  await register(a.page, name);
  await hydrated(a.page);
  const aId = await ownId(a.page);
  await expect(card(a.page, aId).locator(".mark")).toHaveCount(0);

  const again = await device(browser, UA.windowsChrome, GB_2);
  await login(again.page, name);
  const againId = await ownId(again.page);
  // A's board has heard of the second login, and asks nothing.
  await expect(cards(a.page)).toHaveCount(2);
  await expect(card(a.page, againId).locator(".mark")).toHaveCount(0);
  await expect(notices(a.page)).toHaveCount(0);
  await expect(notices(again.page)).toHaveCount(0);
  await a.context.close();
  await again.context.close();
});

test("'Yes, it was me' dismisses the notice on every open page, live, and history keeps the answer", async ({
  browser,
}) => {
  const name = uniqueName("yes");
  const a = await device(browser, UA.windowsChrome, GB);
  await register(a.page, name);
  await hydrated(a.page);
  // The same session on the password page, in a second tab.
  const password = await a.context.newPage();
  await password.goto("/account/password");
  await hydrated(password);

  const b = await device(browser, UA.linuxFirefox, US);
  await login(b.page, name);
  const bId = await ownId(b.page);
  await expect(notices(a.page)).toHaveCount(1);
  await expect(notices(password)).toHaveCount(1);
  await expect(field(notices(password), "location")).toHaveText("United States");

  await notices(password).getByRole("button", { name: "Yes, it was me" }).click();
  await expect(password.getByText("Thanks. That sign-in is marked as yours.")).toBeVisible();
  await expect(notices(password)).toHaveCount(0);
  await expect(notices(a.page)).toHaveCount(0);
  await expect(a.page.locator(`tr[data-session-id="${bId}"]`).locator('[data-field="answer"]')).toHaveText(
    "Confirmed",
  );
  // Confirmed, that device is known: its next sign-in asks nothing.
  const b2 = await device(browser, UA.linuxFirefox, US);
  await login(b2.page, name);
  await expect(cards(a.page)).toHaveCount(3);
  await expect(notices(a.page)).toHaveCount(0);
  for (const d of [a, b, b2]) await d.context.close();
});

test("without JavaScript the notice is a banner until answered, and both answers work", async ({ browser }) => {
  const name = uniqueName("nojs");
  const a = await device(browser, UA.windowsChrome, GB, { javaScriptEnabled: false });
  await register(a.page, name, undefined, false);

  const b = await device(browser, UA.iphoneSafari, SE);
  await login(b.page, name);
  const c = await device(browser, UA.linuxFirefox, US);
  await login(c.page, name);
  await a.page.goto("/account/password");
  await expect(notices(a.page)).toHaveCount(2);
  await a.page.goto("/sessions");
  await expect(notices(a.page)).toHaveCount(2);

  // "Yes" for C: back to the sessions page, one banner left.
  await notices(a.page)
    .filter({ hasText: "United States" })
    .getByRole("button", { name: "Yes, it was me" })
    .click();
  await a.page.waitForURL("**/sessions?confirmed=1");
  await expect(a.page.getByText("Thanks. That sign-in is marked as yours.")).toBeVisible();
  await expect(notices(a.page)).toHaveCount(1);

  // "No" for B: signed out, and on to the password page.
  await notices(a.page).getByRole("button", { name: "No — sign it out" }).click();
  await a.page.waitForURL("**/account/password?denied=1");
  await expect(a.page.getByText("That session is signed out.", { exact: false })).toBeVisible();
  await expect(notices(a.page)).toHaveCount(0);
  await b.page.waitForURL("**/login?ended=1");
  for (const d of [a, b, c]) await d.context.close();
});

test("a session used from two countries lists both places and carries 'Location changed'", async ({ browser }) => {
  const name = uniqueName("trail");
  const a = await device(browser, UA.windowsChrome, GB);
  await register(a.page, name);
  await hydrated(a.page);
  const laptop = await device(browser, UA.windowsChrome, GB_2);
  await login(laptop.page, name);
  const laptopId = await ownId(laptop.page);
  await expect(notices(a.page)).toHaveCount(0);

  // The same cookie, now used from Sweden (a stolen cookie, say).
  await laptop.context.setExtraHTTPHeaders({ "X-Forwarded-For": SE });
  await laptop.page.reload();
  const moved = card(a.page, laptopId);
  await expect(field(moved, "location-changed")).toHaveText("Location changed");
  const trail = field(moved, "places");
  await expect(trail.locator("summary")).toHaveText("Used from 2 places");
  await trail.locator("summary").click();
  await expect(trail.getByText("Sweden")).toBeVisible();
  await expect(trail.getByText("United Kingdom")).toBeVisible();
  await expect(trail.getByText(SE)).toBeVisible();
  await expect(trail.getByText(GB_2)).toBeVisible();
  // And the owner is asked about it, live.
  await expect(notices(a.page)).toHaveCount(1);
  await expect(field(notices(a.page), "location-changed")).toBeVisible();
  await a.context.close();
  await laptop.context.close();
});

for (const js of [true, false]) {
  test(`renaming this session and another one works ${js ? "with" : "without"} JavaScript`, async ({ browser }) => {
    const name = uniqueName(js ? "name" : "namenojs");
    const a = await device(browser, UA.windowsChrome, GB, { javaScriptEnabled: js });
    await register(a.page, name, undefined, js);
    const other = await device(browser, UA.windowsChrome, GB_2);
    await login(other.page, name);
    const otherId = await ownId(other.page);
    await a.page.goto("/sessions");
    if (js) await hydrated(a.page);
    // The default name, before any is given.
    await expect(ownCard(a.page).getByRole("heading", { name: "Chrome on Windows" })).toBeVisible();

    const rename = async (where: ReturnType<typeof card>, to: string) => {
      await where.getByText("Rename", { exact: true }).click();
      await where.getByLabel("Name").fill(to);
      await where.getByRole("button", { name: "Save name" }).click();
      if (!js) await a.page.waitForURL("**/sessions?renamed=1");
      await expect(a.page.getByText("Name saved.")).toBeVisible();
    };
    await rename(ownCard(a.page), "Work laptop");
    await expect(ownCard(a.page).getByRole("heading", { name: "Work laptop" })).toBeVisible();
    await rename(card(a.page, otherId), "<b>Home</b> PC");
    await expect(card(a.page, otherId).getByRole("heading", { name: "<b>Home</b> PC" })).toBeVisible();
    // Names show in history too, and on the other device's own page.
    await expect(a.page.locator(`tr[data-session-id="${otherId}"]`)).toContainText("<b>Home</b> PC");
    await other.page.reload();
    await expect(ownCard(other.page).getByRole("heading", { name: "<b>Home</b> PC" })).toBeVisible();
    await a.context.close();
    await other.context.close();
  });
}
