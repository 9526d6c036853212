/** A small seeded generator (mulberry32): the same seed gives the same kill points and choices. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of this run: RELIABILITY_SEED when given, otherwise a fresh one (printed by the tests). */
export function runSeed(): number {
  const given = process.env.RELIABILITY_SEED;
  return given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
}
