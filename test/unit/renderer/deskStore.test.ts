import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  CallArgs,
  CallName,
  CallResult,
  SkysiftBridge,
  WorkspaceSummary,
} from '../../../src/shared/contract';
import { DeskStore } from '../../../src/renderer/src/desk/deskStore';
import { registerDeskActions } from '../../../src/renderer/src/desk/actions/deskActions';
import { LabelStore } from '../../../src/renderer/src/desk/labels/labelStore';
import { row } from './rows';
import { installBrowserGlobals } from './browserGlobals';

beforeAll(installBrowserGlobals);

const WS: WorkspaceSummary = {
  dir: '/nights/test',
  name: 'test',
  simulated: true,
  candidates: 5,
  sources: { manifest: 5 },
  activeModel: 'm1',
  threshold: 0.5,
  scored: 5,
  homeModel: 'm1',
};
const ROWS = [
  row('a', 0.2),
  row('b', 0.9, {}, { label: 'real', scores: {} }),
  row('c', 0.7),
  row('d', 0.6),
  row('e', null),
];

function fakeBridge(): SkysiftBridge {
  const results: Partial<{ [N in CallName]: CallResult<N> }> = {
    workspaceCurrent: WS,
    candidatesList: { workspace: WS.dir, model: 'm1', rows: ROWS },
    candidatesStamps: [],
  };
  return {
    invoke: async <N extends CallName>(call: N, _args: CallArgs<N>) => results[call] as CallResult<N>,
    on: () => () => undefined,
  };
}

let n = 0;
let desk: DeskStore;
let labels: LabelStore;
beforeEach(async () => {
  labels = new LabelStore(`desk-test-${n++}`);
  desk = new DeskStore(fakeBridge(), labels);
  registerDeskActions(desk);
  await desk.load();
});
const cur = () => desk.getSnapshot().current?.id;
const key = async (k: string) => {
  desk.handleKey(k);
  await desk.idle();
};

