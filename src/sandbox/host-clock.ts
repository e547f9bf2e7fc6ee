/**
 * The clock of the sandbox's real-time backstop. In Node it reads the CPU time of this thread, so a busy machine
 * (parallel test files, other processes) never makes learner code look slower than it is and the backstop trips only
 * for code that really spends that long; a browser has no CPU clock, so there it is wall time.
 */
type CpuUsage = () => { user: number; system: number };

const proc = (globalThis as { process?: { threadCpuUsage?: CpuUsage; cpuUsage?: CpuUsage } }).process;
const cpuUsage: CpuUsage | undefined = proc?.threadCpuUsage?.bind(proc) ?? proc?.cpuUsage?.bind(proc);

/** Milliseconds of host time, from an arbitrary origin: compare two readings. */
export const hostMs: () => number = cpuUsage
  ? () => {
      const u = cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();
