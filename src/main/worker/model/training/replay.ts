/**
 * Replay of a parent's training distribution while fine-tuning it on a few labels: a share of each
 * batch is an injection example (fake source or simulated artifact, see ../injection/inject.ts; kept
 * in a pool refreshed as training goes, see REPLAY_POOL) over real backgrounds, so that the filters learnt from tens of thousands of injections are not
 * traded for a fit to fifty labels (catastrophic forgetting).
 *
 * The backgrounds are the night's own stamps (those not held out to judge the fine-tune): the app
 * can always reach them, they are of the survey and camera being labelled, and ../shared is never
 * shipped (the repository holds no survey pixels). Injection labels hold by construction (a source
 * was injected or an artifact drawn), unlike the parent's own scores on the night, which would
 * replay its mistakes as targets. When the parent also learnt from the simulated demo night, the
 * same share of replay examples comes from that simulator.
 */
import type { Workspace } from '../../../catalog/workspace';
import type { ModelSpec } from '../architectures/spec';
import { InjectionSampler, prepareBackground, type Background } from '../injection/inject';
import { simulatedDraw } from '../injection/pretrain';
import { AS_THEY_COME, toNightScale, type NightScale } from '../injection/transform';
import { preprocessInto, stampInputLength } from '../preprocess';
import type { ModelMeta } from '../registry';
import { qualifyId } from './nightsCache';
import { seededRandom, shuffleInPlace } from './split';
import type { StampTriplet } from '../../../../shared/stamp';

/** Backgrounds read from the night for replay: enough variety, bounded memory (~50 kB each). */
export const MAX_REPLAY_BACKGROUNDS = 256;
/**
 * Replay examples kept, preprocessed, for reuse (32 MB at 51x51x3). Drawing one costs ~1.5 ms of
 * JS (the injected PSF, the simulator), which was a fifth of a one-click retrain; the trainer flips
 * and rotates every row it takes, so a reused example is seldom seen the same way twice.
 */
export const REPLAY_POOL = 1024;
/** Once the pool is full, one draw in REPLAY_REFRESH replaces a pooled example with a fresh one. */
export const REPLAY_REFRESH = 4;

export interface ReplaySource {
  /** Writes an example (fresh, or from the pool), preprocessed, at row `index` of `out`; returns its label. */
  fill(out: Float32Array, index: number): 0 | 1;
  backgrounds: number;
  simulatedShare: number;
  /** In words, for the version's notes. */
  description: string;
}

/**
 * Whether a version learnt from injections: pre-trained on them (`hyperparameters.injection`), or
 * fine-tuned from such a version with replay (`hyperparameters.replay`), so the chain carries on.
 */
export function trainedOnInjections(meta: Pick<ModelMeta, 'hyperparameters'>): boolean {
  const h = meta.hyperparameters;
  return (
    (typeof h.injection === 'object' && h.injection !== null) ||
    (typeof h.replay === 'object' && h.replay !== null)
  );
}

/** The parent's share of simulated demo-night examples (0 when it had none). */
export function parentSimulatedShare(meta: Pick<ModelMeta, 'hyperparameters'>): number {
  const h = meta.hyperparameters;
  const direct = Number(h.simulatedShare ?? 0);
  const viaReplay =
    typeof h.replay === 'object' && h.replay !== null
      ? Number((h.replay as { simulatedShare?: unknown }).simulatedShare ?? 0)
      : 0;
  const s = Math.max(Number.isFinite(direct) ? direct : 0, Number.isFinite(viaReplay) ? viaReplay : 0);
  return Math.min(1, Math.max(0, s));
}

export interface ReplayStamp {
  id: string;
  survey: string;
  triplet: StampTriplet;
}

/** Injection replay over `stamps` (real backgrounds), deterministic for a seed. */
export function injectionReplay(
  stamps: readonly ReplayStamp[],
  spec: ModelSpec,
  seed: number,
  simulatedShare = 0,
): ReplaySource {
  if (stamps.length === 0) throw new Error('replay needs at least one background stamp');
  const backgrounds: Background[] = stamps.map(prepareBackground);
  const sampler = new InjectionSampler(
    backgrounds,
    [],
    [],
    seed ^ 0x5bd1e995,
    { size: Math.max(spec.inputSize[0], spec.inputSize[1]) },
    simulatedShare > 0 ? { share: simulatedShare, draw: simulatedDraw(seed) } : undefined,
  );
  const surveys = [...new Set(stamps.map((s) => s.survey))].sort().join(', ');
  const row = stampInputLength(spec);
  const pool = new Float32Array(REPLAY_POOL * row);
  const labels = new Uint8Array(REPLAY_POOL);
  const pick = seededRandom(seed ^ 0x68e31da4);
  let draws = 0;
  const fresh = (slot: number) => {
    const e = sampler.sample();
    preprocessInto(spec, e.triplet, pool, slot);
    labels[slot] = e.label;
    return slot;
  };
  return {
    fill(out, index) {
      const slot =
        draws < REPLAY_POOL
          ? fresh(draws)
          : draws % REPLAY_REFRESH === 0
            ? fresh(Math.floor(pick() * REPLAY_POOL))
            : Math.floor(pick() * REPLAY_POOL);
      draws++;
      out.set(pool.subarray(slot * row, (slot + 1) * row), index * row);
      return labels[slot] as 0 | 1;
    },
    backgrounds: backgrounds.length,
    simulatedShare,
    description:
      `replay of the parent's training distribution: fake sources and simulated artifacts injected into ${backgrounds.length} of the night's own stamps (${surveys || 'unknown survey'})` +
      (simulatedShare > 0
        ? `, ${Math.round(simulatedShare * 100)}% from the simulated demo-night generator`
        : ''),
  };
}

/**
 * Up to `max` stamps of the nights, chosen at random (seeded), leaving out `exclude`
 * (night-qualified ids, see nightsCache.ts): the labels that judge the fine-tune stay unseen.
 * Each night's stamps come at its `scales` entry (template blur and resampling, seeing.ts), as its
 * rows are: sources are then injected at the models' seeing, and their rows need no resampling again.
 */
export async function nightBackgrounds(
  nights: readonly Workspace[],
  exclude: ReadonlySet<string>,
  seed: number,
  scales: readonly NightScale[] = [],
  max = MAX_REPLAY_BACKGROUNDS,
): Promise<ReplayStamp[]> {
  const candidates: { night: number; id: string }[] = [];
  nights.forEach((ws, k) => {
    for (const e of ws.list())
      if (!exclude.has(qualifyId(nights.length, k, e.id))) candidates.push({ night: k, id: e.id });
  });
  const chosen = shuffleInPlace(candidates, seededRandom(seed ^ 0x27d4eb2f)).slice(0, max);
  const out: ReplayStamp[] = [];
  for (let k = 0; k < nights.length; k++) {
    const ids = chosen.filter((c) => c.night === k).map((c) => c.id);
    if (!ids.length) continue;
    const scale = scales[k] ?? AS_THEY_COME;
    for await (const { entry, triplet } of nights[k].iterateTriplets(ids))
      out.push({
        id: entry.id,
        survey: (entry.meta.survey ?? 'unknown').toLowerCase(),
        triplet: toNightScale(triplet, scale),
      });
  }
  return out;
}
