/**
 * Scenario steps that drive event sources and neighbour services (lambda-model.md §5, §7, "Neighbour services"):
 * send to a queue, an HTTP request through the API gateway, publish to a topic, put events on the bus, store an
 * object, start a state machine's execution. Each runs at its `at` time as the scenario (not a handler), and its result is kept by step index.
 */
import { z } from "zod";
import { ApiGateway, ApiGatewayConfigSchema, type GatewayResponse } from "../runtime/api-gateway.ts";
import type { Simulation } from "../runtime/simulation.ts";
import { SqsEventSourceMapping, SqsMappingConfigSchema } from "../runtime/sqs-mapping.ts";
import type { ServiceHub } from "../services/hub.ts";
import type { Sender } from "../services/queue.ts";

/** A body given as text, or as a JSON value that is serialized (what SDK callers do with JSON.stringify). */
const Body = z.union([z.string(), z.unknown().transform((v) => JSON.stringify(v))]);
const at = z.number().min(0).default(0);
const attributes = z.record(z.string(), z.union([z.string(), z.number()])).optional();

export const SourceStepSchemas = [
  z
    .object({
      do: z.literal("send"),
      at,
      /** Queue name (a name ending in .fifo is a FIFO queue). */
      queue: z.string().min(1),
      body: Body,
      groupId: z.string().optional(),
      deduplicationId: z.string().optional(),
      attributes,
    })
    .strict(),
  z
    .object({
      do: z.literal("http"),
      at,
      method: z.string().default("POST"),
      path: z.string().startsWith("/"),
      body: Body.optional(),
      headers: z.record(z.string(), z.string()).optional(),
      /** A binary body: the function gets it base64-encoded, 4/3 as large (SIMPLIFICATION, lambda-model.md §5). */
      binary: z.boolean().default(false),
    })
    .strict(),
  z.object({ do: z.literal("publish"), at, topic: z.string().min(1), message: Body, subject: z.string().optional(), attributes }).strict(),
  z
    .object({
      do: z.literal("putEvents"),
      at,
      entries: z.array(z.object({ source: z.string(), detailType: z.string(), detail: z.unknown(), resources: z.array(z.string()).optional(), time: z.string().optional() }).strict()),
    })
    .strict(),
  z
    .object({
      do: z.literal("putObject"),
      at,
      bucket: z.string().min(1),
      key: z.string().min(1),
      body: Body,
      /** Size the object stands for, when larger than the body written out (to show the 5 GB single-PUT limit). */
      sizeBytes: z.number().int().min(0).optional(),
    })
    .strict(),
  z
    .object({
      do: z.literal("startExecution"),
      at,
      /** A state machine of the scenario's `services.stepfunctions` (lambda-model.md §5: 256 KB per state). */
      stateMachine: z.string().min(1),
      input: Body.optional(),
    })
    .strict(),
] as const;
export type SourceStep = z.infer<(typeof SourceStepSchemas)[number]>;

/** Scenario settings for event sources: SQS mappings for the exercise's function and the API gateway in front of it. */
export const EventSourcesSchema = z
  .object({
    /** SQS event source mappings that invoke the exercise's function (lambda-model.md §7). */
    sqs: z.array(SqsMappingConfigSchema).default([]),
    /** The API gateway that `http` steps go through (a REST API by default). */
    gateway: ApiGatewayConfigSchema.prefault({}),
  })
  .strict();

/** What a service step returned: the service's answer, or the gateway's response. */
export type SourceStepResult = { ok: true; value: unknown } | { ok: false; code: string; message: string } | GatewayResponse;

/** The event sources of one scenario run, wired to its simulation and services. */
export class ScenarioSources {
  readonly gateway: ApiGateway;
  readonly mappings: SqsEventSourceMapping[];
  private readonly sim: Simulation;
  private readonly services: ServiceHub;

  constructor(sim: Simulation, services: ServiceHub, functionName: string, config: z.infer<typeof EventSourcesSchema>) {
    this.sim = sim;
    this.services = services;
    this.gateway = new ApiGateway(sim, functionName, config.gateway, services.hops);
    this.mappings = config.sqs.map((m) => new SqsEventSourceMapping(sim, services.sqs.queue(m.queue), functionName, m));
  }

  /** Schedules a step; `done` receives its result when it has one (at once, or when the gateway answers). */
  schedule(step: SourceStep, done: (result: SourceStepResult) => void): void {
    const sim = this.sim;
    const s = this.services;
    const from: Sender = { call: null, via: "scenario", chain: null };
    sim.at(step.at, () => {
      const now = sim.now;
      switch (step.do) {
        case "send":
          return done(plain(s.sqs.queue(step.queue).send(now, { body: step.body, groupId: step.groupId ?? null, deduplicationId: step.deduplicationId ?? null, attributes: step.attributes ?? null }, from)));
        case "http":
          this.gateway.request({ method: step.method, path: step.path, body: step.body ?? null, headers: step.headers ?? {}, binary: step.binary }, done);
          return;
        case "publish":
          return done(plain(s.sns.publish(now, step.topic, { message: step.message, subject: step.subject ?? null, attributes: step.attributes ?? null }, from)));
        case "putEvents": {
          const r = s.eventbridge.putEvents(now, step.entries, from);
          return done(r.ok ? { ok: true, value: r.value } : r);
        }
        case "putObject":
          return done(plain(s.s3.put(now, step.bucket, step.key, step.body, from, step.sizeBytes)));
        case "startExecution":
          return done(plain(s.stepfunctions.startExecution(now, step.stateMachine, step.input ?? "{}", from)));
      }
    });
  }
}

function plain<T extends { ok: boolean }>(r: T): SourceStepResult {
  if (!r.ok) return r as unknown as SourceStepResult;
  const { ok: _ok, ...value } = r;
  return { ok: true, value };
}
