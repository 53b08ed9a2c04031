import { describe, expect, it } from 'vitest';
import type { HumanLabel, LabelsImportResult } from '../../../src/shared/labels';
import {
  acceptedLabels,
  reviewCounts,
  reviewReducer,
  startReview,
} from '../../../src/renderer/src/desk/export/importReview';

const label = (candidateId: string, l: HumanLabel['label'], by = 'me'): HumanLabel => ({
  candidateId,
  workspace: '/n',
  label: l,
  subclass: null,
  modelVersion: null,
  score: null,
  secondsSpent: 0,
  labelledAt: '2026-11-25T00:00:00.000Z',
  by,
});

const result: LabelsImportResult = {
  file: '/tmp/theirs.json',
  labels: [label('new1', 'real', 'alice')],
  conflicts: [
    { candidateId: 'x', mine: label('x', 'real'), theirs: label('x', 'bogus', 'alice') },
    { candidateId: 'y', mine: label('y', 'bogus'), theirs: label('y', 'real', 'alice') },
  ],
  identical: 3,
  unknownIds: ['zz'],
  errors: [],
};

describe('the import review', () => {
  it('keeps mine for every conflict until told otherwise: only the new labels are written', () => {
    const s = startReview(result);
    expect(acceptedLabels(s)).toEqual([result.labels[0]]);
    expect(reviewCounts(s)).toEqual({ added: 1, replaced: 0, keptMine: 2 });
  });

  it('takes theirs for the rows chosen, one by one or for all, and back to mine for all', () => {
    let s = reviewReducer(startReview(result), { type: 'choose', candidateId: 'y', side: 'theirs' });
    expect(acceptedLabels(s).map((l) => [l.candidateId, l.label, l.by])).toEqual([
      ['new1', 'real', 'alice'],
      ['y', 'real', 'alice'],
    ]);
    s = reviewReducer(s, { type: 'all', side: 'theirs' });
    expect(reviewCounts(s)).toEqual({ added: 1, replaced: 2, keptMine: 0 });
    s = reviewReducer(s, { type: 'all', side: 'mine' });
    expect(acceptedLabels(s)).toHaveLength(1);
  });

  it('ignores a choice for a candidate that is not in conflict', () => {
    const s = startReview(result);
    expect(reviewReducer(s, { type: 'choose', candidateId: 'new1', side: 'theirs' })).toBe(s);
  });
});
