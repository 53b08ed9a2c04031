/** `skysift train | score | eval | import-model`: the engine, headless, with a progress bar. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../main/model/backends';
import { runScore, runTrain, registryFor, type EngineReporter } from '../../main/model/engineJobs';
import { evaluateScores } from '../../main/model/evaluate';
import { KNOWN_IMPORTED_SPECS } from '../../main/model/importModel';
import { specOf, type ModelMeta } from '../../main/model/registry';
import { scoreWorkspace } from '../../main/model/scoring';
import { scanTime } from '../../shared/metrics';
import { scoreBaseline, trainBaseline } from '../../main/demo/baseline';
import { progressBar } from '../progressBar';
import { fmt, openWorkspaceArg, pct, resolveVersion } from './common';

function reporter(label: string): EngineReporter & { end(): void } {
  const bar = progressBar(label);
  return {
    backend: (c) => console.error(`backend: ${c.name} (${c.reason})`),
    progress: (done, total, message, metrics) => {
      const m = metrics
        ? Object.entries(metrics)
            .filter(([, v]) => v !== null && v !== undefined)
            .map(([k, v]) => `${k} ${Number(v).toFixed(k === 'epoch' || k === 'maxEpochs' ? 0 : 4)}`)
            .join(' ')
        : '';
      bar.update(done, total, `${message} ${m}`);
    },
    end: () => bar.end(),
  };
}

export function printEvaluation(
  meta: Pick<ModelMeta, 'version' | 'evaluation' | 'threshold'>,
  candidates?: number,
) {
  const e = meta.evaluation;
  console.log(`model ${meta.version}`);
  if (!e) return console.log('  no labelled held-out set to evaluate on');
  console.log(`  evaluated on ${e.n} labelled candidates (${e.reals} real, ${e.bogus} bogus)`);
  console.log(`  AUC ${fmt(e.auc)}`);
  for (const r of e.atThresholds)
    console.log(
      `  threshold ${r.threshold.toFixed(1)}: FPR ${pct(r.fpr)}  MDR ${pct(r.mdr)}  FPR+MDR ${fmt(r.sum)}`,
    );
  console.log(`  Pippin metric (sum of FPR+MDR at 0.4/0.5/0.6): ${fmt(e.pippin)}`);
  const op = e.operatingPoint;
  console.log(
    `  at MDR <= ${pct(e.targetMdr)}: threshold ${fmt(op.threshold)}  FPR ${pct(op.fpr)}  MDR ${pct(op.mdr)}  FDR ${pct(op.fdr)}  (tp ${op.confusion.tp} fp ${op.confusion.fp} tn ${op.confusion.tn} fn ${op.confusion.fn})`,
  );
  if (candidates) {
    const flaggedFraction = e.n ? (op.confusion.tp + op.confusion.fp) / e.n : 0;
    const t = scanTime(candidates, Math.round(candidates * flaggedFraction));
    console.log(
      `  time: ${candidates} candidates at 0.5 s each = ${t.hoursAll.toFixed(2)} h; only the flagged ${(flaggedFraction * 100).toFixed(1)}% = ${t.hoursFlagged.toFixed(2)} h; per 1M: ${t.perMillion.hoursSaved.toFixed(0)} h saved`,
    );
  }
}

export async function train(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      arch: { type: 'string', default: 'compact' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      patience: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      seed: { type: 'string', default: '1' },
      'from-scratch': { type: 'boolean', default: false },
      adopt: { type: 'boolean', default: false },
      export: { type: 'string' },
      notes: { type: 'string', default: '' },
    },
  });
  const ws = await openWorkspaceArg(values.workspace);
  const r = reporter('train');
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const { cancelled, result } = await runTrain(
    ws,
    {
      architecture: values.arch,
      fromScratch: values['from-scratch'],
      backend: values.backend,
      seed: Number(values.seed),
      maxEpochs: num(values.epochs),
      batchSize: num(values['batch-size']),
      learningRate: num(values.lr),
      patience: num(values.patience),
      notes: values.notes,
    },
    r,
    abort.signal,
  );
  r.end();
  if (cancelled) return void console.log('Cancelled: no model version written.');
  const registry = registryFor(ws);
  const meta = registry.meta(String(result.version));
  for (const c of meta.curves) {
    console.log(
      `  epoch ${c.epoch}: loss ${fmt(c.loss)} val ${fmt(c.valLoss)} valAUC ${fmt(c.valAuc)} ${c.samplesPerSecond.toFixed(1)} samples/s`,
    );
  }
  console.log(
    `best epoch ${meta.bestEpoch}; params ${meta.cost?.params}; ${((meta.cost?.flopsPerStamp ?? 0) / 1e6).toFixed(1)} MFLOP/stamp`,
  );
  printEvaluation(meta, ws.size);
  if (values.adopt) {
    await runScore(ws, { version: meta.version, backend: values.backend }, reporter('score'));
    await ws.update({ activeModel: meta.version, threshold: meta.threshold });
    console.log(
      `adopted ${meta.version} (threshold ${fmt(meta.threshold)}) and scored ${ws.size} candidates`,
    );
  }
  if (values.export) {
    const dest = path.resolve(values.export, meta.version);
    await fs.cp(registry.versionDir(meta.version), dest, { recursive: true });
    console.log(`exported to ${dest}`);
  }
}

export async function score(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      model: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      adopt: { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
    },
  });
  const ws = await openWorkspaceArg(values.workspace);
  const version = await resolveVersion(ws, values.model);
  const r = reporter('score');
  const t0 = Date.now();
  const { cancelled, result } = await runScore(
    ws,
    {
      version,
      backend: values.backend,
      batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
    },
    r,
  );
  r.end();
  if (cancelled) return void console.log('Cancelled.');
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `scored ${result.scored} candidates with ${version} in ${secs.toFixed(1)} s (${(Number(result.scored) / secs).toFixed(0)} stamps/s, ${String(result.engine)})`,
  );
  if (values.adopt) {
    await ws.update({ activeModel: version, threshold: Number(result.threshold) });
    console.log(`${version} is now the active model`);
  }
}

/** Evaluate a version on the labels that came with the data (e.g. the demo night's truth). */
export async function evaluate(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      model: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      split: { type: 'string', default: 'test' },
      json: { type: 'boolean', default: false },
    },
  });
  const ws = await openWorkspaceArg(values.workspace);
  const version = await resolveVersion(ws, values.model);
  const registry = registryFor(ws);
  const backend = await selectBackend(values.backend as BackendName | 'auto');
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const { model, meta } = await registry.load(version);
  const splitIds =
    values.split === 'all' ? null : meta.data?.split[values.split as 'train' | 'validation' | 'test'];
  const scores = ws.scores(version) ?? (await scoreWorkspace(ws, model, specOf(meta))).scores;
  model.dispose();
  const wanted = splitIds ? new Set(splitIds) : null;
  const s: number[] = [];
  const l: number[] = [];
  for (const e of ws.list()) {
    if (!e.given.label || (wanted && !wanted.has(e.id))) continue;
    const v = scores.get(e.id);
    if (v === undefined) continue;
    s.push(v);
    l.push(e.given.label === 'real' ? 1 : 0);
  }
  const evaluation = evaluateScores(s, l);
  if (values.json)
    return void console.log(JSON.stringify({ version, split: values.split, evaluation }, null, 2));
  console.log(`split: ${values.split}${splitIds ? '' : ' (all labelled candidates)'}`);
  printEvaluation({ version, evaluation, threshold: meta.threshold }, ws.size);
}

