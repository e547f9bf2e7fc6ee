import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/runtime/event-queue.ts";

describe("§1 Modelling decisions (results stay deterministic): the simulator's event queue", () => {
  it("pops events in order of virtual time, whatever order they were pushed in", () => {
    const q = new EventQueue();
    const order: number[] = [];
    for (const t of [50, 10, 40, 0, 30, 20]) q.push(t, () => order.push(t));
    const times: number[] = [];
    while (q.size > 0) {
      const e = q.pop()!;
      times.push(e.time);
      e.run();
    }
    expect(times).toEqual([0, 10, 20, 30, 40, 50]);
    expect(order).toEqual([0, 10, 20, 30, 40, 50]);
  });

  it("runs events scheduled for the same virtual instant in the order they were scheduled (stable for equal times)", () => {
    const q = new EventQueue();
    const labels: string[] = [];
    // Interleave equal times with others so that the heap has to move them around.
    for (let i = 0; i < 200; i++) {
      const t = [5, 1, 5, 3, 1][i % 5]!;
      q.push(t, () => labels.push(`${t}:${i}`));
    }
    while (q.size > 0) q.pop()!.run();
    const expected = [1, 3, 5].flatMap((t) =>
      Array.from({ length: 200 }, (_, i) => i)
        .filter((i) => [5, 1, 5, 3, 1][i % 5] === t)
        .map((i) => `${t}:${i}`),
    );
    expect(labels).toEqual(expected);
  });

  it("keeps insertion order for equal times even when events are pushed while others are being popped", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.push(10, () => {
      seen.push("a");
      q.push(10, () => seen.push("c"));
    });
    q.push(10, () => seen.push("b"));
    while (q.size > 0) q.pop()!.run();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("reports the time of the next event, Infinity when empty, and its size", () => {
    const q = new EventQueue();
    expect(q.peekTime()).toBe(Infinity);
    expect(q.pop()).toBeUndefined();
    q.push(7, () => {});
    q.push(3, () => {});
    expect(q.size).toBe(2);
    expect(q.peekTime()).toBe(3);
    q.pop();
    expect(q.peekTime()).toBe(7);
    q.pop();
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("matches a reference stable sort on a large random workload", () => {
    const q = new EventQueue();
    const pushed: Array<{ time: number; id: number }> = [];
    let x = 12345;
    for (let id = 0; id < 5000; id++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const time = x % 97;
      pushed.push({ time, id });
      q.push(time, () => {});
    }
    const popped: Array<{ time: number; seq: number }> = [];
    while (q.size > 0) {
      const e = q.pop()!;
      popped.push({ time: e.time, seq: e.seq });
    }
    const reference = [...pushed].sort((a, b) => a.time - b.time || a.id - b.id).map((p) => ({ time: p.time, seq: p.id }));
    expect(popped).toEqual(reference);
  });
});
