import { Page, expect, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import { LOG_FILE } from "../playwright.config";
import { UA, device, field, hydrated, ownCard, register, uniqueName, PASSWORD } from "./helpers";

/** RFC 4648 base32 → bytes. */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator app shows at `atMs` (RFC 6238: SHA-1, 6 digits, 30 s). */
function totp(secret: string, atMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 1000 / 30)));
  const h = createHmac("sha1", base32(secret)).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, "0");
}

test("TOTP maths match RFC 6238", () => {
  // Appendix B, SHA-1, last six digits.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"
  expect(totp(secret, 59_000)).toBe("287082");
  expect(totp(secret, 1_111_111_109_000)).toBe("081804");
});

async function enrol(page: Page, js: boolean): Promise<{ secret: string; recovery: string[]; usedAt: number }> {
  await page.goto("/sessions");
  if (js) await hydrated(page);
  // The advice points at the second factor.
  await page.getByRole("link", { name: "enabling two-factor authentication" }).click();
  await page.waitForURL("**/account/two-factor");
  await expect(field(page.locator("main"), "two-factor-status")).toHaveText("Two-factor authentication is off.");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await field(page.locator("main"), "totp-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  const usedAt = Date.now();
  await page.getByLabel("Code from the app").fill(totp(secret, usedAt));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByText("Two-factor authentication is on. Keep your recovery codes somewhere safe.")).toBeVisible();
  const codes = await field(page.locator("main"), "recovery-codes").locator("li").allInnerTexts();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole("link", { name: "Download as text" })).toHaveAttribute(
    "download",
    "sessionboard-recovery-codes.txt",
  );
  // A repeated load loses nothing; once saved, never shown again.
  await page.reload();
  expect(await field(page.locator("main"), "recovery-codes").locator("li").allInnerTexts()).toEqual(codes);
  await page.getByRole("button", { name: "I have saved these codes" }).click();
  await expect(page.getByText("Recovery codes saved. They will not be shown again; each works once.")).toBeVisible();
  await expect(field(page.locator("main"), "recovery-codes")).toHaveCount(0);
  await page.reload();
  await expect(field(page.locator("main"), "recovery-codes")).toHaveCount(0);
  await expect(page.getByText("10 recovery codes left.")).toBeVisible();
  return { secret, recovery: codes.map((c) => c.trim()), usedAt };
}

async function logOut(page: Page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL("**/login?signed_out=1");
  await expect(page.getByText("You have been signed out.")).toBeVisible();
}

async function passwordStep(page: Page, name: string, js: boolean) {
  await page.goto("/login");
  if (js) await hydrated(page);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/login/verify");
  if (js) await hydrated(page);
}

async function codeStep(page: Page, code: string) {
  await page.getByLabel("Authentication code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

for (const js of [true, false]) {
  test(`enrol, then sign in with a code; wrong and reused codes refused; a recovery code works once (${
    js ? "with" : "without"
  } JavaScript)`, async ({ browser }) => {
    const name = uniqueName(js ? "totp" : "totpnojs");
    const a = await device(browser, UA.windowsChrome, "81.2.69.142", { javaScriptEnabled: js });
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
  await a.context.close();
  await b.context.close();
});
