import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { parseFile } from "../../src/grader/friendly-error.ts";
import { connectServices } from "../../src/runtime/service-wiring.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { EventBridgeBackoffSchema, eventBridgeSchedule, snsSchedule } from "../../src/services/delivery.ts";
import type { RuleTargetSchema } from "../../src/services/eventbridge.ts";
import { ServiceHub, ServicesConfigSchema, type ServicesConfigInput } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { Prng } from "../../src/runtime/prng.ts";
import { HostCode, type InvokePlan } from "../runtime/host-code.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };
const DAY = 86_400_000;

/** Function "f" wired to the services; "missing" is never deployed. */
function setup(services: ServicesConfigInput, options: { seed?: number; plan?: (event: unknown) => InvokePlan } = {}) {
  const seed = options.seed ?? 1;
  const hub = new ServiceHub(services, seed);
  const sim = new Simulation({ seed, services: hub, destinations: hub, model: { initPlatformMs: 0 } });
  const code = new HostCode({ invoke: (call) => (options.plan ? options.plan(call.event) : { durationMs: 10 }) });
  sim.deploy({ name: "f" }, code);
  connectServices(sim, hub);
  return { hub, sim, code };
}

/** Each hop as [service, outcome, first attempt, last attempt, t, last t, error code]. */
function attempts(hub: ServiceHub) {
  return hub.hops.records.map((h) => [h.service, h.outcome, h.attempts?.first ?? null, h.attempts?.last ?? null, h.t, h.attempts?.lastT ?? null, h.error?.code ?? null]);
}

