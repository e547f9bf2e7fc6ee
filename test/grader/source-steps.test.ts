import { describe, expect, it } from "vitest";
import { gradeExercise } from "../../src/grader/grade.ts";
import type { GradeReport } from "../../src/grader/report.ts";
import { ExerciseSchema, type ExerciseInput } from "../../src/grader/schema.ts";
import type { ScenarioWorld } from "../../src/grader/world.ts";
import { loadQuickJS } from "../../src/sandbox/quickjs.ts";

type ScenarioInput = ExerciseInput["scenarios"][number];

/** The report of the latest `world()` grading. */
let lastReport: GradeReport | null = null;

/** Grades `source` on one scenario and returns the world its check saw. */
async function world(source: string, scenario: Omit<ScenarioInput, "name" | "description" | "checks">): Promise<ScenarioWorld> {
  let seen: ScenarioWorld | null = null;
  const definition = ExerciseSchema.parse({
    title: "Sources",
    summary: "Event sources and neighbour services.",
    lesson: "/test/",
    function: { name: "fn", timeoutMs: 10_000, memoryMB: 1_024 },
    scenarios: [{ name: "s", description: "d", ...scenario, checks: [{ name: "sees the world", check: (w: ScenarioWorld) => void (seen = w) }] }],
  });
  const result = await gradeExercise(await loadQuickJS(), { id: "test/sources", definition }, source);
  if (!result.usable) throw new Error(result.problem.message);
  lastReport = result.report;
  if (!seen) throw new Error("the check did not run");
  return seen;
}

describe("scenario steps: send through an SQS event source mapping (§7)", () => {
  it("delivers the queue's messages to the handler in batches and honours a partial batch response", async () => {
    const source = `
      export async function handler(event) {
        const failures = event.Records.filter((r) => JSON.parse(r.body).bad).map((r) => ({ itemIdentifier: r.messageId }));
        return { batchItemFailures: failures };
      }`;
    const w = await world(source, {
      services: { sqs: { queues: { orders: { visibilityTimeoutMs: 60_000, redrive: { deadLetterQueue: "orders-dlq", maxReceiveCount: 2 } } } } },
      sources: { sqs: [{ queue: "orders", reportBatchItemFailures: true }] },
      steps: [
        { do: "send", queue: "orders", body: { id: 1 } },
        { do: "send", queue: "orders", body: { id: 2, bad: true } },
      ],
    });
    expect(w.stepResults[0]).toMatchObject({ ok: true });
    expect(w.batches.map((b) => [b.outcome, b.messageIds.length])).toEqual([
      ["partial", 2],
      ["partial", 1],
    ]);
    expect(w.services.sqs.queue("orders-dlq").contents(3_600_000).map((m) => m.body)).toEqual(['{"id":2,"bad":true}']);
    expect(lastReport!.simplifications.some((s) => s.startsWith("The SQS event source mapping starts with 5 pollers"))).toBe(true);
  });

  it("gives checks the mapping's advice: a visibility timeout under 6 × the function timeout", async () => {
    const w = await world("export const handler = async () => null;", {
      services: { sqs: { queues: { orders: { visibilityTimeoutMs: 30_000 } } } },
      sources: { sqs: [{ queue: "orders" }] },
      steps: [{ do: "send", queue: "orders", body: { id: 1 } }],
    });
    expect(w.mappingAdvice).toMatchInlineSnapshot(`
      [
        "AWS advises a visibility timeout of at least 6 × the function timeout + the batching window (1 min here); orders has 30 s, so a failed or throttled batch has little time left for retries",
      ]
    `);
  });
});

describe("scenario steps: http through the API gateway (§4, §5)", () => {
  it("gives the client the proxy response, 502 when the handler throws and 413 over 10 MB, naming the simplification", async () => {
    const source = `
      export const handler = async (event) => {
        const order = JSON.parse(event.body);
        if (order.fail) throw new Error("boom");
        return { statusCode: 201, body: JSON.stringify({ id: order.id }) };
      };`;
    const w = await world(source, {
      steps: [
        { do: "http", path: "/orders", body: { id: "o-1" } },
        { do: "http", path: "/orders", body: { fail: true }, at: 1_000 },
        { do: "http", path: "/orders", body: "x".repeat(10_485_761), at: 2_000 },
      ],
    });
    expect(w.gatewayResponses.map((r) => [r.statusCode, r.body])).toEqual([
      [201, '{"id":"o-1"}'],
      [502, '{"message":"Internal server error"}'],
      [413, '{"message":"Request Too Long"}'],
    ]);
    expect(w.stepResults[0]).toBe(w.gatewayResponses[0]);
    expect(lastReport!.simplifications.some((s) => s.startsWith("The API gateway's 413 status"))).toBe(true);
  });
});

