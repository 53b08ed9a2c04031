/**
 * The desk's retrain guards a fine-tune from about 50 labels up: the job holds out 20% of the
 * astronomer's labels as the test set (engineJobs.ts), and the split gives the policy's validation
 * share of the rest to the guard, which needs MIN_GUARD_LABELS of both classes. Before, 15% of the
 * rest was validation and 20 labels were needed: a retrain on 50 or 115 labels was never judged
 * against its parent, while the cold-start curve (run with its own guard) said "never lower".
 */
import { describe, expect, it } from 'vitest';
import { fineTunePolicy } from '../../../src/main/worker/model/training/fineTune';
import { MIN_GUARD_LABELS, rankedBetter } from '../../../src/main/worker/model/training/retrainLoop';
import { makeSplit } from '../../../src/main/worker/model/training/train';
import { stratifiedSplit, type LabelledId } from '../../../src/main/worker/model/training/split';

function labels(n: number, realShare: number): LabelledId[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cand-${i}`,
    label: i < Math.round(n * realShare) ? 1 : 0,
  }));
}

/** The split a fine-tune on `n` labels gets at the desk (heldOutFraction 0.2, as jobs.ts defaults). */
function deskSplit(n: number, realShare: number, seed = 1) {
  const all = labels(n, realShare);
  const heldOut = stratifiedSplit(all, { validation: 0, test: 0.2 }, seed).test;
  return makeSplit(all, heldOut, seed, fineTunePolicy(n).validationShare);
}

describe('the retrain split', () => {
  it.each([50, 60, 80, 115, 150, 199, 200, 400, 999, 2000])(
    'a fine-tune on %i labels is judged against its parent on both classes',
    (n) => {
      for (const realShare of [0.3, 0.5, 0.7]) {
        const s = deskSplit(n, realShare);
        expect(s.validation.length).toBeGreaterThanOrEqual(MIN_GUARD_LABELS);
        expect(new Set(s.validation.map((x) => x.label)).size).toBe(2);
        // Nothing is both trained on and judged.
        const seen = new Set([...s.train, ...s.validation].map((x) => x.id));
        expect(s.test.some((x) => seen.has(x.id))).toBe(false);
        expect(s.train.length + s.validation.length + s.test.length).toBe(n);
      }
    },
  );

  it('with 30 labels the guard has too few (the version says so in its notes)', () => {
    expect(deskSplit(30, 0.5).validation.length).toBeLessThan(MIN_GUARD_LABELS);
  });

  it('training from scratch keeps 15% for validation and 15% for test', () => {
    const s = makeSplit(labels(2000, 0.5), undefined, 1);
    expect(s.validation).toHaveLength(300);
    expect(s.test).toHaveLength(300);
    expect(s.train).toHaveLength(1400);
  });
});

describe('the guard against the parent', () => {
  it('lets an epoch replace the parent only when it ranks the validation labels strictly better', () => {
    const parent = { valAuc: 0.972, valLoss: 0.3 };
    expect(rankedBetter({ valAuc: 0.98, valLoss: 0.5 }, parent)).toBe(true);
    // A tie won on loss is no evidence on a dozen labels.
    expect(rankedBetter({ valAuc: 0.972, valLoss: 0.1 }, parent)).toBe(false);
    expect(rankedBetter({ valAuc: 1, valLoss: 0.01 }, { valAuc: 1, valLoss: 0.2 })).toBe(false);
    expect(rankedBetter({ valAuc: 0.9, valLoss: 0.1 }, parent)).toBe(false);
    // Without an AUC on either side, the loss decides.
    expect(rankedBetter({ valAuc: null, valLoss: 0.2 }, { valAuc: null, valLoss: 0.3 })).toBe(true);
  });
});
