import { describe, expect, it } from "vitest";
import { ApiGateway } from "../../src/runtime/api-gateway.ts";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { entrySize } from "../../src/services/eventbridge.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode, type InvokePlan } from "../runtime/host-code.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };

/** Functions "f" (the consumer) and optionally others, wired to the services. */
function setup(services: ServicesConfigInput, plan?: (event: unknown) => InvokePlan) {
  const hub = new ServiceHub(services, 1);
  const sim = new Simulation({ seed: 1, services: hub, destinations: hub, model: { initPlatformMs: 0 } });
  const code = new HostCode({ invoke: (call) => (plan ? plan(call.event) : { durationMs: 10 }) });
  sim.deploy({ name: "f" }, code);
  connectServices(sim, hub);
  return { hub, sim, code };
}

describe("§5 SNS publish: 256 KiB by default, up to 1 MiB per topic", () => {
  it("accepts 262,144 bytes and refuses one more with InvalidParameter", () => {
    const { hub } = setup({});
    expect(hub.sns.publish(0, "t", { message: "x".repeat(262_144) }, SCENARIO)).toMatchObject({ ok: true });
    expect(hub.sns.publish(0, "t", { message: "x".repeat(262_145) }, SCENARIO)).toMatchInlineSnapshot(`
      {
        "code": "InvalidParameter",
        "message": "the message is 262,145 bytes (body and attributes), over the topic's maximum message size of 256 KB (262,144 bytes)",
        "ok": false,
      }
    `);
  });

  it("§5 SNS billing: counts one billed request per started 64 KB chunk of a message (body and attributes), none for a refused one", () => {
    const { hub } = setup({ sns: { topics: { big: { maximumMessageSize: 1_048_576 } } } });
    for (const bytes of [1, 65_536, 65_537, 262_144, 1_048_576, 1_048_577]) hub.sns.publish(0, "big", { message: "x".repeat(bytes) }, SCENARIO);
    expect(hub.sns.published.map((p) => p.billedRequests)).toEqual([1, 1, 2, 4, 16]);
    expect(hub.sns.billedRequests).toBe(24);
  });

  it("§0 SNS publish: takes up to 1 MiB on a topic whose MaximumMessageSize was raised, attributes counted", () => {
    const { hub } = setup({ sns: { topics: { big: { maximumMessageSize: 1_048_576 } } } });
    expect(hub.sns.publish(0, "big", { message: "x".repeat(1_048_576) }, SCENARIO).ok).toBe(true);
    expect(hub.sns.publish(0, "big", { message: "x".repeat(1_048_570), attributes: { k: "v" } }, SCENARIO).ok).toBe(false);
  });

  it("§6 Sources that invoke async: SNS invokes a subscribed function asynchronously with an SNS event, and sends a queue the notification envelope", () => {
    const { hub, sim, code } = setup({ sns: { topics: { orders: { subscriptions: [{ lambda: "f" }, { queue: "audit" }, { queue: "raw", rawMessageDelivery: true }] } } } });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: '{"id":"o-1"}', subject: "new" }, SCENARIO));
    sim.run();
    expect(sim.trace.map((r) => [r.mode, r.outcome])).toEqual([["async", "success"]]);
    expect(code.invocations[0]!.event).toMatchObject({ Records: [{ EventSource: "aws:sns", Sns: { Type: "Notification", Message: '{"id":"o-1"}', Subject: "new", TopicArn: "arn:aws:sns:us-east-1:123456789012:orders" } }] });
    expect(JSON.parse(hub.sqs.queue("audit").contents(sim.now)[0]!.body)).toMatchObject({ Type: "Notification", Message: '{"id":"o-1"}' });
    expect(hub.sqs.queue("raw").contents(sim.now)[0]!.body).toBe('{"id":"o-1"}');
  });
});

