import { describe, expect, it } from "vitest";
import {
  AccountConfigSchema,
  FunctionConfigSchema,
  LAMBDA_FACTS,
  ModelSettingsSchema,
  cpuSpeedFactor,
} from "../../src/runtime/config.ts";
import { setup, syncInvoke } from "./host-code.ts";

describe("§2 Function configuration", () => {
  it("defaults to 128 MB, a 3 s timeout, x86_64, no reserved concurrency, 2 async retries and a 6 h event age", () => {
    expect(FunctionConfigSchema.parse({})).toEqual({
      name: "handler",
      memoryMB: 128,
      timeoutMs: 3_000,
      reservedConcurrency: null,
      provisionedConcurrency: 0,
      ephemeralStorageMB: 512,
      architecture: "x86_64",
      async: { maxRetryAttempts: 2, maxEventAgeMs: 21_600_000, onSuccess: null, onFailure: null, duplicateRate: 0 },
      recursiveLoop: "Terminate",
      environment: {},
      deadLetterQueue: null,
      tenantIsolation: false,
    });
  });

  it("§2 Memory: accepts memory from 128 to 10,240 MB in whole MB and rejects anything else", () => {
    for (const memoryMB of [128, 129, 1_769, 10_240]) expect(FunctionConfigSchema.safeParse({ memoryMB }).success).toBe(true);
    for (const memoryMB of [127, 10_241, 512.5]) expect(FunctionConfigSchema.safeParse({ memoryMB }).success).toBe(false);
  });

  it("§2 Timeout: accepts timeouts from 1 s to 900 s and rejects anything else", () => {
    for (const timeoutMs of [1_000, 900_000]) expect(FunctionConfigSchema.safeParse({ timeoutMs }).success).toBe(true);
    for (const timeoutMs of [999, 900_001]) expect(FunctionConfigSchema.safeParse({ timeoutMs }).success).toBe(false);
  });

  it("§6 Maximum event age: limits async retries to 0–2 and the maximum event age to 60 s – 6 h", () => {
    const ok = (async: object) => FunctionConfigSchema.safeParse({ async }).success;
    expect(ok({ maxRetryAttempts: 0 })).toBe(true);
    expect(ok({ maxRetryAttempts: 3 })).toBe(false);
    expect(ok({ maxEventAgeMs: 60_000 })).toBe(true);
    expect(ok({ maxEventAgeMs: 59_999 })).toBe(false);
    expect(ok({ maxEventAgeMs: 21_600_001 })).toBe(false);
  });

  it("accepts reserved concurrency 0 (which throttles everything, §3) but not a negative value", () => {
    expect(FunctionConfigSchema.safeParse({ reservedConcurrency: 0 }).success).toBe(true);
    expect(FunctionConfigSchema.safeParse({ reservedConcurrency: -1 }).success).toBe(false);
  });

  it("rejects unknown fields instead of ignoring a misspelt setting", () => {
    expect(FunctionConfigSchema.safeParse({ timeout: 10 }).success).toBe(false);
    expect(ModelSettingsSchema.safeParse({ idleTtlMs: 1 }).success).toBe(false);
  });

  it("§2 CPU, §2 cpu.speedFactor = min(1, memoryMB / 1769) and §2 JavaScript runs on one thread: gives CPU in proportion to memory, one full vCPU at 1,769 MB, and no more than one for single-threaded JS", () => {
    expect(LAMBDA_FACTS.mbPerVcpu).toBe(1_769);
    expect(cpuSpeedFactor(1_769)).toBe(1);
    expect(cpuSpeedFactor(128)).toBeCloseTo(128 / 1_769, 12);
    expect(cpuSpeedFactor(884.5)).toBeCloseTo(0.5, 12);
    expect(cpuSpeedFactor(10_240)).toBe(1);
  });

  it("§2 virtual CPU ms = instruction count ÷ rate ÷ speedFactor: charges a 128 MB environment 1769/128 ms of CPU per sandbox tick and a 1,769 MB one 1 ms", () => {
    const small = setup({ fn: { memoryMB: 128 } });
    const big = setup({ fn: { memoryMB: 1_769 } });
    for (const s of [small, big]) {
      syncInvoke(s.sim, "f", {}, 0);
      s.sim.run();
    }
    expect(small.code.instances[0]!.port.cpuMsPerTick).toBeCloseTo(1_769 / 128, 9);
    expect(big.code.instances[0]!.port.cpuMsPerTick).toBe(1);
    expect(small.code.instances[0]!.port.memoryMB).toBe(128);
  });

  it("§3 Account concurrency: defaults the account to 1,000 concurrent executions", () => {
    expect(AccountConfigSchema.parse({})).toEqual({ concurrencyLimit: 1_000, unreservedMinimum: 100 });
  });

  it("defaults the model's SIMPLIFICATIONS to the values in lambda-model.md", () => {
    expect(ModelSettingsSchema.parse({})).toMatchObject({
      idleExpiryMs: 600_000,
      maxLifetimeMs: 7_200_000,
      initPlatformMs: 250,
      memoryBaselineMB: 70,
      timeoutStyle: "2026",
      asyncRetryDelaysMs: [60_000, 120_000],
      asyncThrottleBaseMs: 1_000,
      asyncThrottleCapMs: 300_000,
      netRttMs: 10,
    });
    expect(LAMBDA_FACTS.initLimitMs).toBe(10_000);
    expect(LAMBDA_FACTS.pricePerRequestUsd).toBe(0.0000002);
    expect(LAMBDA_FACTS.pricePerGbSecondUsd).toEqual({ x86_64: 0.0000166667, arm64: 0.0000133334 });
  });
});

describe("§2 Environment variables", () => {
  it("§2 Environment variables: accepts 4 KB in total (4,096 bytes of names and values) and refuses a byte more, naming the field", () => {
    const fits = { DB_URL: "x".repeat(4_096 - 6) };
    expect(FunctionConfigSchema.parse({ environment: fits }).environment).toEqual(fits);
    const over = FunctionConfigSchema.safeParse({ environment: { DB_URL: "x".repeat(4_096 - 6), A1: "é" } });
    expect(over.success ? [] : over.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "environment: environment variables are limited to 4 KB in total (4,096 bytes of names and values, lambda-model.md §2)",
    ]);
    const badName = FunctionConfigSchema.safeParse({ environment: { "1X": "v" } });
    expect(badName.success ? [] : badName.error.issues.map((i) => i.path.join("."))).toEqual(["environment.1X"]);
    expect(FunctionConfigSchema.parse({}).environment).toEqual({});
  });
});
