import { test, expect } from "@playwright/test";
import { adminCommand } from "../playwright.config";
import { UA, codeStep, device, enrol, hydrated, logOut, login, passwordStep, register, tokenOf, totp, uniqueName } from "./helpers";

// The admin console end to end: an operator grants, the administrator
// signs in with a second factor, ends a session of another account (whose
// open page is told at once), locks and unlocks it, and reads and exports
// the audit log.
test("an administrator ends, locks and unlocks another account, and the audit log says so", async ({ browser }) => {
  const adminName = uniqueName("admin");
  const victimName = uniqueName("victim");
  const a = await device(browser, UA.linuxFirefox, "198.51.100.61");
  await register(a.page, adminName);
  // Not an administrator yet: the page says how one is made.
  await a.page.goto("/admin");
  await expect(a.page.getByText("This page is for administrators.")).toBeVisible();
  expect(adminCommand("grant", adminName)).toContain(`${adminName} is an administrator`);
  // An administrator, but signed in with the password alone.
  await a.page.goto("/admin");
  await expect(a.page.getByText("The admin console needs a sign-in with a second factor")).toBeVisible();
  const { secret, usedAt } = await enrol(a.page, true);
  await a.page.goto("/sessions");
  await logOut(a.page);
  await passwordStep(a.page, adminName, true);
  await codeStep(a.page, totp(secret, usedAt + 30_000));
  await a.page.waitForURL("**/sessions");

  const v = await device(browser, UA.iphoneSafari, "81.2.69.142");
  await register(v.page, victimName);
  const victimToken = await tokenOf(v.context);
  await expect(v.page.getByRole("heading", { name: "Your sessions" })).toBeVisible();

  await a.page.goto("/admin");
  await a.page.getByRole("link", { name: "Accounts" }).first().click();
  await a.page.getByLabel("Username or email").fill(victimName);
  await a.page.getByRole("button", { name: "Search" }).click();
  await a.page.getByRole("link", { name: victimName }).click();
  await expect(a.page.getByRole("heading", { name: "1 active session" })).toBeVisible();
  await a.page.getByRole("button", { name: /^Terminate/ }).click();
  await expect(a.page.getByText("The session was ended.")).toBeVisible();
  await expect(a.page.getByRole("heading", { name: "0 active sessions" })).toBeVisible();
  await expect(a.page.getByRole("table", { name: "History" })).toContainText("ended by an administrator");
  // The victim's open page is told at once.
  await v.page.waitForURL("**/login?ended=administrator");
  await expect(v.page.getByText("This session was ended by an administrator.")).toBeVisible();
  await hydrated(v.page);

  // Locked: the right password no longer signs in.
  await a.page.getByRole("button", { name: "Lock account" }).click();
  await expect(a.page.getByText("The account is locked")).toBeVisible();
  await v.page.getByLabel("Username").fill(victimName);
  await v.page.getByLabel("Password").fill("correct horse battery");
  await v.page.getByRole("button", { name: "Log in" }).click();
  await expect(v.page.getByText("This account is locked by an administrator.")).toBeVisible();
  await a.page.getByRole("button", { name: "Unlock account" }).click();
  await expect(a.page.getByText("The account is unlocked.")).toBeVisible();
  await v.page.getByLabel("Username").fill(victimName);
  await v.page.getByLabel("Password").fill("correct horse battery");
  await v.page.getByRole("button", { name: "Log in" }).click();
  await v.page.waitForURL("**/sessions");

  // The audit log, on the page and exported (written with the activity flush).
  // The table is written with the activity flush (1 s here): reload until
  // the newest of the events checked below is there.
  const events = a.page.getByRole("table", { name: "Audit events" });
  await expect(async () => {
    await a.page.goto(`/admin/audit?user=${victimName}`);
    await expect(events).toContainText("account unlocked by an administrator", { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(events).toContainText("account locked by an administrator");
  await expect(a.page.getByRole("table", { name: "Audit events" })).toContainText(adminName);
  const res = await a.page.request.get(`/admin/audit.jsonl?user=${victimName}`);
  expect(res.status()).toBe(200);
  const body = await res.text();
  const lines = body.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.map((l) => l.kind)).toEqual(expect.arrayContaining(["account registered", "account unlocked by an administrator"]));
  expect(body).not.toContain(victimToken);
  expect(body).not.toContain("correct horse battery");

  // All sessions, live: another device's sign-in appears without a reload.
  await a.page.goto("/admin/sessions");
  await hydrated(a.page);
  const table = a.page.getByRole("table", { name: "Active sessions" });
  await expect(table).toContainText(victimName);
  const newDevice = table.getByRole("row").filter({ hasText: victimName }).filter({ hasText: "198.51.100.64" });
  await expect(newDevice).toHaveCount(0);
  const w = await device(browser, UA.windowsChrome, "198.51.100.64");
  await login(w.page, victimName);
  await expect(newDevice).toHaveCount(1);
  await a.context.close();
  await v.context.close();
  await w.context.close();
});
