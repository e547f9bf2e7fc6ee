import { describe, expect, it } from "vitest";
import { LAMBDA_FACTS, ModelSettingsSchema } from "../../src/runtime/config.ts";
import { LambdaBill } from "../../src/runtime/pricing.ts";
import { runWorkload } from "../../src/runtime/workload.ts";
import { setup, syncInvoke } from "./host-code.ts";

const X86 = LAMBDA_FACTS.pricePerGbSecondUsd.x86_64;
const REQUEST = LAMBDA_FACTS.pricePerRequestUsd;
const DAY = 86_400_000;
/** `gbSeconds` at 1,024 MB, in billed ms. */
const ms = (gbSeconds: number) => gbSeconds * 1000;

describe("§9 Pricing: the free tier", () => {
  it("§9 pricing.applyFreeTier = false by default, so small lessons show non-zero costs: one small invocation costs its request and its duration", () => {
    expect(ModelSettingsSchema.parse({}).pricing.applyFreeTier).toBe(false);
    const { sim } = setup();
    syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    expect(sim.bill.freeTierUsed).toBeNull();
    expect(sim.totals.costUsd).toBeCloseTo(REQUEST + (0.35 * 128) / 1024 * X86, 15);
  });

  it("§9 Free tier: a widget can switch pricing.applyFreeTier on, and the same invocation then costs nothing", () => {
    const { sim } = setup({ model: { pricing: { applyFreeTier: true } } });
    syncInvoke(sim, "f", { durationMs: 100 }, 0);
    sim.run();
    expect(sim.totals.costUsd).toBe(0);
    expect(sim.totals.billedGbSeconds).toBeCloseTo((0.35 * 128) / 1024, 15);
    expect(sim.bill.freeTierUsed).toEqual({ requests: 1, gbSeconds: (0.35 * 128) / 1024 });
  });

  it("§9 Free tier: covers 1M requests and 400,000 GB-seconds a month, then charges the rest at the usual prices", () => {
    const bill = new LambdaBill(true, Date.UTC(2026, 0, 1));
    let usd = 0;
    // 999,999 requests of 0.4 GB-s each: 399,999.6 GB-s, all free.
    for (let i = 0; i < 999_999; i++) usd += bill.invocationUsd(ms(0.4), 1024, X86, i);
    expect(usd).toBe(0);
    // The 1,000,000th request is free too, and takes the last 0.4 GB-s; 0.6 GB-s are charged.
    usd += bill.invocationUsd(ms(1), 1024, X86, 1_000_000);
    expect(usd).toBeCloseTo(0.6 * X86, 15);
    // The 1,000,001st is charged in full.
    expect(bill.invocationUsd(ms(2), 1024, X86, 1_000_001)).toBeCloseTo(REQUEST + 2 * X86, 15);
    expect(bill.freeTierUsed).toEqual({ requests: 1_000_000, gbSeconds: 400_000 });
  });

  it("§9 Free tier: is shared by both architectures: GB-seconds used at the arm64 price leave less for x86_64", () => {
    const bill = new LambdaBill(true, Date.UTC(2026, 0, 1));
    expect(bill.invocationUsd(ms(300_000), 1024, LAMBDA_FACTS.pricePerGbSecondUsd.arm64, 0)).toBe(0);
    expect(bill.invocationUsd(ms(150_000), 1024, X86, 1)).toBeCloseTo(50_000 * X86, 9);
  });

  it("§9 Free tier: renews at the start of each calendar month (UTC), not every 30 days", () => {
    // The simulation starts on 2026-01-01; February has 28 days in 2026.
    const bill = new LambdaBill(true, Date.UTC(2026, 0, 1));
    expect(bill.invocationUsd(ms(400_000), 1024, X86, 0)).toBe(0);
    expect(bill.invocationUsd(ms(1), 1024, X86, 31 * DAY - 1)).toBeCloseTo(X86, 15); // still January: the GB-s are used up, the requests are not
    expect(bill.invocationUsd(ms(400_000), 1024, X86, 31 * DAY)).toBe(0); // 1 February
    expect(bill.invocationUsd(ms(1), 1024, X86, 59 * DAY - 1)).toBeCloseTo(X86, 15); // 28 February
    expect(bill.invocationUsd(ms(1), 1024, X86, 59 * DAY)).toBe(0); // 1 March
  });

  it("§9 Free tier: does not cover duration billed at a provisioned duration price a scenario sets, only its request", () => {
    const bill = new LambdaBill(true, Date.UTC(2026, 0, 1));
    expect(bill.invocationUsd(ms(10), 1024, 0.00001, 0, false)).toBeCloseTo(10 * 0.00001, 15);
    expect(bill.freeTierUsed).toEqual({ requests: 1, gbSeconds: 0 });
  });

  it("§9 Tiers beyond the first are ignored: the 6-billionth GB-second of a month costs the first tier's price", () => {
    for (const applyFreeTier of [false, true]) {
      const bill = new LambdaBill(applyFreeTier, Date.UTC(2026, 0, 1));
      for (let i = 0; i < 7; i++) bill.invocationUsd(ms(1e9), 1024, X86, i);
      expect(bill.invocationUsd(ms(1_000), 1024, X86, 8)).toBeCloseTo((applyFreeTier ? 0 : REQUEST) + 1_000 * X86, 12);
    }
  });
});

describe("§9 Pricing: the free tier in simulate workloads", () => {
  const workload = (applyFreeTier: boolean) => ({
    durationMs: 60 * DAY,
    // 10,240 MB for 900 s is 9,000 GB-s: the 400,000 free GB-s last 44.4 invocations of a month.
    function: { memoryMB: 10_240, timeoutMs: 900_000, initMs: 0 },
    arrivals: { kind: "list" as const, atMs: [...Array.from({ length: 50 }, (_, i) => i * 1_000_000), 40 * DAY] },
    work: { kind: "fixed" as const, ms: 900_000 - 1 },
    pricing: { applyFreeTier },
  });

  it("§9 Free tier: takes 400,000 GB-seconds and the requests off a month's cost, and the next month starts afresh", () => {
    const off = runWorkload(workload(false)).summary;
    const on = runWorkload(workload(true)).summary;
    expect(on.billedGbSeconds).toBe(off.billedGbSeconds);
    expect(off.freeTier).toBeUndefined();
    // January: 50 invocations, 400,000 GB-s free; February: one invocation, all free.
    const perInvocation = 10 * (900_000 - 1) / 1000;
    expect(on.freeTier!.requests).toBe(51);
    expect(on.freeTier!.gbSeconds).toBeCloseTo(400_000 + perInvocation, 6);
    expect(on.costUsd).toBeCloseTo((50 * perInvocation - 400_000) * X86, 9);
    expect(off.costUsd).toBeCloseTo(51 * (REQUEST + perInvocation * X86), 9);
  });
});
