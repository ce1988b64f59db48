/**
 * Seeded splits, so that the same data, options and seed give the same version file and the same figures.
 * Every split is stratified: each part keeps the bad rate of the whole, which matters when bads are 4 % of rows.
 */

/** mulberry32: a small, fast 32-bit PRNG; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normalFrom(random: () => number): () => number {
  return () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** Fisher–Yates, in place. */
export function shuffle(items: Uint32Array, random: () => number): Uint32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

export interface TSplit {
  /** Row indices, ascending. */
  train: Uint32Array;
  test: Uint32Array;
}

/** Row indices of each class, shuffled. */
function shuffledClasses(bad: Uint8Array, random: () => number): [Uint32Array, Uint32Array] {
  const bads: number[] = [];
  const goods: number[] = [];
  for (let i = 0; i < bad.length; i++) (bad[i] ? bads : goods).push(i);
  return [shuffle(Uint32Array.from(bads), random), shuffle(Uint32Array.from(goods), random)];
}

const ascending = (values: number[]) => Uint32Array.from(values).sort();

/** A stratified holdout: `testShare` of the bads and of the goods (rounded) go to the test part. */
export function stratifiedHoldout(bad: Uint8Array, testShare: number, seed: number): TSplit {
  const random = seededRandom(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const members of shuffledClasses(bad, random)) {
    const cut = Math.round(members.length * testShare);
    members.forEach((row, k) => (k < cut ? test : train).push(row));
  }
  return { train: ascending(train), test: ascending(test) };
}

/**
 * Repeated stratified k-fold: each repeat shuffles each class anew and deals its rows round-robin into `folds`
 * folds, so every fold has the bad rate of the whole (within one row). Answers folds × repeats splits.
 */
export function repeatedStratifiedKFold(bad: Uint8Array, folds: number, repeats: number, seed: number): TSplit[] {
  if (!Number.isInteger(folds) || folds < 2) throw new RangeError('folds must be an integer ≥ 2');
  const random = seededRandom(seed);
  const splits: TSplit[] = [];
  for (let r = 0; r < repeats; r++) {
    const fold = new Uint8Array(bad.length);
    // Continue the deal across classes so that fold sizes stay within one row of each other.
    let dealt = 0;
    for (const members of shuffledClasses(bad, random)) for (const row of members) fold[row] = dealt++ % folds;
    for (let f = 0; f < folds; f++) {
      const train: number[] = [];
      const test: number[] = [];
      for (let i = 0; i < bad.length; i++) (fold[i] === f ? test : train).push(i);
      splits.push({ train: Uint32Array.from(train), test: Uint32Array.from(test) });
    }
  }
  return splits;
}
