import { describe, expect, it } from 'vitest';
import { evaluateScores } from '../../../src/main/library/evaluate';
import {
  adoptWarning,
  comparedColumns,
  fmtOr,
  fmtRate,
  ratesAt,
  unavailableFigures,
} from '../../../src/renderer/src/desk/model/comparisonRows';
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

describe('figures the held-out labels cannot support', () => {
  // 190 real and 0 bogus held out: the case that showed "FPR at its threshold 0.0%" for both models.
  const scores = Array.from({ length: 190 }, (_, i) => 0.2 + (0.8 * i) / 190);
  const labels = scores.map(() => 1);
  const evaluation = wire(evaluateScores(scores, labels));
  const comparison = {
    heldOut: { n: 190, reals: 190, bogus: 0 },
    confirmedReals: 0,
    models: [
      { version: 'new', threshold: 0.5, evaluation, missedConfirmed: 0 },
      { version: 'old', threshold: 0.146, evaluation, missedConfirmed: 0 },
    ],
  };

  it('are null with the reason, not 0.0%', () => {
    const u = unavailableFigures(comparison.heldOut);
    expect(u).toEqual({
      auc: 'no bogus label held out',
      fpr: 'no bogus label held out',
      mdr: undefined,
      pippin: 'no bogus label held out',
    });
    for (const col of comparedColumns(comparison)) {
      expect(col.fpr).toBeNull();
      expect(col.auc).toBeNull();
      expect(col.pippin).toBeNull();
      expect(col.mdr).not.toBeNull();
      expect(fmtOr(fmtRate(col.fpr), col.fpr, u.fpr)).toBe('- (no bogus label held out)');
    }
  });

  it('give a warning before adopting; a full comparison gives none', () => {
    expect(adoptWarning(comparison.heldOut)).toMatch(
      /AUC, FPR, Pippin could not be computed \(no bogus label held out\)/,
    );
    expect(adoptWarning({ n: 5, reals: 0, bogus: 5 })).toMatch(
      /MDR.*no real label held out.*Label some real/,
    );
    expect(adoptWarning({ n: 6, reals: 3, bogus: 3 })).toBeNull();
  });
});
