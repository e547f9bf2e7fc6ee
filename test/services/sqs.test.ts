import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/runtime/simulation.ts";
import { ServiceHub, type ServicesConfigInput } from "../../src/services/hub.ts";
import type { Sender } from "../../src/services/queue.ts";
import { HostCode, syncInvoke, type PlannedServiceCall } from "../runtime/host-code.ts";

const SCENARIO: Sender = { call: null, via: "scenario", chain: null };

interface Received {
  body: string;
  receiveCount: number;
}

/**
 * A function "f" (timeout 30 s unless set) whose handler makes the calls of `plan` and runs for `durationMs`, invoked
 * once at 0; the scenario sends `sends` to queue "q". Returns the replies f saw, with their times.
 */
function run(options: { calls: PlannedServiceCall[]; sends?: Array<{ at: number; body: string }>; services?: ServicesConfigInput; timeoutMs?: number; durationMs?: number; seed?: number }) {
  const services = new ServiceHub(options.services ?? {});
  const sim = new Simulation({ seed: options.seed ?? 1, services, model: { initPlatformMs: 0 } });
  const code = new HostCode({ invoke: () => ({ durationMs: options.durationMs ?? 25_000, services: options.calls }) });
  sim.deploy({ name: "f", timeoutMs: options.timeoutMs ?? 30_000 }, code);
  for (const s of options.sends ?? []) sim.at(s.at, () => services.sqs.queue("q").send(sim.now, { body: s.body }, SCENARIO));
  syncInvoke(sim, "f", {}, 0);
  sim.run();
  const replies = code.happened("reply:").map((h) => ({ t: h.t, label: h.what.slice("reply:".length), detail: h.detail as { ok: boolean; value?: Received[]; error?: { name: string; message: string } } }));
  return { sim, services, replies, code };
}

const receive = (options: Record<string, unknown> | null, label = "receive", offsetMs = 0): PlannedServiceCall => ({ service: "queue", operation: "receive", args: ["q", options], label, offsetMs });
const bodies = (reply: { detail: { value?: Received[] } }) => (reply.detail.value ?? []).map((m) => m.body);

describe("§7 Long poll wait: a receive on an empty queue waits for a message", () => {
  it("§7 Long poll wait: returns the instant a message is sent, well before the wait ends", () => {
    const { replies } = run({ calls: [receive({ waitTimeSeconds: 20 })], sends: [{ at: 4_000, body: "hello" }] });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.t).toBe(4_000);
    expect(bodies(replies[0]!)).toEqual(["hello"]);
  });

  it("answers an empty list when the wait ends with no message, after exactly waitTimeSeconds", () => {
    const { replies } = run({ calls: [receive({ waitTimeSeconds: 20 })], sends: [{ at: 21_000, body: "late" }] });
    expect(replies[0]).toMatchObject({ t: 20_000, detail: { ok: true, value: [] } });
  });

  it("keeps short polling by default (wait 0): an empty queue answers [] after the queue's latency", () => {
    const { replies } = run({ calls: [receive(null)], sends: [{ at: 11, body: "too late" }] });
    expect(replies[0]).toMatchObject({ t: 10, detail: { ok: true, value: [] } });
  });

  it("answers after the usual latency when a message is already there", () => {
    const { replies } = run({ calls: [receive({ waitTimeSeconds: 20 }, "receive", 100)], sends: [{ at: 0, body: "waiting" }] });
    expect(replies[0]!.t).toBe(110);
    expect(bodies(replies[0]!)).toEqual(["waiting"]);
  });

  it("takes the queue's ReceiveMessageWaitTimeSeconds when the call gives none, and a call's waitTimeSeconds 0 short-polls", () => {
    const services: ServicesConfigInput = { sqs: { queues: { q: { receiveMessageWaitTimeSeconds: 5 } } } };
    const byQueue = run({ services, calls: [receive(null)] });
    expect(byQueue.replies[0]).toMatchObject({ t: 5_000, detail: { value: [] } });
    const short = run({ services, calls: [receive({ waitTimeSeconds: 0 })], sends: [{ at: 1_000, body: "x" }] });
    expect(short.replies[0]).toMatchObject({ t: 10, detail: { value: [] } });
  });

  it("ends the wait when a received message's visibility timeout ends, and receives it again", () => {
    const { replies } = run({
      calls: [receive({ visibilityTimeoutMs: 2_000 }, "first"), receive({ waitTimeSeconds: 20 }, "second", 100)],
      sends: [{ at: 0, body: "m" }],
    });
    const second = replies.find((r) => r.label === "second")!;
    expect(second.t).toBe(2_010);
    expect(second.detail.value).toMatchObject([{ body: "m", receiveCount: 2 }]);
  });

  it("wakes one waiting receive per message, oldest first", () => {
    const { replies } = run({
      calls: [receive({ waitTimeSeconds: 20 }, "a"), receive({ waitTimeSeconds: 20 }, "b", 50)],
      sends: [
        { at: 1_000, body: "one" },
        { at: 3_000, body: "two" },
      ],
    });
    expect(replies.map((r) => [r.label, r.t, bodies(r)])).toEqual([
      ["a", 1_000, ["one"]],
      ["b", 3_000, ["two"]],
    ]);
  });

  it("keeps the function running and billed while it waits, and its own timeout still applies", () => {
    const waited = run({ calls: [receive({ waitTimeSeconds: 20 })], sends: [{ at: 4_000, body: "hello" }], durationMs: 4_500 });
    expect(waited.sim.trace[0]).toMatchObject({ outcome: "success", billedMs: 4_500 });
    const timedOut = run({ calls: [receive({ waitTimeSeconds: 20 })], sends: [{ at: 10_000, body: "hello" }], timeoutMs: 3_000 });
    expect(timedOut.sim.trace[0]).toMatchObject({ outcome: "timeout", billedMs: 3_000 });
    expect(timedOut.replies).toEqual([]);
  });

  it("refuses a waitTimeSeconds outside 0–20, and a queue attribute outside it", () => {
    const { replies } = run({ calls: [receive({ waitTimeSeconds: 21 })] });
    expect(replies[0]!.detail.error).toMatchInlineSnapshot(`
      {
        "message": "receive: waitTimeSeconds must be a whole number from 0 to 20",
        "metadata": {
          "attempts": 1,
          "totalRetryDelay": 0,
        },
        "name": "InvalidParameterValue",
      }
    `);
    expect(() => new ServiceHub({ sqs: { queues: { q: { receiveMessageWaitTimeSeconds: 25 } } } })).toThrow();
  });

  it("gives the same replies and trace for the same seed", () => {
    const once = () => {
      const r = run({ calls: [receive({ waitTimeSeconds: 20 }, "a"), receive({ waitTimeSeconds: 3 }, "b", 10)], sends: [{ at: 2_500, body: "x" }], seed: 9 });
      return { replies: r.replies, trace: r.sim.trace };
    };
    expect(once()).toEqual(once());
  });
});
