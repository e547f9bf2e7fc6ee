/**
 * JavaScript that runs INSIDE QuickJS, as the module `workbook:aws`. It is evaluated before any learner code, takes
 * the host functions from a temporary global (and deletes it), captures the built-ins it relies on, installs the
 * Node-like globals a handler expects (console, timers, a virtual-time Date, a seeded Math.random and
 * crypto.randomUUID), and exports the simulated services. Learner code that later tampers with built-ins can only
 * change its own behaviour: the helpers below keep their own references, and what the host reads back (an
 * invocation's outcome) is text assembled from strings only, so no `toJSON`, setter or species hook of learner
 * code can shape it.
 *
 * Host functions (see host-api.ts): call("service operation argsJson", resolve) (resolve(replyJson) later),
 * timer(ms) -> Promise<void>, log(level, text), now() -> epoch ms, register(invoke),
 * compileCheck(text) -> null | a sentence saying why the text is not compiled; and values: seed, epochMs, env (the
 * environment variables as JSON text), lazySources.
 */
export const HOST_GLOBAL = "__workbookHost";

// Parts of workbook:aws compiled the first time a handler needs them (`later` below), so that a cold start compiles
// only what every handler uses. Each is a strict function of one argument: the helpers and built-ins it relies on,
// taken before any learner code ran. The text refers to no global, so nothing learner code changes can reach it.

/**
 * Describing values and errors without trusting them: safeString, format, and errorOutcome (a thrown value as the JSON
 * text of an error outcome {"kind":"error","errorType","errorMessage","trace"}; for a value that is not an Error
 * object, the workbook reports its JavaScript type and its text).
 */
const DESCRIBING_SOURCE = String.raw`(function (deps) {
"use strict";
const apply = deps.apply, JSONstringify = deps.JSONstringify, StringCtor = deps.StringCtor, ErrorCtor = deps.ErrorCtor;
const arrayJoin = deps.arrayJoin, arrayPush = deps.arrayPush, stringSplit = deps.stringSplit, quote = deps.quote;
function safeString(value) {
  try {
    if (typeof value === "string") return value;
    if (value === null) return "null";
    if (typeof value === "object" || typeof value === "function") {
      if (value instanceof ErrorCtor) return StringCtor(value.name) + ": " + StringCtor(value.message);
      const text = JSONstringify(value);
      return typeof text === "string" ? text : StringCtor(value);
    }
    return StringCtor(value);
  } catch (e) {
    return "[value that cannot be shown]";
  }
}
function errorOutcome(error) {
  let type = "Error", message = "[a thrown value that cannot be described]", trace = "";
  try {
    if (error instanceof ErrorCtor) {
      type = StringCtor(error.name);
      message = StringCtor(error.message);
      trace = quote(type + ": " + message);
      const stack = error.stack;
      if (typeof stack === "string") {
        const lines = apply(stringSplit, stack, ["\n"]);
        for (let i = 0; i < lines.length && i < 20; i++) if (lines[i]) trace += "," + quote(lines[i]);
      }
    } else {
      type = error === null ? "null" : typeof error;
      message = safeString(error);
    }
  } catch (e) {
    type = "Error";
    message = "[a thrown value that cannot be described]";
    trace = "";
  }
  return '{"kind":"error","errorType":' + quote(type) + ',"errorMessage":' + quote(message) + ',"trace":[' + trace + "]}";
}
const format = (args) => {
  const parts = [];
  for (let i = 0; i < args.length; i++) apply(arrayPush, parts, [safeString(args[i])]);
  return apply(arrayJoin, parts, [" "]);
};
return { safeString, errorOutcome, format };
})`;

