import { describe, expect, it } from "vitest";
import { AccountConfigSchema } from "../../src/runtime/config.ts";
import { DeploymentError, RequestRateCap, ScalingBucket, reservationError } from "../../src/runtime/scaling.ts";
import { describeSimplifications } from "../../src/runtime/simplifications.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { parseFile } from "../../src/grader/friendly-error.ts";
import { ExerciseSchema } from "../../src/grader/schema.ts";
import { HostCode, setup, syncInvoke } from "./host-code.ts";

const bodyOf = (call: { result: { payload: string } | null }) => JSON.parse(call.result!.payload);

describe("§3 Scaling rate (current)", () => {
  it("§3 the scaling limit is a token bucket per function with capacity 1,000 and a continuous refill of 0.1 token/ms, never beyond 1,000", () => {
    const bucket = new ScalingBucket(1_000, 0.1, 0);
    for (let i = 0; i < 1_000; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(9)).toBe(false); // 0.9 token
    expect(bucket.take(10)).toBe(true); // 1 token after 10 ms
    expect(bucket.available(10_010)).toBe(1_000);
    expect(bucket.available(1_000_000)).toBe(1_000); // unused capacity does not accumulate beyond 1,000
  });

  it("§3 with no idle environment and no token, the request is throttled even below the concurrency limit, with 429", () => {
    const { sim, code } = setup({ model: { scalingBucketSize: 2, scalingRefillPerMs: 0.001 } });
    const calls = [0, 0, 0].map((at) => syncInvoke(sim, "f", { durationMs: 1_000 }, at));
    sim.run();
    expect(calls.map((c) => c.result!.statusCode)).toEqual([200, 200, 429]);
    const throttled = calls[2]!.result!;
    expect(throttled.record).toMatchObject({ outcome: "throttled", envId: null });
    expect(throttled.record.error?.errorType).toBe("TooManyRequestsException");
    expect(throttled.record.reason).toMatchInlineSnapshot(
      `"f had no idle environment and may not create another yet: its scaling rate (1,000 new environments per 10 s, refilled continuously) was used up, although concurrency was still available"`,
    );
    expect(code.instances).toHaveLength(2);
  });

  it("§3 creating an environment costs one token; reusing a warm one costs nothing, so warm requests need no token", () => {
    const { sim } = setup({ model: { scalingBucketSize: 1, scalingRefillPerMs: 0 } });
    const calls = [0, 2_000, 4_000, 6_000].map((at) => syncInvoke(sim, "f", {}, at));
    sim.run();
    expect(calls.map((c) => c.result!.statusCode)).toEqual([200, 200, 200, 200]);
    expect(calls.map((c) => c.result!.record.cold)).toEqual([true, false, false, false]);
  });

  it("lets 1,000 environments start in the same instant and throttles the 1,001st until 10 ms of refill", () => {
    const { sim } = setup({ sim: { account: { concurrencyLimit: 2_000 } } });
    const first = Array.from({ length: 1_001 }, () => syncInvoke(sim, "f", { durationMs: 60_000 }, 0));
    const later = syncInvoke(sim, "f", { durationMs: 60_000 }, 10);
    sim.run();
    expect(first.filter((c) => c.result!.statusCode === 200)).toHaveLength(1_000);
    expect(first[1_000]!.result!.statusCode).toBe(429);
    expect(later.result!.statusCode).toBe(200);
  });

  it("§0 Per-function scaling: each function has its own 1,000 environments per 10 s, independently of the others", () => {
    const { sim } = setup({ sim: { account: { concurrencyLimit: 3_000 } } });
    sim.deploy({ name: "g" }, new HostCode());
    const f = Array.from({ length: 1_001 }, () => syncInvoke(sim, "f", { durationMs: 60_000 }, 0));
    const g = Array.from({ length: 1_000 }, () => syncInvoke(sim, "g", { durationMs: 60_000 }, 0));
    sim.run();
    expect(f.filter((c) => c.result!.statusCode === 200)).toHaveLength(1_000);
    expect(f[1_000]!.result!.statusCode).toBe(429);
    expect(g.every((c) => c.result!.statusCode === 200)).toBe(true);
  });

  it("throttles an async event the same way, and retries it from Lambda's queue once a token is back", () => {
    const { sim } = setup({ model: { scalingBucketSize: 1, scalingRefillPerMs: 0.0001 } });
    syncInvoke(sim, "f", { durationMs: 60_000 }, 0);
    sim.invoke("f", "async", {}, { at: 100 });
    sim.run();
    const async = sim.trace.filter((r) => r.mode === "async");
    expect(async[0]!.outcome).toBe("throttled");
    expect(async[0]!.reason).toContain("its scaling rate");
    // One token takes 10 s to refill; the env-1 request ends at 60,250 and is then reused warm.
    expect(async.at(-1)).toMatchObject({ outcome: "success" });
  });
});

