/**
 * The simulated services as targets of async destination records and dead-letter messages (lambda-model.md §6).
 * Queues receive them as messages carrying the invocation's chain; targets whose service the scenario does not
 * simulate yet accept them, and they stay readable in `Simulation.destinations.deliveries`.
 */
import type { DestinationTargets } from "../runtime/destinations.ts";
import type { ServiceHub } from "./hub.ts";

export function destinationTargets(hub: ServiceHub): DestinationTargets {
  return {
    deliver(target, body, attributes, at, chain) {
      if (target.type !== "sqs") return { ok: true };
      const sent = hub.sqs.queue(target.name).send(at, { body, attributes }, { call: null, via: "destination", chain });
      return sent.ok ? { ok: true } : { ok: false, error: { name: sent.code, message: sent.message } };
    },
  };
}
