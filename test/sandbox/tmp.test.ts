/** Learner code's view of /tmp (lambda-model.md §1): `tmp` from workbook:aws, synchronous like Node's fs.*Sync. */
import { describe, expect, it } from "vitest";
import { payloadOf, runHandler } from "./harness.ts";

const CACHE = `
import { tmp } from "workbook:aws";
let count = 0;
export const handler = async (event) => {
  count++;
  if (event.loop) for (;;) {}
  const hit = tmp.exists("/tmp/cache.json");
  if (!hit) tmp.write("/tmp/cache.json", JSON.stringify({ at: Date.now() }));
  return { hit, count, files: tmp.list(), usage: tmp.usage() };
};`;

describe("§1 Execution environment lifecycle: /tmp from handler code", () => {
  it("keeps files between warm invocations and after a reset (module state is lost, /tmp is not)", async () => {
    const run = await runHandler(CACHE, { invokes: [{ at: 0 }, { at: 1_000 }, { at: 2_000, event: { loop: true } }, { at: 10_000 }] });
    expect(run.records.map((r) => [r.envId, r.outcome])).toEqual([
      ["env-1", "success"],
      ["env-1", "success"],
      ["env-1", "timeout"],
      ["env-1", "success"],
    ]);
    const [first, second, , afterReset] = run.results.map(payloadOf) as Array<{ hit: boolean; count: number; files: string[]; usage: { usedBytes: number; sizeBytes: number } }>;
    expect([first!.hit, second!.hit, afterReset!.hit]).toEqual([false, true, true]);
    expect(afterReset!.count).toBe(1);
    expect(first!.files).toEqual(["/tmp/cache.json"]);
    expect(first!.usage.sizeBytes).toBe(512 * 1024 * 1024);
  });

  it("gives a new environment an empty /tmp", async () => {
    const run = await runHandler(CACHE, { invokes: [{ at: 0 }, { at: 0 }] });
    expect(run.results.map(payloadOf).map((p) => (p as { hit: boolean }).hit)).toEqual([false, false]);
  });

  it("throws Node-shaped errors the handler can catch: ENOENT for a missing file, EROFS outside /tmp", async () => {
    const run = await runHandler(`
      import { tmp } from "workbook:aws";
      export const handler = async () => {
        const codes = [];
        for (const f of [() => tmp.read("/tmp/none"), () => tmp.write("/var/task/x.js", "no")]) {
          try { f(); } catch (e) { codes.push([e.code, e.errno, e.message]); }
        }
        try { tmp.write("/tmp/x", 42); } catch (e) { codes.push([e.name]); }
        return codes;
      };`);
    expect(payloadOf(run.results[0])).toEqual([
      ["ENOENT", -2, "ENOENT: no such file or directory, open '/tmp/none'"],
      ["EROFS", -30, "EROFS: read-only file system, open '/var/task/x.js'"],
      ["TypeError"],
    ]);
  });
});