/** Seeded randomness (sfc32), one stream per environment: Math.random and crypto. */
const RANDOMNESS_SOURCE = String.raw`(function (deps) {
"use strict";
const MathFloor = deps.MathFloor;
function generator(s) {
  let a = s >>> 0, b = (s * 2654435761) >>> 0, c = (s ^ 0x9e3779b9) >>> 0, d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
const random = generator(deps.seed);
const hex = (n) => { let s = ""; for (let i = 0; i < n; i++) s += "0123456789abcdef"[MathFloor(random() * 16)]; return s; };
return {
  random,
  randomUUID: () => hex(8) + "-" + hex(4) + "-4" + hex(3) + "-" + "89ab"[MathFloor(random() * 4)] + hex(3) + "-" + hex(12),
  getRandomValues: (array) => { for (let i = 0; i < array.length; i++) array[i] = MathFloor(random() * 256); return array; },
};
})`;

/**
 * Timers: host timers in virtual time; delays below 1 ms become 1 ms, as in Node. The pending ones live in a Map; the
 * callback that fires one holds only its id, so that no closure refers to itself (QuickJS frees such cycles only when
 * its cycle collector runs, and until then they would count as memory in use).
 */
const TIMERS_SOURCE = String.raw`(function (deps) {
"use strict";
const apply = deps.apply, then = deps.then, hostTimer = deps.hostTimer, hostLog = deps.hostLog, safeString = deps.safeString;
const mapGet = deps.mapGet, mapSet = deps.mapSet, mapDelete = deps.mapDelete, mapHas = deps.mapHas, TypeErrorCtor = deps.TypeErrorCtor;
const timers = new deps.MapCtor();
let nextTimerId = 1;
const arm = (id, delay) => then(hostTimer(delay), () => fire(id));
function fire(id) {
  const timer = apply(mapGet, timers, [id]);
  if (timer === undefined) return;
  if (!timer.repeat) apply(mapDelete, timers, [id]);
  try { apply(timer.callback, undefined, timer.args); } catch (e) { hostLog("ERROR", "Uncaught exception in a timer callback: " + safeString(e)); }
  if (timer.repeat && apply(mapHas, timers, [id])) arm(id, timer.delay);
}
function schedule(callback, ms, args, repeat) {
  if (typeof callback !== "function") throw new TypeErrorCtor("The \"callback\" argument must be of type function");
  const id = nextTimerId++;
  const delay = ms >= 1 ? +ms : 1;
  apply(mapSet, timers, [id, { callback, args, delay, repeat }]);
  arm(id, delay);
  return id;
}
const clear = (id) => { apply(mapDelete, timers, [id]); };
return { schedule, clear };
})`;

/**
 * Code compiled at run time (eval, new Function and its async and generator kinds) is checked like the handler file:
 * the host refuses text nested too deeply for QuickJS's parser. evalText is an indirect (global) eval; construct builds
 * a function from string copies of the arguments, checked together.
 */
const CHECKED_CODE_SOURCE = String.raw`(function (deps) {
"use strict";
const hostCompileCheck = deps.hostCompileCheck, realEval = deps.realEval, construct = deps.construct;
const StringCtor = deps.StringCtor, SyntaxErrorCtor = deps.SyntaxErrorCtor, ObjectDefineProperty = deps.ObjectDefineProperty;
const refuseUncompilable = (text) => {
  const problem = hostCompileCheck(text);
  if (problem !== null) throw new SyntaxErrorCtor(problem);
};
return {
  evalText: (x) => { if (typeof x === "string") refuseUncompilable(x); return realEval(x); },
  construct: (Real, args, newTarget) => {
    const texts = [];
    let all = "";
    for (let i = 0; i < args.length; i++) {
      const text = StringCtor(args[i]);
      ObjectDefineProperty(texts, i, { value: text, writable: true, enumerable: true, configurable: true });
      all += text + "\n";
    }
    refuseUncompilable(all);
    return construct(Real, texts, newTarget === undefined ? Real : newTarget);
  },
};
})`;

