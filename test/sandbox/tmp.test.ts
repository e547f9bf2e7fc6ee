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

const FILL = `
import { tmp } from "workbook:aws";
export const handler = async (event) => {
  const mb = "x".repeat(1024 * 1024);
  let written = 0;
  try {
    for (;;) {
      tmp.append("/tmp/fill", event.unique ? written + mb : mb);
      written++;
    }
  } catch (e) {
    return { written, code: e.code, message: e.message, usage: tmp.usage(), size: tmp.size("/tmp/fill") };
  }
};`;

describe("§1 /tmp filled from handler code", () => {
  it("fills a 512 MB /tmp with the same 1 MB string until ENOSPC (§2 Ephemeral storage (/tmp): 512 MB by default)", async () => {
    const run = await runHandler(FILL);
    expect(payloadOf(run.results[0])).toEqual({
      written: 512,
      code: "ENOSPC",
      message: "ENOSPC: no space left on device, write '/tmp/fill'",
      usage: { usedBytes: 512 * 1024 * 1024, sizeBytes: 512 * 1024 * 1024 },
      size: 512 * 1024 * 1024,
    });
    expect(run.services).toBeDefined();
  });

  it("fills a 10,240 MB /tmp the same way (§2 Ephemeral storage (/tmp): up to 10,240 MB)", async () => {
    const run = await runHandler(FILL, { function: { ephemeralStorageMB: 10_240, timeoutMs: 10_000 } });
    expect(payloadOf(run.results[0])).toMatchObject({ written: 10_240, code: "ENOSPC", size: 10_240 * 1024 * 1024 });
  });

  it("stops unique content at the workbook's 64 MiB guard with a catchable EWORKBOOK error that says it is not Lambda's", async () => {
    const run = await runHandler(FILL, { invokes: [{ event: { unique: true } }] });
    expect(payloadOf(run.results[0])).toMatchObject({ written: 63, code: "EWORKBOOK", size: 63 * 1024 * 1024 + 10 + 2 * 53 });
    expect((payloadOf(run.results[0]) as { message: string }).message).toMatchInlineSnapshot(`"the workbook keeps at most 64 MiB of distinct /tmp contents (its limit, not Lambda's; repeated content is stored once)"`);
  });

  it("writes the right text when the same string is written again to other files, and after an await", async () => {
    const run = await runHandler(`
      import { tmp } from "workbook:aws";
      export const handler = async () => {
        const s = "ab";
        tmp.write("/tmp/a", s);
        tmp.append("/tmp/a", s);
        tmp.write("/tmp/b", s);
        tmp.write("/tmp/c", "other");
        tmp.append("/tmp/b", s);
        await null;
        tmp.append("/tmp/c", s);
        tmp.append("/tmp/c", s);
        return ["a", "b", "c"].map((f) => tmp.read("/tmp/" + f));
      };`);
    expect(payloadOf(run.results[0])).toEqual(["abab", "abab", "otherabab"]);
  });
});
