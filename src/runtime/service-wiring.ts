/**
 * Connects a scenario's services to its simulation: topics, bus rules and bucket notifications invoke functions
 * asynchronously through the simulator (lambda-model.md "Neighbour services": §6 applies once Lambda accepted the
 * event), and async destinations deliver into the services.
 */
import type { ServiceHub } from "../services/hub.ts";
import type { FunctionPort } from "../services/targets.ts";
import type { Simulation } from "./simulation.ts";

export function functionPort(sim: Simulation): FunctionPort {
  return {
    invokeAsync(functionName, event, from) {
      try {
        sim.functionConfig(functionName);
      } catch {
        return { ok: false, error: { name: "ResourceNotFoundException", message: `no function named ${functionName} is deployed` } };
      }
      sim.simplificationsUsed.add("service-hand-offs");
      // Inside the event that delivers (a service's reply or a scenario step): the event is accepted at this instant.
      // The invocation continues the chain the service's message was sent in (recursive loop detection, §3).
      // An AWS service hands the event on: Lambda always accepts it, whatever the request rate (§3).
      sim.arrive(functionName, "async", event, { chain: from.chain, source: "aws-service" });
      return { ok: true };
    },
    at: (time, run) => sim.at(time, run),
    noteSimplification: (key) => sim.simplificationsUsed.add(key),
  };
}

/** Lets the hub's services invoke the simulation's functions. */
export function connectServices(sim: Simulation, hub: ServiceHub): void {
  hub.attach(functionPort(sim), sim.epochMs);
}
