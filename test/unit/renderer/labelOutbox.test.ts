/**
 * The desk's labels on their way to main's journal: Dexie (fake-indexeddb) is the fast store and
 * the outbox; behind the bridge is main's real LabelJournal in a temp folder (the system of record),
 * with a switch that makes labelsPut fail as a host that went away would.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  calls,
  type CallArgs,
  type CallName,
  type CallResult,
  type SkysiftBridge,
  type WorkspaceSummary,
} from '../../../src/shared/contract';
import { LabelJournal } from '../../../src/main/catalog/labelJournal';
import { DeskStore } from '../../../src/renderer/src/desk/deskStore';
import { registerDeskActions } from '../../../src/renderer/src/desk/actions/deskActions';
import { LabelStore } from '../../../src/renderer/src/desk/labels/labelStore';
import { row } from './rows';
import { installBrowserGlobals } from './browserGlobals';

beforeAll(installBrowserGlobals);

function night() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-outbox-'));
  const ws: WorkspaceSummary = {
    dir,
    name: 'n',
    simulated: false,
    candidates: 4,
    sources: { manifest: 4 },
    activeModel: 'm1',
    threshold: 0.5,
    scored: 4,
    homeModel: 'm1',
  };
  return { ws, journal: new LabelJournal(dir) };
}

/** Main as the desk sees it: rows, and labelsPut/labelsList on the real journal (args parsed as main does). */
function mainOf(n: ReturnType<typeof night>) {
  const state = { down: false, puts: 0 };
  const rows = [row('a', 0.9), row('b', 0.8), row('c', 0.7), row('d', 0.1)];
  const bridge: SkysiftBridge = {
    invoke: async <N extends CallName>(call: N, args: CallArgs<N>): Promise<CallResult<N>> => {
      const r = (v: unknown) => v as CallResult<N>;
      if (call === 'workspaceCurrent') return r(n.ws);
      if (call === 'candidatesList') return r({ workspace: n.ws.dir, model: 'm1', rows });
      if (call === 'candidatesStamps') return r([]);
      if (state.down) throw new Error('Connection to the Skysift host closed');
      if (call === 'labelsList') return r({ workspace: n.ws.dir, labels: n.journal.labels() });
      if (call === 'labelsPut') {
        const a = calls.labelsPut.args.parse(args);
        const stray = a.labels.find((l) => l.workspace !== n.ws.dir);
        if (stray) throw new Error(`label for another night: ${stray.workspace}`);
        await n.journal.append([
          ...a.labels.map((label) => ({ op: 'set' as const, label })),
          ...a.removed.map((x) => ({ op: 'remove' as const, candidateId: x.candidateId, at: x.at })),
        ]);
        state.puts++;
        return r({ acknowledged: a.labels.length + a.removed.length });
      }
      throw new Error(`unexpected call ${call}`);
    },
    on: () => () => undefined,
  };
  return { bridge, state };
}

let k = 0;
const opened: DeskStore[] = [];
async function openDesk(bridge: SkysiftBridge, db = `outbox-${k++}`) {
  const store = new LabelStore(db);
  const desk = new DeskStore(bridge, store);
  registerDeskActions(desk);
  await desk.load();
  opened.push(desk);
  return { desk, store, db };
}
afterEach(() => {
  for (const d of opened.splice(0)) d.outbox.stop();
});
const key = async (desk: DeskStore, k: string) => {
  desk.handleKey(k);
  await desk.idle();
};
const journalOf = (n: ReturnType<typeof night>) =>
  Object.fromEntries(n.journal.labels().map((l) => [l.candidateId, l.label]));

