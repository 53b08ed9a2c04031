import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
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

/** What main was sent through labelsPut, in order (the outbox's path to the journal). */
let sent: CallArgs<'labelsPut'>[] = [];

/** The night main has open (a test may open another). */
let openNight: WorkspaceSummary = WS;

function fakeBridge(): SkysiftBridge {
  const results = (): Partial<{ [N in CallName]: CallResult<N> }> => ({
    workspaceCurrent: openNight,
    candidatesList: { workspace: openNight.dir, model: 'm1', rows: ROWS },
    candidatesStamps: [],
  });
  return {
    invoke: async <N extends CallName>(call: N, args: CallArgs<N>) => {
      if (call === 'labelsPut') {
        const a = args as CallArgs<'labelsPut'>;
        sent.push(a);
        const acknowledged = (a.labels?.length ?? 0) + (a.removed?.length ?? 0);
        return { acknowledged } as CallResult<N>;
      }
      return results()[call] as CallResult<N>;
    },
    on: () => () => undefined,
  };
}

let n = 0;
let desk: DeskStore;
let labels: LabelStore;
/** The desk's clock (ms): the time spent on a candidate is read from it, so tests set it. */
let clock = 0;
afterEach(() => desk.outbox.stop());
beforeEach(async () => {
  sent = [];
  openNight = WS;
  labels = new LabelStore(`desk-test-${n++}`);
  clock = 1000;
  desk = new DeskStore(fakeBridge(), labels, { now: () => clock });
  registerDeskActions(desk);
  await desk.load();
});
const cur = () => desk.queue.getSnapshot().current?.id;
const queue = () => desk.queue.getSnapshot();
const key = async (k: string) => {
  desk.handleKey(k);
  await desk.idle();
};

describe('the desk store: keys, labels, undo', () => {
  it('opens on the top flagged candidate with the counts', () => {
    expect(cur()).toBe('b');
    expect(queue().view.map((r) => r.id)).toEqual(['b', 'c', 'd', 'a', 'e']);
    expect(queue().counts).toMatchObject({ total: 5, flagged: 3, labelled: 0, remaining: 5 });
  });

  it('writes the label before moving on, with model, score and time spent', async () => {
    clock += 3250; // the astronomer looked at b for 3.25 s
    await key('b');
    expect(cur()).toBe('c');
    const stored = await labels.get(WS.dir, 'b');
    expect(stored).toMatchObject({ label: 'bogus', subclass: null, model: 'm1', score: 0.9 });
    expect(stored!.secondsSpent).toBe(3.25);
    // b came with the label "real": the desk says so and keeps both.
    expect(desk.panels.getSnapshot().notice).toMatch(
      /differs from the label that came with the data \(real\)/,
    );
    expect(queue().counts).toMatchObject({ labelled: 1, remaining: 4 });
    // The clock restarts when the next candidate shows: c's time is its own, not b's plus c's.
    clock += 1500;
    await key('r');
    expect((await labels.get(WS.dir, 'c'))!.secondsSpent).toBe(1.5);
    // Moving without labelling restarts it too.
    clock += 9000;
    await key('j');
    clock += 500;
    await key('s');
    expect((await labels.get(WS.dir, 'a'))!.secondsSpent).toBe(0.5);
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
    expect(queue().counts.labelled).toBe(0);
    await key('u');
    expect(desk.panels.getSnapshot().notice).toBe('Nothing to undo.');
  });

  it('undo of a relabel restores the earlier label, not nothing', async () => {
    await key('r'); // b real
    await key('f'); // show labelled real
    expect(queue().filter.label).toBe('real');
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
    expect(again.queue.getSnapshot().counts.labelled).toBe(2);
    // "unlabelled only" resumes after the vetted ones.
    expect(again.queue.getSnapshot().current?.id).toBe('d');
  });

  it("tells each store's listeners at most once per key, so React draws one frame per key", async () => {
    const heard = { queue: 0, labels: 0, view: 0, panels: 0 };
    for (const name of Object.keys(heard) as (keyof typeof heard)[])
      desk[name].subscribe(() => heard[name]++);
    await key('r'); // b real: the label that came with it, so no notice
    expect(heard).toEqual({ queue: 1, labels: 1, view: 0, panels: 0 });
    await key('j');
    expect(heard).toEqual({ queue: 2, labels: 1, view: 0, panels: 0 });
    await key('u');
    expect(heard).toEqual({ queue: 3, labels: 2, view: 0, panels: 0 });
  });

  it('cycles order, filter and stretch from keys', async () => {
    await key('o');
    expect(queue().order).toBe('score');
    await key('o');
    expect(queue().order).toBe('uncertainty');
    expect(queue().view[0].id).toBe('d');
    await key('x');
    expect(desk.view.getSnapshot().settings.stretch).toBe('log');
    await key('i');
    expect(desk.view.getSnapshot().settings.invert).toBe(true);
  });
});

