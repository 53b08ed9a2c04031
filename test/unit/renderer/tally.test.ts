import { describe, expect, it } from 'vitest';
import {
  addNights,
  computeTally,
  fmtThreshold,
  formatDuration,
  median,
  MIN_MEASURED_LABELS,
  modelPicture,
  nightCounts,
  paceExplained,
} from '../../../src/renderer/src/desk/tally/tally';
import type { LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';
import { row } from './rows';

const spent = (...s: number[]) => s.map((secondsSpent) => ({ secondsSpent, label: 'real' as const }));
const night = (candidates: number, flagged: number | null, labels: ReturnType<typeof spent>) =>
  nightCounts(candidates, flagged, labels);

describe('the time-saved tally', () => {
  it("uses the seed's arithmetic: time saved = candidates not flagged x seconds each", () => {
    const t = computeTally(night(100_000, 7_460, spent(0.4, 0.8, 0.6)));
    expect(t.vetted).toBe(3);
    expect(t.pace).toBeCloseTo(0.6, 12);
    // 3 labels: too few to measure a pace, so the assumed 0.5 s is used and said.
    expect(t.byHand).toEqual({ seconds: 0.5, source: 'assumed' });
    expect(t.saved!.hoursSaved).toBeCloseTo(((100_000 - 7_460) * 0.5) / 3600, 12);
    expect(t.saved!.hoursAll).toBeCloseTo((100_000 * 0.5) / 3600, 12);
    // Per million at this night's flag rate (7.46%): 1e6 x 0.5 s = 138.9 h by hand.
    expect(t.saved!.perMillion.hoursAll).toBeCloseTo(138.888_888_9, 6);
    expect(t.saved!.perMillion.hoursFlagged).toBeCloseTo((74_600 * 0.5) / 3600, 9);
    expect(t.saved!.reductionFactor).toBeCloseTo(100_000 / 7_460, 12);
    expect(paceExplained(t)).toMatch(
      /0\.50 s per candidate: an assumed glance.*not a measurement.*label 20 candidates.*\(3 so far\)/,
    );
  });
  it('prefers the pace the astronomer set, then their measured pace once they have one', () => {
    const few = computeTally(night(1000, 100, spent(2, 2, 2)), 1.5);
    expect(few.byHand).toEqual({ seconds: 1.5, source: 'set' });
    expect(few.saved!.hoursSaved).toBeCloseTo((900 * 1.5) / 3600, 12);
    const many = computeTally(
      night(1000, 100, spent(...Array.from({ length: MIN_MEASURED_LABELS }, () => 2.5))),
      1.5,
    );
    expect(many.byHand).toEqual({ seconds: 2.5, source: 'measured' });
    expect(many.saved!.hoursSaved).toBeCloseTo((900 * 2.5) / 3600, 12);
    expect(paceExplained(many)).toContain('your measured pace (median over 20 candidates');
  });
  it('counts skips apart from vetted; they still count towards the pace', () => {
    const counts = nightCounts(10, 2, [
      { label: 'real', secondsSpent: 1 },
      { label: 'skip', secondsSpent: 3 },
      { label: 'bogus', secondsSpent: 2 },
    ]);
    expect(counts).toMatchObject({ vetted: 2, skipped: 1 });
    expect(computeTally(counts).pace).toBe(2);
  });
  it('adds nights into a season: the same function gives the season row', () => {
    const a = nightCounts(100, 10, spent(1, 1));
    const b = nightCounts(300, 20, [...spent(3), { label: 'skip', secondsSpent: 5 }]);
    const season = computeTally(addNights([a, b]));
    expect(season).toMatchObject({ candidates: 400, flagged: 30, vetted: 3, skipped: 1, pace: 2 });
    expect(season.saved!.hoursSaved).toBeCloseTo((370 * 0.5) / 3600, 12);
    expect(addNights([a, nightCounts(5, null, [])]).flagged).toBeNull();
  });
  it('the pace is the median, so one long pause does not distort it', () => {
    expect(computeTally(night(10, 2, spent(0.5, 0.4, 600))).pace).toBe(0.5);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([])).toBeNull();
  });
  it('says nothing about savings before a model has scored the night, or a pace before a label', () => {
    expect(computeTally(night(50, null, spent(1))).saved).toBeNull();
    const early = computeTally(night(50, 5, []));
    expect(early.pace).toBeNull();
    expect(early.saved!.hoursSaved).toBeCloseTo((45 * 0.5) / 3600, 12);
  });
  it('prints thresholds to 3 digits', () => {
    expect(fmtThreshold(0.14599999999999999)).toBe('0.146');
    expect(fmtThreshold(null)).toBe('-');
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
