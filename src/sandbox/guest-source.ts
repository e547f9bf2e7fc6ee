/**
 * JavaScript that runs INSIDE QuickJS, as the module `workbook:aws`. It is evaluated before any learner code, takes
 * the host functions from a temporary global (and deletes it), captures the built-ins it relies on, installs the
 * Node-like globals a handler expects (console, timers, a virtual-time Date, a seeded Math.random and
 * crypto.randomUUID), and exports the simulated services. Learner code that later tampers with built-ins can only
 * change its own behaviour: the helpers below keep their own references, and what the host reads back (an
 * invocation's outcome) is JSON text assembled from strings only, so no `toJSON`, setter or species hook of learner
 * code can shape it.
 *
 * Host functions (see host-api.ts): call(service, operation, argsJson) -> Promise<replyJson>,
 * timer(ms) -> Promise<void>, log(level, text), now() -> epoch ms, register(invoke),
 * compileCheck(text) -> null | a sentence saying why the text is not compiled.
 */
export const HOST_GLOBAL = "__workbookHost";

export const WORKBOOK_AWS_SOURCE = String.raw`
const host = globalThis.${HOST_GLOBAL};
delete globalThis.${HOST_GLOBAL};
const hostCall = host.call, hostTimer = host.timer, hostLog = host.log, hostNow = host.now, hostRegister = host.register;
const hostCompileCheck = host.compileCheck;
const seed = host.seed;

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

// ---- describing values and errors without trusting them ----
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
/** A thrown value as the JSON text of an error outcome: {"kind":"error","errorType","errorMessage","trace"}. */
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
      // Not an Error object: the workbook reports its JavaScript type and its text.
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
VirtualDate.now = () => MathFloor(hostNow());
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

// Code compiled at run time (eval, new Function and its async and generator kinds) is checked like the handler file:
// the host refuses text nested too deeply for QuickJS's parser. eval becomes an indirect (global) eval.
const refuseUncompilable = (text) => {
  const problem = hostCompileCheck(text);
  if (problem !== null) throw new SyntaxErrorCtor(problem);
};
const realEval = globalThis.eval;
const guardedEval = (x) => { if (typeof x === "string") refuseUncompilable(x); return realEval(x); };
ObjectDefineProperty(guardedEval, "name", { value: "eval", configurable: true });
ObjectDefineProperty(globalThis, "eval", { value: guardedEval, writable: true, configurable: true });
const guardConstructor = (Real) => {
  const Guarded = function (...args) {
    const texts = [];
    let all = "";
    for (let i = 0; i < args.length; i++) {
      const text = StringCtor(args[i]);
      ObjectDefineProperty(texts, i, { value: text, writable: true, enumerable: true, configurable: true });
      all += text + "\n";
    }
    refuseUncompilable(all);
    return construct(Real, texts, new.target === undefined ? Real : new.target);
  };
  ObjectDefineProperty(Guarded, "name", { value: Real.name, configurable: true });
  Guarded.prototype = Real.prototype;
  ObjectDefineProperty(Real.prototype, "constructor", { value: Guarded, writable: true, configurable: true });
  return Guarded;
};
ObjectDefineProperty(globalThis, "Function", { value: guardConstructor(Function), writable: true, configurable: true });
guardConstructor(ObjectGetPrototypeOf(async function () {}).constructor);
guardConstructor(ObjectGetPrototypeOf(function* () {}).constructor);
guardConstructor(ObjectGetPrototypeOf(async function* () {}).constructor);

// Timers: host timers in virtual time; delays below 1 ms become 1 ms, as in Node. The pending ones live in a Map;
// the callback that fires one holds only its id, so that no closure refers to itself (QuickJS frees such cycles only
// when its cycle collector runs, and until then they would count as memory in use).
const timers = new MapCtor();
let nextTimerId = 1;
const mapGet = Map.prototype.get;
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
  return then(hostCall(service, operation, typeof text === "string" ? text : "[]"), (replyText) => {
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
// Returns a promise of the outcome's JSON text. The promise is this module's own, settled only by the callbacks
// below: a learner's species constructor or replaced then() can intercept derived promises, never this one.
function invoke(handler, eventText, contextText) {
  const contextData = JSONparse(contextText);
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
      return '{"kind":"error","errorType":"Runtime.MarshalError","errorMessage":' + quote("Unable to stringify response body: " + safeString(e && e.message)) + ',"trace":[]}';
    }
    return typeof text === "string" ? '{"kind":"success","response":' + quote(text) + "}" : '{"kind":"success"}';
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
`;
