import { describe, expect, it } from "vitest";
import { FunctionConfigSchema, MiB } from "../../src/runtime/config.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { TMP_CHUNK_REF_BYTES, TMP_HOST_BYTES, TmpStore } from "../../src/runtime/tmp.ts";
import type { EnvironmentPort } from "../../src/runtime/types.ts";
import { setup, syncInvoke } from "./host-code.ts";

describe("§1 /tmp", () => {
  it("§2 Ephemeral storage (/tmp): is 512 MB by default and configurable from 512 to 10,240 MB", () => {
    expect(FunctionConfigSchema.parse({}).ephemeralStorageMB).toBe(512);
    for (const ephemeralStorageMB of [512, 10_240]) expect(FunctionConfigSchema.safeParse({ ephemeralStorageMB }).success).toBe(true);
    for (const ephemeralStorageMB of [511, 10_241, 600.5]) expect(FunctionConfigSchema.safeParse({ ephemeralStorageMB }).success).toBe(false);
    expect(new TmpStore(512, { usedBytes: 0 }).sizeBytes).toBe(512 * MiB);
  });

  it("belongs to one environment and survives between its invocations", () => {
    const ports: EnvironmentPort[] = [];
    const { sim, code } = setup({ code: { init: (info) => (ports.push(info.port), {}) } });
    syncInvoke(sim, "f", { durationMs: 1_000 }, 0);
    syncInvoke(sim, "f", { durationMs: 1_000 }, 0);
    sim.run({ until: 2_000 });
    expect(code.instances.map((i) => i.envId)).toEqual(["env-1", "env-2"]);
    ports[0]!.tmp.write("/tmp/cache.json", '{"warm":true}');
    expect(ports[0]!.tmp.read("cache.json")).toEqual({ ok: true, value: '{"warm":true}' });
    expect(ports[1]!.tmp.list()).toEqual([]);
  });

  it("survives a reset after a crash or timeout, and is gone when the environment is recycled", () => {
    const { sim, code } = setup();
    syncInvoke(sim, "f", {}, 0);
    sim.run({ until: 1_000 });
    const port = code.instances[0]!.port;
    expect(port.tmp.write("kept.txt", "x").ok).toBe(true);
    syncInvoke(sim, "f", { hang: true }, 1_000); // times out: the environment is reset
    syncInvoke(sim, "f", {}, 10_000);
    sim.run({ until: 20_000 });
    expect(code.instances).toHaveLength(2);
    expect(code.instances[1]!.envId).toBe("env-1");
    expect(code.instances[1]!.port.tmp.read("kept.txt")).toEqual({ ok: true, value: "x" });
    sim.recycle("f");
    sim.run({ until: 30_000 });
    expect(port.tmp.list()).toEqual([]);
  });

  it("fails a write past its size with the error a Node handler sees, ENOSPC (a SIMPLIFICATION: the model lacks the error)", () => {
    const tmp = new TmpStore(512, { usedBytes: 0 });
    const big = new TmpStore(512, { usedBytes: 0 });
    const mb = "x".repeat(MiB);
    for (let i = 0; i < 512; i++) expect(big.write(`f${i}`, mb).ok).toBe(true);
    expect(big.usedBytes).toBe(512 * MiB);
    expect(big.write("one-more", "x")).toEqual({
      ok: false,
      error: { code: "ENOSPC", errno: -28, syscall: "write", path: "/tmp/one-more", message: "ENOSPC: no space left on device, write '/tmp/one-more'" },
    });
    expect(big.remove("f0").ok).toBe(true);
    expect(big.write("one-more", "x").ok).toBe(true);
    expect(tmp.read("missing").ok).toBe(false);
    expect(tmp.read("/tmp/missing")).toMatchObject({ error: { code: "ENOENT", message: "ENOENT: no such file or directory, open '/tmp/missing'" } });
    expect(tmp.write("/var/task/index.mjs", "x")).toMatchObject({ ok: false, error: { code: "EROFS" } });
  });

  it("fills to exactly its configured size, 512 MB or 10,240 MB, and refuses one byte more (§2 Ephemeral storage (/tmp))", () => {
    for (const mb of [512, 10_240]) {
      const tmp = new TmpStore(mb, { usedBytes: 0 });
      const chunk = "y".repeat(4 * MiB);
      for (let i = 0; i < mb / 4 - 1; i++) expect(tmp.append("fill", chunk)).toEqual({ ok: true, value: null });
      expect(tmp.write("last", "z".repeat(4 * MiB - 1)).ok).toBe(true);
      expect(tmp.write("byte", "!").ok).toBe(true);
      expect(tmp.usedBytes).toBe(mb * MiB);
      expect(tmp.size("fill")).toEqual({ ok: true, value: mb * MiB - 4 * MiB });
      expect(tmp.write("byte2", "!")).toMatchObject({ ok: false, error: { code: "ENOSPC" } });
    }
  });

  it("counts UTF-8 bytes and replaces a file's size when it is rewritten", () => {
    const tmp = new TmpStore(512, { usedBytes: 0 });
    tmp.write("a", "é€");
    expect(tmp.usedBytes).toBe(5);
    tmp.write("a", "x", true);
    tmp.write("a", "yy");
    expect(tmp.usedBytes).toBe(2);
    expect(tmp.read("a")).toEqual({ ok: true, value: "yy" });
    tmp.append("a", "zz");
    tmp.append("a", "é");
    expect(tmp.read("a")).toEqual({ ok: true, value: "yyzzé" });
    expect([tmp.exists("a"), tmp.exists("b"), tmp.size("a")]).toEqual([true, false, { ok: true, value: 6 }]);
    expect(tmp.size("b")).toMatchObject({ ok: false, error: { code: "ENOENT", syscall: "stat" } });
  });
});

