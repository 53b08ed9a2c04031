import { describe, expect, it } from 'vitest';
import {
  LabelHistory,
  type LabelEvent,
  type LabelWrite,
} from '../../../src/renderer/src/desk/labels/labelHistory';
import type { LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';

const rec = (id: string, label: LabelRecord['label'], at: number): LabelRecord => ({
  workspace: '/n',
  candidateId: id,
  label,
  subclass: null,
  model: null,
  score: null,
  secondsSpent: 1,
  at,
});
const ev = (id: string, before: LabelRecord | null, after: LabelRecord): LabelEvent => ({
  candidateId: id,
  before,
  after,
});

describe('the label history', () => {
  it('undoes any number of events, newest first, each by writing its inverse', async () => {
    const h = new LabelHistory();
    for (let i = 0; i < 1000; i++) h.record(ev(`c${i}`, null, rec(`c${i}`, 'real', i)));
    const writes: LabelWrite[] = [];
    const write = async (w: LabelWrite) => void writes.push(w);
    while (await h.undo(write));
    expect(writes.length).toBe(1000);
    expect(writes[0]).toEqual({ workspace: '/n', candidateId: 'c999', record: null, laterThan: 999 });
    expect(writes[999].candidateId).toBe('c0');
    expect(h.redoDepth).toBe(1000);
  });

  it('undo of a relabel writes the earlier label; redo writes the later one again', async () => {
    const h = new LabelHistory();
    const real = rec('a', 'real', 10);
    const bogus = rec('a', 'bogus', 20);
    h.record(ev('a', real, bogus));
    const writes: LabelWrite[] = [];
    await h.undo(async (w) => void writes.push(w));
    await h.redo(async (w) => void writes.push(w));
    expect(writes).toEqual([
      { workspace: '/n', candidateId: 'a', record: real, laterThan: 20 },
      { workspace: '/n', candidateId: 'a', record: bogus, laterThan: 10 },
    ]);
    expect([h.undoDepth, h.redoDepth]).toEqual([1, 0]);
  });

  it('keeps an event whose write was refused, on the side it was on', async () => {
    const h = new LabelHistory();
    h.record(ev('a', null, rec('a', 'real', 1)));
    const refuse = async () => {
      throw new Error('disk full');
    };
    await expect(h.undo(refuse)).rejects.toThrow('disk full');
    expect([h.undoDepth, h.redoDepth]).toEqual([1, 0]);
    await h.undo(async () => undefined);
    await expect(h.redo(refuse)).rejects.toThrow('disk full');
    expect([h.undoDepth, h.redoDepth]).toEqual([0, 1]);
  });

  it('keeps the newest events past its limit; a new event clears the redo side', async () => {
    const h = new LabelHistory(3);
    for (let i = 0; i < 5; i++) h.record(ev(`c${i}`, null, rec(`c${i}`, 'skip', i)));
    expect(h.undoDepth).toBe(3);
    const undone = await h.undo(async () => undefined);
    expect(undone?.candidateId).toBe('c4');
    h.record(ev('c9', null, rec('c9', 'real', 9)));
    expect([h.undoDepth, h.redoDepth]).toEqual([3, 0]);
    expect(await h.redo(async () => undefined)).toBeUndefined();
  });
});
