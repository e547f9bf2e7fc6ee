/** What a check sees after a scenario ran: the trace, logs and metrics, and the services' state (host side). */
import type { FunctionConfig } from "../runtime/config.ts";
import type { Delivery } from "../runtime/destinations.ts";
import type { SyncResult } from "../runtime/simulation.ts";
import type { InvocationRecord, LogLine, MetricPoint, Totals } from "../runtime/trace.ts";
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