describe("SNS → Lambda/SQS", () => {
  it("times retries as the policy says: 3 at once, 2 one second apart, 10 from 1 s to 20 s, then every 20 s", () => {
    const exponential = snsSchedule(0, "exponential");
    expect(Array.from({ length: 18 }, (_, i) => exponential.timeOf(i + 1))).toEqual([
      0, 0, 0, 0, 1_000, 2_000, 3_000, 4_395, 6_341, 9_055, 12_841, 18_123, 25_491, 35_769, 50_106, 70_106, 90_106, 110_106,
    ]);
    // The backoff phase's delays run from 1 s to 20 s either way; only the curve between differs.
    const linear = snsSchedule(0, "linear");
    expect(Array.from({ length: 11 }, (_, i) => linear.timeOf(i + 7) - linear.timeOf(i + 6))).toEqual([1_000, 3_111, 5_222, 7_333, 9_444, 11_556, 13_667, 15_778, 17_889, 20_000, 20_000]);
  });

  it("makes 100,015 retries after the first attempt, the last one 23 days later (2,000,070,106 ms)", () => {
    const last = snsSchedule(5, "exponential").last();
    expect(last).toEqual({ k: 100_016, t: 5 + 2_000_070_106 });
    expect(Math.floor((last.t - 5) / DAY)).toBe(23);
  });

  it("finds the first attempt at or after a time without walking the schedule", () => {
    const s = snsSchedule(0, "exponential");
    expect(s.firstFrom(1, 5_500)).toEqual({ k: 9, t: 6_341 });
    expect(s.firstFrom(2, 0)).toEqual({ k: 2, t: 0 });
    expect(s.firstFrom(10, DAY)).toEqual({ k: 4_333, t: 70_106 + 4_317 * 20_000 });
    expect(s.firstFrom(1, 2_000_070_107)).toBeNull();
  });

  it("retries a missing function for 23 days in a handful of events, then sends the message to the subscription's dead-letter queue", () => {
    const { hub, sim } = setup({ sns: { topics: { orders: { subscriptions: [{ lambda: "missing", deadLetterQueue: "orders-dlq" }] } } } });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: '{"id":"o-1"}' }, SCENARIO));
    const events = sim.run();
    expect(events).toBeLessThan(10);
    expect(attempts(hub)).toEqual([
      ["sns", "accepted", null, null, 0, null, null],
      ["lambda", "rejected", 1, 1, 0, 0, "ResourceNotFoundException"],
      ["lambda", "rejected", 2, 100_016, 0, 2_000_070_106, "ResourceNotFoundException"],
      ["sns", "given-up", 1, 100_016, 2_000_070_106, 2_000_070_106, "ResourceNotFoundException"],
      ["sqs", "accepted", null, null, 2_000_070_106, null, null],
    ]);
    expect(hub.hops.records[3]!.error!.message).toMatchInlineSnapshot(`"the retry policy ended after 100,016 attempts; the message goes to the dead-letter queue orders-dlq"`);
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "dead-lettered", attempts: 100_016, firstAttemptAt: 0, lastAttemptAt: 2_000_070_106, delivered: false, retriable: true });
    const [dead] = hub.sqs.queue("orders-dlq").contents(sim.now);
    expect(JSON.parse(dead!.body)).toMatchObject({ Type: "Notification", Message: '{"id":"o-1"}', TopicArn: "arn:aws:sns:us-east-1:123456789012:orders" });
    expect(dead!.attributes).toEqual({ ErrorCode: "ResourceNotFoundException", ErrorMessage: "no function named missing is deployed" });
    expect(sim.simplificationsUsed.has("delivery-retries")).toBe(true);
  });

  it("knows when the policy will give up as soon as every remaining attempt must fail, and drops the message without a dead-letter queue", () => {
    const { hub, sim } = setup({ sns: { topics: { orders: { subscriptions: [{ lambda: "missing" }] } } } });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "m" }, SCENARIO));
    sim.run({ until: 3_600_000 });
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "retrying", attempts: 1, nextAttemptAt: 0, givesUpAt: 2_000_070_106 });
    sim.run();
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 100_016, nextAttemptAt: null });
    expect(hub.hops.records.at(-1)!.error!.message).toMatchInlineSnapshot(`"the retry policy ended after 100,016 attempts; the message is dropped (no dead-letter queue)"`);
  });

  it("delivers at the first attempt after a transient fault clears, and the function runs then", () => {
    const { hub, sim } = setup({
      sns: { topics: { orders: { subscriptions: [{ lambda: "f" }] } }, faults: [{ function: "f", from: 0, until: 5_500 }] },
    });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "m" }, SCENARIO));
    sim.run();
    expect(attempts(hub)).toEqual([
      ["sns", "accepted", null, null, 0, null, null],
      ["lambda", "rejected", 1, 1, 0, 0, "ServiceException"],
      ["lambda", "rejected", 2, 8, 0, 4_395, "ServiceException"],
      ["lambda", "accepted", 9, 9, 6_341, 6_341, null],
    ]);
    expect(sim.trace.map((r) => [r.outcome, r.arrivedAt])).toEqual([["success", 6_341]]);
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "delivered", attempts: 9, lastAttemptAt: 6_341, error: null });
  });

  it("retries a queue subscriber that is unavailable, then sends it the envelope", () => {
    const { hub, sim } = setup({ sns: { topics: { orders: { subscriptions: [{ queue: "audit" }] } }, faults: [{ queue: "audit", from: 0, until: 1_000, code: "KMS.DisabledException" }] } });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "m" }, SCENARIO));
    sim.run();
    expect(attempts(hub).slice(1)).toEqual([
      ["sqs", "rejected", 1, 1, 0, 0, "KMS.DisabledException"],
      ["sqs", "rejected", 2, 4, 0, 0, "KMS.DisabledException"],
      ["sqs", "accepted", 5, 5, 1_000, 1_000, null],
    ]);
    expect(JSON.parse(hub.sqs.queue("audit").contents(sim.now)[0]!.body)).toMatchObject({ Type: "Notification", Message: "m" });
  });

  it("does not retry what cannot succeed: a FIFO queue or a queue with a smaller maximum size sends the message to the dead-letter queue at once", () => {
    const { hub, sim } = setup({
      sqs: { queues: { small: { maximumMessageSize: 1_024 } } },
      sns: { topics: { orders: { subscriptions: [{ queue: "jobs.fifo", deadLetterQueue: "dlq" }, { queue: "small", rawMessageDelivery: true, deadLetterQueue: "dlq" }] } } },
    });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "x".repeat(2_000) }, SCENARIO));
    sim.run();
    expect(hub.sns.published[0]!.deliveries.map((d) => [d.outcome, d.attempts, d.retriable, d.error?.name])).toEqual([
      ["dead-lettered", 1, false, "MissingParameter"],
      ["dead-lettered", 1, false, "InvalidParameterValue"],
    ]);
    expect(hub.sqs.queue("dlq").contents(sim.now).map((m) => [m.sentAt, m.attributes.ErrorCode])).toEqual([
      [0, "MissingParameter"],
      [0, "InvalidParameterValue"],
    ]);
    expect(hub.hops.records.find((h) => h.outcome === "given-up")!.error!.message).toMatchInlineSnapshot(`"MissingParameter is not retried; the message goes to the dead-letter queue dlq"`);
  });

  it("loses a message whose dead-letter queue refuses it too: an event over Lambda's 1 MB once wrapped, in a 1 MiB topic", () => {
    const { hub, sim } = setup({ sns: { topics: { big: { maximumMessageSize: 1_048_576, subscriptions: [{ lambda: "f", deadLetterQueue: "dlq" }] } } } });
    sim.at(0, () => hub.sns.publish(sim.now, "big", { message: "x".repeat(1_048_000) }, SCENARIO));
    sim.run();
    expect(hub.hops.records.map((h) => [h.service, h.outcome, h.error?.code ?? null])).toEqual([
      ["sns", "accepted", null],
      ["lambda", "rejected", "RequestTooLargeException"],
      ["sns", "given-up", "RequestTooLargeException"],
      ["sqs", "rejected", "InvalidParameterValue"],
    ]);
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "dead-letter-failed", attempts: 1, retriable: false });
    expect(sim.trace).toEqual([]);
  });

  it("carries the recursion chain of the publisher through a retried delivery", () => {
    const { hub, sim } = setup({ sns: { topics: { orders: { subscriptions: [{ lambda: "f" }] } }, faults: [{ function: "f", until: 1_500 }] } });
    const sender: Sender = { call: null, via: "scenario", chain: { chainId: "c-1", hops: 5 } };
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "m" }, sender));
    sim.run();
    expect(hub.hops.records.filter((h) => h.service === "lambda").map((h) => h.chain)).toEqual([
      { chainId: "c-1", hops: 5 },
      { chainId: "c-1", hops: 5 },
      { chainId: "c-1", hops: 5 },
    ]);
    expect(sim.trace.map((r) => [r.arrivedAt, r.chain])).toEqual([[2_000, { chainId: "c-1", hops: 6 }]]);
  });
});

