/**
 * Stratified train/validation/test split by candidate id, reproducible from a seed, so a model
 * version can say exactly which candidates it learnt from and which it was judged on.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../../../util/prng';

export type BinaryLabel = 0 | 1;

export interface LabelledId {
  id: string;
  label: BinaryLabel;
}

export interface Split {
  train: LabelledId[];
  validation: LabelledId[];
  test: LabelledId[];
}

/** The seeded uniform generator of util/prng, re-exported for the training code that reads it here. */
export { seededRandom };

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function stratifiedSplit(
  items: readonly LabelledId[],
  fractions: { validation: number; test: number },
  seed: number,
): Split {
  const random = seededRandom(seed);
  const out: Split = { train: [], validation: [], test: [] };
  for (const label of [0, 1] as const) {
    // Sort first so the split depends on the set of ids, not on the order they were given in.
    const group = shuffleInPlace(
      items.filter((x) => x.label === label).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      random,
    );
    const nTest = Math.round(group.length * fractions.test);
    const nVal = Math.round(group.length * fractions.validation);
    out.test.push(...group.slice(0, nTest));
    out.validation.push(...group.slice(nTest, nTest + nVal));
    out.train.push(...group.slice(nTest + nVal));
  }
  return out;
}

/** A fingerprint of a label set: same ids with same labels -> same hash, whatever the order. */
export function labelFingerprint(items: readonly LabelledId[]): string {
  const lines = items.map((x) => `${x.id}\t${x.label}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}