describe("§3 Request rate quota", () => {
  it("§3 Request rate quota: limits invocation requests in the Region to 10 × the concurrency quota per second, counted for all functions together", () => {
    // No platform INIT and 1 ms handlers: ten environments serve ten requests per ms, far below the limit of 100.
    const sim = new Simulation({ account: { concurrencyLimit: 100 }, model: { initPlatformMs: 0 } });
    sim.deploy({ name: "f" }, new HostCode());
    sim.deploy({ name: "g" }, new HostCode());
    const calls = Array.from({ length: 1_001 }, (_, i) => syncInvoke(sim, i % 2 === 0 ? "f" : "g", { durationMs: 1 }, Math.floor(i / 10)));
    const nextSecond = syncInvoke(sim, "g", { durationMs: 1 }, 1_000);
    sim.run();
    expect(calls.filter((c) => c.result!.statusCode === 200)).toHaveLength(1_000);
    const throttled = calls[1_000]!;
    expect(throttled.result!.statusCode).toBe(429);
    expect(bodyOf(throttled)).toEqual({ Reason: "FunctionInvocationRateLimitExceeded", Type: "User", message: "Rate Exceeded." });
    expect(throttled.result!.record.reason).toMatchInlineSnapshot(`"the Region had already accepted 1,000 invocation requests in this second, its request rate quota (10 × the account's 100 concurrency)"`);
    expect(nextSecond.result!.statusCode).toBe(200);
    expect([...sim.simplificationsUsed]).toContain("request-rate-quota");
  });

  it("§3 Request rate quota: counts async requests from clients, but always accepts async events from AWS services", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 20 }, model: { initPlatformMs: 0, requestsPerSecondPerConcurrency: 0.5 } });
    sim.deploy({ name: "f" }, new HostCode());
    // The quota is 10 per second: a client's 11th async request in the first second is refused at once.
    for (let i = 0; i < 11; i++) sim.invoke("f", "async", { durationMs: 1 }, { at: i });
    // Ten more from an AWS service (a topic, rule or bucket handing events on) in the same second are all accepted.
    sim.at(20, () => {
      for (let i = 0; i < 10; i++) sim.arrive("f", "async", JSON.stringify({ durationMs: 1 }), { source: "aws-service" });
    });
    sim.run();
    const refused = sim.trace.filter((r) => r.outcome === "throttled");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ mode: "async", arrivedAt: 10, envId: null, error: { errorType: "TooManyRequestsException" } });
    expect(refused[0]!.reason).toMatchInlineSnapshot(`"the Region had already accepted 10 invocation requests in this second, its request rate quota (0.5 × the account's 20 concurrency); Lambda refused the event with 429, so it is not queued: the client must retry"`);
    expect(sim.trace.filter((r) => r.outcome === "success")).toHaveLength(20);
    expect(sim.totals).toMatchObject({ requests: 21, throttles: 1, invocations: 20 });
  });

  it("§3 Request rate quota: an async lambda.invoke from handler code over the quota fails with TooManyRequestsException", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 1, unreservedMinimum: 0 }, model: { initPlatformMs: 0, requestsPerSecondPerConcurrency: 1 } });
    const caller = new HostCode({
      invoke: () => ({ durationMs: 5, services: [1, 2].map((n) => ({ service: "lambda", operation: "invoke", args: ["g", {}, "Event", null, 1], label: `call-${n}` })) }),
    });
    sim.deploy({ name: "f", reservedConcurrency: null }, caller);
    sim.deploy({ name: "g" }, new HostCode());
    // The quota is 1 request per second: the client's sync request to f uses it, so both of f's async calls are refused
    // (with maxAttempts 1: no SDK retry).
    syncInvoke(sim, "f", {}, 0);
    sim.run();
    const replies = caller.happened("reply:").map((h) => h.detail);
    expect(replies).toEqual([
      { ok: false, error: { name: "TooManyRequestsException", message: "Rate Exceeded. (Reason: FunctionInvocationRateLimitExceeded)", httpStatus: 429, metadata: { httpStatusCode: 429, attempts: 1, totalRetryDelay: 0 } } },
      { ok: false, error: { name: "TooManyRequestsException", message: "Rate Exceeded. (Reason: FunctionInvocationRateLimitExceeded)", httpStatus: 429, metadata: { httpStatusCode: 429, attempts: 1, totalRetryDelay: 0 } } },
    ]);
  });
});

