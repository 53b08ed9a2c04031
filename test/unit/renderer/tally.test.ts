import { describe, expect, it } from 'vitest';
import {
  computeTally,
  formatDuration,
  median,
  modelPicture,
} from '../../../src/renderer/src/desk/tally/tally';
import type { LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';
import { row } from './rows';

const spent = (...s: number[]) => s.map((secondsSpent) => ({ secondsSpent }));

describe('the time-saved tally', () => {
  it("uses the seed's arithmetic: hours saved = candidates not flagged x seconds each", () => {
    const t = computeTally(100_000, 7_460, spent(0.4, 0.8, 0.6));
    expect(t.vetted).toBe(3);
    expect(t.pace).toBeCloseTo(0.6, 12);
    expect(t.seed!.hoursSaved).toBeCloseTo(((100_000 - 7_460) * 0.5) / 3600, 12);
    expect(t.own!.hoursSaved).toBeCloseTo(((100_000 - 7_460) * 0.6) / 3600, 12);
    expect(t.seed!.hoursAll).toBeCloseTo((100_000 * 0.5) / 3600, 12);
    // Per million at this night's flag rate (7.46%): 1e6 x 0.5 s = 138.9 h by hand.
    expect(t.seed!.perMillion.hoursAll).toBeCloseTo(138.888_888_9, 6);
    expect(t.seed!.perMillion.hoursFlagged).toBeCloseTo((74_600 * 0.5) / 3600, 9);
    expect(t.own!.perMillion.hoursSaved).toBeCloseTo((925_400 * 0.6) / 3600, 9);
    expect(t.seed!.reductionFactor).toBeCloseTo(100_000 / 7_460, 12);
  });
  it('the pace is the median, so one long pause does not distort it', () => {
    expect(computeTally(10, 2, spent(0.5, 0.4, 600)).pace).toBe(0.5);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNull();
  });
  it('says nothing about savings before a model has scored the night, or a pace before a label', () => {
    const none = computeTally(50, null, spent(1));
    expect(none.seed).toBeNull();
    expect(none.own).toBeNull();
    const early = computeTally(50, 5, []);
    expect(early.pace).toBeNull();
    expect(early.seed!.hoursSaved).toBeCloseTo((45 * 0.5) / 3600, 12);
    expect(early.own).toBeNull();
  });
  it('formats durations in the unit a person would say', () => {
    expect(formatDuration(5 / 3600)).toBe('5.0 s');
    expect(formatDuration(90 / 3600)).toBe('1.5 min');
    expect(formatDuration(2.5)).toBe('2.50 h');
    expect(formatDuration(138.9)).toBe('139 h');
  });
});

describe("the model's picture on the astronomer's labels", () => {
  const rows = [row('a', 0.9), row('b', 0.8), row('c', 0.3), row('d', 0.1), row('e', null), row('f', 0.55)];
  const labels = new Map<string, Pick<LabelRecord, 'label'>>([
    ['a', { label: 'real' }],
    ['b', { label: 'bogus' }],
    ['c', { label: 'real' }],
    ['d', { label: 'bogus' }],
    ['f', { label: 'skip' }],
  ]);
  it('histograms every scored candidate and overlays real and bogus labels (skips are not labels)', () => {
    const p = modelPicture(rows, (id) => labels.get(id) as LabelRecord | undefined, 10)!;
    expect(p.histogram.all.reduce((a, b) => a + b)).toBe(5);
    expect(p.histogram.real.reduce((a, b) => a + b)).toBe(2);
    expect(p.histogram.bogus.reduce((a, b) => a + b)).toBe(2);
    expect(p.labelledScored).toBe(4);
    // a(0.9,R) > b(0.8,B) > c(0.3,R) > d(0.1,B): 3 of 4 real-bogus pairs ordered right.
    expect(p.auc).toBeCloseTo(0.75, 12);
    expect(p.roc![0]).toMatchObject({ tpr: 0, fpr: 0 });
  });
  it('has no ROC until both classes are labelled, and no picture without scores', () => {
    expect(
      modelPicture(rows, (id) => (id === 'a' ? ({ label: 'real' } as LabelRecord) : undefined))!.roc,
    ).toBeNull();
    expect(modelPicture([row('x', null)], () => undefined)).toBeNull();
  });
});
