import { describe, expect, it } from "vitest";
import type { SyncResult } from "../../src/runtime/simulation.ts";
import { setup } from "./host-code.ts";

describe("arrivals: queued invokes and arrivals inside an arrival process's own event", () => {
  it("gives an arrival handled inside an event the same record as a queued invoke at that instant", () => {
    const queued = setup();
    queued.sim.invoke("f", "sync", { durationMs: 40 }, { at: 100 });
    queued.sim.run();
    const direct = setup();
    direct.sim.at(100, () => direct.sim.arrive("f", "sync", JSON.stringify({ durationMs: 40 })));
    direct.sim.run();
    expect(direct.sim.trace).toEqual(queued.sim.trace);
    expect(direct.sim.trace[0]).toMatchObject({ arrivedAt: 100, endedAt: 100 + 250 + 40, outcome: "success" });
  });

  it("handles arrive() at once, while invoke() at the same instant waits behind the events already due", () => {
    const { sim } = setup();
    const order: string[] = [];
    const note = (label: string) => (r: SyncResult) => order.push(`${label}:${r.record.envId}`);
    sim.at(0, () => {
      sim.invoke("f", "sync", { durationMs: 10 }, { onResult: note("queued") });
      sim.arrive("f", "sync", JSON.stringify({ durationMs: 10 }), { onResult: note("direct") });
    });
    sim.run();
    // The direct arrival took the first environment; the queued one, arriving later at the same instant, the second.
    expect(order).toEqual(["direct:env-1", "queued:env-2"]);
  });
});

describe("an arrival process driven by the run loop (Simulation.arrivals)", () => {
  it("fires each arrival at its time, after every queued event due at that instant", () => {
    const { sim } = setup();
    const order: string[] = [];
    sim.at(200, () => order.push("queued@200"));
    const times = [100, 200, 200, 300];
    let i = 0;
    sim.arrivals(times[0]!, () => {
      order.push(`arrival@${sim.now}`);
      i++;
      return i < times.length ? times[i]! : Infinity;
    });
    sim.at(200, () => order.push("queued-later@200"));
    sim.run();
    expect(order).toEqual(["arrival@100", "queued@200", "queued-later@200", "arrival@200", "arrival@200", "arrival@300"]);
  });

  it("lets a request find the environment that frees itself at its arrival instant (completion first, §1)", () => {
    const { sim } = setup({ code: { init: { durationMs: 0 } } });
    // A cold start ends at 250 + 100 = 350; the second request arrives at exactly 350.
    const payload = JSON.stringify({ durationMs: 100 });
    const arrivals = [0, 350];
    let i = 0;
    sim.arrivals(0, () => {
      sim.arrive("f", "sync", payload);
      return ++i < arrivals.length ? arrivals[i]! : Infinity;
    });
    sim.run();
    expect(sim.trace.map((r) => [r.arrivedAt, r.envId, r.cold])).toEqual([
      [0, "env-1", true],
      [350, "env-1", false],
    ]);
  });

  it("stops at `until` and resumes, and a shutdown ends the process", () => {
    const { sim } = setup();
    const fired: number[] = [];
    sim.arrivals(10, () => {
      fired.push(sim.now);
      return sim.now + 10;
    });
    sim.run({ until: 35 });
    expect([fired, sim.now]).toEqual([[10, 20, 30], 35]);
    sim.run({ until: 50 });
    expect(fired).toEqual([10, 20, 30, 40, 50]);
    sim.shutdown();
    expect(sim.run({ until: 1_000 })).toBe(0);
  });
});
