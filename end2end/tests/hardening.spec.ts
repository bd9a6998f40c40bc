import { test, expect } from "@playwright/test";
import { BASE_URL } from "../playwright.config";
import { apiContext, apiRegister, COOKIE, device, register, uniqueName, UA } from "./helpers";

test("the session cookie is __Host- prefixed, HttpOnly, Secure and SameSite=Lax", async () => {
  const me = await apiContext();
  await apiRegister(me, uniqueName("cookie"));
  const cookie = (await me.storageState()).cookies.find((c) => c.name === COOKIE)!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.secure).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
  expect(cookie.path).toBe("/");
  expect(cookie.domain).toBe("localhost");
  await me.dispose();
});

test("another site cannot frame the sessions page", async ({ browser }) => {
  const { context, page } = await device(browser, UA.windowsChrome);
  await register(page, uniqueName("frame"));
  const evil = "http://localhost:3199/frame.html";
  await page.route(evil, (route) =>
    route.fulfill({ contentType: "text/html", body: `<iframe src="${BASE_URL}/sessions" title="x"></iframe>` }),
  );
  await page.goto(evil);
  // The same-site frame would carry the cookie; the browser refuses to show it at all.
  await expect.poll(() => page.frames().map((f) => f.url())).toContain("chrome-error://chromewebdata/");
  expect(page.frames().map((f) => f.url())).not.toContain(`${BASE_URL}/sessions`);
  await context.close();
});

test("the live stream is capped per session: the sixth one is refused", async () => {
  const me = await apiContext();
  await apiRegister(me, uniqueName("streams"));
  const token = (await me.storageState()).cookies.find((c) => c.name === COOKIE)!.value;
  const open: AbortController[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const abort = new AbortController();
      open.push(abort);
      const res = await fetch(`${BASE_URL}/api/events`, { headers: { Cookie: `${COOKIE}=${token}` }, signal: abort.signal });
      expect(res.status).toBe(200);
    }
    const sixth = await fetch(`${BASE_URL}/api/events`, { headers: { Cookie: `${COOKIE}=${token}` } });
    expect(sixth.status).toBe(429);
  } finally {
    for (const a of open) a.abort();
  }
  await me.dispose();
});
