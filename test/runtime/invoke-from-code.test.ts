import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, syncInvoke } from "./host-code.ts";

const call = (fn: string, payload: unknown, type?: "Event", maxAttempts?: number) => ({
  service: "lambda",
  operation: "invoke",
  args: maxAttempts !== undefined ? [fn, payload, type ?? "RequestResponse", null, maxAttempts] : type ? [fn, payload, type] : [fn, payload],
  label: `invoke:${fn}`,
});

describe("§3 in a synchronous chain A→B→C, each hop holds its own concurrency until the callee returns", () => {
  it("keeps the caller running (and billed) while a synchronous callee runs, two concurrent executions at once", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 } });
    const a = new HostCode({ invoke: () => ({ hang: true, services: [call("b", { durationMs: 1_000 })] }) });
    sim.deploy({ name: "a", timeoutMs: 3_000 }, a);
    sim.deploy({ name: "b" }, new HostCode());
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    const reply = a.happened("reply:invoke:b")[0]!;
    expect(reply.t).toBe(1_000);
    expect(reply.detail).toMatchObject({ ok: true, value: { statusCode: 200, functionError: null } });
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(2);
  });

  it("§8 Sync function error status: returns a callee's function error as a 200 with functionError, and a throttle as TooManyRequestsException", () => {
    const sim = new Simulation({ seed: 1, model: { initPlatformMs: 0 } });
    const a = new HostCode({ invoke: (c) => ({ durationMs: 2_000, services: [call("b", c.event, undefined, 1)] }) });
    sim.deploy({ name: "a" }, a);
    sim.deploy({ name: "b", reservedConcurrency: 1 }, new HostCode());
    syncInvoke(sim, "a", { durationMs: 1, error: { errorType: "Error", errorMessage: "bad" } }, 0);
    syncInvoke(sim, "a", { durationMs: 500 }, 10);
    syncInvoke(sim, "a", { durationMs: 500 }, 20);
    sim.run();
    const replies = a.happened("reply:invoke:b").map((h) => h.detail as { ok: boolean; value?: { functionError: string | null }; error?: { name: string } });
    expect(replies[0]).toMatchObject({ ok: true, value: { statusCode: 200, functionError: "Unhandled", payload: { errorType: "Error", errorMessage: "bad" } } });
    expect(replies.map((r) => (r.ok ? "ok" : r.error!.name))).toEqual(["ok", "TooManyRequestsException", "ok"]);
  });

  it("§6 Acceptance: accepts an Event invoke at once with 202, and refuses an unknown function", () => {
    const sim = new Simulation({ seed: 1 });
    const a = new HostCode({ invoke: () => ({ durationMs: 10, services: [call("b", {}, "Event"), call("nobody", {})] }) });
    sim.deploy({ name: "a" }, a);
    sim.deploy({ name: "b" }, new HostCode());
    syncInvoke(sim, "a", {}, 0);
    sim.run();
    expect(a.happened("reply:invoke:b")[0]!.detail).toEqual({ ok: true, value: { statusCode: 202 } });
    expect(a.happened("reply:invoke:nobody")[0]!.detail).toMatchObject({ ok: false, error: { name: "ResourceNotFoundException" } });
    expect(sim.trace.filter((r) => r.functionName === "b").map((r) => r.mode)).toEqual(["async"]);
  });
});

describe("§3 Recursive loop detection for a function that invokes itself", () => {
  it("stops the 17th invocation of a function that invokes itself asynchronously", () => {
    const sim = new Simulation({ seed: 1 });
    sim.deploy({ name: "self" }, new HostCode({ invoke: () => ({ durationMs: 1, services: [call("self", {}, "Event")] }) }));
    sim.invoke("self", "async", {}, { at: 0 });
    sim.run({ until: 60_000 });
    expect(sim.trace.filter((r) => r.outcome === "success")).toHaveLength(16);
    expect(sim.recursiveInvocationsDropped).toBe(1);
  });
});
