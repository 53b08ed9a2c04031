import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  CallName,
  CallResult,
  CandidateRow,
  SkysiftBridge,
  WorkspaceSummary,
} from '../../../src/shared/contract';
import { DeskStore } from '../../../src/renderer/src/desk/deskStore';
import { activeModel, activeThreshold } from '../../../src/renderer/src/desk/queue/queueStore';
import { registerDeskActions } from '../../../src/renderer/src/desk/actions/deskActions';
import { LabelStore, type LabelRecord } from '../../../src/renderer/src/desk/labels/labelStore';
import { row } from './rows';
import { installBrowserGlobals } from './browserGlobals';

beforeAll(installBrowserGlobals);

const WS: WorkspaceSummary = {
  dir: '/nights/reload',
  name: 'reload',
  simulated: true,
  candidates: 5,
  sources: { manifest: 5 },
  activeModel: 'm1',
  threshold: 0.5,
  scored: 5,
  homeModel: 'm1',
};

/** A bridge whose model and scores the test can change, as adopting a new version does. */
function mutableBridge() {
  const state = {
    ws: WS,
    model: 'm1',
    rows: [row('a', 0.9), row('b', 0.8), row('c', 0.7), row('d', 0.3), row('e', 0.1)] as CandidateRow[],
  };
  const bridge: SkysiftBridge = {
    invoke: async <N extends CallName>(call: N) => {
      const results: Partial<Record<CallName, unknown>> = {
        workspaceCurrent: state.ws,
        candidatesList: { workspace: state.ws.dir, model: state.model, rows: state.rows },
        candidatesStamps: [],
      };
      return results[call] as CallResult<N>;
    },
    on: () => () => undefined,
  };
  return { bridge, state };
}

let n = 0;
async function setup() {
  const { bridge, state } = mutableBridge();
  const labels = new LabelStore(`reload-test-${n++}`);
  const desk = new DeskStore(bridge, labels);
  registerDeskActions(desk);
  await desk.load();
  return { desk, state, labels };
}

describe('reloading the desk (new scores adopted mid-vetting)', () => {
  it('keeps the same candidate selected while the queue re-sorts around it', async () => {
    const { desk, state, labels } = await setup();
    desk.handleKey('j');
    desk.handleKey('j');
    await desk.idle();
    expect(desk.queue.getSnapshot().current?.id).toBe('c');
    // Main adopted m2 with its own threshold: the night's summary says so, and the rows carry its scores.
    state.ws = { ...WS, activeModel: 'm2', threshold: 0.85 };
    state.model = 'm2';
    state.rows = [row('a', 0.1), row('b', 0.2), row('c', 0.6), row('d', 0.95), row('e', 0.9)];
    await desk.load();
    const s = desk.queue.getSnapshot();
    expect([activeModel(s), activeThreshold(s)]).toEqual(['m2', 0.85]);
    expect(s.counts.flagged).toBe(2);
    expect(s.view.map((r) => r.id)).toEqual(['d', 'e', 'c', 'b', 'a']);
    expect(s.current?.id).toBe('c');
    expect(s.current?.score).toBe(0.6);
    // A label given now names the model main reported, with its score on screen.
    desk.handleKey('r');
    await desk.idle();
    expect(await labels.get(WS.dir, 'c')).toMatchObject({ model: 'm2', score: 0.6 });
  });

  it('does not lose a label whose write is in flight when the reload lands', async () => {
    const { desk, labels } = await setup();
    // The key and the reload start together: the reload's label read must not miss the label.
    desk.handleKey('r');
    const reload = desk.load();
    await Promise.all([reload, desk.idle()]);
    expect(desk.queue.getSnapshot().counts.labelled).toBe(1);
    expect(desk.labels.get('a')?.label).toBe('real');
    expect((await labels.get(WS.dir, 'a'))?.label).toBe('real');
  });

  it('writes accepted imports durably and shows them, keeping the place', async () => {
    const { desk, labels } = await setup();
    desk.handleKey('j');
    await desk.idle();
    const imported: LabelRecord[] = ['d', 'e'].map((id) => ({
      workspace: WS.dir,
      candidateId: id,
      label: 'bogus',
      subclass: null,
      model: 'm1',
      score: null,
      secondsSpent: 0,
      at: 1,
      by: 'alice',
    }));
    await desk.importLabels(imported);
    expect(desk.queue.getSnapshot().current?.id).toBe('b');
    expect(desk.queue.getSnapshot().counts.labelled).toBe(2);
    expect((await labels.get(WS.dir, 'e'))?.by).toBe('alice');
  });
});
