/**
 * The engine's jobs as the compute worker runs them: train a new version, score a night with a
 * version. Training reads its labels from the nights' journals (main's system of record; nothing
 * travels in the message), merged with the labels that came with the data (human labels win); a
 * seeded, stratified part of the human labels of all nights is held out to judge the new version
 * and the active one on.
 */
import {
  ScoreJobParamsSchema,
  TrainJobParamsSchema,
  type JobParamsIn,
  type JobResult,
} from '../../../shared/jobs';
import { Workspace } from '../../catalog/workspace';
import { LabelJournal } from '../../catalog/labelJournal';
import { trainingClass } from '../../../shared/labels';
import type { TrainedOn } from '../../../shared/contract';
import { selectBackend, type BackendChoice, type BackendName } from './backends';
import { ModelRegistry, specOf } from './registry';
import { chooseInferenceEngine } from './onnx/inferenceEngine';
import { scoreWorkspace } from './scoring';
import { stratifiedSplit, type LabelledId } from './training/split';
import { qualifyId } from './training/nightsCache';
import { trainModel, type TrainProgress } from './training/train';
import { StampCache, cacheKey } from './training/stampCache';
import { describeSeeing, nightScale, nightSeeing, scaleFor } from './seeing';
import { predictRows } from './training/trainEngine';
import { libraryRoot } from '../../home/home';

export type TrainParams = JobParamsIn<'train'>;
export type ScoreParams = JobParamsIn<'score'>;

/** The home's model library (SKYSIFT_HOME, inherited by the workers): every night's versions. */
export function modelLibrary(): ModelRegistry {
  return new ModelRegistry(libraryRoot());
}

export interface EngineReporter {
  backend(choice: BackendChoice): void;
  /** The engine that scores (ONNX Runtime on CPU backends, else tfjs): shown beside the backend. */
  inference?(name: string, description: string): void;
  progress(done: number, total: number, message: string, metrics?: Record<string, number | null>): void;
}

/**
 * The labels of the given nights: those that came with the data, overridden by the astronomer's
 * (from each night's journal; a sub-class implies its class; skips are not labels to learn).
 * Ids are night-qualified when there are several nights.
 */
export function collectLabels(nights: readonly Workspace[]) {
  const all: LabelledId[] = [];
  const human: LabelledId[] = [];
  let fromData = 0;
  let overridden = 0;
  const surveys = new Set<string>();
  nights.forEach((ws, k) => {
    const journal = new Map<string, 0 | 1>();
    for (const l of new LabelJournal(ws.dir).labels()) {
      const cls = trainingClass(l);
      if (cls && ws.has(l.candidateId)) journal.set(l.candidateId, cls === 'real' ? 1 : 0);
    }
    for (const e of ws.list()) {
      const id = qualifyId(nights.length, k, e.id);
      const mine = journal.get(e.id);
      const given = e.given.label ? (e.given.label === 'real' ? 1 : 0) : undefined;
      if (mine !== undefined) {
        if (given !== undefined && given !== mine) overridden++;
        all.push({ id, label: mine });
        human.push({ id, label: mine });
      } else if (given !== undefined) {
        all.push({ id, label: given });
        fromData++;
      } else continue;
      surveys.add(e.meta.survey ?? e.source);
    }
  });
  return {
    all,
    human,
    // Keys are shown to the astronomer as they are: say what each count is.
    sources: {
      'your labels': human.length,
      'labels that came with the data': fromData,
      'data labels you changed': overridden,
    },
    surveys: [...surveys].sort(),
  };
}

