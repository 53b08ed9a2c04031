import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/main/model/evaluate';
import { comparedColumns, ratesAt } from '../../../src/renderer/src/desk/model/comparisonRows';
import type { EvaluationSummary } from '../../../src/shared/contract';

// JSON turns the ROC's first threshold (+Infinity) into null, as the wire does.
const wire = (e: unknown) => JSON.parse(JSON.stringify(e)) as EvaluationSummary;

describe('the comparison table numbers', () => {
  const scores = [0.9, 0.8, 0.7, 0.4, 0.3, 0.2];
  const labels = [1, 1, 0, 1, 0, 0];
  const evaluation = wire(evaluateScores(scores, labels));

  it('reads FPR and MDR at a version threshold off the ROC ("flagged" = score at or above it)', () => {
    // At 0.5: flagged 0.9, 0.8 (real), 0.7 (bogus): FPR 1/3, MDR 1/3.
    const at05 = ratesAt(evaluation.roc, 0.5);
    expect(at05.fpr).toBeCloseTo(1 / 3, 12);
    expect(at05.mdr).toBeCloseTo(1 / 3, 12);
    // At exactly 0.4 the 0.4 real is flagged.
    const at04 = ratesAt(evaluation.roc, 0.4);
    expect(at04.fpr).toBeCloseTo(1 / 3, 12);
    expect(at04.mdr).toBeCloseTo(0, 12);
    // Above every score: nothing flagged.
    expect(ratesAt(evaluation.roc, 0.95)).toEqual({ fpr: 0, mdr: 1 });
  });

  it('labels the candidate and the active model, with missed confirmed reals', () => {
    const cols = comparedColumns({
      heldOut: { n: 6, reals: 3, bogus: 3 },
      confirmedReals: 4,
      models: [
        { version: 'new', threshold: 0.5, evaluation, missedConfirmed: 1 },
        { version: 'old', threshold: 0.35, evaluation: null, missedConfirmed: 2 },
      ],
    });
    expect(cols.map((c) => [c.version, c.role, c.missedConfirmed])).toEqual([
      ['new', 'candidate', 1],
      ['old', 'active', 2],
    ]);
    expect(cols[0].auc).toBe(evaluation.auc);
    expect(cols[0].pippin).toBe(evaluation.pippin);
    expect(cols[1]).toMatchObject({ auc: null, fpr: null, mdr: null });
  });
});
