import { describe, expect, it } from 'vitest';
import { HumanLabelSchema } from '../../../src/shared/labels';
import {
  confirmedRealIds,
  fromHumanLabel,
  toHumanLabel,
  trainingClass,
} from '../../../src/renderer/src/desk/labels/humanLabels';
import type { LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';

const rec = (
  candidateId: string,
  label: LabelRecord['label'],
  patch: Partial<LabelRecord> = {},
): LabelRecord => ({
  workspace: '/nights/a',
  candidateId,
  label,
  subclass: null,
  model: 'm1',
  score: 0.7,
  secondsSpent: 1.25,
  at: Date.UTC(2026, 10, 25, 3, 4, 5, 678),
  ...patch,
});

describe('desk labels <-> shared HumanLabel', () => {
  it('maps model -> modelVersion, ms -> ISO time, adds who, and passes the shared schema', () => {
    const h = toHumanLabel(rec('c1', 'real', { subclass: 'sn' }), 'vera');
    expect(h).toEqual({
      candidateId: 'c1',
      workspace: '/nights/a',
      label: 'real',
      subclass: 'sn',
      modelVersion: 'm1',
      score: 0.7,
      secondsSpent: 1.25,
      labelledAt: '2026-11-25T03:04:05.678Z',
      by: 'vera',
    });
    expect(HumanLabelSchema.safeParse(h).success).toBe(true);
  });

  it('says "none" with null, never with an empty string, and keeps a colleague as the labeller', () => {
    const h = toHumanLabel(rec('c1', 'skip', { subclass: '', model: null, score: null, by: 'alice' }));
    expect(h).toMatchObject({ subclass: null, modelVersion: null, score: null, by: 'alice' });
    expect(HumanLabelSchema.safeParse(h).success).toBe(true);
  });

  it('round-trips a record without loss, into the workspace that imports it', () => {
    const r = rec('c2', 'bogus', { subclass: 'cosmic-ray', by: 'alice' });
    expect(fromHumanLabel(toHumanLabel(r), '/nights/a')).toEqual(r);
    expect(fromHumanLabel(toHumanLabel(r), '/nights/b').workspace).toBe('/nights/b');
  });

  it('counts real and bogus only; sub-classes count as the class they imply; skips never', () => {
    const records = [
      rec('a', 'real'),
      rec('b', 'bogus'),
      rec('c', 'skip'),
      rec('d', 'real', { subclass: 'agn' }),
      rec('e', 'bogus', { subclass: 'hot-pixel' }),
    ];
    expect(records.map(trainingClass)).toEqual(['real', 'bogus', null, 'real', 'bogus']);
    expect(confirmedRealIds(records)).toEqual(['a', 'd']);
  });
});
