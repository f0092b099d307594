/**
 * A small seeded PRNG (sfc32, seeded through splitmix32). Written here rather than taken
 * from a library because the generated stream is a contract for other packages' tests:
 * the same seed must give the same numbers forever, on every Node version.
 */
export type Random = () => number;

/** splitmix32: spreads one 32-bit seed over the four words sfc32 needs. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Uniform floats in [0, 1), fully determined by `seed` (taken modulo 2^32). */
export function createRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next: Random = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // sfc32 recommends discarding the first outputs so nearby seeds diverge.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** FNV-1a over a string: a stable 32-bit hash for deriving seeds and tags from names. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
