import type { ServiceResult } from "../runtime/types.ts";

/** A named service error, as an AWS SDK would raise it (`error.name` is what handler code checks). */
export function serviceError(name: string, message: string): ServiceResult {
  return { ok: false, error: { name, message } };
}

export function ok(value: unknown): ServiceResult {
  return { ok: true, value };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
