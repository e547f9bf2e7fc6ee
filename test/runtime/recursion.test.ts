import { describe, expect, it } from "vitest";
import { RECURSION_LIMIT } from "../../src/runtime/recursion.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import type { CallContext, ServiceDispatcher } from "../../src/runtime/types.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

/**
 * A function whose every invocation sends a message that invokes it again: through a "loop" service (standing for a
 * queue or topic that triggers the function) or through its own on-success destination.
 */
function loopThroughService(recursiveLoop: "Terminate" | "Allow", mode: "sync" | "async" = "async", extra: object = {}) {
  const calls: CallContext[] = [];
  let sim: Simulation;
  const services: ServiceDispatcher = {
    dispatch(_service, _operation, _args, call) {
      calls.push(call);
      return {
        latencyMs: 5,
        complete: () => {
          sim.invoke("f", mode, { durationMs: 1, services: [{ service: "loop", operation: "send", label: "again" }] }, { chain: call.chain ?? null });
          return { ok: true, value: null };
        },
      };
    },
  };
  sim = new Simulation({ seed: 1, services });
  sim.deploy({ name: "f", recursiveLoop, ...extra }, new HostCode());
  return { sim, calls };
}

const again = { durationMs: 1, services: [{ service: "loop", operation: "send", label: "again" }] };

describe("§3 Recursive loop detection and §0 Recursive loop detection", () => {
  it("§3 recursion: propagate a chainId and a hop count through every service message; drop the 17th invocation (RecursiveInvocationsDropped)", () => {
    const { sim, calls } = loopThroughService("Terminate");
    sim.invoke("f", "async", again, { at: 0 });
    sim.run({ until: 60_000 });
    const ran = sim.trace.filter((r) => r.outcome === "success");
    expect(RECURSION_LIMIT).toBe(16);
    expect(ran).toHaveLength(16);
    expect(ran.map((r) => r.chain?.hops ?? 1)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const stopped = sim.trace.filter((r) => r.outcome === "discarded");
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.chain).toEqual({ chainId: ran[0]!.eventId, hops: 17 });
    expect(stopped[0]!.error?.errorType).toBe("RecursiveInvocationException");
    expect(stopped[0]!.reason).toMatchInlineSnapshot(
      `"f would have been invocation 17 in chain evt-1; Lambda stops a recursive loop after 16 invocations (recursiveLoop is "Terminate")"`,
    );
    expect(sim.recursiveInvocationsDropped).toBe(1);
    // Every service call carried the caller's chain.
    expect(calls.map((c) => c.chain?.hops)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it("never stops a loop when the function's recursiveLoop is Allow", () => {
    const { sim } = loopThroughService("Allow");
    sim.invoke("f", "async", again, { at: 0 });
    sim.run({ until: 200 * 300 });
    expect(sim.trace.filter((r) => r.outcome === "success").length).toBeGreaterThan(40);
    expect(sim.recursiveInvocationsDropped).toBe(0);
  });

  it("sends the stopped event to the on-failure destination or dead-letter queue when there is one", () => {
    const { sim } = loopThroughService("Terminate", "async", {
      async: { onFailure: { type: "sqs", name: "loops" } },
      deadLetterQueue: { type: "sqs", name: "dlq" },
    });
    sim.invoke("f", "async", again, { at: 0 });
    sim.run({ until: 60_000 });
    expect(sim.destinations.deliveries.map((d) => d.kind)).toEqual(["on-failure", "dead-letter"]);
    expect(sim.trace.find((r) => r.outcome === "discarded")!.reason).toContain("its record went to the on-failure destination (SQS queue loops)");
  });

  it("refuses a stopped synchronous invoke (as an event source mapping makes) with RecursiveInvocationException", () => {
    const { sim } = loopThroughService("Terminate", "sync");
    const first = syncInvoke(sim, "f", again, 0);
    sim.run({ until: 60_000 });
    expect(first.result!.statusCode).toBe(200);
    const refused = sim.trace.filter((r) => r.outcome === "rejected");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.chain?.hops).toBe(17);
    expect(refused[0]!.error?.errorType).toBe("RecursiveInvocationException");
  });

  it("follows a loop through a Lambda destination: a function whose on-success destination is itself", () => {
    const sim = new Simulation({ seed: 1 });
    sim.deploy({ name: "f", async: { onSuccess: { type: "lambda", name: "f" } } }, new HostCode({ invoke: () => ({ durationMs: 1 }) }));
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run({ until: 60_000 });
    expect(sim.trace.filter((r) => r.outcome === "success")).toHaveLength(16);
    expect(sim.recursiveInvocationsDropped).toBe(1);
  });

  it("keeps one chain across async retries of the same event", () => {
    const { sim } = setup({ code: { invoke: () => ({ durationMs: 1, error: { errorType: "Error", errorMessage: "no" } }) } });
    sim.invoke("f", "async", {}, { at: 0, chain: { chainId: "outside", hops: 3 } });
    sim.run();
    expect(sim.trace.map((r) => r.chain)).toEqual(Array.from({ length: 4 }, () => ({ chainId: "outside", hops: 4 })));
  });

  it("starts a new chain for every request from outside", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    sim.invoke("f", "async", {}, { at: 10 });
    sim.run();
    expect(sim.trace.map((r) => r.chain)).toEqual([null, null]);
  });
});

describe("§3 Recursive loop detection: AWS sends a Health Dashboard notice", () => {
  it("§3 Recursive loop detection: puts one named Health Dashboard notice per function in the trace when it stops a loop", () => {
    const { sim } = loopThroughService("Terminate");
    sim.invoke("f", "async", again, { at: 0 });
    sim.invoke("f", "async", again, { at: 100_000 }); // a second loop of the same function: no second notice
    sim.run({ until: 200_000 });
    expect(sim.recursiveInvocationsDropped).toBe(2);
    expect(sim.healthNotices).toBe(1);
    const notices = sim.platformEvents.filter((e) => e.kind === "health-notice");
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ functionName: "f", chainId: "evt-1" });
    expect(notices[0]!.kind === "health-notice" && notices[0]!.message).toMatchInlineSnapshot(`"AWS Health Dashboard: Lambda detected that f was invoked in a recursive loop and stopped the loop's invocations. Check the resources that invoke it, or set its recursiveLoop to "Allow" if the loop is intended."`);
  });

  it("sends no notice when the function allows its loop", () => {
    const { sim } = loopThroughService("Allow");
    sim.invoke("f", "async", again, { at: 0 });
    sim.run({ until: 200 });
    expect(sim.healthNotices).toBe(0);
  });
});
