/**
 * Decides whether learner code can be graded at all: it must be text, non-empty, valid JavaScript, an ES module
 * that loads, and export a `handler` function. Anything else is "unusable input" (the CLI's exit 2) with a message
 * that says what to change. Code that loads but misbehaves is graded normally and fails its checks.
 */
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import { Simulation } from "../runtime/simulation.ts";
import { SandboxCode } from "../sandbox/environment.ts";
import { IMPORTABLE, MODULE_NAME } from "../sandbox/host-api.ts";
import { SANDBOX_LIMITS } from "../sandbox/limits.ts";
import { nestingProblem } from "../sandbox/nesting.ts";
import { markBroken } from "../sandbox/quickjs.ts";
import { ServiceHub } from "../services/hub.ts";
import type { UnusableCode } from "./report.ts";
import type { Exercise } from "./schema.ts";

const HANDLER_SHAPE = "export async function handler(event, context) { … }";

export function checkSource(quickjs: QuickJSWASMModule, source: string, filename: string, def: Exercise): UnusableCode | null {
  if (source.includes("\u0000")) return { kind: "not-text", message: `${filename} is not a text file (it contains NUL bytes). Give the grader the JavaScript source of your handler.` };
  if (source.length > SANDBOX_LIMITS.sourceChars) {
    return { kind: "too-large", message: `${filename} has ${source.length.toLocaleString("en-US")} characters; the workbook accepts at most ${SANDBOX_LIMITS.sourceChars.toLocaleString("en-US")}.` };
  }
  if (stripComments(source).trim() === "") return { kind: "empty", message: `${filename} has no code. Write an ES module that exports a handler: ${HANDLER_SHAPE}` };

  // Before compiling: QuickJS's parser would overflow the host's stack on text nested this deeply.
  const nesting = nestingProblem(source, SANDBOX_LIMITS.maxNesting, filename);
  if (nesting) return { kind: "too-large", message: nesting };

  const syntax = compileError(quickjs, source, filename);
  if (syntax) return { kind: "syntax", message: `${filename} is not valid JavaScript: ${syntax}` };

  // Load it once in a throwaway world to see whether it exports a handler function.
  const sim = new Simulation({ seed: 0, services: new ServiceHub(), model: def.model });
  const config = sim.deploy(def.function, new SandboxCode(quickjs, { code: source, filename }, sim.model));
  sim.invoke(config.name, "sync", {});
  sim.run({ until: 60_000, maxEvents: 10_000 });
  sim.shutdown();
  const first = sim.trace.find((r) => r.envId !== null);
  if (!first || first.failedIn !== "init" || !first.error) return null;
  const { errorType, errorMessage } = first.error;
  if (errorType === "Runtime.HandlerNotFound") {
    return { kind: "no-handler", message: `${filename} does not export a function named "handler" (${errorMessage}). Write: ${HANDLER_SHAPE}` };
  }
  if (errorType === "ReferenceError" && /^'?(module|exports|require)'? is not defined$/.test(errorMessage)) {
    return {
      kind: "commonjs",
      message: `${filename} looks like a CommonJS module (${errorMessage}). The workbook runs handlers as ES modules: replace module.exports / exports.handler with ${HANDLER_SHAPE}, and require(...) with import ... from "${MODULE_NAME}".`,
    };
  }
  const missing = /^Cannot find module '([^']*)'/.exec(errorMessage) ?? /could not load module '([^']*)'/.exec(errorMessage);
  if (missing) {
    return { kind: "syntax", message: `${filename} imports "${missing[1]}", which the workbook does not provide. Handlers can import only ${IMPORTABLE}.` };
  }
  return null;
}

function compileError(quickjs: QuickJSWASMModule, source: string, filename: string): string | null {
  const rt = quickjs.newRuntime();
  rt.setMemoryLimit(64 * 1024 * 1024);
  rt.setMaxStackSize(SANDBOX_LIMITS.maxStackBytes);
  const started = performance.now();
  rt.setInterruptHandler(() => performance.now() - started > 2_000);
  // Imports are not resolved here: any module name compiles, loading is checked separately.
  rt.setModuleLoader(() => "export {};");
  const ctx = rt.newContext();
  let fault = false;
  try {
    const result = ctx.evalCode(source, filename, { type: "module", compileOnly: true });
    if (!result.error) {
      result.value.dispose();
      return null;
    }
    // quickjs-emscripten 0.32 sometimes reports a module that compiled as an "error" whose value is undefined (it
    // depends on where the compiled module lands in memory, so on the file name's length among other things). A
    // real compile error is always an Error object; anything else means the module compiled.
    if (ctx.typeof(result.error) !== "object") {
      result.error.dispose();
      return null;
    }
    const error = ctx.dump(result.error) as { name?: string; message?: string; stack?: string; lineNumber?: number } | string;
    result.error.dispose();
    if (typeof error !== "object" || error === null) return String(error);
    const where = /:(\d+):(\d+)/.exec(error.stack ?? "");
    const location = where ? ` (line ${where[1]}, column ${where[2]})` : error.lineNumber ? ` (line ${error.lineNumber})` : "";
    return `${error.name ?? "SyntaxError"}: ${error.message ?? ""}${location}`;
  } catch (error) {
    // A host exception out of QuickJS (its parser overflowing the host's stack): the module cannot be trusted again.
    fault = true;
    markBroken(quickjs);
    return `the workbook's sandbox could not compile it (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    if (!fault) {
      ctx.dispose();
      rt.dispose();
    }
  }
}

/** Removes comments so that a file of comments only counts as empty (strings are left alone: good enough here). */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}
