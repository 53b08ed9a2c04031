import { describe, expect, it } from 'vitest';
import {
  auc,
  aucStandardError,
  confusionAt,
  ratesAtThresholds,
  rocCurve,
  scanTime,
  scoreHistogram,
  thresholdForMdr,
} from '../../../src/shared/metrics';
import { seededRandom } from '../../../src/main/util/prng';

// 3 reals + 3 bogus, worked by hand.
const SCORES = [0.9, 0.7, 0.45, 0.55, 0.3, 0.1];
const LABELS = [1, 1, 1, 0, 0, 0];

describe('metrics on a hand-computed case', () => {
  it('AUC: 8 of 9 real/bogus pairs ordered correctly', () => {
    // Pairs (real, bogus) with real > bogus: 0.9 beats all 3, 0.7 all 3, 0.45 beats 0.3 and 0.1.
    expect(auc(SCORES, LABELS)).toBeCloseTo(8 / 9, 12);
  });

  it('ties count one half', () => {
    expect(auc([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(auc([0.8, 0.5, 0.5], [1, 1, 0])).toBeCloseTo(0.75, 12);
    const roc = rocCurve([0.5, 0.5], [1, 0]);
    expect(roc).toEqual([
      { threshold: Infinity, tpr: 0, fpr: 0 },
      { threshold: 0.5, tpr: 1, fpr: 1 },
    ]);
  });

  it('FPR, MDR and the Pippin sum at 0.4 / 0.5 / 0.6', () => {
    const [t4, t5, t6] = ratesAtThresholds(SCORES, LABELS);
    // 0.4: reals all >= 0.4 -> MDR 0; bogus 0.55 flagged -> FPR 1/3.
    expect(t4).toMatchObject({ threshold: 0.4, mdr: 0 });
    expect(t4.fpr).toBeCloseTo(1 / 3);
    // 0.5: real 0.45 missed -> MDR 1/3; bogus 0.55 flagged -> FPR 1/3.
    expect(t5.mdr).toBeCloseTo(1 / 3);
    expect(t5.fpr).toBeCloseTo(1 / 3);
    expect(t5.sum).toBeCloseTo(2 / 3);
    // 0.6: MDR 1/3, FPR 0.
    expect(t6.mdr).toBeCloseTo(1 / 3);
    expect(t6.fpr).toBe(0);
  });

  it('a score equal to the threshold is flagged', () => {
    expect(confusionAt([0.5, 0.5], [1, 0], 0.5)).toEqual({ tp: 1, fp: 1, tn: 0, fn: 0 });
  });

  it('threshold keeping MDR <= 1% keeps every real here', () => {
    const op = thresholdForMdr(SCORES, LABELS);
    expect(op.threshold).toBe(0.45);
    expect(op.mdr).toBe(0);
    expect(op.fpr).toBeCloseTo(1 / 3);
    expect(op.confusion).toEqual({ tp: 3, fp: 1, tn: 2, fn: 0 });
    expect(op.fdr).toBeCloseTo(1 / 4);
    // Allowing 1/3 MDR lets the threshold rise to the second real.
    expect(thresholdForMdr(SCORES, LABELS, 0.34).threshold).toBe(0.7);
  });

  it('histogram bins, last bin closed', () => {
    const h = scoreHistogram([0, 0.1, 0.5, 1, 1], [0, 0, 1, 1, null], 2);
    expect(h.edges).toEqual([0, 0.5, 1]);
    expect(h.all).toEqual([2, 3]);
    expect(h.real).toEqual([0, 2]);
    expect(h.bogus).toEqual([2, 0]);
  });

  it("the seed's time arithmetic", () => {
    // 10,000 candidates at 0.5 s = 5000 s = 1.389 h; 500 flagged = 250 s.
    const t = scanTime(10_000, 500);
    expect(t.hoursAll).toBeCloseTo(5000 / 3600);
    expect(t.hoursFlagged).toBeCloseTo(250 / 3600);
    expect(t.hoursSaved).toBeCloseTo(4750 / 3600);
    expect(t.reductionFactor).toBe(20);
    expect(t.perMillion.hoursAll).toBeCloseTo(500_000 / 3600);
    expect(t.perMillion.hoursFlagged).toBeCloseTo(25_000 / 3600);
    expect(scanTime(100, 10, 2).hoursAll).toBeCloseTo(200 / 3600);
    expect(() => scanTime(10, 11)).toThrow();
  });

  it('rejects mismatched lengths and bad labels', () => {
    expect(() => auc([0.1], [1, 0])).toThrow();
    expect(() => auc([0.1], [2])).toThrow();
  });
});

describe('metrics against brute force on random data', () => {
  it('AUC equals the pairwise (Mann-Whitney) count, with ties', () => {
    const rand = seededRandom(42);
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rand() * 60);
      // Rounded scores make ties common.
      const scores = Array.from({ length: n }, () => Math.round(rand() * 10) / 10);
      const labels = Array.from({ length: n }, () => (rand() < 0.4 ? 1 : 0));
      if (!labels.includes(1) || !labels.includes(0)) continue;
      let wins = 0;
      let pairs = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          if (labels[i] !== 1 || labels[j] !== 0) continue;
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      expect(auc(scores, labels)).toBeCloseTo(wins / pairs, 10);
    }
  });

  it('rates and the MDR threshold agree with a direct count', () => {
    const rand = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const n = 20 + Math.floor(rand() * 200);
      const labels = Array.from({ length: n }, () => (rand() < 0.3 ? 1 : 0));
      const scores = labels.map((l) => Math.min(1, Math.max(0, rand() * 0.7 + l * 0.3)));
      const reals = scores.filter((_, i) => labels[i] === 1);
      const bogus = scores.filter((_, i) => labels[i] === 0);
      for (const r of ratesAtThresholds(scores, labels)) {
        expect(r.mdr).toBeCloseTo(reals.filter((s) => s < r.threshold).length / reals.length, 12);
        expect(r.fpr).toBeCloseTo(bogus.filter((s) => s >= r.threshold).length / bogus.length, 12);
      }
      const target = [0.01, 0.05, 0.2][trial % 3];
      const op = thresholdForMdr(scores, labels, target);
      // Brute force: the largest observed score whose MDR stays within the target.
      let best = -Infinity;
      for (const t of scores) {
        const mdr = reals.filter((s) => s < t).length / reals.length;
        if (mdr <= target + 1e-12 && t > best) best = t;
      }
      if (reals.length) expect(op.threshold).toBe(best);
      expect(op.mdr).toBeLessThanOrEqual(target + 1e-12);
    }
  });

  it("gives an AUC's standard error that matches the spread of AUCs over repeated draws", () => {
    // Binormal scores, d' = 1.2: 300 draws of 30 reals and 30 bogus; the formula (an approximation)
    // against the draws' own standard deviation, and the hand-worked A = 0.9 with 50 and 50.
    const rand = seededRandom(5);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const aucs: number[] = [];
    for (let d = 0; d < 300; d++) {
      const scores = [
        ...Array.from({ length: 30 }, () => normal() + 1.2),
        ...Array.from({ length: 30 }, normal),
      ];
      aucs.push(auc(scores, [...new Array<number>(30).fill(1), ...new Array<number>(30).fill(0)]));
    }
    const m = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - m) ** 2, 0) / (aucs.length - 1));
    const se = aucStandardError(m, 30, 30);
    expect(se / sd).toBeGreaterThan(0.8);
    expect(se / sd).toBeLessThan(1.25);
    expect(aucStandardError(0.9, 50, 50)).toBeCloseTo(0.0321, 4);
    // A perfect ranking has none; fewer labels, more; one class alone, none to speak of.
    expect(aucStandardError(1, 20, 20)).toBe(0);
    expect(aucStandardError(0.8, 10, 10)).toBeGreaterThan(aucStandardError(0.8, 100, 100));
    expect(aucStandardError(0.8, 0, 10)).toBeNaN();
  });
});
