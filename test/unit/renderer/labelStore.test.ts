import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { LabelStore, type LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';

const rec = (candidateId: string, label: LabelRecord['label'], workspace = '/nights/a'): LabelRecord => ({
  workspace,
  candidateId,
  label,
  subclass: null,
  model: 'm1',
  score: 0.7,
  secondsSpent: 0.4,
  at: 1_700_000_000_000,
});

let n = 0;
let store: LabelStore;
afterEach(async () => {
  await store.deleteDatabase();
});

describe('the label store (Dexie)', () => {
  it('keeps one label per candidate and workspace: the latest', async () => {
    store = new LabelStore(`t${n++}`);
    await store.put(rec('c1', 'real'));
    await store.put(rec('c1', 'bogus'));
    expect((await store.get('/nights/a', 'c1'))?.label).toBe('bogus');
    expect(await store.labelsOfWorkspace('/nights/a')).toHaveLength(1);
  });
  it('never mixes workspaces, and reads all labels of one for retraining', async () => {
    store = new LabelStore(`t${n++}`);
    await store.put(rec('c1', 'real', '/nights/a'));
    await store.put(rec('c1', 'bogus', '/nights/b'));
    await store.put(rec('c2', 'skip', '/nights/a'));
    const a = await store.labelsOfWorkspace('/nights/a');
    expect(a.map((r) => [r.candidateId, r.label]).sort()).toEqual([
      ['c1', 'real'],
      ['c2', 'skip'],
    ]);
    expect((await store.labelsOfWorkspace('/nights/b'))[0]).toEqual(rec('c1', 'bogus', '/nights/b'));
  });
  it('removes a label (undo of a first label) without touching the others', async () => {
    store = new LabelStore(`t${n++}`);
    await store.put(rec('c1', 'real'));
    await store.put(rec('c2', 'real'));
    await store.remove('/nights/a', 'c1');
    expect(await store.get('/nights/a', 'c1')).toBeUndefined();
    expect(await store.get('/nights/a', 'c2')).toBeDefined();
  });
  it('survives closing and reopening the database', async () => {
    const name = `t${n++}`;
    const first = new LabelStore(name);
    await first.put(rec('c9', 'bogus'));
    first.close();
    store = new LabelStore(name);
    expect((await store.get('/nights/a', 'c9'))?.label).toBe('bogus');
  });
});
