/** The simulated services of one scenario, behind the simulator's ServiceDispatcher interface. */
import { z } from "zod";
import type { Destination, DeliveryResult, DestinationTargets } from "../runtime/destinations.ts";
import type { Chain } from "../runtime/recursion.ts";
import { HopLog } from "../runtime/hops.ts";
import { Prng } from "../runtime/prng.ts";
import type { CallContext, JsonText, ServiceDispatcher, ServiceReply } from "../runtime/types.ts";
import { Downstream, DownstreamConfigSchema } from "./downstream.ts";
import { serviceError } from "./errors.ts";
import { EventBridgeConfigSchema, EventBus } from "./eventbridge.ts";
import { PaymentProvider, PaymentsConfigSchema } from "./payments.ts";
import type { QueueGauge, Sender } from "./queue.ts";
import { ObjectStore, S3ConfigSchema } from "./s3.ts";
import { SnsConfigSchema, TopicService } from "./sns.ts";
import { StateMachineService, StepFunctionsConfigSchema, type TaskPort } from "./stepfunctions.ts";
import { QueueService, SqsConfigSchema } from "./sqs.ts";
import { KeyValueTable, TableConfigSchema } from "./table.ts";
import type { FunctionPort, TargetContext } from "./targets.ts";

export const ServicesConfigSchema = z
  .object({
    table: TableConfigSchema.prefault({}),
    payments: PaymentsConfigSchema.prefault({}),
    downstream: DownstreamConfigSchema.prefault({}),
    /** Queues (SQS-like), lambda-model.md §5, §7. */
    sqs: SqsConfigSchema.prefault({}),
    /** Topics (SNS-like) and their subscriptions, §5. */
    sns: SnsConfigSchema.prefault({}),
    /** The default event bus (EventBridge-like) and its rules, §5. */
    eventbridge: EventBridgeConfigSchema.prefault({}),
    /** Buckets (S3-like) and their object-created notifications, §5. */
    s3: S3ConfigSchema.prefault({}),
    /** State machines (Step Functions-like) of Lambda task states, §5. */
    stepfunctions: StepFunctionsConfigSchema.prefault({}),
  })
  .strict();
export type ServicesConfig = z.infer<typeof ServicesConfigSchema>;
export type ServicesConfigInput = z.input<typeof ServicesConfigSchema>;

export class ServiceHub implements ServiceDispatcher, DestinationTargets {
  readonly table: KeyValueTable;
  readonly payments: PaymentProvider;
  readonly downstream: Downstream;
  readonly sqs: QueueService;
  readonly sns: TopicService;
  readonly eventbridge: EventBus;
  readonly s3: ObjectStore;
  readonly stepfunctions: StateMachineService;
  /** Every payload that crossed a service hop, accepted or refused (lambda-model.md §5). */
  readonly hops = new HopLog();
  private functions: FunctionPort | null = null;
  private tasks: TaskPort | null = null;
  private epochMs = Date.UTC(2026, 0, 1);

  /** `seed` drives the services' random choices (message ids, injected duplicates). */
  constructor(config: ServicesConfigInput = {}, seed: number | string = 1) {
    const parsed = ServicesConfigSchema.parse(config);
    const prng = new Prng(`services:${seed}`);
    this.table = new KeyValueTable(parsed.table);
    this.payments = new PaymentProvider(parsed.payments);
    this.downstream = new Downstream(parsed.downstream, () => this.functions?.noteSimplification("database-connections"));
    this.sqs = new QueueService(parsed.sqs, prng.fork("sqs"), this.hops);
    const ctx: TargetContext = { queues: this.sqs, functions: () => this.functions, hops: this.hops };
    const epoch = () => this.epochMs;
    this.sns = new TopicService(parsed.sns, prng.fork("sns"), ctx, epoch);
    this.eventbridge = new EventBus(parsed.eventbridge, prng.fork("eventbridge"), ctx, epoch);
    this.s3 = new ObjectStore(parsed.s3, ctx, epoch);
    this.stepfunctions = new StateMachineService(parsed.stepfunctions, this.hops, () => this.tasks);
  }

  /** Lets topics, rules and notifications invoke functions (runtime/service-wiring.ts builds the port). */
  attach(functions: FunctionPort, epochMs: number, tasks: TaskPort | null = null): void {
    this.functions = functions;
    this.tasks = tasks;
    this.epochMs = epochMs;
  }

  /** Each queue's depth and oldest message age now, for the simulation's metric series. */
  queueGauges(now: number): Record<string, QueueGauge> {
    return this.sqs.gauges(now);
  }

  dispatch(service: string, operation: string, args: unknown[], call: CallContext): ServiceReply {
    switch (service) {
      case "table":
        return this.table.handle(operation, args, call);
      case "payments":
        return this.payments.handle(operation, args, call);
      case "downstream":
        return this.downstream.handle(operation, args, call);
      case "queue":
        return this.sqs.handle(operation, args, call);
      case "topic":
        return this.sns.handle(operation, args, call);
      case "bus":
        return this.eventbridge.handle(operation, args, call);
      case "bucket":
        return this.s3.handle(operation, args, call);
      case "states":
        return this.stepfunctions.handle(operation, args, call);
      default:
        return { latencyMs: 0, complete: () => serviceError("UnknownService", `no service named ${service}`) };
    }
  }

  environmentReset(envId: string, time: number): void {
    this.downstream.environmentReset(envId, time);
  }

  /** Async invocation records and dead-letter events from the simulator (lambda-model.md §6). */
  deliver(target: Destination, body: JsonText, attributes: Record<string, string>, at: number, chain: Chain): DeliveryResult {
    const from: Sender = { call: null, via: "lambda destination", chain };
    const refused = (r: { ok: false; code: string; message: string }): DeliveryResult => ({ ok: false, error: { name: r.code, message: r.message } });
    switch (target.type) {
      case "sqs": {
        const r = this.sqs.queue(target.name).send(at, { body, attributes }, from);
        return r.ok ? { ok: true } : refused(r);
      }
      case "sns": {
        const r = this.sns.publish(at, target.name, { message: body, attributes }, from);
        return r.ok ? { ok: true } : refused(r);
      }
      case "eventbridge": {
        const success = (JSON.parse(body) as { requestContext?: { condition?: string } }).requestContext?.condition === "Success";
        const detailType = `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}`;
        const r = this.eventbridge.putEvents(at, [{ source: "lambda", detailType, detail: body }], from);
        if (!r.ok) return refused(r);
        const entry = r.value.entries[0]!;
        return "errorCode" in entry ? { ok: false, error: { name: entry.errorCode, message: entry.errorMessage } } : { ok: true };
      }
      case "s3": {
        const r = this.s3.put(at, target.name, `aws/lambda/async/${at}-${this.s3.keys(target.name).length + 1}.json`, body, from);
        return r.ok ? { ok: true } : refused(r);
      }
      default:
        return { ok: false, error: { name: "InvalidParameterValueException", message: `the services cannot deliver to a ${target.type} target` } };
    }
  }
}
