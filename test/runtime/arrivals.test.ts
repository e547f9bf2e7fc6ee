import { describe, expect, it } from "vitest";
import type { SyncResult } from "../../src/runtime/simulation.ts";
import { setup } from "./host-code.ts";

describe("§3 Arrivals: queued invokes and arrivals inside an arrival process's own event", () => {
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