describe('the desk store: keys, labels, undo', () => {
  it('opens on the top flagged candidate with the counts', () => {
    expect(cur()).toBe('b');
    expect(desk.getSnapshot().view.map((r) => r.id)).toEqual(['b', 'c', 'd', 'a', 'e']);
    expect(desk.getSnapshot().counts).toMatchObject({ total: 5, flagged: 3, labelled: 0, remaining: 5 });
  });

  it('writes the label before moving on, with model, score and time spent', async () => {
    await key('b');
    expect(cur()).toBe('c');
    const stored = await labels.get(WS.dir, 'b');
    expect(stored).toMatchObject({ label: 'bogus', subclass: null, model: 'm1', score: 0.9 });
    expect(stored!.secondsSpent).toBeGreaterThanOrEqual(0);
    // b came with the label "real": the desk says so and keeps both.
    expect(desk.getSnapshot().notice).toMatch(/differs from the label that came with the data \(real\)/);
    expect(desk.getSnapshot().counts).toMatchObject({ labelled: 1, remaining: 4 });
  });

  it('takes keys one at a time in order, even when they come faster than the writes', async () => {
    desk.handleKey('r');
    desk.handleKey('s');
    desk.handleKey('7');
    await desk.idle();
    const all = await labels.labelsOfWorkspace(WS.dir);
    expect(Object.fromEntries(all.map((r) => [r.candidateId, [r.label, r.subclass]]))).toEqual({
      b: ['real', null],
      c: ['skip', null],
      d: ['bogus', 'hot-pixel'],
    });
    expect(cur()).toBe('a');
  });

  it('undoes any number of steps, in the database too, and returns to each candidate', async () => {
    await key('r');
    await key('b');
    await key('s');
    await key('u');
    expect(cur()).toBe('d');
    expect(await labels.get(WS.dir, 'd')).toBeUndefined();
    await key('Backspace');
    expect(cur()).toBe('c');
    await key('u');
    expect(cur()).toBe('b');
    expect(await labels.labelsOfWorkspace(WS.dir)).toEqual([]);
    expect(desk.getSnapshot().counts.labelled).toBe(0);
    await key('u');
    expect(desk.getSnapshot().notice).toBe('Nothing to undo.');
  });

  it('undo of a relabel restores the earlier label, not nothing', async () => {
    await key('r'); // b real
    await key('f'); // show labelled real
    expect(desk.getSnapshot().filter.label).toBe('real');
    expect(cur()).toBe('b');
    await key('2'); // relabel b: real, variable star
    expect((await labels.get(WS.dir, 'b'))?.subclass).toBe('variable-star');
    await key('u');
    expect(await labels.get(WS.dir, 'b')).toMatchObject({ label: 'real', subclass: null });
  });

  it('moves with J/K and arrows without labelling, and stays in the queue at its ends', async () => {
    await key('j');
    await key('ArrowDown');
    expect(cur()).toBe('d');
    await key('k');
    expect(cur()).toBe('c');
    await key('End');
    await key('j');
    expect(cur()).toBe('e');
    await key('Home');
    await key('ArrowUp');
    expect(cur()).toBe('b');
    expect(await labels.labelsOfWorkspace(WS.dir)).toEqual([]);
  });

  it('finds its labels again after a restart (a new store on the same database)', async () => {
    await key('r');
    await key('b');
    const again = new DeskStore(fakeBridge(), labels);
    registerDeskActions(again);
    await again.load();
    expect(again.getSnapshot().counts.labelled).toBe(2);
    // "unlabelled only" resumes after the vetted ones.
    expect(again.getSnapshot().current?.id).toBe('d');
  });

  it('cycles order, filter and stretch from keys', async () => {
    await key('o');
    expect(desk.getSnapshot().order).toBe('score');
    await key('o');
    expect(desk.getSnapshot().order).toBe('uncertainty');
    expect(desk.getSnapshot().view[0].id).toBe('d');
    await key('x');
    expect(desk.getSnapshot().settings.stretch).toBe('log');
    await key('i');
    expect(desk.getSnapshot().settings.invert).toBe(true);
  });
});

describe('the queue order: top of the new order, remembered, never lost to a late disk write', () => {
  it('switching order goes to the top of the new order, not the candidate that was current', () => {
    desk.setOrder('flagged'); // the order is remembered: earlier tests left another one
    expect(cur()).toBe('b'); // the top of "flagged first", at the certain end of "uncertainty"
    desk.setOrder('uncertainty');
    expect(desk.getSnapshot().view[0].id).toBe('d');
    expect(cur()).toBe('d');
    expect(desk.getSnapshot().cursor).toBe(0);
  });

  it('is remembered like the stretch and the theme', async () => {
    desk.setOrder('time');
    const again = new DeskStore(fakeBridge(), labels);
    await again.load();
    expect(again.getSnapshot().order).toBe('time');
    desk.setOrder('flagged');
  });

  it('a setting whose localStorage write was lost (closed < 1 s after) comes back from IndexedDB', async () => {
    const before = localStorage.getItem('skysift.view')!;
    const stampBefore = localStorage.getItem('skysift.view@')!;
    desk.setSettings({ stretch: 'asinh' });
    desk.setOrder('score');
    // Let the durable writes land, then put localStorage back as Chromium's late commit left it.
    await new Promise((r) => setTimeout(r, 50));
    localStorage.setItem('skysift.view', before);
    localStorage.setItem('skysift.view@', stampBefore ?? '0');
    localStorage.setItem('skysift.order', 'flagged');
    localStorage.setItem('skysift.order@', '0');
    const again = new DeskStore(fakeBridge(), labels);
    await again.load();
    await vi.waitFor(() => {
      expect(again.getSnapshot().settings.stretch).toBe('asinh');
      expect(again.getSnapshot().order).toBe('score');
    });
    again.setOrder('flagged');
  });
});
