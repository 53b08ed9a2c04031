/**
 * Replay of a parent's training distribution (replay.ts): which parents get it, and what the
 * source writes into a batch. Backgrounds here are simulated demo-night stamps, so that the test
 * runs without ../shared; the real-stamp fine-tune is in test/unit/injection/.
 */
import { describe, expect, it } from 'vitest';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { simulatedDraw } from '../../../src/main/worker/model/injection/pretrain';
import { stampInputLength } from '../../../src/main/worker/model/preprocess';
import {
  injectionReplay,
  parentSimulatedShare,
  REPLAY_POOL,
  REPLAY_REFRESH,
  trainedOnInjections,
} from '../../../src/main/worker/model/training/replay';

const spec = getArchitecture('compact').spec;
const row = stampInputLength(spec);

/** `n` simulated demo-night stamps as replay backgrounds. */
function backgrounds(n: number, seed: number) {
  const draw = simulatedDraw(seed);
  return Array.from({ length: n }, (_, i) => ({ id: `s${i}`, survey: 'des', triplet: draw().triplet }));
}

describe('replay of the parent training distribution', () => {
  it('is for parents that learnt from injections, directly or through a replayed fine-tune', () => {
    expect(trainedOnInjections({ hyperparameters: { injection: {} } })).toBe(true);
    expect(trainedOnInjections({ hyperparameters: { replay: { kind: 'injection' } } })).toBe(true);
    expect(trainedOnInjections({ hyperparameters: { maxEpochs: 30 } })).toBe(false);
    expect(trainedOnInjections({ hyperparameters: { injection: null } })).toBe(false);
  });

  it("carries the parent's share of simulated examples down the chain, bounded to [0, 1]", () => {
    expect(parentSimulatedShare({ hyperparameters: { simulatedShare: 0.3 } })).toBe(0.3);
    expect(parentSimulatedShare({ hyperparameters: { replay: { simulatedShare: 0.3 } } })).toBe(0.3);
    expect(parentSimulatedShare({ hyperparameters: {} })).toBe(0);
    expect(parentSimulatedShare({ hyperparameters: { simulatedShare: 'x' } })).toBe(0);
    expect(parentSimulatedShare({ hyperparameters: { simulatedShare: 7 } })).toBe(1);
  });

  it('writes preprocessed examples of both classes, the same for the same seed', () => {
    const stamps = backgrounds(6, 5);
    const n = 120;
    const run = (seed: number) => {
      const src = injectionReplay(stamps, spec, seed);
      const x = new Float32Array(n * row);
      const y = Array.from({ length: n }, (_, i) => src.fill(x, i));
      return { src, x, y };
    };
    const a = run(1);
    const b = run(1);
    const c = run(2);
    expect(a.src.backgrounds).toBe(6);
    expect(a.src.description).toMatch(/6 of the night's own stamps \(des\)/);
    const reals = a.y.filter((v) => v === 1).length;
    expect(reals).toBeGreaterThan(35);
    expect(reals).toBeLessThan(85);
    expect(a.x.every(Number.isFinite)).toBe(true);
    // Every row holds an image (robust-normalised noise is never all zero).
    for (let i = 0; i < n; i++) expect(a.x.subarray(i * row, (i + 1) * row).some((v) => v !== 0)).toBe(true);
    expect(b.y).toEqual(a.y);
    expect(b.x).toEqual(a.x);
    expect(c.x).not.toEqual(a.x);
    expect(() => injectionReplay([], spec, 1)).toThrow(/at least one background/);
  });

  it('reuses pooled examples once the pool is full, with one fresh example in REPLAY_REFRESH draws', () => {
    const stamps = backgrounds(3, 9);
    const src = injectionReplay(stamps, spec, 3);
    const pool = new Float32Array(REPLAY_POOL * row);
    const poolY = Array.from({ length: REPLAY_POOL }, (_, i) => src.fill(pool, i));
    const later = 400;
    const x = new Float32Array(later * row);
    const y = Array.from({ length: later }, (_, i) => src.fill(x, i));
    // A row is pooled when some pool row equals it (a refreshed slot holds a new example).
    const key = (a: Float32Array, i: number) => a.subarray(i * row, (i + 1) * row).join(',');
    const pooled = new Map(poolY.map((label, i) => [key(pool, i), label]));
    let reused = 0;
    for (let i = 0; i < later; i++) {
      const label = pooled.get(key(x, i));
      if (label === undefined) continue;
      reused++;
      expect(y[i]).toBe(label);
    }
    // Fresh: the refreshed draws, and a few later picks of a slot a refresh overwrote.
    const fresh = later - reused;
    expect(fresh).toBeGreaterThanOrEqual(later / REPLAY_REFRESH);
    expect(fresh).toBeLessThan((later / REPLAY_REFRESH) * 1.5);
  });
});
