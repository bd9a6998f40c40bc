import { test, expect } from "@playwright/test";
import { cards, hydrated, ownCard, field, register, uniqueName, UA, device } from "./helpers";

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
