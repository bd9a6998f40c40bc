import { test, expect } from "@playwright/test";
import { LIMIT_URL } from "../playwright.config";
import { PASSWORD, UA, device, hydrated, login, register, uniqueName } from "./helpers";

// MAX_SESSIONS_PER_ACCOUNT=2 on this server: a third sign-in shows the
// account's devices and its person chooses which to sign out (nothing is
// ended for them); the chosen device is told why on its open page.
for (const js of [true, false]) {
  test(`at the session limit, the person chooses which device to sign out (${js ? "with" : "without"} JavaScript)`, async ({ browser }) => {
    const name = uniqueName(js ? "limit" : "limitnojs");
    const a = await device(browser, UA.windowsChrome, "198.51.100.71", { baseURL: LIMIT_URL });
    await register(a.page, name);
    const b = await device(browser, UA.iphoneSafari, "198.51.100.72", { baseURL: LIMIT_URL });
    await login(b.page, name);

    const c = await device(browser, UA.linuxFirefox, "198.51.100.73", { baseURL: LIMIT_URL, javaScriptEnabled: js });
    await c.page.goto("/login");
    if (js) await hydrated(c.page);
    await c.page.getByLabel("Username").fill(name);
    await c.page.getByLabel("Password").fill(PASSWORD);
    await c.page.getByRole("button", { name: "Log in" }).click();
    await c.page.waitForURL("**/login/room");
    await expect(c.page.getByRole("heading", { name: "Too many signed-in devices" })).toBeVisible();
    await expect(c.page.getByRole("listitem")).toHaveCount(2);
    // Nothing was ended for the person: both devices are still signed in.
    await b.page.reload();
    await expect(b.page.getByRole("heading", { name: "Your sessions" })).toBeVisible();

    await c.page.getByRole("button", { name: "Sign out Chrome on Windows and continue" }).click();
    await c.page.waitForURL("**/sessions");
    await expect(c.page.getByRole("heading", { name: "Your sessions" })).toBeVisible();
    // The chosen device's open page is told why, at once.
    await a.page.waitForURL("**/login?ended=room");
    await expect(a.page.getByText("This session was ended to make room for a new sign-in on another device.")).toBeVisible();
    // Its history row says so too.
    await expect(c.page.getByText("ended to make room for a new sign-in").first()).toBeVisible();
    for (const d of [a, b, c]) await d.context.close();
  });
}
