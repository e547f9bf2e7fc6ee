import { describe, expect, it } from "vitest";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { SqsEventSourceMapping } from "../../src/runtime/sqs-mapping.ts";
import { ServiceHub } from "../../src/services/hub.ts";
import { HostCode } from "../runtime/host-code.ts";

const FAIL = { durationMs: 100, error: { errorType: "Error", errorMessage: "downstream said no" } };

describe("§6 Asynchronous invocation: destinations deliver into the simulated services", () => {
  it("puts the on-failure record and the dead-letter message on their queues, with the invocation's chain", () => {
    const hub = new ServiceHub();
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    sim.deploy(
      { name: "f", async: { maxRetryAttempts: 0, onFailure: { type: "sqs", name: "failed" } }, deadLetterQueue: { type: "sqs", name: "dlq" } },
      new HostCode(),
    );
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    const [record] = hub.sqs.queue("failed").contents(sim.now);
    expect(JSON.parse(record!.body).requestContext.condition).toBe("RetriesExhausted");
    expect(record!.sender.chain).toEqual({ chainId: "evt-1", hops: 1 });
    const [dead] = hub.sqs.queue("dlq").contents(sim.now);
    expect(JSON.parse(dead!.body)).toEqual(FAIL);
    expect(dead!.attributes).toMatchObject({ ErrorCode: "200", ErrorMessage: "downstream said no" });
  });

  it("reports a queue's refusal as a delivery failure", () => {
    const hub = new ServiceHub({ sqs: { queues: { tiny: { maximumMessageSize: 1_024 } } } });
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    sim.deploy({ name: "f", async: { maxRetryAttempts: 0, onFailure: { type: "sqs", name: "tiny" } } }, new HostCode());
    sim.invoke("f", "async", { ...FAIL, pad: "x".repeat(2_000) }, { at: 0 });
    sim.run();
    expect(sim.destinations.destinationDeliveryFailures).toBe(1);
    expect(sim.destinations.deliveries[0]!.delivered).toBe(false);
  });
});

describe("§3 Concurrency and scaling: recursive loop detection through the simulated services", () => {
  it("stops a function that publishes to the topic it is subscribed to at the 17th invocation of the chain", () => {
    const hub = new ServiceHub({ sns: { topics: { orders: { subscriptions: [{ lambda: "f" }] } } } });
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    connectServices(sim, hub);
    const publish = { service: "topic", operation: "publish", args: ["orders", "again"], label: "publish" };
    sim.deploy({ name: "f" }, new HostCode({ invoke: () => ({ durationMs: 1, services: [publish] }) }));
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run({ until: 120_000 });
    expect(sim.trace.filter((r) => r.outcome === "success")).toHaveLength(16);
    expect(sim.recursiveInvocationsDropped).toBe(1);
  });

  it("stops a loop through a queue and its event source mapping", () => {
    const hub = new ServiceHub();
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    const send = { service: "queue", operation: "send", args: ["jobs", "again"], label: "send" };
    sim.deploy({ name: "f" }, new HostCode({ invoke: () => ({ durationMs: 1, services: [send] }) }));
    new SqsEventSourceMapping(sim, hub.sqs.queue("jobs"), "f", { queue: "jobs" });
    sim.invoke("f", "async", {}, { at: 0 });
    sim.run({ until: 60_000 });
    const ran = sim.trace.filter((r) => r.outcome === "success");
    expect(ran).toHaveLength(16);
    expect(ran.at(-1)!.chain?.hops).toBe(16);
    expect(sim.trace.filter((r) => r.error?.errorType === "RecursiveInvocationException").length).toBeGreaterThanOrEqual(1);
    expect(sim.recursiveInvocationsDropped).toBeGreaterThanOrEqual(1);
  });
});
