import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/runtime/event-queue.ts";

/** Removes the next event: its time and callback. */
function next(q: EventQueue): { time: number; run: () => void } | undefined {
  if (q.size === 0) return undefined;
  const run = q.take();
  return { time: q.takenTime, run };
}

describe("the simulator's event queue (its stable order keeps results deterministic)", () => {
  it("pops events in order of virtual time, whatever order they were pushed in", () => {
    const q = new EventQueue();
    const order: number[] = [];
    for (const t of [50, 10, 40, 0, 30, 20]) q.schedule(t, () => order.push(t));
    const times: number[] = [];
    while (q.size > 0) {
      const e = next(q)!;
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
      q.schedule(t, () => labels.push(`${t}:${i}`));
    }
    while (q.size > 0) q.take()();
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
    q.schedule(10, () => {
      seen.push("a");
      q.schedule(10, () => seen.push("c"));
    });
    q.schedule(10, () => seen.push("b"));
    while (q.size > 0) q.take()();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("reports the time of the next event, Infinity when empty, and its size", () => {
    const q = new EventQueue();
    expect(q.peekTime()).toBe(Infinity);
    expect(next(q)).toBeUndefined();
    q.schedule(7, () => {});
    q.schedule(3, () => {});
    expect(q.size).toBe(2);
    expect(q.peekTime()).toBe(3);
    q.take();
    expect(q.peekTime()).toBe(7);
    q.take();
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
  });

  it("runs an event pushed later with a reserved number exactly where an event pushed at reservation time would have run", () => {
    const q = new EventQueue();
    const seen: string[] = [];
    q.schedule(10, () => seen.push("before"));
    const ticket = q.reserveSeq();
    for (let i = 0; i < 20; i++) q.schedule(10, () => seen.push(`after-${i}`));
    q.scheduleWithSeq(10, ticket, () => seen.push("reserved"));
    while (q.size > 0) q.take()();
    expect(seen).toEqual(["before", "reserved", ...Array.from({ length: 20 }, (_, i) => `after-${i}`)]);
  });

  it("matches a reference stable sort on a large random workload, with some numbers reserved and scheduled later", () => {
    const q = new EventQueue();
    const expected: Array<{ time: number; seq: number }> = [];
    const later: Array<{ time: number; seq: number }> = [];
    let x = 12345;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
    for (let i = 0; i < 5000; i++) {
      const time = rand() % 97;
      const seq = q.reserveSeq();
      if (rand() % 4 === 0) later.push({ time, seq });
      else {
        expected.push({ time, seq });
        q.scheduleWithSeq(time, seq, () => popped.push({ time: q.takenTime, seq }));
      }
    }
    for (const e of later) q.scheduleWithSeq(e.time, e.seq, () => popped.push({ time: q.takenTime, seq: e.seq }));
    expected.push(...later);
    const popped: Array<{ time: number; seq: number }> = [];
    while (q.size > 0) q.take()();
    expect(popped).toEqual(expected.sort((a, b) => a.time - b.time || a.seq - b.seq));
  });
});
