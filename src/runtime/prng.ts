/**
 * Seeded pseudo-random numbers (sfc32). Every random choice in the simulator comes from here, so the same seed gives
 * the same run in Node and in a browser. `Math.random` is never used by the engine.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    // Spread the seed over 128 bits of state with a string hash (xmur3), then warm the generator up.
    const text = String(seed);
    let h = 1779033703 ^ text.length;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    const next = () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      return (h ^= h >>> 16) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A derived generator, so that one consumer's draws never shift another's. */
  fork(label: string): Prng {
    return new Prng(`${this.nextUint32()}:${label}`);
  }

  /** A UUID v4-shaped id (Lambda request ids look like this). */
  uuid(): string {
    const a = this.nextUint32();
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    return uuidOf(a, b, c, d);
  }
}

/**
 * The UUID v4-shaped text of four draws. The simulator draws a request id's four numbers when the request arrives
 * (so the generator's sequence never depends on what is recorded) and builds the text only when something reads it.
 */
export function uuidOf(a: number, b: number, c: number, d: number): string {
  const H = HEX;
  // Version nibble 4, variant bits 10xx: the format of a v4 UUID.
  return (
    H[a >>> 24]! + H[(a >>> 16) & 255]! + H[(a >>> 8) & 255]! + H[a & 255]! + "-" +
    H[b >>> 24]! + H[(b >>> 16) & 255]! + "-4" + NIB[(b >>> 8) & 15]! + H[b & 255]! + "-" +
    NIB[((c >>> 28) & 3) | 8]! + NIB[(c >>> 24) & 15]! + H[(c >>> 16) & 255]! + "-" +
    H[(c >>> 8) & 255]! + H[c & 255]! + H[d >>> 24]! + H[(d >>> 16) & 255]! + H[(d >>> 8) & 255]! + H[d & 255]!
  );
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const NIB = "0123456789abcdef";