describe("per-hop limits (§5): a payload that fits one hop fails at a later one, visibly", () => {
  it("a message that fits a 1 MiB topic fails at the async invoke (1 MB) once wrapped in the SNS event", () => {
    const { hub, sim } = setup({ sns: { topics: { big: { maximumMessageSize: 1_048_576, subscriptions: [{ lambda: "f" }] } } } });
    sim.at(0, () => hub.sns.publish(sim.now, "big", { message: "x".repeat(1_048_000) }, SCENARIO));
    sim.run();
    expect(hub.hops.records.map((h) => [h.service, h.outcome, h.limitBytes, h.error?.code ?? null])).toEqual([
      ["sns", "accepted", 1_048_576, null],
      ["lambda", "rejected", 1_048_576, "RequestTooLargeException"],
      // Sending the same bytes again cannot succeed: SNS gives up at once (no dead-letter queue here).
      ["sns", "given-up", 1_048_576, "RequestTooLargeException"],
    ]);
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ delivered: false, outcome: "dropped", error: { name: "RequestTooLargeException" } });
  });

  it("API gateway (10 MB) → Lambda (6 MB) → SNS (256 KiB): a 300 KB body passes two hops and stops at the topic", () => {
    const { hub, sim } = setup({}, () => ({ durationMs: 5, services: [{ service: "topic", operation: "publish", args: ["orders", "x".repeat(300_000)], label: "publish" }] }));
    const gateway = new ApiGateway(sim, "f", {}, hub.hops);
    sim.at(0, () => gateway.request({ path: "/orders", body: "x".repeat(300_000) }));
    sim.run();
    expect(hub.hops.records.map((h) => [h.t, h.service, h.outcome, h.limitBytes])).toEqual([
      [0, "api-gateway", "accepted", 10_485_760],
      [0, "lambda", "accepted", 6_291_456],
      [15, "sns", "rejected", 262_144],
    ]);
    const refused = hub.hops.rejected()[0]!;
    expect(refused).toMatchObject({ service: "sns", resource: "orders", bytes: 300_000, error: { code: "InvalidParameter" }, invocation: sim.trace[0]!.seq });
  });
});

describe("§5 EventBridge PutEvents", () => {
  it("computes the entry size as 14 bytes for Time plus source, detail type, detail and resources", () => {
    expect(entrySize({ source: "shop", detailType: "OrderPlaced", detail: '{"a":1}', resources: ["arn:1", "é"], time: "2026-01-01T00:00:00Z" })).toBe(14 + 4 + 11 + 7 + 5 + 2);
    expect(entrySize({ source: "s", detailType: "d", detail: "{}", resources: [], time: null })).toBe(4);
  });

  it("refuses more than 10 entries and reports an oversize entry alone while the others go through", () => {
    const { hub } = setup({});
    expect(hub.eventbridge.putEvents(0, Array.from({ length: 11 }, () => ({ source: "s", detailType: "d", detail: {} })), SCENARIO)).toMatchObject({ ok: false, code: "ValidationException" });
    const big = { source: "s", detailType: "d", detail: JSON.stringify({ x: "x".repeat(1_048_576) }) };
    const r = hub.eventbridge.putEvents(0, [{ source: "s", detailType: "d", detail: { a: 1 } }, big, { source: "s", detailType: "d", detail: "not json" }], SCENARIO);
    expect(r.ok && r.value.failedEntryCount).toBe(2);
    expect(r.ok && r.value.entries.map((e) => ("errorCode" in e ? e.errorCode : "ok"))).toEqual(["ok", "ValidationException", "MalformedDetail"]);
    expect(hub.eventbridge.events).toHaveLength(1);
  });

  it("§0 EventBridge PutEvents entry: accepts an entry just under 1 MB and refuses one of exactly 1,048,576 bytes (the size must be under 1 MB)", () => {
    const { hub } = setup({});
    const entry = (bytes: number) => ({ source: "s", detailType: "d", detail: `{"x":"${"x".repeat(bytes - 2 - 8)}"}` });
    const r = hub.eventbridge.putEvents(0, [entry(1_048_575), entry(1_048_576)], SCENARIO);
    expect(r.ok && r.value.entries.map((e) => "eventId" in e)).toEqual([true, false]);
  });

  it("§6 Sources that invoke async: EventBridge sends matching events to a rule's function asynchronously", () => {
    const { hub, sim, code } = setup({ eventbridge: { rules: [{ name: "orders", source: ["shop"], targets: [{ lambda: "f" }] }] } });
    sim.at(0, () => hub.eventbridge.putEvents(sim.now, [{ source: "shop", detailType: "OrderPlaced", detail: { id: "o-1" } }, { source: "other", detailType: "x", detail: {} }], SCENARIO));
    sim.run();
    expect(code.invocations.map((c) => c.event)).toMatchObject([{ version: "0", source: "shop", "detail-type": "OrderPlaced", detail: { id: "o-1" } }]);
    expect(sim.trace[0]!.mode).toBe("async");
  });
});