export async function runTrain(
  ws: Workspace,
  raw: unknown,
  report: EngineReporter,
  signal?: AbortSignal,
): Promise<{ cancelled: boolean; result: Partial<JobResult<'train'>> }> {
  const p = TrainJobParamsSchema.parse(raw);
  const backend = await selectBackend(p.backend as BackendName | 'auto');
  report.backend(backend);
  const nightDirs = p.nights.length ? p.nights : [ws.dir];
  const nights = await Promise.all(
    nightDirs.map((dir) => (dir === ws.dir ? Promise.resolve(ws) : Workspace.open(dir))),
  );
  const { all, human, sources, surveys } = collectLabels(nights);
  // Held-out human labels: stratified, seeded, at least a few of each class when there are enough.
  let heldOut: LabelledId[] | undefined;
  if (human.length >= 10 && p.heldOutFraction > 0) {
    heldOut = stratifiedSplit(human, { validation: 0, test: p.heldOutFraction }, p.seed).test;
  }
  const registry = modelLibrary();
  const active = p.activeModel ?? ws.settings.activeModel;
  const activeKnown = !!active && registry.has(active);
  const parent =
    !p.fromScratch && activeKnown && registry.meta(active!).spec.id === p.architecture ? active : null;
  const real = all.filter((l) => l.label === 1).length;
  const fromData = sources['labels that came with the data'];
  const simulatedOnly = nights.every((n) => n.settings.simulated);
  // What this version's own labels are: labels of real nights (the astronomer's, or the survey's
  // that came with the data) are real labels; 'mixed' means real and simulated nights together;
  // 'external' is none of the astronomer's, only what came with the data.
  const data: TrainedOn['data'] = simulatedOnly
    ? 'simulated'
    : nights.some((n) => n.settings.simulated)
      ? 'mixed'
      : human.length > 0
        ? 'labelled-real'
        : 'external';
  // A fine-tuned version also keeps what its parent learned from: said in words, with its name.
  const parentOn = parent ? registry.meta(parent).trainedOn : undefined;
  const trainedOn: TrainedOn = {
    data,
    surveys,
    labels: { real, bogus: all.length - real },
    description:
      `${human.length} of your labels and ${fromData} labels from the data, over ${nights.length} night${nights.length === 1 ? '' : 's'}` +
      (parent ? `; fine-tuned from ${parent}${parentOn ? ` (${parentOn.description})` : ''}` : ''),
  };
  const result = await trainModel({
    nights,
    registry,
    architecture: p.architecture,
    labels: all,
    labelSources: sources,
    heldOut,
    parent,
    compareWith: activeKnown ? active : null,
    trainedOn,
    // Figures on held-out labels count as "on real stamps" only when no simulated night gave any.
    realEvaluationSource: nights.some((n) => n.settings.simulated)
      ? undefined
      : `your held-out labels (${surveys.join(', ') || 'unknown survey'}), never trained on`,
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
  // Its labelled candidates' rows are in the stamp cache the training just filled.
  const spec = specOf(result.meta);
  const scored = await scoreVersion(ws, result.meta.version, report, {
    signal,
    rows: new StampCache(ws, spec, await nightScale(ws, spec)),
  });
  return {
    cancelled: scored.cancelled,
    result: {
      version: result.meta.version,
      heldOut: heldOut?.length ?? 0,
      scored: scored.scored,
      ...(result.kept ? { kept: result.kept } : {}),
      ...(result.guard ? { guard: result.guard } : {}),
    },
  };
}

export interface ScoreVersionOptions {
  signal?: AbortSignal;
  batchSize?: number;
  /** Only the candidates the version has no score for yet (appended since it scored the night). */
  onlyMissing?: boolean;
  /**
   * Rows already preprocessed for the version's spec (the stamp cache a training just filled): the
   * catalog parts whose candidates are all there are scored from them instead of decoding and
   * preprocessing their stamps again (the same preprocessInto, so the same rows); the other parts
   * go through scoreWorkspace.
   */
  rows?: Pick<StampCache, 'has' | 'read' | 'rowLength' | 'scale'>;
}

/** Scores a night with a version and stores the scores; the counts say where the rows came from. */
export async function scoreVersion(
  ws: Workspace,
  version: string,
  report: EngineReporter,
  opts: ScoreVersionOptions = {},
) {
  const { signal, batchSize, rows } = opts;
  // Candidates appended since the last scoring get scores; the others keep theirs.
  const kept = opts.onlyMissing
    ? (ws.scores(version) ?? new Map<string, number>())
    : new Map<string, number>();
  const ids = opts.onlyMissing ? ws.ids().filter((id) => !kept.has(id)) : undefined;
  if (ids && ids.length === 0) {
    const meta = modelLibrary().meta(version);
    return { cancelled: false, scored: 0, threshold: meta.threshold, engine: 'none (nothing new to score)' };
  }
  const { model, meta } = await modelLibrary().load(version);
  const spec = specOf(meta);
  // ONNX Runtime on CPU backends when installed, else tfjs; the progress line says which and why.
  const engine = await chooseInferenceEngine(modelLibrary(), version, model, spec);
  const wanted = ids ?? ws.ids();
  // Measured once per night (cache/seeing.json): a night of finer pixels is resampled for the model.
  const seeing = await nightSeeing(ws);
  const scale = scaleFor(spec, seeing);
  // A catalog part is scored from the rows given only when they hold every candidate of it asked
  // for; any other part goes to scoreWorkspace whole, so that its rows cache (whole parts only)
  // keeps serving and filling it: a big night with a few labels in every part is not recomputed.
  const fromRows: string[] = [];
  const others: string[] = [];
  // Rows preprocessed at another scale than the night's are not this night's rows: unused.
  if (rows && cacheKey(spec, rows.scale) === cacheKey(spec, scale))
    for (const { refs } of ws.stampRefsByPart(ids)) {
      const to = refs.every((r) => rows.has(r.id)) ? fromRows : others;
      for (const r of refs) to.push(r.id);
    }
  // undefined: the whole night.
  const rest = fromRows.length ? others : ids;
  const total = wanted.length;
  report.progress(
    0,
    total,
    // The resampling this model's preprocessing applies (braai takes stamps as they come).
    `scoring with ${version}: ${engine.description}; night ${describeSeeing({ ...seeing, ...scale })}`,
  );
  report.inference?.(engine.name, engine.description);
  const progress = (done: number) => report.progress(done, total, `scoring with ${version} (${engine.name})`);
  try {
    const predict =
      engine.predict ??
      ((x: Float32Array, n: number) =>
        predictRows(model, x, n, [spec.inputSize[0], spec.inputSize[1], spec.channels.length]));
    const got = new Map<string, number>();
    let cancelled = false;
    const size = batchSize ?? 256;
    const buf = new Float32Array(fromRows.length ? size * rows!.rowLength : 0);
    // Those parts' rows are read from the rows given, a batch at a time.
    for (let i = 0; i < fromRows.length && !cancelled; i += size) {
      if (signal?.aborted) cancelled = true;
      else {
        const slice = fromRows.slice(i, i + size);
        rows!.read(slice, buf);
        const values = await predict(buf, slice.length);
        slice.forEach((id, k) => got.set(id, values[k]));
        progress(got.size);
      }
    }
    const stats = { cachedRows: 0, computedRows: 0 };
    if (!cancelled && (rest === undefined || rest.length > 0)) {
      const done = got.size;
      const r = await scoreWorkspace(ws, model, spec, {
        ids: rest,
        batchSize,
        signal,
        predict: engine.predict,
        scale,
        // Cache notes (a stale part rebuilt, a full disk) go to the job's log with the night named.
        log: (line) => console.warn(`[skysift] scoring ${ws.dir}: ${line}`),
        onProgress: (d) => progress(done + d),
      });
      for (const [id, v] of r.scores) got.set(id, v);
      cancelled = r.cancelled;
      Object.assign(stats, { cachedRows: r.stats.cachedRows, computedRows: r.stats.computedRows });
    }
    // In catalog order, as scoreWorkspace gives them.
    const scores = fromRows.length
      ? new Map(wanted.filter((id) => got.has(id)).map((id) => [id, got.get(id)!]))
      : got;
    // Scores of appended candidates go on the version's journal: their cost is the chunk's, not the night's.
    if (!cancelled) await (kept.size > 0 ? ws.addScores(version, scores) : ws.writeScores(version, scores));
    return {
      cancelled,
      scored: scores.size,
      threshold: meta.threshold,
      engine: engine.name,
      cachedRows: stats.cachedRows,
      computedRows: stats.computedRows,
      fromTrainingRows: fromRows.length,
    };
  } finally {
    model.dispose();
    await engine.release();
  }
}

export async function runScore(ws: Workspace, raw: unknown, report: EngineReporter, signal?: AbortSignal) {
  const p = ScoreJobParamsSchema.parse(raw);
  const backend = await selectBackend(p.backend as BackendName | 'auto');
  report.backend(backend);
  const scored = await scoreVersion(ws, p.version, report, {
    signal,
    batchSize: p.batchSize,
    onlyMissing: p.onlyMissing,
  });
  if (scored.cancelled) return { cancelled: true, result: {} };
  return {
    cancelled: false,
    result: {
      version: p.version,
      adopt: p.adopt,
      threshold: scored.threshold,
      scored: scored.scored,
      engine: scored.engine,
      cachedRows: scored.cachedRows,
      computedRows: scored.computedRows,
    },
  };
}