describe("/tmp in host memory (a workbook limit, not Lambda's)", () => {
  it("stores text written again once: 512 MB of one 1 MB string costs the host 1 MB plus a reference per write", () => {
    const budget = { usedBytes: 0 };
    const a = new TmpStore(512, budget);
    const b = new TmpStore(512, budget); // another environment of the same simulation shares the store of texts
    const mb = "x".repeat(MiB);
    for (let i = 0; i < 512; i++) expect(a.append("fill", mb).ok).toBe(true);
    expect(budget.usedBytes).toBe(MiB + 512 * TMP_CHUNK_REF_BYTES);
    expect(b.write("copy", "x".repeat(MiB)).ok).toBe(true); // equal text, another string: still stored once
    expect(budget.usedBytes).toBe(MiB + 513 * TMP_CHUNK_REF_BYTES);
    a.clear();
    expect(budget.usedBytes).toBe(MiB + TMP_CHUNK_REF_BYTES);
    expect(b.remove("copy").ok).toBe(true);
    expect(budget.usedBytes).toBe(0);
  });

  it("keeps at most 64 MiB of distinct contents per simulation, and frees them when files go", () => {
    const budget = { usedBytes: 0 };
    const a = new TmpStore(10_240, budget);
    const b = new TmpStore(10_240, budget);
    expect(a.write("x", "a".repeat(TMP_HOST_BYTES - 100)).ok).toBe(true);
    const refused = b.write("y", "b".repeat(100));
    expect(refused).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "EWORKBOOK",
          "errno": 0,
          "message": "the workbook keeps at most 64 MiB of distinct /tmp contents (its limit, not Lambda's; repeated content is stored once)",
          "path": "/tmp/y",
          "syscall": "write",
        },
        "ok": false,
      }
    `);
    expect(b.exists("y")).toBe(false);
    expect(a.write("x", "c".repeat(TMP_HOST_BYTES - 100)).ok).toBe(true); // a rewrite frees the old text first
    a.clear();
    expect(budget.usedBytes).toBe(0);
    expect(b.write("y", "b".repeat(100)).ok).toBe(true);
  });

  it("refuses to read a file larger than the guard whole, while its size is known", () => {
    const tmp = new TmpStore(512, { usedBytes: 0 });
    const mb = "x".repeat(MiB);
    for (let i = 0; i < 65; i++) tmp.append("big", mb);
    expect(tmp.size("big")).toEqual({ ok: true, value: 65 * MiB });
    expect(tmp.read("big")).toMatchObject({ ok: false, error: { code: "EWORKBOOK", syscall: "read" } });
    expect(tmp.append("small", "ab").ok && tmp.append("small", "cd").ok && tmp.read("small")).toEqual({ ok: true, value: "abcd" });
  });
});

describe("§1 Execution environment lifecycle: a full /tmp is a named SIMPLIFICATION", () => {
  it("tells the simulation when a write finds /tmp full, and the simulation names the ENOSPC choice", () => {
    let full = 0;
    const tmp = new TmpStore(512, { usedBytes: 0, onFull: () => full++ });
    const mb = "x".repeat(MiB);
    for (let i = 0; i < 512; i++) tmp.write(`f${i}`, mb);
    expect(full).toBe(0);
    tmp.write("more", "x");
    expect(full).toBe(1);
    const { sim } = setup();
    expect(sim.simplificationsUsed.has("tmp-full-error")).toBe(false);
    (sim as unknown as { tmpBudget: { onFull: () => void } }).tmpBudget.onFull();
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toContain("fails with ENOSPC");
  });
});
