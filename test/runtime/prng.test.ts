import { describe, expect, it } from "vitest";
import { Prng } from "../../src/runtime/prng.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("§8 Errors and logs (request ids come from the seeded PRNG, in UUID v4 format)", () => {
  it("gives the same sequence for the same seed, number or string", () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng("42");
    const seqA = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).toEqual(seqA);
  });

  it("gives a different sequence for a different seed", () => {
    const a = Array.from({ length: 10 }, ((p) => () => p.nextUint32())(new Prng(1)));
    const b = Array.from({ length: 10 }, ((p) => () => p.nextUint32())(new Prng(2)));
    expect(a).not.toEqual(b);
  });

  it("produces floats in [0, 1) and integers in [0, n)", () => {
    const p = new Prng("range");
    let min = Infinity;
    let max = -Infinity;
    const ints = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const f = p.next();
      min = Math.min(min, f);
      max = Math.max(max, f);
      ints.add(p.int(7));
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("spreads int(n) over every value (no value is starved)", () => {
    const p = new Prng(9);
    const counts = new Array(10).fill(0) as number[];
    for (let i = 0; i < 20_000; i++) counts[p.int(10)]!++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(1_700);
      expect(c).toBeLessThan(2_300);
    }
  });

  it("makes UUIDs in version 4 format (version nibble 4, variant 8–b), reproducible per seed", () => {
    const p = new Prng(7);
    const ids = Array.from({ length: 500 }, () => p.uuid());
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    const q = new Prng(7);
    expect(Array.from({ length: 500 }, () => q.uuid())).toEqual(ids);
    // Every variant nibble value shows up, so the variant bits really come from the random draw.
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(["8", "9", "a", "b"]));
  });

  it("forks independent generators: draining a fork does not change what the parent draws next", () => {
    const p1 = new Prng(3);
    const p2 = new Prng(3);
    const f1 = p1.fork("env-1");
    p2.fork("env-1");
    // Draining a fork does not change what its parent gives next.
    for (let i = 0; i < 100; i++) f1.nextUint32();
    expect(p1.nextUint32()).toBe(p2.nextUint32());
    // The same label from the same parent state gives the same stream; a different label a different one.
    const g1 = new Prng(3).fork("a");
    const g2 = new Prng(3).fork("a");
    const g3 = new Prng(3).fork("b");
    const take = (g: Prng) => Array.from({ length: 5 }, () => g.nextUint32());
    const s1 = take(g1);
    expect(take(g2)).toEqual(s1);
    expect(take(g3)).not.toEqual(s1);
  });
});
