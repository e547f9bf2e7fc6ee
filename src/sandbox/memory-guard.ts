/**
 * A guard on the WebAssembly memory of a QuickJS module. In the WebAssembly build QuickJS cannot see the size of its
 * allocations (its memory limit counts 8 bytes per allocation, whatever the size), and its heap estimate misses strings
 * held in Maps, ropes and local variables. So the one real figure is the module's linear memory, which grows only
 * through `memory.grow`: the guard refuses growth beyond what the running environment may use, and tells that
 * environment, which then ends as out-of-memory even if learner code catches QuickJS's error.
 *
 * All environments of a module share its memory, but only one runs at a time, so growth during a run is that run's.
 */
import { SANDBOX_LIMITS } from "./limits.ts";

const PAGE = 65_536;

export interface GuardedRun {
  /** Bytes the memory may grow by during this run. */
  allowanceBytes: number;
  /** Called when growth was refused. */
  refused: () => void;
}

export class MemoryGuard {
  private readonly memory: WebAssembly.Memory;
  private active: { run: GuardedRun; startBytes: number } | null = null;

  private constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
  }

  /** The guard of `memory`, installed on first use. */
  static for(memory: WebAssembly.Memory): MemoryGuard {
    let guard = guards.get(memory);
    if (!guard) {
      guard = new MemoryGuard(memory);
      guard.install();
      guards.set(memory, guard);
    }
    return guard;
  }

  /** Runs `body` with growth limited to `run.allowanceBytes`; runs do not nest. */
  within<T>(run: GuardedRun, body: () => T): T {
    const outer = this.active;
    this.active = { run, startBytes: this.memory.buffer.byteLength };
    try {
      return body();
    } finally {
      this.active = outer;
    }
  }

  private install(): void {
    const memory = this.memory;
    const grow = memory.grow.bind(memory);
    // Emscripten's heap resize calls `memory.grow` inside a try/catch: a refusal makes malloc return NULL, which
    // QuickJS turns into its "out of memory" error.
    Object.defineProperty(memory, "grow", {
      configurable: true,
      value: (deltaPages: number): number => {
        const after = memory.buffer.byteLength + deltaPages * PAGE;
        const active = this.active;
        // Emscripten asks for 5–20% more than it needs; that headroom is allowed on top of the run's allowance.
        const allowed = active ? active.startBytes + active.run.allowanceBytes + active.startBytes / 4 : Infinity;
        if (after > SANDBOX_LIMITS.wasmMemoryCeilingBytes || after > allowed) {
          active?.run.refused();
          throw new RangeError("the workbook sandbox refused to grow its WebAssembly memory");
        }
        return grow(deltaPages);
      },
    });
  }
}

const guards = new WeakMap<WebAssembly.Memory, MemoryGuard>();
