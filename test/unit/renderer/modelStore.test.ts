import { describe, expect, it } from 'vitest';
import { TrainJobParamsSchema } from '../../../src/shared/jobs';
import type {
  CallArgs,
  CallName,
  EventName,
  EventPayload,
  JobProgress,
  JobRecord,
  SkysiftBridge,
} from '../../../src/shared/contract';
import { ModelStore } from '../../../src/renderer/src/desk/model/modelStore';

/** A bridge that records calls and lets the test emit main's events. */
function fakeMain() {
  const calls: { call: CallName; args: unknown }[] = [];
  const listeners = new Map<EventName, ((p: unknown) => void)[]>();
  const bridge: SkysiftBridge = {
    invoke: async <N extends CallName>(call: N, args: CallArgs<N>) => {
      calls.push({ call, args });
      const r: Partial<Record<CallName, unknown>> = {
        modelsList: [],
        jobsList: [],
        trainStart: { jobId: 'j1' },
        scoreStart: { jobId: 's1' },
        modelImport: { version: 'braai-d6_m7' },
        modelAdopt: { jobId: null, activeModel: 'v2' },
        jobCancel: { ok: true },
        modelCompare: { heldOut: { n: 4, reals: 2, bogus: 2 }, confirmedReals: 2, models: [] },
      };
      return r[call] as never;
    },
    on: <E extends EventName>(event: E, l: (p: EventPayload<E>) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), l as (p: unknown) => void]);
      return () => undefined;
    },
  };
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>) =>
    listeners.get(event)?.forEach((l) => l(payload));
  return { bridge, calls, emit };
}

const progress = (metrics: JobProgress['metrics']): JobProgress => ({
  jobId: 'j1',
  kind: 'train',
  state: 'running',
  done: 1,
  total: 10,
  rate: 5,
  etaSeconds: 2,
  message: '',
  metrics,
});
const finished = (state: JobRecord['state'], result: { version?: string }): JobRecord => ({
  id: 'j1',
  kind: 'train',
  state,
  startedAt: '2026-11-25T00:00:00Z',
  endedAt: '2026-11-25T00:01:00Z',
  params: TrainJobParamsSchema.parse({}),
  report: null,
  error: state === 'done' ? null : 'stopped',
  result,
});

function setup() {
  const main = fakeMain();
  const store = new ModelStore({
    bridge: main.bridge,
    confirmedReals: async () => ['a', 'b'],
    activeModel: () => 'v1',
  });
  store.connect();
  return { ...main, store };
}

describe('the model store', () => {
  it('retrains with the labels, draws the curve as it comes, then compares against the model active at the start', async () => {
    const { store, calls, emit } = setup();
    await store.retrain({ architecture: 'compact', fromScratch: false, maxEpochs: 2, nights: 'all' });
    expect(calls.find((c) => c.call === 'trainStart')?.args).toEqual({
      architecture: 'compact',
      fromScratch: false,
      maxEpochs: 2,
      nights: 'all',
    });
    emit('jobProgress', progress({ epoch: 1, maxEpochs: 2, loss: 0.7, valLoss: null }));
    emit('jobProgress', progress({ epoch: 2, maxEpochs: 2, loss: 0.6, valLoss: 0.65 }));
    expect(store.getSnapshot().training?.points).toEqual([
      { epoch: 1, loss: 0.7, valLoss: 0.65 },
      { epoch: 2, loss: 0.6, valLoss: null },
    ]);
    await store.onFinished(finished('done', { version: 'v2' }));
    const s = store.getSnapshot();
    expect(s.training).toBeNull();
    expect(calls.find((c) => c.call === 'modelCompare')?.args).toEqual({
      candidate: 'v2',
      against: 'v1',
      confirmedReals: ['a', 'b'],
    });
    expect(s.outcome).toMatchObject({ version: 'v2', against: 'v1', decision: null });
    expect(s.outcome?.comparison?.heldOut.n).toBe(4);
  });

  it('adopts or discards the new version, and says which', async () => {
    const { store } = setup();
    await store.retrain({ architecture: 'compact', fromScratch: false, nights: 'all' });
    await store.onFinished(finished('done', { version: 'v2' }));
    store.discard();
    expect(store.getSnapshot().outcome?.decision).toBe('discarded');
    await store.adopt('v2');
    expect(store.getSnapshot().outcome?.decision).toBe('adopted');
  });

  it('reports a cancelled or interrupted job in words, with nothing to compare', async () => {
    const { store, calls } = setup();
    await store.retrain({ architecture: 'compact', fromScratch: true, nights: 'this' });
    await store.cancel();
    expect(calls.find((c) => c.call === 'jobCancel')?.args).toEqual({ jobId: 'j1' });
    await store.onFinished(finished('cancelled', {}));
    expect(store.getSnapshot().outcome).toMatchObject({
      state: 'cancelled',
      version: null,
      error: 'stopped',
    });
    expect(calls.some((c) => c.call === 'modelCompare')).toBe(false);
  });

  it('restarts an interrupted job by its id', async () => {
    const { store, calls } = setup();
    await store.restart('old-job');
    expect(calls.find((c) => c.call === 'trainStart')?.args).toEqual({
      resumeJobId: 'old-job',
    });
    expect(store.getSnapshot().training?.jobId).toBe('j1');
  });

  it('imports a model folder into the library and scores the night with a version without adopting it', async () => {
    const { store, calls } = setup();
    expect(await store.importModel('/models/braai-d6_m7')).toBe(true);
    expect(calls.find((c) => c.call === 'modelImport')?.args).toEqual({ folder: '/models/braai-d6_m7' });
    expect(store.getSnapshot().imported).toEqual({ version: 'braai-d6_m7' });
    await store.scoreWith('braai-d6_m7');
    expect(calls.find((c) => c.call === 'scoreStart')?.args).toEqual({
      version: 'braai-d6_m7',
      adopt: false,
    });
    expect(calls.some((c) => c.call === 'modelAdopt')).toBe(false);
  });
});
