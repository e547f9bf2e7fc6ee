/**
 * A binary min-heap whose items know their own position, so that any item can be removed or re-keyed in O(log n)
 * (the queue's in-flight messages by visibility deadline, its messages by send time, its FIFO groups by head). The
 * order and the position slot are given by the caller; `less` must be a strict total order for a stable result.
 */
export class IndexedHeap<T> {
  private readonly items: T[] = [];
  private readonly less: (a: T, b: T) => boolean;
  private readonly setPos: (item: T, pos: number) => void;
  private readonly getPos: (item: T) => number;

  constructor(less: (a: T, b: T) => boolean, getPos: (item: T) => number, setPos: (item: T, pos: number) => void) {
    this.less = less;
    this.getPos = getPos;
    this.setPos = setPos;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    const i = this.getPos(item);
    return i >= 0 && this.items[i] === item;
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` (no-op when it is not in the heap). */
  remove(item: T): void {
    if (!this.has(item)) return;
    const i = this.getPos(item);
    const last = this.items.pop()!;
    this.setPos(item, -1);
    if (last === item) return;
    this.items[i] = last;
    this.setPos(last, i);
    this.fix(last);
  }

  /** Restores the order after `item`'s key changed. */
  fix(item: T): void {
    const i = this.getPos(item);
    if (i > 0 && this.less(item, this.items[(i - 1) >> 1]!)) this.up(i);
    else this.down(i);
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!this.less(item, p)) break;
      items[i] = p;
      this.setPos(p, i);
      i = parent;
    }
    items[i] = item;
    this.setPos(item, i);
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(items[child + 1]!, items[child]!)) child++;
      const c = items[child]!;
      if (!this.less(c, item)) break;
      items[i] = c;
      this.setPos(c, i);
      i = child;
    }
    items[i] = item;
    this.setPos(item, i);
  }
}
