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
