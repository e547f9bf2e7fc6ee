/**
 * JavaScript that runs INSIDE QuickJS as the module `workbook:idempotency`: a small idempotency layer in the manner of
 * Powertools for AWS Lambda (lambda-model.md §10), built only on the `table` of `workbook:aws`, so that it is the same
 * kind of code a learner could write. It exists for the §10 decision that a learner-built layer and a Powertools-like
 * one must pass the same scenarios.
 *
 * What it follows (§10): the key is `<functionName>#<md5 of the JSON of the event, or of the part eventKeyJmesPath
 * picks>`; a new call claims the key with one conditional put (INPROGRESS) and stores the result as COMPLETED; a repeat
 * inside `expiresAfterSeconds` (3,600) returns the stored result without running the function; a concurrent duplicate
 * gets IdempotencyAlreadyInProgressError; a thrown error deletes the record; the in-progress claim expires when the
 * Lambda context's remaining time runs out. SIMPLIFICATIONS: eventKeyJmesPath understands dotted paths and
 * `[a, b.c]` lists only, and the stored record is a table item, not a DynamoDB item with its own attribute types.
 */
import { MODULE_NAME } from "./host-api.ts";

export { IDEMPOTENCY_MODULE_NAME } from "./host-api.ts";

export const WORKBOOK_IDEMPOTENCY_SOURCE = String.raw`
import { table } from "${MODULE_NAME}";

// Captured before any learner code runs (imports are evaluated first).
const JSONstringify = JSON.stringify, MathFloor = Math.floor, DateNow = Date.now, ErrorCtor = Error;
const StringCtor = String, ArrayIsArray = Array.isArray, ObjectFreeze = Object.freeze;

const K = [
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af,
  0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa,
  0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
  0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244, 0x432aff97,
  0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
  0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

function utf8(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c < 0x80) bytes.push(c);
    else if (c < 0x800) bytes.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) bytes.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else bytes.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return bytes;
}

/** MD5 (RFC 1321) of a string's UTF-8 bytes, as 32 hex digits: Powertools' default hash. */
export function md5(text) {
  const bytes = utf8(StringCtor(text));
  const bits = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  for (let i = 0; i < 8; i++) bytes.push(MathFloor(bits / 2 ** (8 * i)) & 255);
  let a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  const m = new Array(16);
  for (let block = 0; block < bytes.length; block += 64) {
    for (let j = 0; j < 16; j++) {
      const o = block + j * 4;
      m[j] = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    }
    let a = a0, b = b0, c = c0, d = d0;
    for (let i = 0; i < 64; i++) {
      let f, g;
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
      else { f = c ^ (b | ~d); g = (7 * i) % 16; }
      const s = SHIFTS[(i >> 4) * 4 + (i % 4)];
      const sum = (a + f + K[i] + m[g]) | 0;
      a = d; d = c; c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0; b0 = (b0 + b) | 0; c0 = (c0 + c) | 0; d0 = (d0 + d) | 0;
  }
  let hex = "";
  for (const word of [a0, b0, c0, d0]) {
    for (let i = 0; i < 4; i++) hex += ((word >>> (8 * i)) & 255).toString(16).padStart(2, "0");
  }
  return hex;
}

/** Thrown to a call whose key another call holds INPROGRESS (Powertools' name). */
export class IdempotencyAlreadyInProgressError extends ErrorCtor {
  constructor(message) { super(message); this.name = "IdempotencyAlreadyInProgressError"; }
}

/** The part of the data eventKeyJmesPath picks: "a.b.c", or "[a, b.c]" for a list of such paths. */
function pick(data, path) {
  if (path === undefined || path === null) return data;
  const one = (p) => {
    let value = data;
    for (const part of p.trim().split(".")) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) {
        throw new TypeError("eventKeyJmesPath: the workbook's layer understands dotted paths and [a, b.c] lists only, not " + JSONstringify(path));
      }
      value = value !== null && typeof value === "object" ? value[part] : undefined;
    }
    return value === undefined ? null : value;
  };
  const text = StringCtor(path).trim();
  return text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1).split(",").map(one) : one(text);
}

/** Settings of the layer, as Powertools' IdempotencyConfig (the names its users know). */
export class IdempotencyConfig {
  constructor(options = {}) {
    this.eventKeyJmesPath = options.eventKeyJmesPath;
    this.expiresAfterSeconds = options.expiresAfterSeconds ?? 3600;
    this.lambdaContext = null;
  }
  /** A function wrapped with makeIdempotent learns the remaining time from this context (the handler's own). */
  registerLambdaContext(context) { this.lambdaContext = context; }
}

/**
 * Wraps fn so that calls with the same data (its first argument, or the one at dataIndexArgument) run once within the
 * expiry window. options: { persistenceStore: a table of workbook:aws (default table("idempotency")), config,
 * dataIndexArgument }. Wrapping the handler itself takes the context from its second argument.
 */
export function makeIdempotent(fn, options = {}) {
  if (typeof fn !== "function") throw new TypeError("makeIdempotent(fn, options): fn must be a function");
  const store = options.persistenceStore ?? table("idempotency");
  const config = options.config ?? new IdempotencyConfig();
  const dataIndex = options.dataIndexArgument ?? 0;
  return async function idempotent(...args) {
    const maybeContext = args[1];
    const context = maybeContext && typeof maybeContext.getRemainingTimeInMillis === "function" ? maybeContext : config.lambdaContext;
    const data = pick(args[dataIndex], config.eventKeyJmesPath);
    const key = StringCtor(context?.functionName ?? "function") + "#" + md5(JSONstringify(data) ?? "null");
    for (let claimTries = 0; ; claimTries++) {
      const nowMs = DateNow();
      const nowSeconds = MathFloor(nowMs / 1000);
      const expiration = nowSeconds + config.expiresAfterSeconds;
      const record = { id: key, status: "INPROGRESS", expiration };
      if (context) record.in_progress_expiration = nowMs + context.getRemainingTimeInMillis();
      try {
        // attribute_not_exists(id) OR expiration < now OR in_progress_expiration < now (Powertools' claim condition).
        await store.put(key, record, { ifNotExists: true, orIfBelow: { expiration: nowSeconds, in_progress_expiration: nowMs } });
      } catch (error) {
        if (!error || error.name !== "ConditionalCheckFailedException") throw error;
        const existing = await store.get(key);
        if (existing === null) { if (claimTries < 2) continue; throw error; }
        if (existing.status === "COMPLETED" && existing.expiration >= nowSeconds) return existing.data;
        if (existing.status === "INPROGRESS") {
          throw new IdempotencyAlreadyInProgressError("There is already an execution in progress with idempotency key: " + key);
        }
        if (claimTries < 2) continue;
        throw error;
      }
      let result;
      try {
        result = await fn(...args);
      } catch (error) {
        // A failed call leaves no record, so a retry runs the function again.
        try { await store.delete(key); } catch {}
        throw error;
      }
      await store.put(key, { id: key, status: "COMPLETED", expiration, data: result === undefined ? null : result });
      return result;
    }
  };
}
`;