export async function importModel(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string', short: 'w' }, name: { type: 'string' } },
  });
  const folder = positionals[0];
  if (!folder) throw new Error('import-model needs the folder of a TF.js layers model');
  const ws = await openWorkspaceArg(values.workspace);
  const base = path.basename(path.resolve(folder));
  const spec = KNOWN_IMPORTED_SPECS[base];
  if (!spec)
    throw new Error(
      `${folder}: no known spec for "${base}" (known: ${Object.keys(KNOWN_IMPORTED_SPECS).join(', ')})`,
    );
  await selectBackend('cpu');
  const meta = await registryFor(ws).importFolder(folder, spec, values.name ?? base);
  console.log(`imported ${meta.version} (${spec.description})`);
}

/**
 * The hand-feature baseline (logistic regression on autoscan-style features that came with the
 * data) trained on a model version's own train+validation split and judged on its test split, so
 * the CNN and the baseline are compared on exactly the same candidates.
 */
export async function baseline(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: { workspace: { type: 'string', short: 'w' }, model: { type: 'string' } },
  });
  const ws = await openWorkspaceArg(values.workspace);
  const version = await resolveVersion(ws, values.model);
  const meta = registryFor(ws).meta(version);
  if (!meta.data) throw new Error(`${version} records no split (an imported model): train one first`);
  const rows = (ids: string[]) =>
    ids
      .map((id) => ws.get(id))
      .filter((e) => e?.given.features && e.given.label)
      .map((e) => ({ features: e!.given.features!, label: e!.given.label === 'real' ? 1 : 0 }));
  const train = rows([...meta.data.split.train, ...meta.data.split.validation]);
  const test = rows(meta.data.split.test);
  if (train.length === 0 || test.length === 0)
    throw new Error('no candidates with features and labels in this split');
  const model = trainBaseline(
    train.map((r) => r.features),
    train.map((r) => r.label),
  );
  const scores = scoreBaseline(
    model,
    test.map((r) => r.features),
  );
  console.log(`baseline: logistic regression on ${model.features.join(', ')}; trained on ${train.length}`);
  printEvaluation(
    {
      version: `baseline (split of ${version})`,
      evaluation: evaluateScores(
        scores,
        test.map((r) => r.label),
      ),
      threshold: 0.5,
    },
    ws.size,
  );
}
