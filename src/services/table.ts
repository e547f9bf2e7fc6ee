/**
 * A key-value table in the manner of DynamoDB: get, put (optionally only if the key does not exist yet) and delete.
 * Conditional writes are atomic in virtual time (lambda-model.md §10); items over 400 KB are refused (§5).
 */
import { z } from "zod";
import type { CallContext, ServiceReply } from "../runtime/types.ts";
import { utf8Length } from "../runtime/payload.ts";
import { isRecord, ok, serviceError } from "./errors.ts";

export const TableConfigSchema = z
  .object({
    /** Virtual ms per request. */
    latencyMs: z.number().min(0).default(8),
    /** Items present before the scenario starts: table name → key → item. */
    seed: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  })
  .strict();
export type TableConfig = z.infer<typeof TableConfigSchema>;

/** DynamoDB's item size limit: 400 KB (lambda-model.md §5). */
const ITEM_LIMIT_BYTES = 409_600;

export interface TableWrite {
  table: string;
  key: string;
  operation: "put" | "delete";
  conditional: boolean;
  succeeded: boolean;
  call: CallContext;
}

export class KeyValueTable {
  readonly writes: TableWrite[] = [];
  private readonly tables = new Map<string, Map<string, unknown>>();
  private readonly config: TableConfig;

  constructor(config: TableConfig) {
    this.config = config;
    for (const [name, items] of Object.entries(config.seed)) {
      this.tables.set(name, new Map(Object.entries(items).map(([k, v]) => [k, structuredClone(v)])));
    }
  }

  /** Host-side read for graders (a copy: graders cannot change state by accident). */
  item(table: string, key: string): unknown {
    const value = this.tables.get(table)?.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  keys(table: string): string[] {
    return [...(this.tables.get(table)?.keys() ?? [])];
  }

  handle(operation: string, args: unknown[], call: CallContext): ServiceReply {
    const [name, rawKey, item, options] = args;
    const latencyMs = this.config.latencyMs;
    if (typeof name !== "string" || name === "") return { latencyMs, complete: () => serviceError("ValidationException", "table name must be a non-empty string") };
    if (typeof rawKey !== "string" && typeof rawKey !== "number") {
      return { latencyMs, complete: () => serviceError("ValidationException", `${operation}: the key must be a string or a number`) };
    }
    const key = String(rawKey);
    const rows = () => {
      let t = this.tables.get(name);
      if (!t) this.tables.set(name, (t = new Map()));
      return t;
    };
    switch (operation) {
      case "get":
        return { latencyMs, complete: () => ok(rows().has(key) ? structuredClone(rows().get(key)) : null) };
      case "delete":
        return {
          latencyMs,
          complete: () => {
            rows().delete(key);
            this.writes.push({ table: name, key, operation: "delete", conditional: false, succeeded: true, call });
            return ok(null);
          },
        };
      case "put": {
        if (item === undefined) return { latencyMs, complete: () => serviceError("ValidationException", "put: an item is required") };
        const ifNotExists = isRecord(options) && options.ifNotExists === true;
        const below = ifNotExists && isRecord(options) ? belowCondition(options.orIfBelow) : null;
        if (typeof below === "string") return { latencyMs, complete: () => serviceError("ValidationException", below) };
        const size = utf8Length(JSON.stringify(item) ?? "null") + utf8Length(key);
        return {
          latencyMs,
          complete: () => {
            if (size > ITEM_LIMIT_BYTES) return serviceError("ValidationException", "Item size has exceeded the maximum allowed size");
            const exists = rows().has(key);
            const succeeded = !(ifNotExists && exists) || (below !== null && isBelow(rows().get(key), below));
            this.writes.push({ table: name, key, operation: "put", conditional: ifNotExists, succeeded, call });
            if (!succeeded) return serviceError("ConditionalCheckFailedException", "The conditional request failed");
            rows().set(key, structuredClone(item));
            return ok(null);
          },
        };
      }
      default:
        return { latencyMs, complete: () => serviceError("ValidationException", `unknown table operation ${operation}`) };
    }
  }
}

/**
 * `orIfBelow: { field: number, … }` widens `ifNotExists` as DynamoDB's `attribute_not_exists(k) OR field < :value OR …`
 * does: the put also succeeds when the existing item has one of these fields holding a number below the value given.
 * Returns the condition, null when there is none, or why it is malformed.
 */
function belowCondition(value: unknown): Array<[string, number]> | null | string {
  if (value === undefined || value === null) return null;
  const entries = isRecord(value) ? Object.entries(value) : [];
  if (entries.length === 0 || entries.some(([, v]) => typeof v !== "number" || !Number.isFinite(v))) {
    return "put: orIfBelow must be an object of field names and numbers, such as { expiration: nowSeconds }";
  }
  return entries as Array<[string, number]>;
}

function isBelow(item: unknown, condition: Array<[string, number]>): boolean {
  return isRecord(item) && condition.some(([field, value]) => typeof item[field] === "number" && (item[field] as number) < value);
}