/** Queues (SQS-like, string bodies; `.fifo` names are FIFO), topics, the default event bus and buckets. */
const NEIGHBOURS_SOURCE = String.raw`(function (d) {
"use strict";
const r = d.request, F = d.ObjectFreeze, T = d.TypeErrorCtor, n = (v) => (v === undefined ? null : v);
const c = (k, x) => { if (typeof x !== "string" || x === "") throw new T(k + "(name): name must be a non-empty string"); };
return {
  queue: (x) => (c("queue", x), F({ name: x, send: (b, o) => r("queue", "send", [x, b, n(o)]), sendBatch: (e) => r("queue", "sendBatch", [x, e]),
    receive: (o) => r("queue", "receive", [x, n(o)]), delete: (h) => r("queue", "delete", [x, h]),
    changeVisibility: (h, t) => r("queue", "changeVisibility", [x, h, t]) })),
  topic: (x) => (c("topic", x), F({ name: x, publish: (m, o) => r("topic", "publish", [x, m, n(o)]) })),
  putEvents: (e) => r("bus", "putEvents", [e]),
  bucket: (x) => (c("bucket", x), F({ name: x, put: (k, b) => r("bucket", "put", [x, k, b]), get: (k) => r("bucket", "get", [x, k]),
    createMultipartUpload: (k) => r("bucket", "createMultipartUpload", [x, k]),
    uploadPart: (k, u, p, b) => r("bucket", "uploadPart", [x, k, u, p, b]),
    completeMultipartUpload: (k, u) => r("bucket", "completeMultipartUpload", [x, k, u]) })),
  stateMachine: (x) => (c("stateMachine", x), F({ name: x, startExecution: (i) => r("states", "startExecution", [x, n(i)]),
    describeExecution: (a) => r("states", "describeExecution", [x, a]) })),
};
})`;

/**
 * The texts of the parts compiled on first use, handed to the guest on the host object (as `host.lazySources`) rather
 * than written into the module: QuickJS would otherwise read them as string literals at every cold start.
 */
export const LAZY_SOURCES: Readonly<Record<string, string>> = {
  describing: DESCRIBING_SOURCE,
  randomness: RANDOMNESS_SOURCE,
  timers: TIMERS_SOURCE,
  checkedCode: CHECKED_CODE_SOURCE,
  neighbours: NEIGHBOURS_SOURCE,
};

/**
 * Drops the lines of guest source that are only a comment: QuickJS compiles the prelude for every new environment,
 * and comments cost it time there too. (The guest source has no template literals, so no such line is in a string.)
 */
function withoutCommentLines(text: string): string {
  return text.replace(/^[ \t]*(?:\/\/.*|\/\*\*.*\*\/[ \t]*)\n/gm, "");
}

