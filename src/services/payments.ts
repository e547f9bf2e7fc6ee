/**
 * A payment provider. Every charge is recorded with who made it, so graders can count duplicate side effects
 * (lambda-model.md §10). Like real providers it honours an idempotency key: a repeat with a key it has seen returns
 * the first charge instead of charging again.
 */
import { z } from "zod";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { isRecord, ok, serviceError } from "./errors.ts";

export const PaymentsConfigSchema = z
  .object({
    /** Virtual ms per charge request. */
    latencyMs: z.number().min(0).default(120),
  })
  .strict();
export type PaymentsConfig = z.infer<typeof PaymentsConfigSchema>;

export interface Charge {
  chargeId: string;
  orderId: string;
  amountCents: number;
  idempotencyKey: string | null;
  call: CallContext;
}

export class PaymentProvider {
  /** Real charges only: a replay through an idempotency key adds nothing here. */
  readonly charges: Charge[] = [];
  /** Requests answered from an idempotency key, without charging. */
  readonly replays: Array<{ chargeId: string; idempotencyKey: string; call: CallContext }> = [];
  private readonly byKey = new Map<string, Charge>();
  private readonly config: PaymentsConfig;

  constructor(config: PaymentsConfig) {
    this.config = config;
  }

  chargesFor(orderId: string): Charge[] {
    return this.charges.filter((c) => c.orderId === orderId);
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const latencyMs = this.config.latencyMs;
    const request = args[0];
    if (operation !== "charge") return { latencyMs, complete: () => serviceError("ValidationException", `unknown payments operation ${operation}`) };
    if (!isRecord(request)) return { latencyMs, complete: () => serviceError("ValidationException", "charge({ orderId, amountCents, idempotencyKey? }) takes one object") };
    const { orderId, amountCents, idempotencyKey } = request;
    if (typeof orderId !== "string" || orderId === "") return { latencyMs, complete: () => serviceError("ValidationException", "charge: orderId must be a non-empty string") };
    if (typeof amountCents !== "number" || !Number.isInteger(amountCents) || amountCents <= 0) {
      return { latencyMs, complete: () => serviceError("ValidationException", "charge: amountCents must be a positive whole number") };
    }
    if (idempotencyKey !== undefined && idempotencyKey !== null && (typeof idempotencyKey !== "string" || idempotencyKey === "" || idempotencyKey.length > 255)) {
      return { latencyMs, complete: () => serviceError("ValidationException", "charge: idempotencyKey must be a string of 1 to 255 characters") };
    }
    const key = typeof idempotencyKey === "string" ? idempotencyKey : null;
    return {
      latencyMs,
      complete: () => {
        const earlier = key === null ? undefined : this.byKey.get(key);
        if (earlier) {
          if (earlier.orderId !== orderId || earlier.amountCents !== amountCents) {
            return serviceError("IdempotencyKeyReusedException", "this idempotency key was already used for a different charge");
          }
          this.replays.push({ chargeId: earlier.chargeId, idempotencyKey: key!, call });
          return ok({ chargeId: earlier.chargeId, orderId, amountCents, replayed: true });
        }
        const charge: Charge = { chargeId: `ch_${this.charges.length + 1}`, orderId, amountCents, idempotencyKey: key, call };
        this.charges.push(charge);
        if (key !== null) this.byKey.set(key, charge);
        return ok({ chargeId: charge.chargeId, orderId, amountCents, replayed: false });
      },
    };
  }
}
