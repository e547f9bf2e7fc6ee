/**
 * Code written to break things: odd thrown values, tampered built-ins, attempts to reach the host, and files that
 * cannot be loaded at all. Each ends as a failure the learner can read (or an "unusable" verdict with a message),
 * without a host exception, and without changing the host or the grade of other code.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gradeExercise } from "../../src/grader/grade.ts";
import { checkSource } from "../../src/grader/preflight.ts";
import { SANDBOX_LIMITS } from "../../src/sandbox/limits.ts";
import { nestingDepth } from "../../src/sandbox/nesting.ts";
import { isBroken, loadQuickJS } from "../../src/sandbox/quickjs.ts";
import { Simulation } from "../../src/runtime/simulation.ts";
import { SandboxCode } from "../../src/sandbox/environment.ts";
import { grade, hostFingerprint, payloadOf, respondsWith, runHandler } from "./harness.ts";

let fingerprint: Record<string, unknown>;
beforeEach(() => {
  fingerprint = hostFingerprint();
});
afterEach(() => {
  expect(hostFingerprint()).toEqual(fingerprint);
});

const CLEAN = `export const handler = async () => ({ ok: true });`;

describe("thrown values that are not errors", () => {
  it.each([
    ["a number", `throw 42;`, { errorType: "number", errorMessage: "42" }],
    ["a string", `throw "boom";`, { errorType: "string", errorMessage: "boom" }],
    ["null", `throw null;`, { errorType: "null", errorMessage: "null" }],
    ["undefined", `throw undefined;`, { errorType: "undefined", errorMessage: "undefined" }],
    ["an object", `throw { code: 7 };`, { errorType: "object", errorMessage: '{"code":7}' }],
    [
      "an object whose name and message getters throw",
      `throw { get name() { throw new Error("n"); }, get message() { throw new Error("m"); } };`,
      { errorType: "object", errorMessage: "[value that cannot be shown]" },
    ],
    [
      "an Error whose name and message getters throw",
      `const e = new Error("x"); Object.defineProperty(e, "name", { get() { throw 1; } }); Object.defineProperty(e, "message", { get() { throw 2; } }); throw e;`,
      { errorType: "Error", errorMessage: "[a thrown value that cannot be described]" },
    ],
  ])("reports %s thrown by the handler as a function error", async (_, body, expected) => {
    for (const mode of ["sync", "async"]) {
      const code = mode === "sync" ? `export const handler = () => { ${body} };` : `export const handler = async () => { ${body} };`;
      const run = await runHandler(code);
      expect(run.records[0]!.outcome).toBe("error");
      expect(run.records[0]!.error).toEqual(expected);
      expect(run.hostMs).toBeLessThan(10_000);
    }
  });

  it.each([
    ["a plain object", `throw { get name() { for (;;) {} }, get message() { for (;;) {} } };`],
    ["an Error", `const e = new TypeError("x"); Object.defineProperty(e, "message", { get() { for (;;) {} } }); throw e;`],
  ])("times out when %s thrown by the handler has getters that loop forever", async (_, body) => {
    const run = await runHandler(`export const handler = async () => { ${body} };`);
    expect(run.records[0]!.outcome).toBe("timeout");
    expect(run.hostMs).toBeLessThan(10_000);
  });

  it("reports a module that throws a non-error at init as an init failure", async () => {
    const run = await runHandler(`throw "no config";\nexport const handler = async () => 1;`);
    expect(run.records[0]).toMatchObject({ outcome: "error", failedIn: "init", error: { errorType: "string", errorMessage: "no config" } });
  });
});

describe("tampering with built-ins", () => {
  const FORGED = JSON.stringify({ kind: "success", response: JSON.stringify({ ok: true }) });
  // Each tampers at module level, then fails for real: the grader must still see the failure.
  const TAMPERING: Array<[string, string, string]> = [
    [
      "Object.prototype (toJSON, kind, response)",
      `Object.prototype.kind = "success"; Object.prototype.response = '{"ok":true}';
       Object.prototype.toJSON = function () { return ${FORGED}; };`,
      `throw new Error("real failure");`,
    ],
    ["Array.prototype.push", `Array.prototype.push = function () { return 0; }; Object.defineProperty(Array.prototype, "0", { set() {}, get() { return ${JSON.stringify(FORGED)}; } });`, `throw new Error("real failure");`],
    ["JSON.stringify", `JSON.stringify = () => ${JSON.stringify(FORGED)}; JSON.parse = () => ({ ok: true });`, `throw new Error("real failure");`],
    ["Promise.prototype.then", `Promise.prototype.then = function (onFulfilled) { onFulfilled && onFulfilled(${JSON.stringify(FORGED)}); return this; };`, `throw new Error("real failure");`],
    [
      "Promise species",
      `class Forger { constructor(executor) { executor(() => {}, () => {}); return Promise.resolve(${JSON.stringify(FORGED)}); } }
       Object.defineProperty(Promise.prototype, "constructor", { value: { [Symbol.species]: Forger } });`,
      `throw new Error("real failure");`,
    ],
    ["Function.prototype.call and apply", `Function.prototype.call = function () { return { ok: true }; }; Function.prototype.apply = Function.prototype.call; Reflect.apply = Function.prototype.call;`, `throw new Error("real failure");`],
    ["globalThis.Date", `globalThis.Date = function () { return { ok: true }; }; Date.now = () => 0;`, `return { ok: Date.now() !== 0 };`],
    ["Error and instanceof", `Object.defineProperty(Error, Symbol.hasInstance, { value: () => { throw new Error("no"); } }); Error.prototype.toString = () => "fine";`, `throw new Error("real failure");`],
    ["String and Symbol.toPrimitive", `String.prototype.split = () => []; String = () => ${JSON.stringify(FORGED)};`, `throw new Error("real failure");`],
    ["Object.prototype.then (every object a thenable)", `Object.prototype.then = function (resolve) { resolve(${JSON.stringify(FORGED)}); };`, `return { ok: false };`],
  ];

  it.each(TAMPERING)("cannot turn a failure into a pass by tampering with %s, and leaves the next grade alone", async (_, tamper, body) => {
    const tampering = await grade(`${tamper}\nexport const handler = async () => { ${body} };`);
    expect(tampering.usable).toBe(true);
    if (!tampering.usable) return;
    expect(tampering.report.passed).toBe(false);
    expect(tampering.hostMs).toBeLessThan(10_000);

    const clean = await grade(CLEAN);
    expect(clean.usable && clean.report.passed).toBe(true);
  });

  it("keeps the tampering inside the environment that did it: another environment of the same function is clean", async () => {
    const code = `
      export const handler = async (event) => {
        if (event.tamper) { Object.prototype.polluted = true; JSON.stringify = () => "tampered"; Array.prototype.push = null; }
        return { polluted: ({}).polluted === true, json: JSON.stringify({ a: 1 }), push: typeof [].push };
      };`;
    const run = await runHandler(code, { invokes: [{ at: 0, event: { tamper: true } }, { at: 0 }] });
    expect(run.records[0]!.envId).not.toBe(run.records[1]!.envId);
    expect(run.results.map(payloadOf)).toEqual([
      { polluted: true, json: "tampered", push: "object" },
      { polluted: false, json: '{"a":1}', push: "function" },
    ]);
  });

  it("reads the context from plain data: setters on Object.prototype cannot change it", async () => {
    const code = `
      Object.defineProperty(Object.prototype, "awsRequestId", { set() {}, get() { return "forged"; }, configurable: true });
      Object.defineProperty(Object.prototype, "deadlineEpochMs", { set() {}, get() { return 0; }, configurable: true });
      export const handler = async (event, context) => ({ id: context.awsRequestId, left: context.getRemainingTimeInMillis() });`;
    const run = await runHandler(code);
    const context = payloadOf(run.results[0]) as { id: string; left: number };
    expect(context.id).toBe(run.records[0]!.requestId);
    expect(context.left).toBeGreaterThan(2_990);
  });
});

describe("reaching for the host", () => {
  it("offers no require, module, fetch or host bridge, and a process of its own that holds only the environment variables, at init or in the handler", async () => {
    const probe = `[typeof require, typeof module, typeof exports, typeof fetch, typeof globalThis.__workbookHost, typeof std, typeof os, Object.keys(process).join(), typeof process.exit, typeof process.versions, JSON.stringify(process.env)]`;
    const run = await runHandler(`const atInit = ${probe};\nexport const handler = async () => ({ atInit, inHandler: ${probe} });`, { function: { environment: { STAGE: "test" } } });
    const all = [...Array(7).fill("undefined"), "env", "undefined", "undefined", '{"STAGE":"test"}'];
    expect(payloadOf(run.results[0])).toEqual({ atInit: all, inHandler: all });
  });

  it("refuses dynamic import of a Node module with a message, and serves workbook:aws", async () => {
    const code = `
      export const handler = async () => {
        let fs;
        try { await import("fs"); fs = "imported"; } catch (error) { fs = String(error); }
        const aws = await import("workbook:aws");
        return { fs, aws: Object.keys(aws).sort() };
      };`;
    const run = await runHandler(code);
    expect(payloadOf(run.results[0])).toEqual({
      fs: `Error: Cannot find module 'fs': handlers can import only "workbook:aws" and "workbook:idempotency"`,
      aws: ["bucket", "bus", "downstream", "lambda", "payments", "queue", "sleep", "stateMachine", "table", "tmp", "topic"],
    });
  });

  it("gives new Function('return this') and indirect eval the sandbox's own global, nothing of the host", async () => {
    const code = `
      export const handler = async () => {
        const viaFunction = new Function("return this")();
        const viaEval = (0, eval)("this");
        const viaConstructor = (() => {}).constructor("return this")();
        let process;
        try { process = viaFunction.constructor.constructor("return process")(); } catch (error) { process = String(error); }
        return {
          same: viaFunction === globalThis && viaEval === globalThis && viaConstructor === globalThis,
          process: String(process),
          keys: Object.getOwnPropertyNames(viaFunction).filter((k) => /host|process|require/i.test(k)),
        };
      };`;
    const run = await runHandler(code);
    // The only process there is the sandbox's own (environment variables, nothing else).
    expect(payloadOf(run.results[0])).toEqual({ same: true, process: "[object Object]", keys: ["process"] });
  });

  it("deletes the host bridge before learner code runs: defining one does nothing", async () => {
    const code = `
      globalThis.__workbookHost = { call: () => "forged", log: () => {} };
      import { payments } from "workbook:aws";
      export const handler = async () => {
        const charge = await payments.charge({ orderId: "o-1", amountCents: 100 });
        return charge.chargeId;
      };`;
    const run = await runHandler(code);
    expect(payloadOf(run.results[0])).toBe("ch_1");
    expect(run.services.payments.charges).toHaveLength(1);
  });

  it("refuses eval and new Function on text nested too deeply for the parser, as a catchable SyntaxError", async () => {
    const deep = "(".repeat(2_000) + "1" + ")".repeat(2_000);
    const code = `
      const deep = ${JSON.stringify(deep)};
      export const handler = async () => {
        const results = [];
        for (const compile of [(t) => eval(t), (t) => new Function("return " + t), (t) => (async () => {}).constructor(t), (t) => (function* () {}).constructor(t)]) {
          try { compile(deep); results.push("compiled"); } catch (error) { results.push(error.name); }
        }
        return { results, shallow: eval("(((1 + 2)))"), fn: new Function("a", "b", "return a + b")(2, 3) };
      };`;
    const run = await runHandler(code);
    expect(payloadOf(run.results[0])).toEqual({ results: ["SyntaxError", "SyntaxError", "SyntaxError", "SyntaxError"], shallow: 3, fn: 5 });
    expect(run.hostMs).toBeLessThan(10_000);
  });
});

describe("code that cannot be loaded", () => {
  const exercise = respondsWith({ ok: true });

  async function unusable(source: string) {
    const quickjs = await loadQuickJS();
    const started = performance.now();
    const direct = checkSource(quickjs, source, "handler.js", exercise.definition);
    const graded = await gradeExercise(quickjs, exercise, source);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(graded.usable).toBe(false);
    if (graded.usable) return null;
    expect(graded.problem).toEqual(direct);
    return direct;
  }

  it("refuses a syntax error, naming the line", async () => {
    expect(await unusable(`export const handler = async (event) => {\n  return { ok: true ;\n};`)).toMatchInlineSnapshot(`
      {
        "kind": "syntax",
        "message": "handler.js is not valid JavaScript: SyntaxError: expecting '}' (line 2, column 21)",
      }
    `);
  });

  it("refuses a module without a handler export", async () => {
    expect(await unusable(`export const handle = async () => ({ ok: true });`)).toMatchInlineSnapshot(`
      {
        "kind": "no-handler",
        "message": "handler.js does not export a function named "handler" (handler.handler is undefined or not exported). Write: export async function handler(event, context) { … }",
      }
    `);
  });

  it("refuses a handler that is not a function", async () => {
    expect(await unusable(`export const handler = 42;`)).toMatchInlineSnapshot(`
      {
        "kind": "no-handler",
        "message": "handler.js does not export a function named "handler" (handler.handler is a number, not a function). Write: export async function handler(event, context) { … }",
      }
    `);
  });

  it.each([
    ["exports.handler", `exports.handler = async () => ({ ok: true });`],
    ["module.exports", `module.exports = { handler: async () => ({ ok: true }) };`],
    ["require", `const aws = require("aws-sdk");\nexport const handler = async () => ({ ok: true });`],
  ])("refuses CommonJS style (%s), saying how to write an ES module", async (_, source) => {
    const problem = await unusable(source);
    expect(problem?.kind).toBe("commonjs");
    expect(problem?.message).toMatch(/^handler\.js looks like a CommonJS module \('?(exports|module|require)'? is not defined\)\. The workbook runs handlers as ES modules/);
  });

  it.each([
    ["an empty file", ""],
    ["whitespace", "  \n\t\n"],
    ["only comments", "// TODO: write the handler\n/* nothing here yet */\n"],
  ])("refuses %s as empty", async (_, source) => {
    expect(await unusable(source)).toEqual({
      kind: "empty",
      message: "handler.js has no code. Write an ES module that exports a handler: export async function handler(event, context) { … }",
    });
  });

  it("refuses binary content", async () => {
    expect(await unusable("\u0000asm\u0001\u0000\u0000\u0000export const handler = 1;")).toMatchInlineSnapshot(`
      {
        "kind": "not-text",
        "message": "handler.js is not a text file (it contains NUL bytes). Give the grader the JavaScript source of your handler.",
      }
    `);
  });

  it("refuses a static import of a module the workbook does not provide", async () => {
    expect(await unusable(`import fs from "fs";\nexport const handler = async () => ({ ok: fs !== undefined });`)).toMatchInlineSnapshot(`
      {
        "kind": "syntax",
        "message": "handler.js imports "fs", which the workbook does not provide. Handlers can import only "workbook:aws" and "workbook:idempotency".",
      }
    `);
  });

  it("refuses source nested too deeply for the parser, before compiling it", async () => {
    const source = `export const handler = async () => (${"[".repeat(5_000)}${"]".repeat(5_000)}, { ok: true });`;
    expect(await unusable(source)).toMatchInlineSnapshot(`
      {
        "kind": "too-large",
        "message": "handler.js nests brackets more than 128 levels deep, which the workbook's sandbox cannot compile safely (a workbook limit, not a Lambda one). Flatten the deepest expression.",
      }
    `);
  });

  it("refuses source longer than the workbook accepts", async () => {
    const source = `export const handler = async () => ({ ok: true });\n// ${"x".repeat(SANDBOX_LIMITS.sourceChars)}`;
    expect((await unusable(source))?.kind).toBe("too-large");
  });

  it("never mistakes a valid module for a syntax error, whatever its file name and length", async () => {
    // quickjs-emscripten's compile-only mode misreports some valid modules depending on where they land in memory.
    const quickjs = await loadQuickJS();
    const problems = new Set<string>();
    for (let n = 0; n < 200; n++) {
      const filename = `${"nohandler".slice(0, 1 + (n % 9))}${n}.js`;
      const source = `export const handle = () => 1;\n${"//".padEnd(n, "x")}\n`;
      problems.add(checkSource(quickjs, source, filename, exercise.definition)?.kind ?? "usable");
    }
    expect([...problems]).toEqual(["no-handler"]);
  });

  it("accepts deep brackets inside strings, comments, templates and regular expressions", async () => {
    const deep = "(".repeat(1_000);
    const source = [
      `const s = ${JSON.stringify(deep)};`,
      `// ${deep}`,
      `/* ${"{".repeat(1_000)} */`,
      "const t = `" + "[".repeat(1_000) + "`;",
      `const r = /${"\\(".repeat(1_000)}/;`,
      `export const handler = async () => ({ ok: s.length + t.length === 2000 && r.test("(".repeat(1000)) });`,
    ].join("\n");
    const result = await grade(source);
    expect(result.usable && result.report.passed).toBe(true);
  });
});

