import { expect, test } from "@playwright/test";
import { SHORT_URL } from "../playwright.config";
import {
  PASSWORD,
  UA,
  apiContext,
  apiRegister,
  cards,
  codeStep,
  device,
  enrol,
  hydrated,
  login,
  mailsTo,
  otherCards,
  passwordStep,
  register,
  totp,
  uniqueName,
  verifiedAddress,
  waitForMails,
} from "./helpers";

// The second factor holds: five codes per sign-in, failed sign-ins the
// owner sees, both factors for a password change, a code (not the
// password) to re-authenticate, and a forgotten password through email.

for (const js of [true, false]) {
  test(`five wrong codes end the sign-in, and the owner sees it live (${js ? "with" : "without"} JavaScript)`, async ({
    browser,
  }) => {
    const name = uniqueName(js ? "fivecodes" : "fivenojs");
    const owner = await device(browser, UA.windowsChrome, "198.51.100.21");
    await register(owner.page, name);
    await enrol(owner.page, true);
    await owner.page.goto("/sessions");
    await hydrated(owner.page);
    await expect(owner.page.getByRole("heading", { name: "Failed sign-ins (last 30 days)" })).toHaveCount(0);

    const thief = await device(browser, UA.linuxFirefox, js ? "198.51.100.22" : "198.51.100.23", {
      javaScriptEnabled: js,
    });
    await passwordStep(thief.page, name, js);
    for (let i = 0; i < 4; i++) {
      await codeStep(thief.page, "123456");
      await expect(thief.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    }
    await codeStep(thief.page, "654321");
    await expect(thief.page.getByText("Too many wrong codes for this sign-in.")).toBeVisible();
    // The right code no longer helps: the password step starts again.
    await thief.page.goto("/login/verify");
    await expect(thief.page.getByLabel("Authentication code")).toHaveCount(0);
    await expect(thief.page.getByRole("link", { name: "Sign in again" })).toBeVisible();
    expect((await thief.context.cookies()).some((c) => c.name === "__Host-sb_session" && c.value)).toBe(false);

    // The owner's open page shows it, with what failed and that the
    // password is known.
    const failed = owner.page.locator("section.failed");
    await expect(failed.getByRole("row", { name: /Right password, wrong code/ })).toBeVisible();
    await expect(failed.locator('[data-field="attempts"]')).toHaveText("5");
    await expect(owner.page.getByText("Change your password now: it is known to someone else.")).toBeVisible();
    await owner.context.close();
    await thief.context.close();
  });

  test(`with two-factor on, the password change needs a code too (${js ? "with" : "without"} JavaScript)`, async ({
    browser,
  }) => {
    const name = uniqueName(js ? "pw2fa" : "pw2fanojs");
    const a = await device(browser, UA.windowsChrome, js ? "198.51.100.24" : "198.51.100.25", {
      javaScriptEnabled: js,
    });
    await register(a.page, name, undefined, js);
    const { secret, usedAt } = await enrol(a.page, js);
    await a.page.goto("/account/password");
    if (js) await hydrated(a.page);
    const code = a.page.getByLabel("Code from your authenticator app, or a recovery code");
    await a.page.getByLabel("Current password").fill(PASSWORD);
    await code.fill("000000");
    await a.page.getByLabel("New password", { exact: true }).fill("another long password");
    await a.page.getByLabel("Repeat new password").fill("another long password");
    await a.page.getByRole("button", { name: "Change password" }).click();
    await expect(a.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    await a.page.getByLabel("Current password").fill(PASSWORD);
    await code.fill(totp(secret, usedAt + 30_000));
    await a.page.getByLabel("New password", { exact: true }).fill("another long password");
    await a.page.getByLabel("Repeat new password").fill("another long password");
    await a.page.getByRole("button", { name: "Change password" }).click();
    await expect(a.page.getByText("Your password was changed.")).toBeVisible();
    await a.context.close();
  });
}

for (const js of [true, false]) {
  test(`with two-factor on, Terminate past the re-authentication window asks for a code, not the password (${js ? "with" : "without"} JavaScript)`, async ({
    browser,
  }) => {
    // The short server: REAUTH_WINDOW=3s. Set up through its API, quickly.
    const name = uniqueName(js ? "reauthcode" : "reauthnojs");
    const api = await apiContext({ baseURL: SHORT_URL, headers: { Accept: "application/json" } });
    await apiRegister(api, name);
    expect((await api.post("/api/two_factor_begin", { form: {} })).status()).toBe(200);
    const setup = await (await api.get("/account/two-factor")).text();
    const secret = /data-field="totp-secret">([A-Z2-7 ]+)</.exec(setup)![1].replace(/ /g, "");
    const confirmed = await api.post("/api/two_factor_confirm", { form: { code: totp(secret, Date.now()) } });
    expect(confirmed.status()).toBe(200);
    const shown = await (await api.get("/account/two-factor")).text();
    const recovery = [...shown.matchAll(/<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    expect(recovery).toHaveLength(10);
    // Another device, with a recovery code.
    const other = await device(browser, UA.iphoneSafari, "89.160.20.128", { baseURL: SHORT_URL });
    await passwordStep(other.page, name, true);
    await codeStep(other.page, recovery[0]);
    await other.page.waitForURL("**/sessions");

    const a = await browser.newContext({
      baseURL: SHORT_URL,
      storageState: await api.storageState(),
      userAgent: UA.windowsChrome,
      javaScriptEnabled: js,
    });
    const page = await a.newPage();
    await page.waitForTimeout(3_500);
    await page.goto("/sessions");
    if (js) await hydrated(page);
    await expect(cards(page)).toHaveCount(2);
    const card = otherCards(page);
    await expect(card.getByLabel("Your password")).toHaveCount(0);
    const code = card.getByLabel("Code from your authenticator app");
    await code.fill(PASSWORD);
    await card.getByRole("button", { name: "Terminate" }).click();
    await expect(page.getByRole("alert")).toHaveText(/enter the code from your authenticator app/);
    await code.fill(recovery[1]);
    await card.getByRole("button", { name: "Terminate" }).click();
    await expect(page.getByText("Session terminated.")).toBeVisible();
    await other.page.waitForURL("**/login?ended=1");
    await a.close();
    await other.context.close();
    await api.dispose();
  });
}

test("a forgotten password: the emailed link sets a new one once and signs out every device", async ({ browser }) => {
  const name = uniqueName("forgot");
  const address = `${name}@example.org`;
  const owner = await device(browser, UA.windowsChrome, "198.51.100.26");
  await register(owner.page, name);
  await verifiedAddress(owner.page, address);
  await owner.page.goto("/sessions");
  await hydrated(owner.page);

  const lost = await device(browser, UA.linuxFirefox, "216.160.83.56");
  await lost.page.goto("/login");
  await lost.page.getByRole("link", { name: "Forgot your password?" }).click();
  await lost.page.getByLabel("Username or email address").fill(name);
  await lost.page.getByRole("button", { name: "Email me a link" }).click();
  await expect(lost.page.getByText("If that account has a verified email address")).toBeVisible();
  const mails = await waitForMails(address, 2);
  const reset = mails[1];
  expect(reset.subject).toBe("Set a new Sessionboard password");
  const link = /http:\/\/localhost:\d+(\/login\/reset\?token=[A-Za-z0-9_-]{43})/.exec(reset.body);
  expect(link, reset.body).not.toBeNull();

  await lost.page.goto(link![1]);
  await expect(lost.page.getByText(`Set a new password for ${name}.`)).toBeVisible();
  await lost.page.getByLabel("New password", { exact: true }).fill("a brand new password");
  await lost.page.getByLabel("Repeat new password").fill("a brand new password");
  await lost.page.getByRole("button", { name: "Set new password" }).click();
  await lost.page.waitForURL("**/login?reset=1");
  await expect(lost.page.getByText("Your new password is set and every device was signed out.")).toBeVisible();
  // Every device is out, live.
  await owner.page.waitForURL("**/login?ended=1");
  // Once only.
  await lost.page.goto(link![1]);
  await expect(lost.page.getByText("This link is not valid")).toBeVisible();
  await expect(lost.page.getByRole("button", { name: "Set new password" })).toHaveCount(0);
  await login(lost.page, name, "a brand new password");
  // The owner's address is told (beside the alert about this new device).
  await expect
    .poll(() => mailsTo(address).map((m) => m.subject))
    .toContain("Your password was reset (Sessionboard)");
  await owner.context.close();
  await lost.context.close();
});
