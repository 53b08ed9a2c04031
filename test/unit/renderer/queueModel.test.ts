import { describe, expect, it } from 'vitest';
import type { CandidateRow } from '../../../src/shared/contract';
import {
  countQueue,
  DEFAULT_FILTER,
  facets,
  filterRows,
  nextIndexAfterLabel,
  orderRows,
} from '../../../src/renderer/src/desk/queue/queueModel';
import type { HumanLabel } from '../../../src/renderer/src/desk/labels/labelKinds';
import { row } from './rows';

const rows = [
  row('c10', 0.45, { mjd: 3, band: 'r', survey: 'ZTF' }),
  row('c2', 0.9, { mjd: 1, band: 'g', survey: 'ZTF' }),
  row('c3', null, { mjd: 2, band: 'g', survey: 'ATLAS' }),
  row('c4', 0.55, { band: 'r', survey: 'ATLAS' }),
  row('c5', 0.1, { mjd: 0.5, band: 'i' }),
  row('c1', 0.9, { mjd: 4, band: 'g', survey: 'ZTF' }),
];
const ids = (rs: readonly { id: string }[]) => rs.map((r) => r.id);

describe('queue order', () => {
  it('puts flagged candidates first, by score, ties by natural id, unscored last', () => {
    expect(ids(orderRows(rows, 'flagged', 0.5))).toEqual(['c1', 'c2', 'c4', 'c10', 'c5', 'c3']);
  });
  it('with no threshold nothing is flagged and the order is the score order', () => {
    expect(ids(orderRows(rows, 'flagged', null))).toEqual(ids(orderRows(rows, 'score', null)));
  });
  it('uncertainty: closest to the threshold first, unscored last', () => {
    expect(ids(orderRows(rows, 'uncertainty', 0.5))).toEqual(['c10', 'c4', 'c1', 'c2', 'c5', 'c3']);
  });
  it('uncertainty uses 0.5 when the workspace has no threshold', () => {
    expect(ids(orderRows(rows, 'uncertainty', null))[0]).toBe('c10');
  });
  it('time: by MJD, unknown times last', () => {
    expect(ids(orderRows(rows, 'time', 0.5))).toEqual(['c5', 'c2', 'c3', 'c10', 'c1', 'c4']);
  });
  it('id: natural order (c2 before c10)', () => {
    expect(ids(orderRows(rows, 'id', 0.5))).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c10']);
  });
  it('does not reorder its input', () => {
    const copy = rows.slice();
    orderRows(rows, 'score', 0.5);
    expect(rows).toEqual(copy);
  });
});

describe('queue filters', () => {
  const labels = new Map<string, HumanLabel>([
    ['c1', 'real'],
    ['c2', 'bogus'],
    ['c3', 'skip'],
  ]);
  const labelOf = (id: string) => labels.get(id);
  it('shows unlabelled only by default', () => {
    expect(ids(filterRows(rows, labelOf, DEFAULT_FILTER))).toEqual(['c10', 'c4', 'c5']);
  });
  it('filters by label', () => {
    for (const [label, want] of [
      ['real', ['c1']],
      ['bogus', ['c2']],
      ['skip', ['c3']],
      ['all', ids(rows)],
    ] as const)
      expect(ids(filterRows(rows, labelOf, { ...DEFAULT_FILTER, label }))).toEqual(want);
  });
  it('filters by score range (inclusive), dropping unscored once a bound is set', () => {
    const f = { ...DEFAULT_FILTER, label: 'all' as const, scoreMin: 0.45, scoreMax: 0.9 };
    expect(ids(filterRows(rows, labelOf, f))).toEqual(['c10', 'c2', 'c4', 'c1']);
    expect(ids(filterRows(rows, labelOf, { ...f, scoreMax: null, scoreMin: 0.6 }))).toEqual(['c2', 'c1']);
  });
  it('filters by band and by source (the survey when known, else the adapter)', () => {
    const all = { ...DEFAULT_FILTER, label: 'all' as const };
    expect(ids(filterRows(rows, labelOf, { ...all, band: 'g' }))).toEqual(['c2', 'c3', 'c1']);
    expect(ids(filterRows(rows, labelOf, { ...all, source: 'ATLAS' }))).toEqual(['c3', 'c4']);
    expect(ids(filterRows(rows, labelOf, { ...all, source: 'manifest' }))).toEqual(['c5']);
  });
  it('lists the bands and sources present', () => {
    expect(facets(rows)).toEqual({ bands: ['g', 'i', 'r'], sources: ['ATLAS', 'manifest', 'ZTF'] });
  });
});

describe('queue counts and the cursor after a label', () => {
  it('counts flagged, labelled, remaining and flagged-remaining', () => {
    const labels = new Map<string, HumanLabel>([
      ['c1', 'real'],
      ['c5', 'skip'],
    ]);
    expect(countQueue(rows, 0.5, (id) => labels.get(id))).toEqual({
      total: 6,
      flagged: 3,
      labelled: 2,
      remaining: 4,
      flaggedRemaining: 2,
    });
    expect(countQueue(rows, null, () => undefined).flagged).toBe(0);
  });
  it('moves to the neighbour that took the place of a candidate that left the view', () => {
    expect(nextIndexAfterLabel(3, 1, false)).toBe(1); // b left: c is now at b's index
    expect(nextIndexAfterLabel(3, 1, true)).toBe(2); // c stayed (e.g. "all"): the next one
    expect(nextIndexAfterLabel(3, 2, true)).toBe(2); // last stays last
    expect(nextIndexAfterLabel(3, 7, false)).toBe(2); // clamped
    expect(nextIndexAfterLabel(0, 0, false)).toBe(-1);
  });
});

describe('updating the view for one label, as the desk does on every key', () => {
  it('agrees with refiltering the whole queue, for any sequence of label changes', async () => {
    const { updateViewForRow, updateCounts, rankIndex, matchesFilter, LABEL_FILTERS } =
      await import('../../../src/renderer/src/desk/queue/queueModel');
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const many = Array.from({ length: 300 }, (_, i) => row(`c${i}`, rand() < 0.1 ? null : rand()));
    const sorted = orderRows(many, 'flagged', 0.5);
    const rank = rankIndex(sorted);
    for (const label of LABEL_FILTERS) {
      const filter = { ...DEFAULT_FILTER, label };
      const labels = new Map<string, HumanLabel>();
      const labelOf = (id: string) => labels.get(id);
      let view: readonly CandidateRow[] = filterRows(sorted, labelOf, filter);
      let counts = countQueue(many, 0.5, labelOf);
      for (let step = 0; step < 500; step++) {
        const r = sorted[Math.floor(rand() * sorted.length)];
        const was = labels.has(r.id);
        const pick = rand();
        if (pick < 0.25) labels.delete(r.id);
        else labels.set(r.id, pick < 0.5 ? 'real' : pick < 0.75 ? 'bogus' : 'skip');
        const matches = matchesFilter(r, labels.get(r.id), filter);
        const next = updateViewForRow(view, r, matches, rank);
        // Where it says the row is (or would be) is right.
        expect(next.present).toBe(matches);
        if (matches) expect(next.view[next.at].id).toBe(r.id);
        view = next.view;
        counts = updateCounts(counts, r, 0.5, was, labels.has(r.id));
      }
      expect(ids(view)).toEqual(ids(filterRows(sorted, labelOf, filter)));
      expect(counts).toEqual(countQueue(many, 0.5, labelOf));
    }
  });
});