describe('the label history: each label an event, undo its inverse, redo the event again', () => {
  // The order is remembered across desks: an earlier test left another one.
  beforeEach(() => desk.queue.setOrder('flagged'));
  const history = () => {
    const l = desk.labels.getSnapshot();
    return [l.undoDepth, l.redoDepth];
  };
  const stored = async (id: string) => {
    const r = await labels.get(WS.dir, id);
    return r ? [r.label, r.subclass] : null;
  };

  it('label, relabel, undo twice, redo twice: Dexie, the map and the cursor follow each step', async () => {
    await key('r'); // b real
    await key('f'); // show labelled real: b is in view again
    expect(cur()).toBe('b');
    await key('2'); // relabel b: real, variable star
    expect(await stored('b')).toEqual(['real', 'variable-star']);
    expect(history()).toEqual([2, 0]);

    await key('u');
    expect(await stored('b')).toEqual(['real', null]);
    expect(desk.labels.get('b')?.subclass).toBeNull();
    expect(history()).toEqual([1, 1]);
    await key('u');
    expect(await stored('b')).toBeNull();
    expect(desk.labels.get('b')).toBeUndefined();
    expect(queue().counts.labelled).toBe(0);
    expect(history()).toEqual([0, 2]);

    await key('y');
    expect(await stored('b')).toEqual(['real', null]);
    await key('y');
    expect(await stored('b')).toEqual(['real', 'variable-star']);
    expect(cur()).toBe('b');
    expect(queue().counts.labelled).toBe(1);
    expect(history()).toEqual([2, 0]);
    await key('y');
    expect(desk.panels.getSnapshot().notice).toBe('Nothing to redo.');
  });

  it('a new label after an undo leaves nothing to redo', async () => {
    await key('r'); // b
    await key('u');
    expect(history()).toEqual([0, 1]);
    await key('b'); // b again, bogus this time
    expect(history()).toEqual([1, 0]);
    await key('y');
    expect(await stored('b')).toEqual(['bogus', null]);
  });

  it('each write is a later word than the one it takes back, even within one millisecond', async () => {
    // Every key in the same millisecond of the wall clock (a fast hand, a coarse clock).
    const frozen = vi.spyOn(Date, 'now').mockReturnValue(1_790_000_000_000);
    onTestFinished(() => frozen.mockRestore());
    await key('r');
    const given = (await labels.get(WS.dir, 'b'))!.at;
    await key('f'); // show labelled real: back on b
    await key('2');
    const relabelled = (await labels.get(WS.dir, 'b'))!.at;
    await key('u');
    const restored = (await labels.get(WS.dir, 'b'))!;
    expect(relabelled).toBeGreaterThan(given);
    expect(restored.at).toBeGreaterThan(relabelled);
    // The restored label is the earlier word said again: same label, time spent and score.
    expect(restored).toMatchObject({ label: 'real', subclass: null, score: 0.9 });
  });

  it('undo of a first label sends main a removal; undo of a relabel sends the earlier label', async () => {
    await key('r'); // b real
    await desk.outbox.drain();
    await key('u');
    await desk.outbox.drain();
    const removal = sent.at(-1)!;
    expect(removal.labels ?? []).toEqual([]);
    expect(removal.removed?.map((r) => r.candidateId)).toEqual(['b']);
    // Later than the label it takes back, so main's journal keeps the removal.
    const label = sent[0].labels![0];
    expect(Date.parse(removal.removed![0].at)).toBeGreaterThan(Date.parse(label.labelledAt));

    await key('r'); // b real again
    await key('f');
    await key('7'); // relabel b: bogus, hot pixel
    await desk.outbox.drain();
    await key('u');
    await desk.outbox.drain();
    const back = sent.at(-1)!;
    expect(back.removed ?? []).toEqual([]);
    expect(back.labels?.map((l) => [l.candidateId, l.label, l.subclass ?? null])).toEqual([
      ['b', 'real', null],
    ]);
  });

  it('an undo whose write is refused keeps its step and says why', async () => {
    await key('r');
    const remove = vi.spyOn(labels, 'remove').mockRejectedValueOnce(new Error('disk full'));
    await key('u');
    expect(desk.panels.getSnapshot().error).toMatch(/Undo.*disk full/);
    expect(await stored('b')).toEqual(['real', null]);
    expect(history()).toEqual([1, 0]);
    await key('u'); // the disk is back
    expect(await stored('b')).toBeNull();
    expect(remove).toHaveBeenCalledTimes(2);
  });

  it('keeps the history over a reload of the same night, forgets it when another night opens', async () => {
    await key('r');
    await desk.load(); // e.g. new scores adopted
    expect(history()).toEqual([1, 0]);
    openNight = { ...WS, dir: '/nights/other', name: 'other' };
    await desk.load();
    expect(history()).toEqual([0, 0]);
    await key('u');
    expect(desk.panels.getSnapshot().notice).toBe('Nothing to undo.');
    // Undo wrote nothing into the first night either.
    expect(await stored('b')).toEqual(['real', null]);
  });
});