export const WORKBOOK_AWS_SOURCE = withoutCommentLines(String.raw`
const host = globalThis.${HOST_GLOBAL};
delete globalThis.${HOST_GLOBAL};
const hostCall = host.call, hostTimer = host.timer, hostLog = host.log, hostNow = host.now, hostRegister = host.register;
const hostCompileCheck = host.compileCheck, hostTmp = host.tmp;
const seed = host.seed;
const lazySources = host.lazySources;

const apply = Reflect.apply, construct = Reflect.construct;
const JSONstringify = JSON.stringify, JSONparse = JSON.parse;
const StringCtor = String, ErrorCtor = Error, TypeErrorCtor = TypeError, SyntaxErrorCtor = SyntaxError, RealDate = Date;
const PromiseCtor = Promise, promiseThen = Promise.prototype.then, promiseResolve = Promise.resolve.bind(Promise);
const ObjectDefineProperty = Object.defineProperty, ObjectFreeze = Object.freeze, ObjectGetPrototypeOf = Object.getPrototypeOf;
const arrayJoin = Array.prototype.join, arrayPush = Array.prototype.push;
const stringSplit = String.prototype.split;
const MathFloor = Math.floor;
const MapCtor = Map, mapSet = Map.prototype.set, mapDelete = Map.prototype.delete, mapHas = Map.prototype.has;
const then = (p, f, r) => apply(promiseThen, p, [f, r]);
const quote = (text) => JSONstringify(typeof text === "string" ? text : "");

// ---- describing values and errors without trusting them (compiled on first use: DESCRIBING_SOURCE) ----
const realEval = globalThis.eval;
// A part of this module that few handlers use, compiled from its text (LAZY_SOURCES) the first time it is needed: the
// text names no global (what it uses is passed in, taken before learner code ran) and is evaluated with the built-in eval.
const later = (text, deps) => {
  let made = null;
  return () => (made === null ? (made = apply(realEval, undefined, [text])(deps)) : made);
};
const describing = later(lazySources.describing, { apply, JSONstringify, StringCtor, ErrorCtor, arrayJoin, arrayPush, stringSplit, quote });
const safeString = (value) => describing().safeString(value);
const errorOutcome = (error) => describing().errorOutcome(error);

// ---- Node-like globals ----
const makeLogger = (level) => function () { hostLog(level, describing().format(arguments)); };
const consoleObject = {
  log: makeLogger("INFO"), info: makeLogger("INFO"), warn: makeLogger("WARN"),
  error: makeLogger("ERROR"), debug: makeLogger("DEBUG"), trace: makeLogger("DEBUG"),
};
ObjectDefineProperty(globalThis, "console", { value: consoleObject, writable: true, configurable: true });
// The function's environment variables, as Node.js gives them (each environment has its own copy).
ObjectDefineProperty(globalThis, "process", { value: { env: JSONparse(host.env) }, writable: true, configurable: true });

// Virtual time: Date.now() and new Date() read the simulator's clock, never the host's.
function VirtualDate(...args) {
  if (!new.target) return new RealDate(hostNow()).toString();
  if (args.length === 0) return Reflect.construct(RealDate, [hostNow()], new.target);
  return Reflect.construct(RealDate, args, new.target);
}
VirtualDate.prototype = RealDate.prototype;
VirtualDate.now = () => MathFloor(hostNow());
VirtualDate.parse = RealDate.parse;
VirtualDate.UTC = RealDate.UTC;
ObjectDefineProperty(RealDate.prototype, "constructor", { value: VirtualDate, writable: true, configurable: true });
globalThis.Date = VirtualDate;
globalThis.performance = { now: () => hostNow() - host.epochMs, timeOrigin: host.epochMs };

// Seeded randomness (sfc32), one stream per environment (compiled on first use: RANDOMNESS_SOURCE).
const randomness = later(lazySources.randomness, { seed, MathFloor });
Math.random = () => randomness().random();
globalThis.crypto = {
  randomUUID: () => randomness().randomUUID(),
  getRandomValues: (array) => randomness().getRandomValues(array),
};

// Code compiled at run time (eval, new Function and its async and generator kinds) is checked like the handler file
// (compiled on first use: CHECKED_CODE_SOURCE). eval becomes an indirect (global) eval.
const checkedCode = later(lazySources.checkedCode, { hostCompileCheck, realEval, construct, StringCtor, SyntaxErrorCtor, ObjectDefineProperty });
const guardedEval = (x) => checkedCode().evalText(x);
ObjectDefineProperty(guardedEval, "name", { value: "eval", configurable: true });
ObjectDefineProperty(globalThis, "eval", { value: guardedEval, writable: true, configurable: true });
const guardConstructor = (Real) => {
  const Guarded = function (...args) { return checkedCode().construct(Real, args, new.target); };
  ObjectDefineProperty(Guarded, "name", { value: Real.name, configurable: true });
  Guarded.prototype = Real.prototype;
  ObjectDefineProperty(Real.prototype, "constructor", { value: Guarded, writable: true, configurable: true });
  return Guarded;
};
ObjectDefineProperty(globalThis, "Function", { value: guardConstructor(Function), writable: true, configurable: true });
guardConstructor(ObjectGetPrototypeOf(async function () {}).constructor);
guardConstructor(ObjectGetPrototypeOf(function* () {}).constructor);
guardConstructor(ObjectGetPrototypeOf(async function* () {}).constructor);

// Timers: host timers in virtual time (compiled on first use: TIMERS_SOURCE).
const timerQueue = later(lazySources.timers, { apply, then, hostTimer, hostLog, safeString, MapCtor, mapGet: Map.prototype.get, mapSet, mapDelete, mapHas, TypeErrorCtor });
globalThis.setTimeout = (callback, ms, ...args) => timerQueue().schedule(callback, ms, args, false);
globalThis.setInterval = (callback, ms, ...args) => timerQueue().schedule(callback, ms, args, true);
globalThis.clearTimeout = globalThis.clearInterval = (id) => { timerQueue().clear(id); };
globalThis.setImmediate = (callback, ...args) => timerQueue().schedule(callback, 0, args, false);
globalThis.queueMicrotask = (callback) => { then(promiseResolve(), () => callback()); };

// ---- calling the simulated services ----
function request(service, operation, args) {
  let text;
  try {
    text = JSONstringify(args);
  } catch (e) {
    return PromiseCtor.reject(new TypeErrorCtor(service + "." + operation + ": arguments must be JSON data (" + safeString(e && e.message) + ")"));
  }
  // The reply settles a promise of this module's own: the host keeps its resolve function until the reply arrives.
  // One string for the host: "service operation argsJson" (the names have no spaces; JSON text is the rest).
  let settle = null;
  const reply = new PromiseCtor((resolve) => { settle = resolve; });
  hostCall(service + " " + operation + " " + (typeof text === "string" ? text : "[]"), settle);
  return then(reply, (replyText) => {
    const reply = JSONparse(replyText);
    if (reply.ok) return reply.value;
    const error = new ErrorCtor(reply.error.message);
    error.name = reply.error.name;
    error.code = reply.error.name;
    if (reply.error.metadata) error.$metadata = reply.error.metadata;
    throw error;
  });
}

/** Key-value table (DynamoDB-like). */
export function table(name) {
  if (typeof name !== "string" || name === "") throw new TypeErrorCtor("table(name): name must be a non-empty string");
  return ObjectFreeze({
    name,
    get: (key) => request("table", "get", [name, key]),
    put: (key, item, options) => request("table", "put", [name, key, item, options === undefined ? null : options]),
    delete: (key) => request("table", "delete", [name, key]),
  });
}

/** Payment provider: every charge is recorded; an idempotency key makes repeats return the first charge. */
export const payments = ObjectFreeze({
  charge: (request_) => request("payments", "charge", [request_]),
});

/** A downstream dependency (an HTTP API or a database) whose latency and failures a scenario controls. */
export const downstream = ObjectFreeze({
  call: (operation, payload) => request("downstream", "call", [operation, payload === undefined ? null : payload]),
  connect: () =>
    then(request("downstream", "connect", []), (info) => {
      const id = info.connectionId;
      return ObjectFreeze({
        id,
        call: (operation, payload) => request("downstream", "callOnConnection", [id, operation, payload === undefined ? null : payload]),
        close: () => request("downstream", "close", [id]),
      });
    }),
});

/**
 * Invokes another function: "RequestResponse" (default) waits for it, "Event" returns once Lambda accepted it. The host
 * retries throttles and 5xx like the AWS SDK; options.maxAttempts (1–20) sets the attempts of this call.
 */
export const lambda = ObjectFreeze({
  invoke: (functionName, payload, options) => {
    const attempts = options && options.maxAttempts !== undefined ? options.maxAttempts : null;
    if (attempts !== null && !(typeof attempts === "number" && attempts >= 1 && attempts <= 20 && MathFloor(attempts) === attempts)) {
      return PromiseCtor.reject(new TypeErrorCtor("lambda.invoke: maxAttempts must be a whole number from 1 to 20 (1 turns retries off)"));
    }
    return request("lambda", "invoke", [
      functionName,
      payload === undefined ? null : payload,
      options && options.invocationType === "Event" ? "Event" : "RequestResponse",
      options && options.tenantId !== undefined ? options.tenantId : null,
      attempts,
    ]);
  },
});

// Queues, topics, the event bus and buckets (compiled on first use: NEIGHBOURS_SOURCE).
const neighbours = later(lazySources.neighbours, { request, ObjectFreeze, TypeErrorCtor });
export const queue = (name) => neighbours().queue(name);
export const topic = (name) => neighbours().topic(name);
export const bus = ObjectFreeze({ putEvents: (entries) => neighbours().putEvents(entries) });
export const bucket = (name) => neighbours().bucket(name);
export const stateMachine = (name) => neighbours().stateMachine(name);

/** Waits in virtual time (the function is billed while it waits). */
export const sleep = (ms) => hostTimer(ms >= 0 ? +ms : 0);

// /tmp of this execution environment, synchronous like fs.*Sync; failures throw Node-shaped errors (code, errno).
// The text last written is not copied to the host again when written again in the same synchronous stretch (a loop
// filling /tmp): === on the same string is instant in QuickJS, a copy costs ~2 ms per MB. It is forgotten in a
// microtask, so the guest keeps no string alive that the handler dropped.
let tmpLast = null;
const tmpForget = () => { tmpLast = null; };
const tmpOp = (op, path, data) => {
  if (typeof path !== "string") throw new TypeErrorCtor("tmp: the path must be a string");
  if (data !== undefined && typeof data !== "string") throw new TypeErrorCtor("tmp: the data must be a string");
  let reply;
  if ((op === "write" || op === "append") && data === tmpLast) reply = JSONparse(hostTmp(op + "Again", path, ""));
  else {
    if (op === "write" || op === "append") {
      if (tmpLast === null) then(promiseResolve(), tmpForget);
      tmpLast = data;
    }
    reply = JSONparse(hostTmp(op, path, data === undefined ? "" : data));
  }
  if (reply.ok) return reply.value;
  const error = new ErrorCtor(reply.error.message);
  error.code = reply.error.code;
  error.errno = reply.error.errno;
  error.syscall = reply.error.syscall;
  error.path = reply.error.path;
  throw error;
};
export const tmp = ObjectFreeze({
  write: (path, data) => { tmpOp("write", path, data); },
  append: (path, data) => { tmpOp("append", path, data); },
  read: (path) => tmpOp("read", path),
  exists: (path) => tmpOp("exists", path),
  size: (path) => tmpOp("size", path),
  remove: (path) => { tmpOp("remove", path); },
  list: () => tmpOp("list", ""),
  usage: () => tmpOp("usage", ""),
});

// ---- what the host calls: run one invocation of the learner's handler ----
// Returns a promise of the outcome's JSON text. The promise is this module's own, settled only by the callbacks
// below: a learner's species constructor or replaced then() can intercept derived promises, never this one.
let functionData = null;
function invoke(handler, inputText, functionText) {
  // The host sends [deadline epoch ms, request id, event] as JSON text, and the fields that are the same for every
  // invocation only when they change (the first time, or if the function changed).
  if (typeof functionText === "string") functionData = JSONparse(functionText);
  const input = JSONparse(inputText);
  const deadline = input[0];
  const context = {
    awsRequestId: input[1],
    functionName: functionData.functionName,
    functionVersion: functionData.functionVersion,
    memoryLimitInMB: StringCtor(functionData.memoryLimitInMB),
    invokedFunctionArn: functionData.invokedFunctionArn,
    logGroupName: functionData.logGroupName,
    logStreamName: functionData.logStreamName,
    tenantId: functionData.tenantId,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => { const left = deadline - hostNow(); return left > 0 ? MathFloor(left) : 0; },
  };
  const event = input[2];
  const settle = (value) => {
    let text;
    try {
      text = JSONstringify(value);
    } catch (e) {
      return '{"kind":"error","errorType":"Runtime.MarshalError","errorMessage":' + quote("Unable to stringify response body: " + safeString(e && e.message)) + ',"trace":[]}';
    }
    // Success is "S" and the response's JSON text, or "U" when the response has none (an error is JSON text).
    return typeof text === "string" ? "S" + text : "U";
  };
  return new PromiseCtor((resolve) => {
    let result;
    try {
      result = handler(event, context);
    } catch (e) {
      resolve(errorOutcome(e));
      return;
    }
    try {
      then(promiseResolve(result), (value) => resolve(settle(value)), (error) => resolve(errorOutcome(error)));
    } catch (e) {
      resolve(errorOutcome(e));
    }
  });
}
hostRegister(invoke);
`);
