import { expect, test } from "@playwright/test";
import { UA, cards, device, field, hydrated, login, otherCards, ownCard, register, uniqueName } from "./helpers";

// The board patches what changed and leaves the rest alone: a field being
// typed in, its caret and the focus survive live updates, new sessions
// appear, ended ones go, and screen readers hear of it.

test("typing a name while three live updates arrive: the text, the field and the focus stay; the change is announced", async ({
  browser,
}) => {
  const name = uniqueName("typing");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);
  const b = await device(browser, UA.linuxFirefox, "81.2.69.150");
  await login(b.page, name);
  const c = await device(browser, UA.macSafari, "216.160.83.56");
  await login(c.page, name);
  await a.page.goto("/sessions");
  await hydrated(a.page);
  await expect(cards(a.page)).toHaveCount(3);

  const own = ownCard(a.page);
  await own.getByText("Rename", { exact: true }).click();
  const box = own.getByLabel("Name");
  await box.click();
  await box.pressSequentially("Work lap");
  const announce = a.page.locator('[data-field="announce"]');

  // 1. Another device signs in: one card more.
  const d = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await login(d.page, name);
  await expect(cards(a.page)).toHaveCount(4);
  await expect(announce).toContainText("signed in.");
  // 2. One is terminated elsewhere: one card fewer.
  const cId = await c.page.evaluate(() =>
    document.querySelector("article.current")?.getAttribute("data-session-id"),
  );
  await b.page.goto("/sessions");
  await hydrated(b.page);
  await b.page.locator(`article[data-session-id="${cId}"]`).getByRole("button", { name: "Terminate" }).click();
  await expect(cards(a.page)).toHaveCount(3);
  await expect(announce).toContainText("was signed out.");
  // 3. Activity is flushed: B's pages visited grow on A's page.
  const bCard = a.page.locator(`article[data-session-id]`).filter({ has: a.page.getByText("Firefox 125") });
  const before = Number(await field(bCard, "pages-visited").innerText());
  await b.page.goto("/account/password");
  await expect.poll(async () => Number(await field(bCard, "pages-visited").innerText())).toBeGreaterThan(before);

  // Through all of it: the same field, its text, the focus and the caret.
  await expect(box).toHaveValue("Work lap");
  expect(await a.page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name)).toBe("name");
  await a.page.keyboard.type("top");
  await expect(box).toHaveValue("Work laptop");
  await a.page.keyboard.press("Enter");
  await expect(field(own, "name")).toHaveText("Work laptop");
  await expect(field(own, "default-name")).toHaveText("Chrome on Windows");
  for (const x of [a, b, c, d]) await x.context.close();
});

test("a keyboard user tabs to Terminate while live updates arrive, and Enter ends that session", async ({ browser }) => {
  const name = uniqueName("tabbing");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);
  const b = await device(browser, UA.linuxFirefox, "81.2.69.151");
  await login(b.page, name);
  await a.page.goto("/sessions");
  await hydrated(a.page);
  await expect(cards(a.page)).toHaveCount(2);
  // Live updates keep coming while the person tabs: devices sign in.
  const arrivals = [UA.iphoneSafari, UA.macSafari].map(async (ua, i) => {
    const x = await device(browser, ua, `89.160.20.${130 + i}`);
    await login(x.page, name);
    return x;
  });
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await a.page.keyboard.press("Tab");
    reached = await a.page.evaluate(() => {
      const el = document.activeElement;
      return el?.textContent?.trim() === "Terminate" && !!el.closest("article")?.textContent?.includes("Firefox");
    });
  }
  expect(reached, "Terminate of the Firefox card reachable with Tab").toBe(true);
  const devices = await Promise.all(arrivals);
  await expect(cards(a.page)).toHaveCount(4);
  // The focus is still on that button.
  expect(await a.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Terminate");
  await a.page.keyboard.press("Enter");
  await b.page.waitForURL("**/login?ended=1");
  await expect(otherCards(a.page)).toHaveCount(2);
  await expect
    .poll(() => a.page.evaluate(() => document.activeElement?.textContent ?? ""))
    .toContain("Session terminated.");
  for (const x of [a, b, ...devices]) await x.context.close();
});
