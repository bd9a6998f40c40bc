import { test, expect } from "@playwright/test";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { LOG_FILE, adminCommand } from "../playwright.config";
import { apiContext, apiLogin, apiRegister, sessionIds, tokenOf, uniqueName, PASSWORD } from "./helpers";

// Runs last (files run in name order): the log then holds the whole run.
test("the audit log says who did what, and never holds a token, a hash or a password", async () => {
  const user = uniqueName("audit");
  const a = await apiContext();
  const b = await apiContext();
  await apiRegister(a, user);
  expect((await b.post("/api/login", { form: { username: user, password: "a wrong guess!" } })).status()).toBe(401);
  await apiLogin(b, user);
  const tokens = [await tokenOf(a), await tokenOf(b)].filter((t): t is string => !!t);
  expect(tokens).toHaveLength(2);
  const bId = (await sessionIds(b)).current;
  expect((await a.post("/api/terminate_session", { form: { id: bId } })).status()).toBe(200);
  const changed = await a.post("/api/change_password", {
    form: { current_password: PASSWORD, new_password: "another secret!", confirm: "another secret!", sign_out_others: "on" },
  });
  expect(changed.status()).toBe(200);
  await a.post("/api/logout");
  await new Promise((r) => setTimeout(r, 300));

  const log = fs.readFileSync(LOG_FILE, "utf8");
  for (const event of ["account registered", "login failed", "password accepted", "session started", "session ended", "password changed"]) {
    expect(log, event).toContain(event);
  }
  expect(log).toContain(user);
  for (const token of tokens) {
    expect(log).not.toContain(token);
    expect(log).not.toContain(createHash("sha256").update(token).digest("hex"));
  }
  for (const secret of [PASSWORD, "a wrong guess!", "another secret!"]) expect(log).not.toContain(secret);
  // Nothing shaped like any token (43 base64url characters) or digest (64 hex digits) of the whole run.
  expect(log.match(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)).toBeNull();
  expect(log.match(/(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g)).toBeNull();
  // JSON lines (LOG_FORMAT=json).
  const audit = log.split("\n").filter((l) => l.includes('"target":"audit"'));
  expect(audit.length).toBeGreaterThan(0);
  for (const line of audit) expect(() => JSON.parse(line)).not.toThrow();

  // The audit table (what /admin/audit shows and exports) keeps the same
  // events and no more secrets than the log, read as an operator exports
  // it; it is written with the activity flush (1 s here).
  await expect(() => {
    const rows = adminCommand("audit", "--user", user).trim().split("\n").map((l) => JSON.parse(l));
    expect(rows.map((r) => r.kind)).toEqual(
      expect.arrayContaining(["account registered", "login failed", "session ended", "password changed"]),
    );
  }).toPass({ timeout: 15_000 });
  const table = adminCommand("audit");
  for (const token of tokens) {
    expect(table).not.toContain(token);
    expect(table).not.toContain(createHash("sha256").update(token).digest("hex"));
  }
  for (const secret of [PASSWORD, "a wrong guess!", "another secret!"]) expect(table).not.toContain(secret);
  expect(table.match(/(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g)).toBeNull();
  expect(table.match(/(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])/g)).toBeNull();
  for (const c of [a, b]) await c.dispose();
});