describe('the queue order: top of the new order, remembered, never lost to a late disk write', () => {
  it('switching order goes to the top of the new order, not the candidate that was current', () => {
    desk.queue.setOrder('flagged'); // the order is remembered: earlier tests left another one
    expect(cur()).toBe('b'); // the top of "flagged first", at the certain end of "uncertainty"
    desk.queue.setOrder('uncertainty');
    expect(queue().view[0].id).toBe('d');
    expect(cur()).toBe('d');
    expect(queue().cursor).toBe(0);
  });

  it('is remembered like the stretch and the theme', async () => {
    desk.queue.setOrder('time');
    const again = new DeskStore(fakeBridge(), labels);
    await again.load();
    expect(again.queue.getSnapshot().order).toBe('time');
    desk.queue.setOrder('flagged');
  });

  it('a setting whose localStorage write was lost (closed < 1 s after) comes back from IndexedDB', async () => {
    const before = localStorage.getItem('skysift.view')!;
    const stampBefore = localStorage.getItem('skysift.view@')!;
    desk.view.setSettings({ stretch: 'asinh' });
    desk.queue.setOrder('score');
    // Let the durable writes land, then put localStorage back as Chromium's late commit left it.
    await new Promise((r) => setTimeout(r, 50));
    localStorage.setItem('skysift.view', before);
    localStorage.setItem('skysift.view@', stampBefore ?? '0');
    localStorage.setItem('skysift.order', 'flagged');
    localStorage.setItem('skysift.order@', '0');
    const again = new DeskStore(fakeBridge(), labels);
    await again.load();
    await vi.waitFor(() => {
      expect(again.view.getSnapshot().settings.stretch).toBe('asinh');
      expect(again.queue.getSnapshot().order).toBe('score');
    });
    again.queue.setOrder('flagged');
  });
});