describe("§3 a per-function RPS cap of 10 × (reserved concurrency, or the account limit) is an option, requestRateQuota \"function\" (a SIMPLIFICATION)", () => {
  it("caps a function without a reservation at 10 × the account limit per second", () => {
    // No platform INIT and 1 ms handlers: ten environments serve ten requests per ms, far below the limit of 100.
    const { sim } = setup({ sim: { account: { concurrencyLimit: 100 } }, model: { initPlatformMs: 0, requestRateQuota: "function" } });
    const calls = Array.from({ length: 1_001 }, (_, i) => syncInvoke(sim, "f", { durationMs: 1 }, Math.floor(i / 10)));
    sim.run();
    const statuses = calls.map((c) => c.result!.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1_000);
    const throttled = calls[1_000]!;
    expect(bodyOf(throttled)).toEqual({ Reason: "FunctionInvocationRateLimitExceeded", Type: "User", message: "Rate Exceeded." });
    expect(throttled.result!.record.reason).toMatchInlineSnapshot(
      `"f had already accepted 1,000 requests in this second, its request-rate cap (10 × its account concurrency; a modelling choice: AWS documents this quota per Region)"`,
    );
  });

  it("caps a function with a reservation at 10 × its reserved concurrency: a per-function RPS cap gives throttled below the number you watch", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 2 }, model: { requestRateQuota: "function" } });
    // A warm-up request, then 25 short ones in the next second: concurrency never exceeds 1, yet the 21st is throttled.
    syncInvoke(sim, "f", { durationMs: 1 }, 0);
    const calls = Array.from({ length: 25 }, (_, i) => syncInvoke(sim, "f", { durationMs: 1 }, 1_000 + i * 20));
    sim.run();
    expect(calls.map((c) => c.result!.statusCode).indexOf(429)).toBe(20);
    expect(bodyOf(calls[20]!).Reason).toBe("ReservedFunctionInvocationRateLimitExceeded");
    expect(Math.max(...sim.metrics.map((m) => m.concurrency))).toBe(1);
  });

  it("starts counting again in the next whole second", () => {
    const cap = new RequestRateCap(2);
    expect([cap.admit(0), cap.admit(500), cap.admit(999), cap.admit(1_000), cap.admit(1_999.5)]).toEqual([true, true, false, true, true]);
  });

  it("is off by default (the Region's quota applies), and can be turned off altogether", () => {
    const byDefault = setup({ fn: { reservedConcurrency: 1 } });
    syncInvoke(byDefault.sim, "f", { durationMs: 1 }, 0);
    const fine = Array.from({ length: 30 }, (_, i) => syncInvoke(byDefault.sim, "f", { durationMs: 1 }, 1_000 + i * 20));
    byDefault.sim.run();
    expect(fine.every((c) => c.result!.statusCode === 200)).toBe(true);
    const { sim } = setup({ fn: { reservedConcurrency: 1 }, model: { requestsPerSecondPerConcurrency: null, requestRateQuota: "function" } });
    syncInvoke(sim, "f", { durationMs: 1 }, 0);
    const calls = Array.from({ length: 30 }, (_, i) => syncInvoke(sim, "f", { durationMs: 1 }, 1_000 + i * 20));
    sim.run();
    expect(calls.every((c) => c.result!.statusCode === 200)).toBe(true);
  });
});