describe("EventBridge rule target", () => {
  const put = [{ source: "shop", detailType: "OrderPlaced", detail: { id: "o-1" } }];
  const rules = (target: z.input<typeof RuleTargetSchema>) => ({ rules: [{ name: "r", targets: [target] }] });

  it("retries with exponential backoff: 1 s, 2 s, 4 s … without jitter, capped at the configured maximum", () => {
    const s = eventBridgeSchedule(0, 12, 86_400_000, { baseMs: 1_000, capMs: 600_000, jitter: "none" }, () => new Prng(1));
    expect(Array.from({ length: 13 }, (_, i) => s.timeOf(i + 1))).toEqual([0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000, 127_000, 255_000, 511_000, 1_023_000, 1_623_000, 2_223_000]);
    expect(s.last()).toEqual({ k: 13, t: 2_223_000 });
  });

  it("retries a missing target at most 185 times and never later than 24 h after the put, then sends the event to its dead-letter queue", () => {
    const { hub, sim } = setup({ eventbridge: rules({ lambda: "missing", deadLetterQueue: "dlq" }) });
    sim.at(0, () => hub.eventbridge.putEvents(sim.now, put, SCENARIO));
    sim.run();
    const d = hub.eventbridge.events[0]!.deliveries[0]!;
    expect(d.outcome).toBe("dead-lettered");
    expect(d.attempts).toBeGreaterThan(100);
    expect(d.attempts).toBeLessThanOrEqual(186);
    expect(d.lastAttemptAt).toBeLessThanOrEqual(DAY);
    const [dead] = hub.sqs.queue("dlq").contents(sim.now);
    expect(JSON.parse(dead!.body)).toMatchObject({ source: "shop", "detail-type": "OrderPlaced", detail: { id: "o-1" } });
    expect(dead!.sentAt).toBe(d.lastAttemptAt);
  });

  it("draws the jitter from the seed: each delay lies between half and all of the doubled step, fixed by the seed", () => {
    const outcome = (seed: number) => {
      const { hub, sim } = setup({ eventbridge: rules({ lambda: "missing" }) }, { seed });
      sim.at(0, () => hub.eventbridge.putEvents(sim.now, put, SCENARIO));
      sim.run();
      const d = hub.eventbridge.events[0]!.deliveries[0]!;
      return [d.attempts, d.lastAttemptAt];
    };
    expect(outcome(7)).toEqual(outcome(7));
    expect(outcome(7)).not.toEqual(outcome(8));
    const s = eventBridgeSchedule(0, 185, DAY, EventBridgeBackoffSchema.parse({}), () => new Prng(7));
    for (let k = 2; k <= s.last().k; k++) {
      const step = Math.min(600_000, 1_000 * 2 ** (k - 2));
      expect(s.timeOf(k) - s.timeOf(k - 1)).toBeGreaterThanOrEqual(step / 2);
      expect(s.timeOf(k) - s.timeOf(k - 1)).toBeLessThanOrEqual(step);
    }
  });

  it("stops at MaximumRetryAttempts or MaximumEventAgeInSeconds, whichever comes first", () => {
    const none = { backoff: { jitter: "none" as const } };
    const byCount = setup({ eventbridge: { ...none, ...rules({ lambda: "missing", retryPolicy: { maximumRetryAttempts: 3 } }) } });
    byCount.sim.at(0, () => byCount.hub.eventbridge.putEvents(byCount.sim.now, put, SCENARIO));
    byCount.sim.run();
    expect(byCount.hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 4, lastAttemptAt: 7_000 });
    const byAge = setup({ eventbridge: { ...none, ...rules({ lambda: "missing", retryPolicy: { maximumEventAgeInSeconds: 60 } }) } });
    byAge.sim.at(0, () => byAge.hub.eventbridge.putEvents(byAge.sim.now, put, SCENARIO));
    byAge.sim.run();
    // Retries at 1, 3, 7, 15 and 31 s; the next (63 s) would be older than 60 s.
    expect(byAge.hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 6, lastAttemptAt: 31_000 });
    const never = setup({ eventbridge: rules({ lambda: "missing", retryPolicy: { maximumRetryAttempts: 0 } }) });
    never.sim.at(0, () => never.hub.eventbridge.putEvents(never.sim.now, put, SCENARIO));
    never.sim.run();
    expect(never.hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 1, lastAttemptAt: 0 });
  });

  it("takes the newer subscriber model's defaults on request: 5 retries within 300 s", () => {
    const { hub, sim } = setup({ eventbridge: { backoff: { jitter: "none" }, ...rules({ lambda: "missing", retryPolicy: { defaults: "subscriber" } }) } });
    sim.at(0, () => hub.eventbridge.putEvents(sim.now, put, SCENARIO));
    sim.run();
    // Retries at 1, 3, 7, 15 and 31 s: the count ends it before the age does.
    expect(hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 6, lastAttemptAt: 31_000 });
    const aged = setup({ eventbridge: { backoff: { jitter: "none", baseMs: 100_000 }, ...rules({ lambda: "missing", retryPolicy: { defaults: "subscriber" } }) } });
    aged.sim.at(0, () => aged.hub.eventbridge.putEvents(aged.sim.now, put, SCENARIO));
    aged.sim.run();
    // Retries at 100 s and 300 s; the next (700 s) would be older than 300 s.
    expect(aged.hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dropped", attempts: 3, lastAttemptAt: 300_000 });
  });

  it("refuses a retry policy outside 0–185 attempts or 60–86,400 seconds, naming the field", () => {
    const bad = (retryPolicy: { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number }) => () => parseFile(ServicesConfigSchema, { eventbridge: rules({ lambda: "f", retryPolicy }) }, "exercise.ts", "services");
    expect(bad({ maximumRetryAttempts: 186 })).toThrowErrorMatchingInlineSnapshot(`[InvalidFileError: exercise.ts: services field "eventbridge.rules[0].targets[0].retryPolicy.maximumRetryAttempts" is invalid: MaximumRetryAttempts is 0 to 185; found number 186. Fix that field and try again.]`);
    expect(bad({ maximumEventAgeInSeconds: 59 })).toThrowErrorMatchingInlineSnapshot(`[InvalidFileError: exercise.ts: services field "eventbridge.rules[0].targets[0].retryPolicy.maximumEventAgeInSeconds" is invalid: MaximumEventAgeInSeconds is 60 to 86,400; found number 59. Fix that field and try again.]`);
  });

  it("delivers at the first attempt after a transient fault clears", () => {
    const { hub, sim } = setup({ eventbridge: { backoff: { jitter: "none" }, faults: [{ function: "f", until: 10_000 }], ...rules({ lambda: "f" }) } });
    sim.at(0, () => hub.eventbridge.putEvents(sim.now, put, SCENARIO));
    sim.run();
    expect(attempts(hub).slice(1)).toEqual([
      ["lambda", "rejected", 1, 1, 0, 0, "ServiceException"],
      ["lambda", "rejected", 2, 4, 1_000, 7_000, "ServiceException"],
      ["lambda", "accepted", 5, 5, 15_000, 15_000, null],
    ]);
    expect(sim.trace.map((r) => [r.outcome, r.arrivedAt])).toEqual([["success", 15_000]]);
  });

  it("does not retry an event that fits the entry limit but not Lambda's 1 MB async limit once wrapped in the event envelope", () => {
    const { hub, sim } = setup({ eventbridge: rules({ lambda: "f", deadLetterQueue: "dlq" }) });
    const detail = JSON.stringify({ blob: "x".repeat(1_048_400) });
    sim.at(0, () => hub.eventbridge.putEvents(sim.now, [{ source: "shop", detailType: "Big", detail }], SCENARIO));
    sim.run();
    expect(hub.hops.records.map((h) => [h.service, h.outcome, h.error?.code ?? null])).toEqual([
      ["eventbridge", "accepted", null],
      ["lambda", "rejected", "RequestTooLargeException"],
      ["eventbridge", "given-up", "RequestTooLargeException"],
      ["sqs", "rejected", "InvalidParameterValue"],
    ]);
    expect(hub.eventbridge.events[0]!.deliveries[0]).toMatchObject({ outcome: "dead-letter-failed", attempts: 1 });
  });
});

