/** What a check sees after a scenario ran: the trace, logs and metrics, and the services' state (host side). */
import type { FunctionConfig } from "../runtime/config.ts";
import type { Delivery } from "../runtime/destinations.ts";
import type { SyncResult } from "../runtime/simulation.ts";
import type { GatewayResponse } from "../runtime/api-gateway.ts";
import type { BatchRecord, QueueSample } from "../runtime/sqs-mapping.ts";
import type { HopRecord, InvocationRecord, LogLine, MetricPoint, PlatformEvent, Totals } from "../runtime/trace.ts";
import type { SourceStepResult } from "./source-steps.ts";
import type { ServiceHub } from "../services/hub.ts";

export interface ScenarioWorld {
  /** Every invocation attempt, throttle and discarded event, in the order they ended. */
  trace: readonly InvocationRecord[];
  logs: readonly LogLine[];
  metrics: readonly MetricPoint[];
  totals: Readonly<Totals>;
  services: ServiceHub;
  /** Async outcomes sent to on-success / on-failure destinations and the dead-letter queue (lambda-model.md §6). */
  deliveries: readonly Delivery[];
  /** Every payload that crossed a service hop, accepted or refused, in order (lambda-model.md §5). */
  hops: readonly HopRecord[];
  /** Results of the scenario's service steps (send, http, publish, putEvents, putObject), by step index. */
  stepResults: ReadonlyArray<SourceStepResult | undefined>;
  /** What clients got from the API gateway, in request order. */
  gatewayResponses: readonly GatewayResponse[];
  /** Batches the SQS event source mappings handed to the function, in order (lambda-model.md §7). */
  batches: readonly BatchRecord[];
  /** What AWS advises against in the scenario's SQS mappings, and what Lambda does about it, in words (§6, §7). */
  mappingAdvice: readonly string[];
  /** Each polled queue's depth and oldest-message age over time, by queue name (lambda-model.md §7). */
  queueSamples: Readonly<Record<string, readonly QueueSample[]>>;
  /** The platform's events outside invocations: SHUTDOWNs, failed provisioned INITs, Health Dashboard notices (§1, §3). */
  platformEvents: readonly PlatformEvent[];
  function: FunctionConfig;
  /** Results of the scenario's synchronous invokes, in step order (undefined for async steps). */
  results: ReadonlyArray<SyncResult | undefined>;
  /** Records that ran code (not throttled, discarded or rejected), in the order they started. */
  invocations: readonly InvocationRecord[];
  /** Ids of every environment that served an invocation, in order of first use. */
  environments: readonly string[];
  /** The record with this trace position. */
  record(seq: number): InvocationRecord | undefined;
}
