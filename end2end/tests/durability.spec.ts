import { test, expect, request } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { apiContext, apiLogin, apiRegister, sessionIds, signedIn, uniqueName } from "./helpers";

// Its own server process on its own SQLite file, killed without warning.
const PORT = 3109;
const URL = `http://localhost:${PORT}`;
const root = path.resolve(__dirname, "../..");

function start(dbFile: string): ChildProcess {
  return spawn(path.join(root, "target/debug/sessionboard"), [], {
    cwd: root,
    stdio: "ignore",
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dbFile}?mode=rwc`,
      // Beside the database, not in the project's data/ directory.
      SECRET_KEY_FILE: path.join(path.dirname(dbFile), "secret.key"),
      LEPTOS_SITE_ADDR: `127.0.0.1:${PORT}`,
      LEPTOS_SITE_ROOT: "target/site",
      PUBLIC_ORIGIN: URL,
      RUST_LOG: "warn",
    },
  });
}

async function ready(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${URL}/healthz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the server did not start");
}

test("a committed terminate survives a crash: the old cookie is refused after a restart", async () => {
  test.setTimeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-durable-"));
  const db = path.join(dir, "durable.db");
  let server = start(db);
  try {
    await ready();
    const user = uniqueName("durable");
    const owner = await apiContext({ baseURL: URL });
    const victim = await apiContext({ baseURL: URL });
    await apiRegister(owner, user);
    await apiLogin(victim, user);
    const victimCookies = await victim.storageState();
    const victimId = (await sessionIds(victim)).current;
    expect((await owner.post("/api/terminate_session", { form: { id: victimId } })).status()).toBe(200);
    // No graceful shutdown: the process dies right after the answer.
    server.kill("SIGKILL");
    await new Promise((r) => server.once("exit", r));
    server = start(db);
    await ready();
    const replay = await request.newContext({ baseURL: URL, storageState: victimCookies });
    expect(await signedIn(replay)).toBe(false);
    expect((await replay.get("/sessions", { maxRedirects: 0 })).status()).toBe(303);
    expect(await signedIn(owner)).toBe(true);
    for (const c of [owner, victim, replay]) await c.dispose();
  } finally {
    server.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
