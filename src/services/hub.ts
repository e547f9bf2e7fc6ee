/** The simulated services of one scenario, behind the simulator's ServiceDispatcher interface. */
import { z } from "zod";
import type { CallContext, ServiceDispatcher, ServiceReply } from "../runtime/types.ts";
import { Downstream, DownstreamConfigSchema } from "./downstream.ts";
import { serviceError } from "./errors.ts";
import { PaymentProvider, PaymentsConfigSchema } from "./payments.ts";
import { QueueService, SqsConfigSchema } from "./sqs.ts";
import { KeyValueTable, TableConfigSchema } from "./table.ts";
import { HopLog } from "../runtime/hops.ts";
import { Prng } from "../runtime/prng.ts";

export const ServicesConfigSchema = z
  .object({
    table: TableConfigSchema.prefault({}),
    payments: PaymentsConfigSchema.prefault({}),
    downstream: DownstreamConfigSchema.prefault({}),
    /** Queues (SQS-like), lambda-model.md §5, §7. */
    sqs: SqsConfigSchema.prefault({}),
  })
  .strict();
export type ServicesConfig = z.infer<typeof ServicesConfigSchema>;
export type ServicesConfigInput = z.input<typeof ServicesConfigSchema>;

export class ServiceHub implements ServiceDispatcher {
  readonly table: KeyValueTable;
  readonly payments: PaymentProvider;
  readonly downstream: Downstream;
  readonly sqs: QueueService;
  /** Every payload that crossed a service hop, accepted or refused (lambda-model.md §5). */
  readonly hops = new HopLog();

  /** `seed` drives the services' random choices (message ids, injected duplicates). */
  constructor(config: ServicesConfigInput = {}, seed: number | string = 1) {
    const parsed = ServicesConfigSchema.parse(config);
    const prng = new Prng(`services:${seed}`);
    this.table = new KeyValueTable(parsed.table);
    this.payments = new PaymentProvider(parsed.payments);
    this.downstream = new Downstream(parsed.downstream);
    this.sqs = new QueueService(parsed.sqs, prng.fork("sqs"), this.hops);
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
      default:
        return { latencyMs: 0, complete: () => serviceError("UnknownService", `no service named ${service}`) };
    }
  }
}
