import { test } from "@playwright/test";
import { device, hydrated, login, otherCards, register, uniqueName, UA } from "../tests/helpers";

// Time from a Terminate click in context A to context B's page leaving
// /sessions. BENCH_SERVER_A / BENCH_SERVER_B pin each context to one server
// behind nginx (X-Sessionboard-Server); unset, nothing is pinned.
const pin = (n?: string) => (n ? { headers: { "X-Sessionboard-Server": n } } : {});

test("terminate → other device leaves /sessions (20 runs)", async ({ browser }) => {
  const runs = Number(process.env.BENCH_RUNS ?? 20);
  const user = uniqueName("lat");
  const a = await device(browser, UA.windowsChrome, undefined, pin(process.env.BENCH_SERVER_A));
  await register(a.page, user);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await device(browser, UA.iphoneSafari, undefined, pin(process.env.BENCH_SERVER_B));
    await login(b.page, user);
    await hydrated(b.page);
    await a.page.goto("/sessions");
    await hydrated(a.page);
    const button = otherCards(a.page).getByRole("button", { name: "Terminate" });
    await button.waitFor();
    const left = b.page.waitForURL("**/login?ended=1", { timeout: 10_000 });
    const start = performance.now();
    await button.click();
    await left;
    times.push(performance.now() - start);
    await b.context.close();
  }
  times.sort((x, y) => x - y);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  const where = `A on ${process.env.BENCH_SERVER_A ?? "-"}, B on ${process.env.BENCH_SERVER_B ?? "-"}`;
  console.log(`terminate→kicked-out latency (${where}) over ${runs} runs: median ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
  await a.context.close();
});