describe("workbook:aws: queues, topics, the bus and buckets from handler code", () => {
  it("supports the claim-check pattern: store the body in a bucket, pass its key through a queue", async () => {
    const source = `
      import { bucket, queue } from "workbook:aws";
      export async function handler(event, context) {
        const key = "orders/" + context.awsRequestId;
        await bucket("claims").put(key, event.body);
        await queue("work").send(JSON.stringify({ key }));
        const back = await bucket("claims").get(key);
        return { statusCode: 202, body: String(back.length) };
      }`;
    const w = await world(source, { steps: [{ do: "http", path: "/big", body: "x".repeat(1_500_000) }] });
    expect(w.gatewayResponses[0]).toMatchObject({ statusCode: 202, body: "1500000" });
    const [message] = w.services.sqs.queue("work").contents(3_600_000);
    const { key } = JSON.parse(message!.body) as { key: string };
    expect(w.services.s3.object("claims", key)!.size).toBe(1_500_000);
    expect(w.hops.map((h) => [h.service, h.outcome])).toEqual([
      ["api-gateway", "accepted"],
      ["lambda", "accepted"],
      ["s3", "accepted"],
      ["sqs", "accepted"],
    ]);
  });

  it("refuses an oversize publish with an error the handler can catch by name, and records where it stopped", async () => {
    const source = `
      import { topic, bus } from "workbook:aws";
      export async function handler(event) {
        let error = null;
        try { await topic("orders").publish("x".repeat(300000)); } catch (e) { error = e.name; }
        const put = await bus.putEvents([{ source: "shop", detailType: "OrderPlaced", detail: { id: 1 } }]);
        return { error, failed: put.failedEntryCount };
      }`;
    const w = await world(source, { steps: [{ do: "invoke", mode: "sync", event: {} }] });
    expect(JSON.parse(w.results[0]!.payload)).toEqual({ error: "InvalidParameter", failed: 0 });
    expect(w.hops.filter((h) => h.outcome === "rejected").map((h) => [h.service, h.resource, h.bytes, h.limitBytes, h.invocation])).toEqual([
      ["sns", "orders", 300_000, 262_144, w.invocations[0]!.seq],
    ]);
  });

  it("lets handler code receive and delete queue messages itself", async () => {
    const source = `
      import { queue } from "workbook:aws";
      export async function handler() {
        const q = queue("jobs");
        await q.send("a");
        const [m] = await q.receive({ maxMessages: 10 });
        await q.delete(m.receiptHandle);
        return { body: m.body, receiveCount: m.receiveCount, left: (await q.receive()).length };
      }`;
    const w = await world(source, { steps: [{ do: "invoke", mode: "sync", event: {} }] });
    expect(JSON.parse(w.results[0]!.payload)).toEqual({ body: "a", receiveCount: 1, left: 0 });
  });
});

describe("determinism with event sources", () => {
  it("gives the same hops, batches, responses and queue contents for the same code, scenario and seed", async () => {
    const source = `
      import { queue } from "workbook:aws";
      export async function handler(event) {
        if (event.Records) { if (event.Records.some((r) => r.body === "bad")) throw new Error("bad"); return null; }
        await queue("orders").send(JSON.parse(event.body).kind);
        return { statusCode: 202, body: "" };
      }`;
    const scenario = {
      services: { sqs: { duplicateRate: 0.5, queues: { orders: { visibilityTimeoutMs: 30_000, redrive: { deadLetterQueue: "dlq", maxReceiveCount: 2 } } } } },
      sources: { sqs: [{ queue: "orders", batchSize: 2 }] },
      steps: ["ok", "bad", "ok", "ok"].map((kind, i) => ({ do: "http" as const, path: "/o", body: { kind }, at: i * 100 })),
    };
    const snapshot = (w: ScenarioWorld) => JSON.stringify([w.hops, w.batches, w.gatewayResponses, w.services.sqs.queue("dlq").contents(3_600_000), w.trace.map((r) => r.requestId)]);
    const first = snapshot(await world(source, scenario));
    expect(snapshot(await world(source, scenario))).toBe(first);
  });
});

