import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { destinationTargets } from "../../src/services/destination-targets.ts";
import { ServiceHub } from "../../src/services/hub.ts";
import { HostCode } from "../runtime/host-code.ts";

const FAIL = { durationMs: 100, error: { errorType: "Error", errorMessage: "downstream said no" } };

describe("§6 Asynchronous invocation: destinations deliver into the simulated queues", () => {
  it("puts the on-failure record and the dead-letter message on their queues, with the invocation's chain", () => {
    const hub = new ServiceHub();
    const sim = new Simulation({ seed: 1, services: hub, destinations: destinationTargets(hub) });
    sim.deploy(
      { name: "f", async: { maxRetryAttempts: 0, onFailure: { type: "sqs", name: "failed" } }, deadLetterQueue: { type: "sqs", name: "dlq" } },
      new HostCode(),
    );
    sim.invoke("f", "async", FAIL, { at: 0 });
    sim.run();
    const [record] = hub.sqs.queue("failed").contents(sim.now);
    expect(JSON.parse(record!.body).requestContext.condition).toBe("RetriesExhausted");
    expect(record!.sender).toMatchObject({ via: "destination", chain: { chainId: "evt-1", hops: 1 } });
    const [dead] = hub.sqs.queue("dlq").contents(sim.now);
    expect(JSON.parse(dead!.body)).toEqual(FAIL);
    expect(dead!.attributes).toMatchObject({ ErrorCode: "200", ErrorMessage: "downstream said no" });
  });

  it("reports a queue's refusal as a delivery failure", () => {
    const hub = new ServiceHub({ sqs: { queues: { tiny: { maximumMessageSize: 1_024 } } } });
    const sim = new Simulation({ seed: 1, services: hub, destinations: destinationTargets(hub) });
    sim.deploy({ name: "f", async: { maxRetryAttempts: 0, onFailure: { type: "sqs", name: "tiny" } } }, new HostCode());
    sim.invoke("f", "async", { ...FAIL, pad: "x".repeat(2_000) }, { at: 0 });
    sim.run();
    expect(sim.destinations.destinationDeliveryFailures).toBe(1);
    expect(sim.destinations.deliveries[0]!.delivered).toBe(false);
  });
});
