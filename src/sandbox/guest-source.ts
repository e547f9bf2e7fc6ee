/**
 * JavaScript that runs INSIDE QuickJS, as the module `workbook:aws`. It is evaluated before any learner code, takes
 * the host functions from a temporary global (and deletes it), captures the built-ins it relies on, installs the
 * Node-like globals a handler expects (console, timers, a virtual-time Date, a seeded Math.random and
 * crypto.randomUUID), and exports the simulated services. Learner code that later tampers with built-ins can only
 * change its own behaviour: the helpers below keep their own references.
 *
 * Host functions (see host-api.ts): call(service, operation, argsJson) -> Promise<replyJson>,
 * timer(ms) -> Promise<void>, log(level, text), now() -> epoch ms, register(invoke).
 */
export const HOST_GLOBAL = "__workbookHost";

export const WORKBOOK_AWS_SOURCE = String.raw`
const host = globalThis.${HOST_GLOBAL};
delete globalThis.${HOST_GLOBAL};
const hostCall = host.call, hostTimer = host.timer, hostLog = host.log, hostNow = host.now, hostRegister = host.register;
const seed = host.seed;

const apply = Reflect.apply;
const JSONstringify = JSON.stringify, JSONparse = JSON.parse;
const StringCtor = String, ErrorCtor = Error, TypeErrorCtor = TypeError, RealDate = Date;
const PromiseCtor = Promise, promiseThen = Promise.prototype.then, promiseResolve = Promise.resolve.bind(Promise);
const ObjectDefineProperty = Object.defineProperty, ObjectFreeze = Object.freeze, ObjectKeys = Object.keys;
const ArrayIsArray = Array.isArray, arrayJoin = Array.prototype.join, arrayPush = Array.prototype.push;
const stringSlice = String.prototype.slice, stringSplit = String.prototype.split;
const MathFloor = Math.floor;
const MapCtor = Map, mapGet = Map.prototype.get, mapSet = Map.prototype.set, mapDelete = Map.prototype.delete, mapHas = Map.prototype.has;
const then = (p, f, r) => apply(promiseThen, p, [f, r]);

// ---- describing values and errors without trusting them ----
function safeString(value) {
  try {
    if (typeof value === "string") return value;
    if (value === null) return "null";
    if (typeof value === "object" || typeof value === "function") {
      if (value instanceof ErrorCtor) return StringCtor(value.name) + ": " + StringCtor(value.message);
      const text = JSONstringify(value);
      return text === undefined ? StringCtor(value) : text;
    }
    return StringCtor(value);
  } catch (e) {
    return "[value that cannot be shown]";
  }
}
function describeError(error) {
  try {
    if (error instanceof ErrorCtor) {
      const stack = typeof error.stack === "string" ? apply(stringSplit, error.stack, ["\n"]) : [];
      const trace = [StringCtor(error.name) + ": " + StringCtor(error.message)];
      for (let i = 0; i < stack.length && i < 20; i++) if (stack[i]) apply(arrayPush, trace, [stack[i]]);
      return { errorType: StringCtor(error.name), errorMessage: StringCtor(error.message), trace };
    }
    // Not an Error object: the workbook reports its JavaScript type and its text.
    const type = error === null ? "null" : typeof error;
    return { errorType: type, errorMessage: safeString(error), trace: [] };
  } catch (e) {
    return { errorType: "Error", errorMessage: "[a thrown value that cannot be described]", trace: [] };
  }
}

// ---- Node-like globals ----
const format = (args) => {
  const parts = [];
  for (let i = 0; i < args.length; i++) apply(arrayPush, parts, [safeString(args[i])]);
  return apply(arrayJoin, parts, [" "]);
};
const makeLogger = (level) => function () { hostLog(level, format(arguments)); };
const consoleObject = {
  log: makeLogger("INFO"), info: makeLogger("INFO"), warn: makeLogger("WARN"),
  error: makeLogger("ERROR"), debug: makeLogger("DEBUG"), trace: makeLogger("DEBUG"),
};
ObjectDefineProperty(globalThis, "console", { value: consoleObject, writable: true, configurable: true });

// Virtual time: Date.now() and new Date() read the simulator's clock, never the host's.
function VirtualDate(...args) {
  if (!new.target) return new RealDate(hostNow()).toString();
  if (args.length === 0) return Reflect.construct(RealDate, [hostNow()], new.target);
  return Reflect.construct(RealDate, args, new.target);
}
VirtualDate.prototype = RealDate.prototype;
VirtualDate.now = () => hostNow();
VirtualDate.parse = RealDate.parse;
VirtualDate.UTC = RealDate.UTC;
ObjectDefineProperty(RealDate.prototype, "constructor", { value: VirtualDate, writable: true, configurable: true });
globalThis.Date = VirtualDate;
globalThis.performance = { now: () => hostNow() - host.epochMs, timeOrigin: host.epochMs };

// Seeded randomness (sfc32), one stream per environment.
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
const random = generator(seed);
Math.random = () => random();
const hex = (n) => { let s = ""; for (let i = 0; i < n; i++) s += "0123456789abcdef"[MathFloor(random() * 16)]; return s; };
globalThis.crypto = {
  randomUUID: () => hex(8) + "-" + hex(4) + "-4" + hex(3) + "-" + "89ab"[MathFloor(random() * 4)] + hex(3) + "-" + hex(12),
  getRandomValues: (array) => { for (let i = 0; i < array.length; i++) array[i] = MathFloor(random() * 256); return array; },
};

// Timers: host timers in virtual time; delays below 1 ms become 1 ms, as in Node.
const timers = new MapCtor();
let nextTimerId = 1;
function schedule(callback, ms, args, repeat) {
  if (typeof callback !== "function") throw new TypeErrorCtor("The \"callback\" argument must be of type function");
  const id = nextTimerId++;
  const delay = ms >= 1 ? +ms : 1;
  apply(mapSet, timers, [id, true]);
  const fire = () => {
    if (!apply(mapHas, timers, [id])) return;
    if (!repeat) apply(mapDelete, timers, [id]);
    try { apply(callback, undefined, args); } catch (e) { hostLog("ERROR", "Uncaught exception in a timer callback: " + safeString(describeError(e).trace[0] || e)); }
    if (repeat && apply(mapHas, timers, [id])) then(hostTimer(delay), fire);
  };
  then(hostTimer(delay), fire);
  return id;
}
globalThis.setTimeout = (callback, ms, ...args) => schedule(callback, ms, args, false);
globalThis.setInterval = (callback, ms, ...args) => schedule(callback, ms, args, true);
globalThis.clearTimeout = globalThis.clearInterval = (id) => { apply(mapDelete, timers, [id]); };
globalThis.setImmediate = (callback, ...args) => schedule(callback, 0, args, false);
globalThis.queueMicrotask = (callback) => { then(promiseResolve(), () => callback()); };

// ---- calling the simulated services ----
function request(service, operation, args) {
  let text;
  try {
    text = JSONstringify(args);
  } catch (e) {
    return PromiseCtor.reject(new TypeErrorCtor(service + "." + operation + ": arguments must be JSON data (" + safeString(e && e.message) + ")"));
  }
  return then(hostCall(service, operation, text === undefined ? "[]" : text), (replyText) => {
    const reply = JSONparse(replyText);
    if (reply.ok) return reply.value;
    const error = new ErrorCtor(reply.error.message);
    error.name = reply.error.name;
    error.code = reply.error.name;
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

/** Waits in virtual time (the function is billed while it waits). */
export const sleep = (ms) => hostTimer(ms >= 0 ? +ms : 0);

// ---- what the host calls: run one invocation of the learner's handler ----
function invoke(handler, eventText, contextData) {
  const deadline = contextData.deadlineEpochMs;
  const context = {
    awsRequestId: contextData.awsRequestId,
    functionName: contextData.functionName,
    functionVersion: contextData.functionVersion,
    memoryLimitInMB: StringCtor(contextData.memoryLimitInMB),
    invokedFunctionArn: contextData.invokedFunctionArn,
    logGroupName: contextData.logGroupName,
    logStreamName: contextData.logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => { const left = deadline - hostNow(); return left > 0 ? MathFloor(left) : 0; },
  };
  const event = JSONparse(eventText);
  const settle = (value) => {
    let text;
    try {
      text = JSONstringify(value);
    } catch (e) {
      return JSONstringify({ kind: "error", errorType: "Runtime.MarshalError", errorMessage: "Unable to stringify response body: " + safeString(e && e.message), trace: [] });
    }
    return text === undefined ? '{"kind":"success"}' : '{"kind":"success","response":' + JSONstringify(text) + "}";
  };
  const fail = (error) => { const d = describeError(error); d.kind = "error"; return JSONstringify(d); };
  let result;
  try {
    result = handler(event, context);
  } catch (e) {
    return promiseResolve(fail(e));
  }
  return then(promiseResolve(result), settle, fail);
}
hostRegister(invoke);
`;
