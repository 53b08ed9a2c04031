/**
 * The engine's jobs as the compute worker runs them: train a new version, score a workspace with
 * a version. Labels for training merge the human labels (sent by the renderer, from Dexie) with
 * those that came with the data; human labels win on conflict, and a seeded part of them is held
 * out of training altogether to judge the new model on.
 */
import { z } from 'zod';
import type { Workspace } from '../catalog/workspace';
import { LabelValueSchema } from '../../shared/candidate';
import { selectBackend, type BackendChoice, type BackendName } from './backends';
import { DEFAULT_ARCHITECTURE } from './architectures';
import { ModelRegistry, specOf } from './registry';
import { chooseInferenceEngine } from './onnx/inferenceEngine';
import { scoreWorkspace } from './scoring';
import { stratifiedSplit, type LabelledId } from './training/split';
import { trainModel, type TrainProgress } from './training/train';
import path from 'node:path';

export const HumanLabelSchema = z.object({ id: z.string(), label: LabelValueSchema });

export const TrainParamsSchema = z.object({
  architecture: z.string().default(DEFAULT_ARCHITECTURE),
  /** Fine-tune from the active model (default) or start from random weights. */
  fromScratch: z.boolean().default(false),
  humanLabels: z.array(HumanLabelSchema).default([]),
  /** Fraction of the human labels never trained on: the comparison set for adopting. */
  heldOutFraction: z.number().min(0).max(0.9).default(0.2),
  backend: z.string().default('auto'),
  seed: z.number().int().default(1),
  maxEpochs: z.number().int().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  learningRate: z.number().positive().optional(),
  patience: z.number().int().positive().optional(),
  notes: z.string().default(''),
});
export type TrainParams = z.input<typeof TrainParamsSchema>;

export const ScoreParamsSchema = z.object({
  version: z.string(),
  backend: z.string().default('auto'),
  /** Make this version the workspace's active model once scored. */
  adopt: z.boolean().default(true),
  batchSize: z.number().int().positive().optional(),
});
export type ScoreParams = z.input<typeof ScoreParamsSchema>;

export function registryFor(ws: Workspace): ModelRegistry {
  return new ModelRegistry(path.join(ws.dir, 'models'));
}

export interface EngineReporter {
  backend(choice: BackendChoice): void;
  /** The engine that scores (ONNX Runtime on CPU backends, else tfjs): shown beside the backend. */
  inference?(name: string, description: string): void;
  progress(done: number, total: number, message: string, metrics?: Record<string, number | null>): void;
}

/** Merge labels: human over data; returns the merged set, the human part, and the counts by source. */
export function mergeLabels(ws: Workspace, human: { id: string; label: 'real' | 'bogus' }[]) {
  const merged = new Map<string, LabelledId>();
  let fromData = 0;
  for (const e of ws.list()) {
    if (e.given.label) {
      merged.set(e.id, { id: e.id, label: e.given.label === 'real' ? 1 : 0 });
      fromData++;
    }
  }
  const humanIds: LabelledId[] = [];
  let overridden = 0;
  for (const h of human) {
    if (!ws.has(h.id)) continue;
    const l: LabelledId = { id: h.id, label: h.label === 'real' ? 1 : 0 };
    const prior = merged.get(h.id);
    if (prior) {
      fromData--;
      if (prior.label !== l.label) overridden++;
    }
    merged.set(h.id, l);
    humanIds.push(l);
  }
  return {
    all: [...merged.values()],
    human: humanIds,
    sources: { human: humanIds.length, data: fromData, overriddenByHuman: overridden },
  };
}

export async function runTrain(ws: Workspace, raw: unknown, report: EngineReporter, signal?: AbortSignal) {
  const p = TrainParamsSchema.parse(raw);
  const backend = await selectBackend(p.backend as BackendName | 'auto');
  report.backend(backend);
  const { all, human, sources } = mergeLabels(ws, p.humanLabels);
  // Held-out human labels: stratified, seeded, at least a few of each class when there are enough.
  let heldOut: LabelledId[] | undefined;
  if (human.length >= 10 && p.heldOutFraction > 0) {
    heldOut = stratifiedSplit(human, { validation: 0, test: p.heldOutFraction }, p.seed).test;
  }
  const active = ws.settings.activeModel;
  const registry = registryFor(ws);
  const parent =
    !p.fromScratch && active && registry.has(active) && registry.meta(active).spec.id === p.architecture
      ? active
      : null;
  const result = await trainModel({
    ws,
    registry,
    architecture: p.architecture,
    labels: all,
    labelSources: sources,
    heldOut,
    parent,
    backend: backend.name,
    seed: p.seed,
    maxEpochs: p.maxEpochs,
    batchSize: p.batchSize,
    learningRate: p.learningRate,
    patience: p.patience,
    notes: p.notes,
    signal,
    onProgress: (t: TrainProgress) =>
      report.progress(
        t.phase === 'train' ? t.samples : 0,
        t.phase === 'train' ? t.totalSamples : 0,
        t.message,
        {
          epoch: t.epoch,
          maxEpochs: t.maxEpochs,
          loss: t.loss,
          valLoss: t.valLoss,
          valAuc: t.valAuc,
          samplesPerSecond: t.samplesPerSecond,
        },
      ),
  });
  if (result.cancelled) return { cancelled: true, result: {} };
  // Score the night with the new version right away: comparing and adopting then need no waiting.
  const scored = await scoreVersion(ws, result.meta.version, report, signal);
  return {
    cancelled: scored.cancelled,
    result: { version: result.meta.version, heldOut: heldOut?.length ?? 0, scored: scored.scored },
  };
}

async function scoreVersion(
  ws: Workspace,
  version: string,
  report: EngineReporter,
  signal?: AbortSignal,
  batchSize?: number,
) {
  const { model, meta } = await registryFor(ws).load(version);
  // ONNX Runtime on CPU backends when installed, else tfjs; the progress line says which and why.
  const engine = await chooseInferenceEngine(registryFor(ws), version, model, specOf(meta));
  report.progress(0, ws.size, `scoring with ${version}: ${engine.description}`);
  report.inference?.(engine.name, engine.description);
  try {
    const { scores, cancelled } = await scoreWorkspace(ws, model, specOf(meta), {
      batchSize,
      signal,
      predict: engine.predict,
      onProgress: (done, total) => report.progress(done, total, `scoring with ${version} (${engine.name})`),
    });
    if (!cancelled) await ws.writeScores(version, scores);
    return { cancelled, scored: scores.size, threshold: meta.threshold, engine: engine.name };
  } finally {
    model.dispose();
    await engine.release();
  }
}

export async function runScore(ws: Workspace, raw: unknown, report: EngineReporter, signal?: AbortSignal) {
  const p = ScoreParamsSchema.parse(raw);
  const backend = await selectBackend(p.backend as BackendName | 'auto');
  report.backend(backend);
  const scored = await scoreVersion(ws, p.version, report, signal, p.batchSize);
  if (scored.cancelled) return { cancelled: true, result: {} };
  return {
    cancelled: false,
    result: {
      version: p.version,
      adopt: p.adopt,
      threshold: scored.threshold,
      scored: scored.scored,
      engine: scored.engine,
    },
  };
}
