/**
 * Every host operation learner code can reach, in one place. The guest module `workbook:aws` (guest-source.ts) is
 * the only caller; anything not listed here is refused before it reaches a service.
 */
export const MODULE_NAME = "workbook:aws";
/** The Powertools-like idempotency layer (idempotency-source.ts). */
export const IDEMPOTENCY_MODULE_NAME = "workbook:idempotency";
/** The modules a handler may import, for messages that list them. */
export const IMPORTABLE = `"${MODULE_NAME}" and "${IDEMPOTENCY_MODULE_NAME}"`;

export const HOST_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  table: ["get", "put", "delete"],
  payments: ["charge"],
  downstream: ["call", "connect", "callOnConnection", "close"],
  lambda: ["invoke"],
  queue: ["send", "sendBatch", "receive", "delete", "changeVisibility"],
  topic: ["publish"],
  bus: ["putEvents"],
  bucket: ["put", "get", "createMultipartUpload", "uploadPart", "completeMultipartUpload"],
  states: ["startExecution", "describeExecution"],
};

export function isHostService(service: string, operation: string): boolean {
  return Object.hasOwn(HOST_OPERATIONS, service) && (HOST_OPERATIONS[service] ?? []).includes(operation);
}