describe("scenario steps: the lesson's chain of hops, from the gateway to a state machine (§5)", () => {
  it("§5 Lessons that chain hops: a 200 KB order passes API GW 10 MB, Lambda 6 MB, SNS 256 KiB and async 1 MB, and fails at the Step Functions 256 KiB hop when a state's output grows", async () => {
    const source = `
      import { topic, stateMachine } from "workbook:aws";
      export const handler = async (event) => {
        if (event.httpMethod) {
          await topic("orders").publish(event.body);
          return { statusCode: 202, body: "" };
        }
        if (event.Records) {
          await stateMachine("pipeline").startExecution(event.Records[0].Sns.Message);
          return;
        }
        if (event.step === undefined) return { ...event, step: "validated" };
        return { ...event, step: "enriched", history: "h".repeat(100000) };
      };`;
    const w = await world(source, {
      services: {
        sns: { topics: { orders: { subscriptions: [{ lambda: "fn" }] } } },
        stepfunctions: { stateMachines: { pipeline: { tasks: [{ name: "Validate", function: "fn" }, { name: "Enrich", function: "fn" }] } } },
      },
      steps: [{ do: "http", path: "/orders", body: { id: "o-1", items: "i".repeat(200_000) } }],
    });
    expect(w.stepResults[0]).toMatchObject({ statusCode: 202 });
    expect(w.hops.map((h) => [h.service, h.operation.split(" from ")[0], h.outcome])).toEqual([
      ["api-gateway", "POST /orders", "accepted"],
      ["lambda", "Invoke (RequestResponse)", "accepted"],
      ["sns", "Publish", "accepted"],
      ["lambda", "Invoke (Event)", "accepted"],
      ["stepfunctions", "StartExecution", "accepted"],
      ["lambda", "Invoke (RequestResponse)", "accepted"],
      ["stepfunctions", "Validate output", "accepted"],
      ["lambda", "Invoke (RequestResponse)", "accepted"],
      ["stepfunctions", "Enrich output", "rejected"],
    ]);
    expect(w.services.stepfunctions.executions[0]).toMatchObject({ status: "FAILED", error: "States.DataLimitExceeded", failedState: "Enrich" });
    expect(lastReport!.simplifications.some((s) => s.startsWith("A state machine runs Lambda tasks in order"))).toBe(true);
  });

  it("starts an execution from a startExecution step, refusing an input over 262,144 bytes", async () => {
    const w = await world(`export const handler = async (event) => event;`, {
      services: { stepfunctions: { stateMachines: { echo: { tasks: [{ name: "Echo", function: "fn" }] } } } },
      steps: [
        { do: "startExecution", stateMachine: "echo", input: { id: 1 } },
        { do: "startExecution", stateMachine: "echo", input: { pad: "x".repeat(262_144) } },
      ],
    });
    expect(w.stepResults.map((r) => (r as { ok: boolean }).ok)).toEqual([true, false]);
    expect(w.services.stepfunctions.executions.map((e) => [e.status, e.output])).toEqual([["SUCCEEDED", '{"id":1}']]);
  });

  it("lets handler code start an execution and follow it with describeExecution", async () => {
    const w = await world(
      `
      import { stateMachine, sleep } from "workbook:aws";
      export const handler = async (event) => {
        if (event.task) return { doubled: event.n * 2 };
        const sm = stateMachine("double");
        const { executionArn } = await sm.startExecution({ task: true, n: 21 });
        const early = await sm.describeExecution(executionArn);
        await sleep(1000);
        const late = await sm.describeExecution(executionArn);
        let missing;
        try { await sm.describeExecution("arn:nope"); } catch (e) { missing = e.name; }
        return [early.status, late, missing];
      };`,
      {
        services: { stepfunctions: { stateMachines: { double: { tasks: [{ name: "Double", function: "fn" }] } } } },
        steps: [{ do: "invoke", mode: "sync", event: {} }],
      },
    );
    expect(JSON.parse((w.results[0] as { payload: string }).payload)).toEqual([
      "RUNNING",
      { executionArn: "arn:aws:states:us-east-1:123456789012:execution:double:execution-1", status: "SUCCEEDED", output: '{"doubled":42}' },
      "ExecutionDoesNotExist",
    ]);
  });
});
