import { expect, test } from "@playwright/test";
import { createHash } from "node:crypto";
import { COOKIE, UA, device, login, mailsTo, register, tokenOf, uniqueName, waitForMails } from "./helpers";

// The server under test sends through a real SMTP server (aiosmtpd,
// end2end/smtp-sink.py), which writes every message it gets to MAIL_DIR.

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

test("a verified address gets one email per new-device sign-in; an unverified one only the verification mail", async ({
  browser,
}) => {
  const name = uniqueName("mail");
  const address = `${name}@example.org`;
  const a = await device(browser, UA.windowsChrome, "81.2.69.142");
  await register(a.page, name);

  // Add the address: a verification link goes out.
  await a.page.getByRole("link", { name: "Email alerts" }).click();
  await a.page.getByLabel("Email address").fill(address);
  await a.page.getByRole("button", { name: "Send verification link" }).click();
  await expect(a.page.getByText("We sent a link to that address.")).toBeVisible();
  await expect(a.page.getByText("Waiting for verification")).toBeVisible();
  const [verify] = await waitForMails(address, 1);
  expect(verify.subject).toBe("Verify your email address for Sessionboard");
  expect(verify.from).toContain("sessionboard@example.org");
  const link = /http:\/\/localhost:\d+(\/account\/email\/verify\?token=[A-Za-z0-9_-]{43})/.exec(verify.body);
  expect(link, verify.body).not.toBeNull();

  // Not verified yet: a new device signs in, no alert (the queue is
  // looked at every second, and at once when this server queues one).
  const b = await device(browser, UA.iphoneSafari, "89.160.20.128");
  await login(b.page, name);
  await a.page.waitForTimeout(2_500);
  expect(mailsTo(address)).toHaveLength(1);

  // The link: one button (a mail scanner's fetch verifies nothing), then verified.
  await a.page.goto(link![1]);
  await expect(a.page.getByText("Email address verified.")).toHaveCount(0);
  await a.page.getByRole("button", { name: "Verify email address" }).click();
  await expect(a.page.getByText("Email address verified. New sign-ins will be announced there.")).toBeVisible();
  // Used once: the same link again is refused.
  await a.page.goto(link![1]);
  await a.page.getByRole("button", { name: "Verify email address" }).click();
  await expect(a.page.getByText("This link is not valid")).toBeVisible();
  await a.page.goto("/account/email");
  await expect(a.page.getByText("(verified)")).toBeVisible();

  // Verified: a new device signs in, one email with its device, country and time.
  const c = await device(browser, UA.linuxFirefox, "216.160.83.56");
  await login(c.page, name);
  const mails = await waitForMails(address, 2);
  const alert = mails[1];
  expect(alert.subject).toBe("New sign-in to your Sessionboard account");
  for (const part of ["Desktop, Linux", "Firefox 125", "United States", "216.160.83.56", "UTC", name]) {
    expect(alert.body).toContain(part);
  }
  expect(alert.body).toMatch(/Time: +\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  // No token, no hash of one, in any email.
  for (const ctx of [a.context, b.context, c.context]) {
    const token = (await tokenOf(ctx))!;
    expect(token).toBeTruthy();
    for (const m of mails) {
      expect(m.raw).not.toContain(token);
      expect(m.raw).not.toContain(sha256(token));
    }
  }
  expect(alert.raw).not.toContain(COOKIE);
  // The same device again soon after: no second email.
  const c2 = await device(browser, UA.linuxFirefox, "216.160.83.56");
  await login(c2.page, name);
  await a.page.waitForTimeout(2_500);
  expect(mailsTo(address)).toHaveLength(2);
  for (const d of [a, b, c, c2]) await d.context.close();
});

test("without JavaScript the address can be set and removed, with clear messages", async ({ browser }) => {
  const name = uniqueName("mailnojs");
  const a = await device(browser, UA.windowsChrome, "81.2.69.142", { javaScriptEnabled: false });
  await register(a.page, name, undefined, false);
  await a.page.goto("/account/email");
  await expect(a.page.getByText("No address yet.")).toBeVisible();
  await a.page.getByLabel("Email address").fill("not an address");
  await a.page.getByRole("button", { name: "Send verification link" }).click();
  await expect(a.page.getByText("That is not an email address we can send to.")).toBeVisible();
  await a.page.getByLabel("Email address").fill(`${name}@example.org`);
  await a.page.getByRole("button", { name: "Send verification link" }).click();
  await a.page.waitForURL("**/account/email?sent=1");
  await expect(a.page.getByText(`${name}@example.org`)).toBeVisible();
  await waitForMails(`${name}@example.org`, 1);
  await a.page.getByRole("button", { name: "Remove address" }).click();
  await a.page.waitForURL("**/account/email?removed=1");
  await expect(a.page.getByText("Email address removed.")).toBeVisible();
  await expect(a.page.getByText("No address yet.")).toBeVisible();
  await a.context.close();
});
