/** The state machine service (lambda-model.md §5 "Step Functions state input/output": 262,144 bytes, UTF-8). */
import { describe, expect, it } from "vitest";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode, type InvokePlan } from "../runtime/host-code.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };
const LIMIT = 262_144;

/** A JSON object of exactly `bytes` UTF-8 bytes. */
const json = (bytes: number, extra: Record<string, unknown> = {}) => {
  const head = JSON.stringify({ ...extra, pad: "" });
  return `${head.slice(0, -2)}${"x".repeat(bytes - head.length)}"}`;
};

/** Functions "validate" and "enrich" whose results the test decides, and the state machine "pipeline" running both. */
function setup(plans: { validate?: (input: unknown) => InvokePlan; enrich?: (input: unknown) => InvokePlan } = {}, services: ServicesConfigInput = {}) {
  const hub = new ServiceHub({ stepfunctions: { stateMachines: { pipeline: { tasks: [{ name: "Validate", function: "validate" }, { name: "Enrich", function: "enrich" }] } } }, ...services }, 1);
  const sim = new Simulation({ seed: 1, services: hub, destinations: hub, model: { initPlatformMs: 0 } });
  const echo = (input: unknown): InvokePlan => ({ durationMs: 10, result: input });
  sim.deploy({ name: "validate" }, new HostCode({ invoke: (call) => (plans.validate ?? echo)(call.event) }));
  sim.deploy({ name: "enrich" }, new HostCode({ invoke: (call) => (plans.enrich ?? echo)(call.event) }));
  connectServices(sim, hub);
  const start = (input: unknown, at = 0) => {
    const holder: { r: ReturnType<typeof hub.stepfunctions.startExecution> | null } = { r: null };
    sim.at(at, () => (holder.r = hub.stepfunctions.startExecution(sim.now, "pipeline", input, SCENARIO)));
    return holder;
  };
  return { hub, sim, start };
}

describe("§5 Step Functions state input/output: 262,144 bytes (UTF-8), States.DataLimitExceeded", () => {
  it("starts an execution with an input of exactly 262,144 bytes and refuses one byte more", () => {
    const { hub, sim, start } = setup();
    const at = start(json(LIMIT));
    const over = start(json(LIMIT + 1));
    sim.run();
    expect(at.r).toMatchObject({ ok: true, executionArn: "arn:aws:states:us-east-1:123456789012:execution:pipeline:execution-1" });
    expect(over.r).toMatchInlineSnapshot(`
      {
        "code": "States.DataLimitExceeded",
        "message": "the 262,145-byte execution input is over the 256 KB (262,144 bytes) limit of a state's input (the start is refused: a workbook simplification, see the notes)",
        "ok": false,
      }
    `);
    expect(hub.stepfunctions.executions.map((e) => e.status)).toEqual(["SUCCEEDED"]);
    expect(hub.hops.rejected().map((h) => [h.service, h.operation, h.bytes, h.limitBytes, h.error?.code])).toEqual([["stepfunctions", "StartExecution", LIMIT + 1, LIMIT, "States.DataLimitExceeded"]]);
  });

  it("counts UTF-8 bytes: 100,000 three-byte characters are 300,000 bytes, over the limit", () => {
    const { sim, start } = setup();
    const r = start(JSON.stringify({ text: "€".repeat(100_000) }));
    sim.run();
    expect(r.r).toMatchObject({ ok: false, code: "States.DataLimitExceeded" });
  });

  it("passes each task's output on as the next one's input, and succeeds with the last output", () => {
    const { hub, sim, start } = setup({ validate: (input) => ({ durationMs: 30, result: { ...(input as object), valid: true } }), enrich: (input) => ({ durationMs: 50, result: { ...(input as object), price: 42 } }) });
    start({ id: "o-1" }, 100);
    sim.run();
    const [e] = hub.stepfunctions.executions;
    expect(e).toMatchObject({ status: "SUCCEEDED", startedAt: 100, stoppedAt: 180, output: '{"id":"o-1","valid":true,"price":42}' });
    expect(e!.states.map((s) => [s.name, s.enteredAt, s.exitedAt])).toEqual([
      ["Validate", 100, 130],
      ["Enrich", 130, 180],
    ]);
    expect(sim.trace.map((r) => [r.functionName, r.mode])).toEqual([
      ["validate", "sync"],
      ["enrich", "sync"],
    ]);
  });

  it("lets a state output of exactly 262,144 bytes through and fails the execution at the state whose output is one byte more, in the trace", () => {
    const ok = setup({ enrich: () => ({ durationMs: 10, responseText: json(LIMIT) }) });
    ok.start({ id: "o-1" });
    ok.sim.run();
    expect(ok.hub.stepfunctions.executions[0]!.status).toBe("SUCCEEDED");

    const { hub, sim, start } = setup({ enrich: () => ({ durationMs: 10, responseText: json(LIMIT + 1) }) });
    start({ id: "o-1" });
    sim.run();
    const [e] = hub.stepfunctions.executions;
    expect(e).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded", failedState: "Enrich", stoppedAt: 20 });
    expect(e!.cause).toMatchInlineSnapshot(`"the 262,145-byte output of state Enrich is over the 256 KB (262,144 bytes) limit of a state's output; the execution fails here (a workbook simplification: no Retry or Catch)"`);
    expect(hub.hops.records.map((h) => [h.service, h.operation, h.outcome])).toEqual([
      ["stepfunctions", "StartExecution", "accepted"],
      ["lambda", "Invoke (RequestResponse) from stepfunctions pipeline Validate", "accepted"],
      ["stepfunctions", "Validate output", "accepted"],
      ["lambda", "Invoke (RequestResponse) from stepfunctions pipeline Enrich", "accepted"],
      ["stepfunctions", "Enrich output", "rejected"],
    ]);
    expect(hub.hops.rejected()[0]!.invocation).toBe(sim.trace[1]!.seq);
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toContain("States.DataLimitExceeded");
  });

  it("fails the execution with the function's errorType when a task fails, and with Lambda.TooManyRequestsException when it is throttled", () => {
    const failing = setup({ validate: () => ({ error: { errorType: "ValidationError", errorMessage: "no items" } }) });
    failing.start({ id: "o-1" });
    failing.sim.run();
    expect(failing.hub.stepfunctions.executions[0]).toMatchObject({ status: "FAILED", error: "ValidationError", failedState: "Validate" });
    expect(failing.sim.trace).toHaveLength(1);

    const hub = new ServiceHub({ stepfunctions: { stateMachines: { one: { tasks: [{ name: "Only", function: "zero" }] } } } }, 1);
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    sim.deploy({ name: "zero", reservedConcurrency: 0 }, new HostCode());
    connectServices(sim, hub);
    sim.at(0, () => hub.stepfunctions.startExecution(sim.now, "one", "{}", SCENARIO));
    sim.run();
    expect(hub.stepfunctions.executions[0]).toMatchObject({ status: "FAILED", error: "Lambda.TooManyRequestsException", failedState: "Only" });
  });

  it("refuses an unknown state machine and an input that is not JSON", () => {
    const { hub } = setup();
    expect(hub.stepfunctions.startExecution(0, "nope", "{}", SCENARIO)).toMatchObject({ ok: false, code: "StateMachineDoesNotExist" });
    expect(hub.stepfunctions.startExecution(0, "pipeline", "{not json", SCENARIO)).toMatchObject({ ok: false, code: "InvalidExecutionInput" });
  });
});