describe("EventBridge / SNS / S3 → Lambda", () => {
  it("ends the service's retries once Lambda accepts the event: a function error is retried by Lambda (§6), not by SNS", () => {
    const { hub, sim } = setup({ sns: { topics: { orders: { subscriptions: [{ lambda: "f" }] } } } }, { plan: () => ({ durationMs: 10, error: { errorType: "Error", errorMessage: "boom" } }) });
    sim.at(0, () => hub.sns.publish(sim.now, "orders", { message: "m" }, SCENARIO));
    sim.run();
    expect(hub.hops.records.filter((h) => h.service === "lambda").map((h) => [h.outcome, h.attempts])).toEqual([["accepted", { first: 1, last: 1, lastT: 0 }]]);
    expect(hub.sns.published[0]!.deliveries[0]).toMatchObject({ outcome: "delivered", attempts: 1 });
    expect(sim.trace.map((r) => [r.attempt, r.outcome])).toEqual([
      [1, "error"],
      [2, "error"],
      [3, "error"],
      [3, "discarded"],
    ]);
  });
});

describe("delivery retries are deterministic", () => {
  it("gives the same hops, deliveries and dead-letter messages for the same seed", () => {
    const run = () => {
      const { hub, sim } = setup(
        {
          sns: { topics: { t: { subscriptions: [{ lambda: "f" }, { lambda: "missing", deadLetterQueue: "dlq" }] } }, faults: [{ function: "f", from: 0, until: 30_000 }] },
          eventbridge: { faults: [{ function: "f", from: 0, until: 600_000 }], rules: [{ name: "r", targets: [{ lambda: "f" }, { lambda: "missing", deadLetterQueue: "dlq", retryPolicy: { maximumEventAgeInSeconds: 3_600 } }] }] },
        },
        { seed: 42 },
      );
      sim.at(0, () => hub.sns.publish(sim.now, "t", { message: "m" }, SCENARIO));
      sim.at(10, () => hub.eventbridge.putEvents(sim.now, put, SCENARIO));
      sim.run();
      return JSON.stringify({ hops: hub.hops.records, sns: hub.sns.published, eb: hub.eventbridge.events, dlq: hub.sqs.queue("dlq").contents(sim.now), trace: sim.trace.map((r) => [r.requestId, r.arrivedAt]) });
    };
    const put = [{ source: "shop", detailType: "OrderPlaced", detail: { id: "o-1" } }];
    expect(run()).toBe(run());
  });
});
