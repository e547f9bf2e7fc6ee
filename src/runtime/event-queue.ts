/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion order). Events scheduled for the same
 * virtual instant run in the order they were scheduled, which keeps every run reproducible.
 *
 * The heap is kept as three parallel arrays (times, insertion numbers, callbacks) rather than one object per event:
 * scheduling allocates nothing but the callback. Insertion numbers are unique, so (time, number) is a total order and
 * the order events come out in does not depend on how the heap is laid out.
 */
export class EventQueue {
  private times: number[] = [];
  private seqs: number[] = [];
  private runs: Array<() => void> = [];
  private counter = 0;
  /** The time of the event `take` removed last. */
  takenTime = 0;

  get size(): number {
    return this.times.length;
  }

  /** Schedules `run` at `time`, after every event already scheduled for that time. */
  schedule(time: number, run: () => void): void {
    this.scheduleWithSeq(time, this.counter++, run);
  }

  /**
   * Takes the next insertion number without scheduling anything, for an event that may be scheduled later with
   * `scheduleWithSeq`: it then runs exactly where an event scheduled now would have run.
   */
  reserveSeq(): number {
    return this.counter++;
  }

  /** Schedules an event with a number from `reserveSeq` (not one already used by a pending event). */
  scheduleWithSeq(time: number, seq: number, run: () => void): void {
    const times = this.times;
    const seqs = this.seqs;
    const runs = this.runs;
    let i = times.length;
    times.push(time);
    seqs.push(seq);
    runs.push(run);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && seqs[parent]! < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      runs[i] = runs[parent]!;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    runs[i] = run;
  }

  peekTime(): number {
    return this.times.length > 0 ? this.times[0]! : Infinity;
  }

  /** Removes the next event (the queue must not be empty) and returns its callback; its time is then `takenTime`. */
  take(): () => void {
    const times = this.times;
    const seqs = this.seqs;
    const runs = this.runs;
    const topRun = runs[0]!;
    this.takenTime = times[0]!;
    const lastTime = times.pop()!;
    const lastSeq = seqs.pop()!;
    const lastRun = runs.pop()!;
    const n = times.length;
    if (n === 0) return topRun;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let ct = times[l]!;
      let cs = seqs[l]!;
      const r = l + 1;
      if (r < n) {
        const rt = times[r]!;
        const rs = seqs[r]!;
        if (rt < ct || (rt === ct && rs < cs)) {
          c = r;
          ct = rt;
          cs = rs;
        }
      }
      if (lastTime < ct || (lastTime === ct && lastSeq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      runs[i] = runs[c]!;
      i = c;
    }
    times[i] = lastTime;
    seqs[i] = lastSeq;
    runs[i] = lastRun;
    return topRun;
  }
}
