/**
 * Which idle execution environment serves the next request (lambda-model.md §1, a SIMPLIFICATION: AWS does not say).
 * The most recently created idle environment of the function does, as in SimFaaS; ties go to the lowest id. A
 * function's idle list is kept in that order of preference with the best last, so taking one is a pop.
 */
import type { Environment } from "./state.ts";

/** Adds a newly idle environment at its place: older creation first; for equal creation times, the higher id first. */
export function insertIdle(idle: Environment[], env: Environment): void {
  let lo = 0;
  let hi = idle.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = idle[mid]!;
    if (m.createdAt < env.createdAt || (m.createdAt === env.createdAt && m.num > env.num)) lo = mid + 1;
    else hi = mid;
  }
  // An insertion by hand: the list is short, and splice costs more than moving a few entries.
  let k = idle.length;
  idle.push(env);
  for (; k > lo; k--) idle[k] = idle[k - 1]!;
  idle[lo] = env;
}

/** The preferred idle environment, taken off the list; undefined when none is idle. */
export function takeIdle(idle: Environment[]): Environment | undefined {
  return idle.pop();
}

/** Takes an environment off the idle list (it is being recycled). */
export function removeIdle(idle: Environment[], env: Environment): void {
  const i = idle.indexOf(env);
  if (i >= 0) idle.splice(i, 1);
}
