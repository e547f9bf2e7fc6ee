import { describe, expect, it } from "vitest";
import { jsonStringOfBytes, setup, syncInvoke } from "./host-code.ts";

describe("records after a reset, an oversize response and exhausted retries", () => {
  it("resets Max Memory Used with the environment: a reset starts a new runtime process", () => {
    const { sim } = setup({ fn: { memoryMB: 256 } });
    syncInvoke(sim, "f", { oom: true }, 0);
    syncInvoke(sim, "f", { memoryUsedMB: 80 }, 10_000);
    sim.run();
    const [oom, after] = sim.trace;
    expect(oom!.outcome).toBe("oom");
    expect(oom!.maxMemoryUsedMB).toBe(256);
    expect(after!.envId).toBe(oom!.envId);
    expect(after!.initKind).toBe("reset");
    expect(after!.maxMemoryUsedMB).toBe(80);
  });

  it("marks an oversize synchronous response as failing in the handler", () => {
    const { sim } = setup({ code: { invoke: () => ({ responseText: JSON.stringify(jsonStringOfBytes(6_291_557)) }) } });
    syncInvoke(sim, "f", {});
    sim.run();
    expect(sim.trace[0]!.error?.errorType).toBe("RequestEntityTooLarge");
    expect(sim.trace[0]!.failedIn).toBe("invoke");
  });

  it("points a discarded event's record at its last failed attempt", () => {
    const { sim } = setup();
    sim.invoke("f", "async", { error: { errorType: "Error", errorMessage: "boom" } });
    sim.run();
    const attempts = sim.trace.filter((r) => r.outcome === "error");
    const discarded = sim.trace.find((r) => r.outcome === "discarded")!;
    expect(attempts.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(discarded.previousAttempt).toBe(attempts[2]!.seq);
  });
});
