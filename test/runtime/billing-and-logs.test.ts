import { describe, expect, it } from "vitest";
import { LAMBDA_FACTS } from "../../src/runtime/config.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { HostCode, logTexts, setup, syncInvoke } from "./host-code.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const linesOf = (sim: Simulation, requestId: string) => sim.logs.filter((l) => l.requestId === requestId).map((l) => l.text);

describe("§8 Errors and logs: START, END and REPORT", () => {
  it("§8 START, §8 END and §8 REPORT (fields separated by \\t): writes START, END and a cold REPORT in the exact documented forms, fields separated by tabs", () => {
    // The Oct 2025 example: Duration 395.99 ms, Init Duration 265.72 ms, Billed Duration 662 ms, 512 MB, 301 MB used.
    const { sim } = setup({ fn: { memoryMB: 512 }, code: { init: { durationMs: 15.72 } } });
    syncInvoke(sim, "f", { durationMs: 395.99, memoryUsedMB: 301 }, 0);
    sim.run();
    const id = sim.trace[0]!.requestId;
    expect(linesOf(sim, id)).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\tMax Memory Used: 301 MB\tInit Duration: 265.72 ms`,
    ]);
  });

  it("§8 Duration is the virtual handler time (2 decimals): writes a warm REPORT without Init Duration, Duration with 2 decimals and Billed Duration in whole ms", () => {
    const { sim } = setup({ fn: { memoryMB: 1024 } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { durationMs: 27.55, memoryUsedMB: 472 }, 10_000);
    sim.run();
    const id = sim.trace[1]!.requestId;
    expect(linesOf(sim, id).at(-1)).toBe(
      `REPORT RequestId: ${id}\tDuration: 27.55 ms\tBilled Duration: 28 ms\tMemory Size: 1024 MB\tMax Memory Used: 472 MB`,
    );
  });

  it("stamps START when the handler starts and END and REPORT when it ends", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    const times = sim.logs.map((l) => [l.text.split(" ")[0], l.t]);
    expect(times).toEqual([
      ["START", 250],
      ["END", 350],
      ["REPORT", 350],
    ]);
  });

  it("§2 mem.baselineMB = 70: reports Max Memory Used as the runtime baseline (70 MB) at least, and never above Memory Size", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { memoryUsedMB: 500 }, 1_000);
    sim.run();
    expect(sim.trace.map((r) => r.maxMemoryUsedMB)).toEqual([70, 128]);
  });

  it("§8 App log lines (Node): writes application log lines as <ISO timestamp>\\t<requestId>\\tINFO\\t<message>", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { log: ["hello world"] }, 0);
    sim.run();
    const id = sim.trace[0]!.requestId;
    expect(linesOf(sim, id)[1]).toBe(`2026-01-01T00:00:00.250Z\t${id}\tINFO\thello world`);
  });

  it("§8 Node.js error document and §8 Sync function error status: logs a function error as the Node.js error document on an ERROR line and returns it to the sync caller", () => {
    const { sim } = setup();
    const trace = ["TypeError: x is not a function", "    at handler (index.js:3:5)"];
    const call = syncInvoke(sim, "f", { error: { errorType: "TypeError", errorMessage: "x is not a function", trace } }, 0);
    sim.run();
    const id = sim.trace[0]!.requestId;
    const doc = { errorType: "TypeError", errorMessage: "x is not a function", trace };
    expect(linesOf(sim, id)).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `2026-01-01T00:00:00.260Z\t${id}\tERROR\t${JSON.stringify(doc)}`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 10.00 ms\tBilled Duration: 260 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 250.00 ms`,
    ]);
    expect(call.result).toMatchObject({ statusCode: 200, functionError: "Unhandled" });
    expect(JSON.parse(call.result!.payload)).toEqual(doc);
  });

  it("§8 Out of memory and §8 on OOM, emit the two Runtime exited lines: logs an out-of-memory crash as Runtime exited … signal: killed, then Runtime.ExitError, and a REPORT at Memory Size with Status: error", () => {
    const { sim } = setup({ fn: { memoryMB: 256 } });
    syncInvoke(sim, "f", {}, 0);
    const call = syncInvoke(sim, "f", { oom: true, durationMs: 40 }, 1_000);
    sim.run();
    const id = sim.trace[1]!.requestId;
    expect(linesOf(sim, id)).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `RequestId: ${id} Error: Runtime exited with error: signal: killed`,
      "Runtime.ExitError",
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 40.00 ms\tBilled Duration: 40 ms\tMemory Size: 256 MB\tMax Memory Used: 256 MB\tStatus: error`,
    ]);
    expect(JSON.parse(call.result!.payload)).toEqual({
      errorType: "Runtime.ExitError",
      errorMessage: `RequestId: ${id} Error: Runtime exited with error: signal: killed`,
    });
  });

  it("§8 Crash record text: with crashStyle classic, an async event that crashes the runtime ends in an invocation record whose responsePayload.errorMessage is RequestId: <id> Process exited before completing request", () => {
    const { sim } = setup({ model: { crashStyle: "classic" }, fn: { memoryMB: 256, async: { maxRetryAttempts: 0, onFailure: { type: "sqs", name: "failed" } } } });
    sim.invoke("f", "async", { oom: true, durationMs: 40 }, { at: 0 });
    sim.run();
    const id = sim.trace[0]!.requestId;
    expect(linesOf(sim, id)).toEqual([
      `START RequestId: ${id} Version: $LATEST`,
      `RequestId: ${id} Process exited before completing request`,
      `END RequestId: ${id}`,
      `REPORT RequestId: ${id}\tDuration: 40.00 ms\tBilled Duration: 290 ms\tMemory Size: 256 MB\tMax Memory Used: 256 MB\tInit Duration: 250.00 ms\tStatus: error`,
    ]);
    const record = JSON.parse(sim.destinations.deliveries[0]!.body);
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    expect(record.responsePayload).toEqual({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${id} Process exited before completing request` });
  });

  it("§8 emit START/END/REPORT for every invocation, including one whose INIT failed", () => {
    const { sim } = setup({ code: { init: (i) => (i.index === 0 ? { error: { errorType: "Error", errorMessage: "bad config" } } : {}) } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", {}, 1_000);
    sim.run();
    for (const rec of sim.trace) {
      const kinds = linesOf(sim, rec.requestId)
        .map((t) => t.split(" ")[0])
        .filter((k) => k === "START" || k === "END" || k === "REPORT");
      expect(kinds).toEqual(["START", "END", "REPORT"]);
    }
  });

  it("§8 request ids come from the seeded PRNG, in UUID v4 format: each one distinct", () => {
    const { sim } = setup();
    for (let i = 0; i < 20; i++) syncInvoke(sim, "f", {}, i * 10);
    sim.invoke("f", "async", {}, { at: 0, deliveries: 3 });
    sim.run();
    const ids = sim.trace.map((r) => r.requestId);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("§8 Errors and logs: log streams", () => {
  it("§8 Log stream: names one log stream per environment YYYY/MM/DD/[$LATEST]<environment id>, dated by the environment's creation", () => {
    const sim = new Simulation({ seed: 1, epochMs: Date.UTC(2025, 11, 31, 23, 59, 59) });
    const code = new HostCode();
    sim.deploy({ name: "f" }, code);
    syncInvoke(sim, "f", { durationMs: 2_000 }, 0); // env-1 created 23:59:59 on Dec 31, runs past midnight
    syncInvoke(sim, "f", {}, 1_500); // env-2 created after midnight
    sim.run();
    const streamOf = (env: string) => new Set(sim.logs.filter((l) => l.envId === env).map((l) => l.stream));
    expect(streamOf("env-1")).toEqual(new Set(["2025/12/31/[$LATEST]env-1"]));
    expect(streamOf("env-2")).toEqual(new Set(["2026/01/01/[$LATEST]env-2"]));
    expect(code.invocations.map((c) => c.context.logStreamName).sort()).toEqual(["2025/12/31/[$LATEST]env-1", "2026/01/01/[$LATEST]env-2"]);
  });

  it("gives the handler the documented context fields", () => {
    const { sim, code } = setup({ fn: { name: "f", memoryMB: 256 } });
    syncInvoke(sim, "f", {}, 0);
    sim.run();
    expect(code.invocations[0]!.context).toMatchObject({
      awsRequestId: sim.trace[0]!.requestId,
      functionName: "f",
      functionVersion: "$LATEST",
      memoryLimitInMB: 256,
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
      logGroupName: "/aws/lambda/f",
      logStreamName: "2026/01/01/[$LATEST]env-1",
    });
  });
});

describe("§9 Pricing", () => {
  it("§8 Billed Duration rounding, §1 INIT billing, §1 Billed duration on a cold start and §0 INIT phase billing (ZIP, managed runtime, on demand): bills ceil(Duration + Init Duration) for a new environment's first request and ceil(Duration) after that", () => {
    const { sim } = setup({ code: { init: { durationMs: 0.4 } } });
    syncInvoke(sim, "f", { durationMs: 0.3 }, 0); // 250.4 + 0.3 = 250.7 → 251
    syncInvoke(sim, "f", { durationMs: 0.3 }, 1_000); // warm: 0.3 → 1
    syncInvoke(sim, "f", { durationMs: 100 }, 2_000); // exactly 100 → 100
    sim.run();
    expect(sim.trace.map((r) => r.billedMs)).toEqual([251, 1, 100]);
    expect(sim.totals.billedMs).toBe(352);
  });

  it("§9 Requests, §9 Duration, first pricing tier and §9 Rounding: counts GB-seconds as billed seconds × memory MB / 1024 and prices x86_64 at $0.0000166667 per GB-second plus $0.0000002 per request", () => {
    const { sim } = setup({ fn: { memoryMB: 1024 } });
    syncInvoke(sim, "f", {}, 0); // warm-up: 260 ms billed
    for (const at of [1_000, 3_000, 5_000]) syncInvoke(sim, "f", { durationMs: 1_000 }, at);
    sim.run();
    const gbSeconds = (260 + 3_000) / 1000;
    expect(sim.totals.billedGbSeconds).toBeCloseTo(gbSeconds, 12);
    expect(sim.totals.costUsd).toBeCloseTo(4 * 0.0000002 + gbSeconds * 0.0000166667, 15);
  });

  it("§2 Architectures: prices arm64 duration at $0.0000133334 per GB-second, 20% below x86_64, with the same request price", () => {
    const run = (architecture: "x86_64" | "arm64") => {
      const { sim } = setup({ fn: { memoryMB: 512, architecture } });
      syncInvoke(sim, "f", {}, 0);
      syncInvoke(sim, "f", { durationMs: 2_000 }, 1_000);
      sim.run();
      return sim.totals;
    };
    const x86 = run("x86_64");
    const arm = run("arm64");
    expect(arm.billedGbSeconds).toBeCloseTo(x86.billedGbSeconds, 12);
    const gbSeconds = ((260 + 2_000) / 1000) * 0.5;
    expect(x86.billedGbSeconds).toBeCloseTo(gbSeconds, 12);
    expect(arm.costUsd).toBeCloseTo(2 * 0.0000002 + gbSeconds * 0.0000133334, 15);
    expect(x86.costUsd).toBeCloseTo(2 * 0.0000002 + gbSeconds * 0.0000166667, 15);
    const duration = (t: typeof x86) => t.costUsd - 2 * LAMBDA_FACTS.pricePerRequestUsd;
    expect(duration(arm) / duration(x86)).toBeCloseTo(0.8, 4);
  });

  it("charges each async attempt as a request and bills its duration, but never a throttled or rejected request", () => {
    const { sim } = setup({ fn: { reservedConcurrency: 1 } });
    sim.invoke("f", "async", { durationMs: 100, error: { errorType: "Error", errorMessage: "x" } }, { at: 0 });
    syncInvoke(sim, "f", {}, 100); // throttled: the async attempt holds the one reserved execution
    syncInvoke(sim, "f", "x".repeat(6_291_456), 200); // rejected: 413
    sim.run();
    const billed = sim.trace.filter((r) => r.outcome === "error");
    expect(billed.map((r) => r.billedMs)).toEqual([350, 100, 100]);
    expect(sim.totals.billedMs).toBe(550);
    expect(sim.totals.costUsd).toBeCloseTo(3 * 0.0000002 + (0.55 * 128) / 1024 * 0.0000166667, 15);
    expect(sim.trace.filter((r) => r.outcome === "throttled" || r.outcome === "rejected").every((r) => r.billedMs === 0)).toBe(true);
  });
});

describe("metrics: the step function of concurrency and live environments", () => {
  it("records one point per change of concurrency or live environments, and holds the value in between", () => {
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 100 }, 0); // env-1 busy 0–350
    syncInvoke(sim, "f", { durationMs: 100 }, 100); // env-2 busy 100–450
    sim.run();
    expect(sim.metrics).toEqual([
      { t: 0, concurrency: 1, environments: 1 },
      { t: 100, concurrency: 2, environments: 2 },
      { t: 350, concurrency: 1, environments: 2 },
      { t: 450, concurrency: 0, environments: 2 },
      { t: 600_350, concurrency: 0, environments: 1 },
      { t: 600_450, concurrency: 0, environments: 0 },
    ]);
  });

  it("merges changes at the same instant into one point", () => {
    const { sim } = setup();
    for (let i = 0; i < 3; i++) syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.at(1_000, () => sim.recycle("f"));
    sim.run();
    expect(sim.metrics).toEqual([
      { t: 0, concurrency: 3, environments: 3 },
      { t: 350, concurrency: 0, environments: 3 },
      { t: 1_000, concurrency: 0, environments: 0 },
    ]);
    expect(new Set(sim.metrics.map((m) => m.t)).size).toBe(sim.metrics.length);
  });

  it("keeps totals of requests, invocations, cold starts, throttles, errors and timeouts", () => {
    const { sim } = setup({ sim: { account: { concurrencyLimit: 1 } } });
    syncInvoke(sim, "f", {}, 0);
    syncInvoke(sim, "f", { hang: true }, 1_000);
    syncInvoke(sim, "f", {}, 2_000); // throttled: the hanging one holds the only execution
    syncInvoke(sim, "f", { error: { errorType: "E", errorMessage: "m" } }, 5_000);
    sim.run();
    expect(sim.totals).toMatchObject({ requests: 4, invocations: 3, coldStarts: 2, throttles: 1, errors: 2, timeouts: 1 });
  });
});