describe("§3 Unreserved minimum", () => {
  it("refuses a deployment that reserves more than the account limit minus 100", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 1_000 } });
    expect(() => sim.deploy({ name: "big", reservedConcurrency: 901 }, new HostCode())).toThrowError(DeploymentError);
    expect(() => sim.deploy({ name: "big", reservedConcurrency: 901 }, new HostCode())).toThrowErrorMatchingInlineSnapshot(
      `[DeploymentError: big cannot reserve 901 concurrent executions: the account limit is 1,000, and Lambda keeps 100 unreserved for functions without a reservation, so at most 900 can be reserved]`,
    );
    expect(sim.deploy({ name: "big", reservedConcurrency: 900 }, new HostCode()).reservedConcurrency).toBe(900);
  });

  it("counts what other functions reserve, but not an earlier deployment of the same function", () => {
    const sim = new Simulation();
    sim.deploy({ name: "a", reservedConcurrency: 600 }, new HostCode());
    sim.deploy({ name: "a", reservedConcurrency: 700 }, new HostCode()); // replaces a's own reservation
    expect(() => sim.deploy({ name: "b", reservedConcurrency: 201 }, new HostCode())).toThrowError(/other functions reserve 700.*at most 200/);
    expect(sim.deploy({ name: "b", reservedConcurrency: 200 }, new HostCode()).reservedConcurrency).toBe(200);
  });

  it("defaults to 100 and can be lowered for tiny teaching accounts", () => {
    expect(AccountConfigSchema.parse({}).unreservedMinimum).toBe(100);
    expect(reservationError("f", 3, 0, AccountConfigSchema.parse({ concurrencyLimit: 3, unreservedMinimum: 0 }))).toBeNull();
  });

  it("names the exercise file and field when an exercise reserves too much", () => {
    const exercise = {
      title: "t",
      summary: "s",
      lesson: "/x/",
      function: { name: "f", reservedConcurrency: 950 },
      scenarios: [{ name: "n", description: "d", steps: [{ do: "invoke", mode: "sync", event: {} }], checks: [{ name: "c", check: () => null }] }],
    };
    expect(() => parseFile(ExerciseSchema, exercise, "exercises/x/y/exercise.ts", "exercise")).toThrowError(
      /^exercises\/x\/y\/exercise\.ts: exercise field "function\.reservedConcurrency" is invalid: f cannot reserve 950 .* at most 900 can be reserved/,
    );
  });
});

describe("§3 Concurrency and scaling: the simplifications a run depended on are named", () => {
  it("names the request-rate cap and the scaling throttle's Reason only when a run used them", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 1 }, model: { scalingBucketSize: 1, scalingRefillPerMs: 0, requestRateQuota: "function" } });
    syncInvoke(sim, "f", { durationMs: 1 }, 0);
    sim.run();
    expect([...sim.simplificationsUsed]).toEqual([]);
    for (let i = 0; i < 12; i++) syncInvoke(sim, "f", { durationMs: 1 }, 1_000 + i);
    sim.recycle("f");
    syncInvoke(sim, "f", {}, 5_000);
    sim.run();
    expect([...sim.simplificationsUsed].sort()).toEqual(["request-rate-cap", "scaling-throttle-reason"]);
    const lines = describeSimplifications(sim.model, sim.simplificationsUsed);
    expect(lines.slice(-2)).toMatchInlineSnapshot(`
      [
        "Each function accepts at most 10 sync requests per second per unit of its reserved concurrency (or of the account limit), counted in whole seconds; AWS documents this quota per Region, not per function (requestRateQuota "function", a modelling choice; "account" follows AWS).",
        "A request refused by the scaling rate (no idle environment and no new one allowed yet) gets the 429 Reason ConcurrentInvocationLimitExceeded; AWS does not document which Reason it uses.",
      ]
    `);
  });
});