describe('the label outbox', () => {
  it('sends each label to the journal after the desk moved on, and marks it acknowledged', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const { desk, store } = await openDesk(bridge);
    await key(desk, 'r');
    // The desk moved on as soon as Dexie had it; main hears of it a moment later.
    expect(desk.queue.getSnapshot().current?.id).toBe('b');
    expect(await store.pending(n.ws.dir)).toHaveLength(1);
    // The status says a send is due before the count catches up.
    expect(desk.outbox.getSnapshot().busy).toBe(true);
    await key(desk, 'b');
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({ a: 'real', b: 'bogus' });
    expect(await store.pending(n.ws.dir)).toEqual([]);
    expect(desk.outbox.getSnapshot()).toMatchObject({ unsent: 0, error: null, acknowledged: 2, busy: false });
    const a = n.journal.labels().find((l) => l.candidateId === 'a')!;
    expect(a).toMatchObject({ workspace: n.ws.dir, modelVersion: 'm1', score: 0.9 });
  });

  it('keeps what main did not acknowledge and sends it once main answers again', async () => {
    const n = night();
    const main = mainOf(n);
    const { desk, store } = await openDesk(main.bridge);
    main.state.down = true;
    await key(desk, 'r');
    await key(desk, 's');
    await desk.outbox.flushNow();
    expect(desk.outbox.getSnapshot().error).toMatch(/retrying.*closed/);
    expect(desk.outbox.getSnapshot().unsent).toBe(2);
    expect(journalOf(n)).toEqual({});
    main.state.down = false;
    // The retry after the pause sends them (500 ms after the first failure).
    await expect.poll(() => journalOf(n), { timeout: 5000 }).toEqual({ a: 'real', b: 'skip' });
    await expect.poll(() => store.pending(n.ws.dir)).toEqual([]);
    expect(desk.outbox.getSnapshot().error).toBeNull();
  });

  it('sends the removal when a first label is undone, and the earlier label when a relabel is', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const { desk } = await openDesk(bridge);
    await key(desk, 'r'); // a real
    await desk.outbox.drain();
    await key(desk, 'u'); // a taken back
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({});
    await key(desk, 'b'); // a bogus
    await key(desk, 'f'); // filter: show labelled as... (cycles the label filter)
    desk.goTo('a');
    await key(desk, '1'); // relabel a: real, sn
    await desk.outbox.drain();
    expect(n.journal.labels().find((l) => l.candidateId === 'a')?.subclass).toBe('sn');
    await key(desk, 'u'); // back to bogus
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({ a: 'bogus' });
  });

  it('redo gives an undone label again: the journal has it, and another browser reads it from main', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const { desk } = await openDesk(bridge);
    await key(desk, 'r'); // a real
    await key(desk, 'u');
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({});
    await key(desk, 'y');
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({ a: 'real' });
    const other = await openDesk(bridge);
    expect(other.desk.labels.get('a')?.label).toBe('real');
  });

  it('a fresh profile (an empty Dexie) gets every label from main on open', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const first = await openDesk(bridge);
    await key(first.desk, 'r');
    await key(first.desk, '6');
    await first.desk.outbox.drain();
    const fresh = await openDesk(bridge);
    expect(fresh.desk.queue.getSnapshot().counts.labelled).toBe(2);
    expect(fresh.desk.labels.get('b')).toMatchObject({ label: 'bogus', subclass: 'cosmic-ray' });
    expect(await fresh.store.labelsOfWorkspace(n.ws.dir)).toHaveLength(2);
    // What came from main is not due back to it.
    expect(await fresh.store.pending(n.ws.dir)).toEqual([]);
  });

  it('after a crash before the send, the next open sends the unacknowledged labels, never drops them', async () => {
    const n = night();
    const main = mainOf(n);
    const first = await openDesk(main.bridge);
    main.state.down = true;
    await key(first.desk, 'r');
    await key(first.desk, 'b');
    first.desk.outbox.stop();
    main.state.down = false;
    // The page is gone; a new one opens on the same database (same profile).
    const again = await openDesk(main.bridge, first.db);
    await again.desk.outbox.drain();
    expect(journalOf(n)).toEqual({ a: 'real', b: 'bogus' });
    expect(await again.store.pending(n.ws.dir)).toEqual([]);
  });

  it('on open, the later of two differing labels wins in both stores', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const here = await openDesk(bridge);
    await key(here.desk, 'r'); // a real
    await key(here.desk, 'r'); // b real
    await here.desk.outbox.drain();
    // Elsewhere (another profile) a is relabelled bogus later; here, b is relabelled while main is away.
    const base = n.journal.labels().find((l) => l.candidateId === 'a')!;
    await n.journal.append([
      {
        op: 'set',
        label: { ...base, label: 'bogus', labelledAt: new Date(Date.now() + 60_000).toISOString() },
      },
    ]);
    const b = (await here.store.get(n.ws.dir, 'b'))!;
    await here.store.put({ ...b, label: 'skip', at: Date.now() + 120_000 });
    const reopened = await openDesk(bridge, here.db);
    await reopened.desk.outbox.drain();
    expect(reopened.desk.labels.get('a')?.label).toBe('bogus');
    expect(reopened.desk.labels.get('b')?.label).toBe('skip');
    expect(journalOf(n)).toEqual({ a: 'bogus', b: 'skip' });
  });

  it('labels kept in a browser before the journal existed (schema 1) are all due to main', async () => {
    const n = night();
    const { bridge } = mainOf(n);
    const db = `outbox-legacy-${k++}`;
    const Dexie = (await import('dexie')).default;
    const old = new Dexie(db);
    old.version(1).stores({ labels: '[workspace+candidateId], workspace, at' });
    await old.table('labels').bulkPut(
      ['a', 'c'].map((id) => ({
        workspace: n.ws.dir,
        candidateId: id,
        label: 'real',
        subclass: null,
        model: null,
        score: null,
        secondsSpent: 1,
        at: 1_700_000_000_000,
      })),
    );
    old.close();
    const { desk } = await openDesk(bridge, db);
    await desk.outbox.drain();
    expect(journalOf(n)).toEqual({ a: 'real', c: 'real' });
    expect(desk.queue.getSnapshot().counts.labelled).toBe(2);
  });
});
