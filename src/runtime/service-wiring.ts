/**
 * Connects a scenario's services to its simulation: topics, bus rules and bucket notifications invoke functions
 * asynchronously through the simulator (lambda-model.md "Neighbour services": §6 applies once Lambda accepted the
 * event), and async destinations deliver into the services.
 */
import type { ServiceHub } from "../services/hub.ts";
import type { TaskPort } from "../services/stepfunctions.ts";
import type { FunctionPort } from "../services/targets.ts";
import type { Simulation } from "./simulation.ts";
import { tenantRefusal } from "./tenants.ts";

export function functionPort(sim: Simulation): FunctionPort {
  return {
    invokeAsync(functionName, event, from) {
      let config;
      try {
        config = sim.functionConfig(functionName);
      } catch {
        return { ok: false, error: { name: "ResourceNotFoundException", message: `no function named ${functionName} is deployed` } };
      }
      // The service's invoke carries no tenant id: a function with tenant isolation refuses it (§11).
      const refused = tenantRefusal(config, null);
      if (refused !== null) return { ok: false, error: { name: refused.errorType, message: refused.errorMessage } };
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

/**
 * How state machines run their Lambda tasks: a synchronous invoke (RequestResponse) made now, its result delivered when
 * the invocation ends. A task's invocation starts a new recursion chain (§3 names SQS, SNS, S3 and Lambda, not Step
 * Functions).
 */
export function taskPort(sim: Simulation): TaskPort {
  return {
    invokeSync(functionName, input, onResult) {
      try {
        sim.functionConfig(functionName);
      } catch {
        onResult({ at: sim.now, statusCode: 404, functionError: null, payload: "", invocation: -1, errorType: "ResourceNotFoundException" });
        return;
      }
      sim.arrive(functionName, "sync", input, {
        onResult: (r) => onResult({ at: sim.now, statusCode: r.statusCode, functionError: r.functionError, payload: r.payload, invocation: r.record.seq, errorType: r.record.error?.errorType ?? null }),
      });
    },
    noteSimplification: () => sim.simplificationsUsed.add("step-functions"),
  };
}

/** Lets the hub's services invoke the simulation's functions. */
export function connectServices(sim: Simulation, hub: ServiceHub): void {
  hub.attach(functionPort(sim), sim.epochMs, taskPort(sim));
}