describe("§3 Scaling rate (old)", () => {
  const preScaling = { scalingRule: "pre-2023", burstConcurrency: 500, initPlatformMs: 0 } as const;

  it("§3 Scaling rate (old): an account-level burst of 500–3,000 in the first minute, then +500/min, shared across all functions", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 5_000 }, model: preScaling });
    sim.deploy({ name: "a", timeoutMs: 900_000 }, new HostCode());
    sim.deploy({ name: "b", timeoutMs: 900_000 }, new HostCode());
    const long = { durationMs: 600_000 };
    // 400 + 400 long requests at once: the two functions share the burst of 500.
    const first = Array.from({ length: 800 }, (_, i) => syncInvoke(sim, i < 400 ? "a" : "b", long, 0));
    // A minute later the ceiling is 1,000: 500 more start; 30 s after that, none.
    const minuteLater = Array.from({ length: 600 }, () => syncInvoke(sim, "b", long, 60_000));
    const halfMinuteMore = syncInvoke(sim, "a", long, 90_000);
    sim.run({ until: 100_000 });
    const ok = (calls: typeof first) => calls.filter((c) => c.result?.statusCode !== 429).length;
    expect(ok(first)).toBe(500);
    expect(ok(first.slice(0, 400))).toBe(400);
    expect(ok(minuteLater)).toBe(500);
    expect(halfMinuteMore.result!.statusCode).toBe(429);
    expect(halfMinuteMore.result!.record.reason).toMatchInlineSnapshot(`"a had no idle environment and the account may not scale further yet: under the pre-2023 rule its functions together could reach 500 concurrent executions at once, then 500 more each minute (1,000 now)"`);
    expect(describeSimplifications(sim.model, sim.simplificationsUsed).at(-1)).toMatchInlineSnapshot(`"The pre-2023 scaling rule: the account's functions together reach 500 concurrent executions at once (AWS gave 500–3,000 by Region), then 500 more in each whole minute after concurrency first reaches that burst, starting again once it falls below; AWS did not document the steps."`);
  });

  it("§3 Scaling rate (old): the current per-function rule lets each function add 1,000 environments per 10 s instead", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 5_000 }, model: { initPlatformMs: 0 } });
    sim.deploy({ name: "a", timeoutMs: 900_000 }, new HostCode());
    sim.deploy({ name: "b", timeoutMs: 900_000 }, new HostCode());
    const calls = Array.from({ length: 2_000 }, (_, i) => syncInvoke(sim, i < 1_000 ? "a" : "b", { durationMs: 600_000 }, 0));
    sim.run({ until: 1_000 });
    expect(calls.filter((c) => c.result?.statusCode === 429)).toHaveLength(0);
  });

  it("§3 Scaling rate (old): warm environments need no scaling, and the burst is available again once concurrency falls below it", () => {
    const sim = new Simulation({ account: { concurrencyLimit: 5_000 }, model: preScaling });
    sim.deploy({ name: "a" }, new HostCode());
    const wave = (at: number) => Array.from({ length: 600 }, () => syncInvoke(sim, "a", { durationMs: 1_000 }, at));
    const one = wave(0);
    const two = wave(10_000);
    sim.run({ until: 20_000 });
    expect(one.filter((c) => c.result!.statusCode === 200)).toHaveLength(500);
    // 500 warm environments take 500 requests; the ceiling (500, reached again) throttles the rest.
    expect(two.filter((c) => c.result!.statusCode === 200)).toHaveLength(500);
    expect(two.filter((c) => c.result!.statusCode === 200 && !c.result!.record.cold)).toHaveLength(500);
  });

  it("names the field when a workload or a model asks for a rule that does not exist", () => {
    expect(() => new Simulation({ model: { scalingRule: "2019" as never } })).toThrowError(/scalingRule/);
  });
});
