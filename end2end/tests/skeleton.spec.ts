import { test, expect } from "@playwright/test";
import { cards, hydrated, ownCard, field, login, register, uniqueName, UA, device } from "./helpers";

test("login page is server-rendered with its form", async ({ request }) => {
  const res = await request.get("/login");
  expect(res.status()).toBe(200);
  expect(res.headers()["cache-control"]).toBe("no-store");
  const html = await res.text();
  expect(html).toContain('<form action="/api/login" method="post">');
  expect(html).toContain('name="username"');
});

test("register, land on /sessions, see this session, and the page is live", async ({ browser }) => {
  const { context, page } = await device(browser, UA.linuxFirefox, "81.2.69.142");
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await register(page, uniqueName("skel"));
  await expect(cards(page)).toHaveCount(1);
  const mine = ownCard(page);
  await expect(mine).toHaveCount(1);
  await expect(field(mine, "device-type")).toHaveText("Desktop");
  await expect(field(mine, "platform")).toHaveText("Linux");
  await expect(field(mine, "browser")).toHaveText("Firefox 125");
  await expect(field(mine, "ip")).toHaveText("81.2.69.142");
  await expect(field(mine, "location")).toHaveText("United Kingdom");
  await expect(field(mine, "last-activity")).toHaveText("just now");
  await expect(mine.getByRole("button", { name: "Terminate" })).toHaveCount(0);

  // Navigation is plain links between server-rendered pages.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Sign out everywhere" })).toHaveCount(0); // nothing else to sign out
  await page.getByRole("link", { name: "Password", exact: true }).click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
  await page.getByRole("link", { name: "Sessions", exact: true }).click();
  await expect(ownCard(page)).toHaveCount(1);

  // Logging out ends the session and lands on the login page.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login?signed_out=1");
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await page.goto("/sessions");
  await expect(page).toHaveURL(/\/login$/);
  expect(errors).toEqual([]);
  await context.close();
});

test("Log out lands on 'signed out' even when the live stream is refused while the form is on its way", async ({ browser }) => {
  const { context, page } = await device(browser, UA.linuxFirefox, "81.2.69.142");
  await register(page, uniqueName("leave"));
  // Hold the page's stream until the logout has ended the session, then hold
  // the logout's answer a while: the refused stream must not send the page
  // to "ended from another device" (which would also cancel the logout's
  // own navigation).
  let ended!: () => void;
  const sessionEnded = new Promise<void>((resolve) => (ended = resolve));
  await page.route("**/api/events", async (route) => {
    await sessionEnded;
    await route.continue();
  });
  await page.route("**/api/logout", async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    ended();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await route.fulfill({ response }).catch(() => {}); // cancelled if the page left meanwhile
  });
  await page.reload();
  await hydrated(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login\?/);
  await expect(page).toHaveURL(/\/login\?signed_out=1$/);
  await expect(page.getByText("You have been signed out.")).toBeVisible();
  await context.close();
});