describe("the nesting scanner", () => {
  it.each([
    ["f(a, [b, { c }])", 3],
    ["`a ${ `b ${ c } d` } e`", 2],
    ["const r = /[(]/; (x)", 1],
    ["a / (b / c)", 1],
    ["return /((a))/.test(x)", 1],
    ["typeof /[[[/", 0],
    ["'(' + \"[\" + `{`", 0],
    ["x = {a: {b: {c: [1]}}}", 4],
  ])("measures %s as %i deep", (source, depth) => {
    expect(nestingDepth(source)).toBe(depth);
  });
});

describe("the host's own stack", () => {
  /** Calls `fn` with `n` host frames below it. */
  function descend(n: number, fn: () => void): number {
    if (n > 0) return descend(n - 1, fn) + 1;
    fn();
    return 0;
  }

  it("survives the host engine's stack overflowing inside QuickJS: the invocation fails, the module is replaced", async () => {
    // JSON.stringify of deep data uses much of the host's stack per level before QuickJS's own check stops it.
    const code = `export const handler = async () => { let a = []; for (let i = 0; i < 100000; i++) a = [a]; try { JSON.stringify(a); } catch (e) { return String(e); } };`;
    let start = 0;
    for (let n = 1_000; ; n += 1_000) {
      try {
        descend(n, () => {});
        start = n;
      } catch {
        break;
      }
    }
    // Run the simulation with less and less of the host's stack left, until the overflow happens inside QuickJS.
    // (Deeper than that, the host's own code runs out of stack before QuickJS starts: nothing a sandbox can do.)
    let fault: { message: string | undefined; broken: boolean } | null = null;
    for (let depth = start + 1_000; depth > 0 && !fault; depth -= 10) {
      const quickjs = await loadQuickJS();
      const sim = new Simulation({});
      sim.deploy({ name: "fn", memoryMB: 1024 }, new SandboxCode(quickjs, { code, filename: "handler.js" }, sim.model));
      sim.invoke("fn", "sync", {});
      try {
        descend(depth, () => sim.run());
      } catch {
        continue; // The host's own code overflowed, outside QuickJS.
      }
      sim.shutdown();
      const record = sim.trace[0]!;
      if (record.outcome === "success") break; // Enough stack from here on.
      fault = { message: record.error?.errorMessage, broken: isBroken(quickjs) };
    }
    expect(fault).not.toBeNull();
    expect(fault!.message).toBe(
      "The sandbox stopped unexpectedly: the code nested or recursed deeper than the workbook's sandbox can follow (RangeError: Maximum call stack size exceeded; a workbook limit)",
    );
    expect(fault!.broken).toBe(true);
    // The next load is a fresh module, and it grades normally.
    const next = await grade(CLEAN);
    expect(next.usable && next.report.passed).toBe(true);
  });
});
