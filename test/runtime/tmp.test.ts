import { describe, expect, it } from "vitest";
import { FunctionConfigSchema, MiB } from "../../src/runtime/config.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { TMP_HOST_BYTES, TmpStore } from "../../src/runtime/tmp.ts";
import type { EnvironmentPort } from "../../src/runtime/types.ts";
import { setup, syncInvoke } from "./host-code.ts";

describe("§1 Execution environment lifecycle: /tmp", () => {
  it("is 512 MB by default and configurable from 512 to 10,240 MB of ephemeral storage (§2)", () => {
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
    const mb = "x".repeat(MiB); // one string shared by every file: no host memory per file
    const budget = { usedBytes: -1e12 }; // this test checks Lambda's limit, not the workbook's memory guard
    const big = new TmpStore(512, budget);
    for (let i = 0; i < 512; i++) expect(big.write(`f${i}`, mb).ok).toBe(true);
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

  it("counts UTF-8 bytes and replaces a file's size when it is rewritten", () => {
    const tmp = new TmpStore(512, { usedBytes: 0 });
    tmp.write("a", "é€");
    expect(tmp.usedBytes).toBe(5);
    tmp.write("a", "x", true);
    tmp.write("a", "yy");
    expect(tmp.usedBytes).toBe(2);
  });

  it("keeps at most 64 MiB of files in host memory per simulation (a workbook limit, not Lambda's)", () => {
    const budget = { usedBytes: 0 };
    const a = new TmpStore(10_240, budget);
    const b = new TmpStore(10_240, budget);
    expect(a.write("x", "a".repeat(TMP_HOST_BYTES - 10)).ok).toBe(true);
    const refused = b.write("y", "b".repeat(11));
    expect(refused).toMatchObject({ ok: false, error: { code: "EWORKBOOK" } });
    a.clear();
    expect(b.write("y", "b".repeat(11)).ok).toBe(true);
  });
});

describe("§1 Execution environment lifecycle: a full /tmp is a named SIMPLIFICATION", () => {
  it("tells the simulation when a write finds /tmp full, and the simulation names the ENOSPC choice", () => {
    let full = 0;
    const tmp = new TmpStore(512, { usedBytes: -1e12, onFull: () => full++ });
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
