/** `skysift eval | baseline`: engine tools for model work on the labels that came with the data. */
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../main/worker/model/backends';
import { modelLibrary } from '../../main/worker/model/engineJobs';
import { evaluateScores } from '../../main/library/evaluate';
import { specOf, type ModelMeta } from '../../main/worker/model/registry';
import { scoreWorkspace } from '../../main/worker/model/scoring';
import { scanTime } from '../../shared/metrics';
import { scoreBaseline, trainBaseline } from '../../main/worker/demo/baseline';
import { fmt, openWorkspaceArg, pct, resolveVersion } from './common';

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
  const registry = modelLibrary();
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
  const meta = modelLibrary().meta(version);
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
