/**
 * `skysift models | import-model | train | score`: the home's model library through the app's API.
 * Training and scoring run in the same compute workers as in the desk; training reads the labels
 * of every night of the home from their journals unless --workspace-only.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BackendNameSchema, type EvaluationSummary, type ModelSummary } from '../../shared/contract';
import type { Client } from '../client';
import { openNight } from './night';

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? '-' : `${(x * 100).toFixed(1)}%`;

function describe(m: ModelSummary): string {
  const t = m.trainedOn;
  const learned = t
    ? `${t.data}${t.surveys.length ? ` (${t.surveys.join(', ')})` : ''}, ${t.labels.real} real / ${t.labels.bogus} bogus`
    : m.kind === 'imported'
      ? 'imported (its own training data)'
      : 'not recorded';
  const real = m.realEvaluation
    ? `on real labels: AUC ${f3(m.realEvaluation.evaluation.auc)} (${m.realEvaluation.source}, n=${m.realEvaluation.n})`
    : 'no figures on real labels yet';
  return `${m.active ? '*' : ' '} ${m.version}  ${m.architecture} ${m.input.size.join('x')}  threshold ${f3(m.threshold)}\n      trained on: ${learned}\n      ${real}`;
}

export async function models(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      workspace: { type: 'string', short: 'w' },
    },
  });
  if (values.workspace) await openNight(client, values.workspace);
  const list = await client.call('modelsList', {});
  const home = await client.call('homeInfo', {});
  if (values.json)
    return void console.log(
      JSON.stringify(
        { home: home.home, activeModel: home.activeModel, activeBySize: home.activeBySize, models: list },
        null,
        2,
      ),
    );
  console.log(`model library of ${home.home} (* = active${values.workspace ? ' for this night' : ''})`);
  for (const m of list)
    console.log(
      describe({ ...m, active: m.active || (!values.workspace && m.version === home.activeModel) }),
    );
  for (const [size, v] of Object.entries(home.activeBySize))
    console.log(`  ${size} stamps are scored by ${v}`);
}

export async function importModel(client: Client, argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      workspace: { type: 'string', short: 'w' },
    },
  });
  if (!positionals[0])
    throw new Error('import-model needs the folder of a TF.js layers model or of a Skysift version');
  const m = await client.call('modelImport', { folder: path.resolve(positionals[0]), version: values.name });
  console.log(`imported ${m.version} into the library (${m.architecture}, input ${m.input.size.join('x')})`);
  if (m.kind === 'imported') console.log(`  ${m.input.size.join('x')} stamps of new nights are scored by it`);
}

function printEvaluation(label: string, e: EvaluationSummary | null) {
  if (!e) return console.log(`${label}: no held-out labels to judge on`);
  const noBogus = e.bogus === 0 ? ' (no bogus label held out: FPR cannot be computed)' : '';
  const noReal = e.reals === 0 ? ' (no real label held out: MDR cannot be computed)' : '';
  console.log(
    `${label}: ${e.n} held-out labels (${e.reals} real, ${e.bogus} bogus)${noBogus}${noReal}\n  AUC ${f3(e.auc)}  at MDR <= ${pct(e.targetMdr)}: threshold ${f3(e.operatingPoint.threshold)} FPR ${pct(e.operatingPoint.fpr)} MDR ${pct(e.operatingPoint.mdr)}`,
  );
}

export async function train(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      arch: { type: 'string', default: 'compact' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      patience: { type: 'string' },
      backend: { type: 'string' },
      seed: { type: 'string' },
      'from-scratch': { type: 'boolean', default: false },
      'workspace-only': { type: 'boolean', default: false },
      survey: { type: 'string', multiple: true },
      adopt: { type: 'boolean', default: false },
      notes: { type: 'string' },
    },
  });
  await openNight(client, values.workspace);
  await client.waitForScoring();
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const arch = values.arch;
  if (arch !== 'compact' && arch !== 'space2vec')
    throw new Error(`--arch must be compact or space2vec, got "${arch}"`);
  const { jobId } = await client.call('trainStart', {
    architecture: arch,
    fromScratch: values['from-scratch'],
    nights: values['workspace-only'] ? 'this' : 'all',
    surveys: values.survey?.flatMap((s) => s.split(',')).filter(Boolean),
    maxEpochs: num(values.epochs),
    batchSize: num(values['batch-size']),
    learningRate: num(values.lr),
    patience: num(values.patience),
    backend: backendArg(values.backend),
    seed: num(values.seed),
    notes: values.notes,
  });
  const record = await client.wait(jobId, 'train');
  if (record.kind !== 'train' || record.state === 'cancelled' || !record.result.version)
    return void console.log('Cancelled: no model version written.');
  const version = record.result.version;
  const m = (await client.call('modelsList', {})).find((x) => x.version === version)!;
  for (const c of m.curves)
    console.log(
      `  epoch ${c.epoch}: loss ${f3(c.loss)} val ${f3(c.valLoss)} valAUC ${f3(c.valAuc)} ${c.samplesPerSecond.toFixed(1)} samples/s`,
    );
  console.log(
    `new version ${version}: trained on ${m.trainedOn?.description ?? '-'} (nights: ${m.nights.join(', ')})`,
  );
  if (m.trainer) console.log(`trained by ${m.trainer}`);
  printEvaluation('held out', m.evaluation);
  if (values.adopt) {
    const r = await client.call('modelAdopt', { version });
    if (r.jobId) await client.wait(r.jobId, 'score');
    console.log(`adopted ${version}: active for the home; this night is scored by it`);
  }
}

export async function score(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      model: { type: 'string' },
      adopt: { type: 'boolean', default: false },
      backend: { type: 'string' },
      'batch-size': { type: 'string' },
    },
  });
  const night = await openNight(client, values.workspace);
  await client.waitForScoring();
  const list = await client.call('modelsList', {});
  const wanted = values.model ?? 'active';
  const version =
    wanted === 'active'
      ? night.homeModel
      : wanted === 'default'
        ? (list.find((m) => m.shipped)?.version ?? null)
        : wanted;
  if (!version) throw new Error(`no model "${wanted}" in the library: see \`skysift models\``);
  const t0 = Date.now();
  const { jobId } = await client.call('scoreStart', {
    version,
    adopt: values.adopt,
    backend: backendArg(values.backend),
    batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
  });
  const record = await client.wait(jobId, 'score');
  if (record.kind !== 'score' || record.state === 'cancelled') return void console.log('Cancelled.');
  const secs = (Date.now() - t0) / 1000;
  const n = record.result.scored ?? 0;
  console.log(
    `scored ${n} candidates with ${version} in ${secs.toFixed(1)} s (${(n / secs).toFixed(0)} stamps/s, ${record.result.engine}); this night shows it`,
  );
  if (values.adopt) console.log(`${version} is now the home's active model`);
}

function backendArg(name: string | undefined) {
  if (name === undefined) return undefined;
  const parsed = BackendNameSchema.safeParse(name);
  if (!parsed.success)
    throw new Error(`--backend must be one of ${BackendNameSchema.options.join(', ')}, got "${name}"`);
  return parsed.data;
}
