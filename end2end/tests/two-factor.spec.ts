import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import { LOG_FILE } from "../playwright.config";
import { UA, codeStep, device, enrol, field, hydrated, logOut, ownCard, passwordStep, register, totp, uniqueName } from "./helpers";

test("TOTP maths match RFC 6238", () => {
  // Appendix B, SHA-1, last six digits.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
  expect(totp(secret, 59_000)).toBe("287082");
  expect(totp(secret, 1_111_111_109_000)).toBe("081804");
});

for (const js of [true, false]) {
  test(`enrol, then sign in with a code; wrong and reused codes refused; a recovery code works once (${
    js ? "with" : "without"
  } JavaScript)`, async ({ browser }) => {
    const name = uniqueName(js ? "totp" : "totpnojs");
    const a = await device(browser, UA.windowsChrome, js ? "198.51.100.31" : "198.51.100.32", { javaScriptEnabled: js });
    await register(a.page, name, undefined, js);
    const { secret, recovery, usedAt } = await enrol(a.page, js);
    await a.page.goto("/sessions");
    await expect(a.page.getByText("Two-factor authentication is on.")).toBeVisible();
    await logOut(a.page);

    // Password, then the code step: no session until a good code.
    await passwordStep(a.page, name, js);
    expect((await a.context.cookies()).some((c) => c.name === "__Host-sb_session" && c.value)).toBe(false);
    await codeStep(a.page, "123456");
    await expect(a.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    // The code that turned it on: used already.
    await codeStep(a.page, totp(secret, usedAt));
    await expect(a.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    // The next step's code (one step of skew): accepted.
    const fresh = totp(secret, usedAt + 30_000);
    await codeStep(a.page, fresh);
    await a.page.waitForURL("**/sessions");
    await expect(field(ownCard(a.page), "auth-method")).toHaveText("Password + authenticator");
    await logOut(a.page);

    // The same code again on a new login: refused.
    await passwordStep(a.page, name, js);
    await codeStep(a.page, fresh);
    await expect(a.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    // A recovery code: once.
    await codeStep(a.page, recovery[0].toLowerCase());
    await a.page.waitForURL("**/sessions");
    await expect(field(ownCard(a.page), "auth-method")).toHaveText("Password + recovery code");
    await logOut(a.page);
    await passwordStep(a.page, name, js);
    await codeStep(a.page, recovery[0]);
    await expect(a.page.getByText("That code is not right, or it was used already.")).toBeVisible();
    await a.context.close();

    // The log tells what happened, never the secret or a code.
    const log = fs.readFileSync(LOG_FILE, "utf8");
    expect(log).toContain("two-factor authentication turned on");
    expect(log).toContain("recovery code used");
    // (Six-digit codes are left out: timestamps hold such runs by chance.)
    for (const secretText of [secret, ...recovery, ...recovery.map((c) => c.replace("-", ""))]) {
      expect(log).not.toContain(secretText);
    }
  });
}

test("a sign-in with a recovery code asks 'Was this you?' on the other devices and says how many are left", async ({
  browser,
}) => {
  const name = uniqueName("totprec");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);
  const { recovery } = await enrol(a.page, true);
  await a.page.goto("/sessions");
  await hydrated(a.page);
  const b = await device(browser, UA.windowsChrome, "81.2.69.143");
  await passwordStep(b.page, name, true);
  await codeStep(b.page, recovery[1]);
  await b.page.waitForURL("**/sessions");
  const notice = a.page.locator("article[data-notice]");
  await expect(notice).toHaveCount(1);
  await expect(field(notice, "recovery-code")).toHaveText("Recovery code used");
  await expect(field(notice, "codes-left")).toHaveText("It signed in with a recovery code: 9 codes left.");
  // Answered "No" by the owner, it is signed out at once.
  await notice.getByRole("button", { name: "No — sign it out" }).click();
  await b.page.waitForURL("**/login?ended=1");
  await a.context.close();
  await b.context.close();
});