describe("§5 S3 object: single PUT up to 5 GB, object-created notifications (claim check)", () => {
  it("refuses a single PUT over 5 GB with EntityTooLarge", () => {
    const { hub } = setup({});
    expect(hub.s3.put(0, "docs", "a", "", SCENARIO, 5 * 1024 ** 3).ok).toBe(true);
    expect(hub.s3.put(0, "docs", "b", "", SCENARIO, 5 * 1024 ** 3 + 1)).toMatchObject({ ok: false, code: "EntityTooLarge" });
  });

  it("§6 Sources that invoke async: S3 notifies a function of a new object, which can read the body by its key", () => {
    const { hub, sim, code } = setup({ s3: { buckets: { uploads: { notifications: [{ suffix: ".json", target: { lambda: "f" } }] } } } }, (event) => {
      const key = (event as { Records: Array<{ s3: { object: { key: string } } }> }).Records[0]!.s3.object.key;
      return { durationMs: 50, services: [{ service: "bucket", operation: "get", args: ["uploads", key], label: "get" }] };
    });
    sim.at(0, () => {
      hub.s3.put(sim.now, "uploads", "order-1.json", '{"big":true}', SCENARIO);
      hub.s3.put(sim.now, "uploads", "skip.txt", "no", SCENARIO);
    });
    sim.run();
    expect(code.invocations).toHaveLength(1);
    expect(code.invocations[0]!.event).toMatchObject({ Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: "uploads" }, object: { key: "order-1.json", size: 12 } } }] });
    expect(code.happened("reply:get")[0]!.detail).toEqual({ ok: true, value: '{"big":true}' });
  });
});

describe("§6 destinations deliver into topics, the bus and buckets", () => {
  it("publishes an on-success record to a topic and puts an on-failure record in a bucket, keeping the chain", () => {
    const hub = new ServiceHub({ sns: { topics: { done: { subscriptions: [{ queue: "audit", rawMessageDelivery: true }] } } } }, 1);
    const sim = new Simulation({ seed: 1, services: hub, destinations: hub });
    sim.deploy({ name: "ok", async: { onSuccess: { type: "sns", name: "done" } } }, new HostCode());
    sim.deploy({ name: "bad", async: { maxRetryAttempts: 0, onFailure: { type: "s3", name: "failures" } } }, new HostCode());
    connectServices(sim, hub);
    sim.invoke("ok", "async", { durationMs: 5 });
    sim.invoke("bad", "async", { error: { errorType: "Error", errorMessage: "no" } });
    sim.run();
    const [m] = hub.sqs.queue("audit").contents(sim.now);
    expect(JSON.parse(m!.body)).toMatchObject({ requestContext: { condition: "Success" } });
    expect(m!.sender.chain).toMatchObject({ hops: 1 });
    const [key] = hub.s3.keys("failures");
    expect(JSON.parse(hub.s3.object("failures", key!)!.body!)).toMatchObject({ requestContext: { condition: "RetriesExhausted" } });
  });
});
