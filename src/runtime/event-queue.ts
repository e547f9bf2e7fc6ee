/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion order). Events scheduled for the same
 * virtual instant run in the order they were scheduled, which keeps every run reproducible.
 */
export interface ScheduledEvent {
  time: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: ScheduledEvent[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, run: () => void): ScheduledEvent {
    return this.pushWithSeq(time, this.counter++, run);
  }

  /**
   * Takes the next insertion number without scheduling anything, for an event that may be scheduled later with
   * `pushWithSeq`: it then runs exactly where an event pushed now would have run.
   */
  reserveSeq(): number {
    return this.counter++;
  }

  /** Schedules an event with a number from `reserveSeq` (not one already used by a pending event). */
  pushWithSeq(time: number, seq: number, run: () => void): ScheduledEvent {
    const event: ScheduledEvent = { time, seq, run };
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (p.time < time || (p.time === time && p.seq < seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0]!.time : Infinity;
  }

  pop(): ScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l]!;
      if (r < n) {
        const right = heap[r]!;
        if (right.time < child.time || (right.time === child.time && right.seq < child.seq)) {
          c = r;
          child = right;
        }
      }
      if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break;
      heap[i] = child;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}
