/** Loads the QuickJS WebAssembly module once per process or worker (the release-sync build: no asyncify needed). */
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant, type QuickJSWASMModule } from "quickjs-emscripten-core";
import variantModule from "@jitl/quickjs-wasmfile-release-sync";

// The package's types describe its CommonJS entry, so under NodeNext the default import is typed as the namespace.
const variant = variantModule as unknown as QuickJSSyncVariant;

let loading: Promise<QuickJSWASMModule> | null = null;

export function loadQuickJS(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(variant);
  return loading;
}

/** Forgets the loaded module, so that the next load starts a fresh one (after a WebAssembly-level failure). */
export function discardQuickJS(): void {
  loading = null;
}

/**
 * Modules whose WebAssembly state can no longer be trusted: a host exception (the host engine's own stack overflow,
 * an abort) unwound through QuickJS's C code mid-operation. Nothing may call into them again — not even to free a
 * runtime, which would abort on the half-built objects — so their runtimes are left to the garbage collector with
 * the module itself, and the next `loadQuickJS` starts a fresh one.
 */
const broken = new WeakSet<WebAssembly.Memory>();

export function markBroken(quickjs: QuickJSWASMModule): void {
  broken.add(quickjs.getWasmMemory());
  discardQuickJS();
}

export function isBroken(quickjs: QuickJSWASMModule): boolean {
  return broken.has(quickjs.getWasmMemory());
}
