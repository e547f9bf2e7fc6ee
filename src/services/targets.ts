/**
 * Where topics, event-bus rules and bucket notifications send what they receive: a function (invoked asynchronously,
 * lambda-model.md "Neighbour services") or a queue. Each hand-off is a hop with its own limit (§5).
 */
import { z } from "zod";
import { LAMBDA_FACTS } from "../runtime/config.ts";
import type { HopLog } from "../runtime/hops.ts";
import { utf8Length } from "../runtime/payload.ts";
import type { SimplificationKey } from "../runtime/simplifications.ts";
import type { HopService } from "../runtime/trace.ts";
import type { QueueService } from "./sqs.ts";
import type { Sender } from "./queue.ts";
import { describeBytes } from "./limits.ts";

export const TargetSchema = z.union([
  z.object({ /** A function, invoked asynchronously with the service's event. */ lambda: z.string().min(1) }).strict(),
  z
    .object({
      /** A queue that receives the message. */
      queue: z.string().min(1),
      /** Topics only: send the message alone instead of the notification envelope. */
      rawMessageDelivery: z.boolean().default(false),
    })
    .strict(),
]);
export type Target = z.infer<typeof TargetSchema>;

/** The target schema with settings of the service that delivers to it (a subscription's or a rule target's). */
export function targetWith<Shape extends z.ZodRawShape>(shape: Shape) {
  const [fn, queue] = TargetSchema.options;
  return z.union([fn.extend(shape), queue.extend(shape)]);
}

export type HandOff = { ok: true } | { ok: false; error: { name: string; message: string } };

/** How services reach functions and the clock: the simulator provides it (see runtime/service-wiring). */
export interface FunctionPort {
  /** An async invoke of JSON text: accepted (Lambda queued it), or refused. */
  invokeAsync(functionName: string, event: string, from: Sender): HandOff;
  /** Runs `run` at virtual time `time` (a service's delivery retry). */
  at(time: number, run: () => void): void;
  /** Notes that the run depended on a modelling choice, so that reports name it. */
  noteSimplification(key: SimplificationKey): void;
}

/** A hand-off's record, kept by the sending service. */
export interface HandOffRecord {
  t: number;
  /** The message, event or object it concerns. */
  id: string;
  target: Target;
  delivered: boolean;
  error: { name: string; message: string } | null;
}

export interface TargetContext {
  queues: QueueService;
  functions: () => FunctionPort | null;
  hops: HopLog;
}

/**
 * Hands `event` (JSON text for a function) or `message` (the body for a queue) to a target at `now`. A function hand-off
 * is an async invoke, checked against its 1 MB limit here so that the hop shows where a payload stopped.
 */
export function handOff(
  ctx: TargetContext,
  target: Target,
  now: number,
  payload: { event: string; queueBody: string },
  from: Sender & { service: HopService; resource: string },
  /** A fault a scenario injected: the hand-off fails with this error, recorded like any refusal. */
  fault: { code: string; message: string } | null = null,
): HandOff {
  const queue = "queue" in target ? ctx.queues.queue(target.queue) : null;
  const bytes = utf8Length(queue ? payload.queueBody : payload.event);
  const limitBytes = queue ? queue.config.maximumMessageSize : LAMBDA_FACTS.asyncRequestLimitBytes;
  const hop = (error: { name: string; message: string } | null) =>
    ctx.hops.add({
      t: now,
      service: queue ? "sqs" : "lambda",
      resource: queue ? queue.name : (target as { lambda: string }).lambda,
      operation: queue ? "SendMessage" : `Invoke (Event) from ${from.service} ${from.resource}`,
      bytes,
      limitBytes,
      outcome: error ? "rejected" : "accepted",
      error: error && { code: error.name, message: error.message },
      chain: from.chain,
    });
  if (fault) {
    const error = { name: fault.code, message: fault.message };
    hop(error);
    return { ok: false, error };
  }
  if (queue) {
    const r = queue.send(now, { body: payload.queueBody }, from);
    return r.ok ? { ok: true } : { ok: false, error: { name: r.code, message: r.message } };
  }
  const lambda = (target as { lambda: string }).lambda;
  if (bytes > limitBytes) {
    const error = { name: "RequestTooLargeException", message: `the ${bytes.toLocaleString("en-US")}-byte event is over the ${describeBytes(limitBytes)} limit of an asynchronous invoke` };
    hop(error);
    return { ok: false, error };
  }
  const port = ctx.functions();
  const result: HandOff = port ? port.invokeAsync(lambda, payload.event, from) : { ok: false, error: { name: "ResourceNotFoundException", message: "no simulated Lambda is attached to these services" } };
  hop(result.ok ? null : result.error);
  return result;
}

export function describeTarget(target: Target): string {
  return "queue" in target ? `queue ${target.queue}` : `function ${target.lambda}`;
}
