/**
 * `skysift pretrain`: train a real/bogus model on fake sources injected into real stamps (the way the
 * shipped default is made), and measure models on real stamps against the surveys' own scores.
 *
 *   skysift pretrain --manifest ../shared/data/real-stamps/index.csv --out <registry dir> [--epochs 30]
 *                    [--steps 100] [--minutes 22] [--init <version dir> [--init <dir> ...: weights averaged]] [--simulated-share 0.25] [--folds 2] [--eval-fold 1] [--no-labelled] [--seed 1] [--backend wasm]
 *                    [--trainer auto|tfjs|onnxruntime: default SKYSIFT_TRAINER, else auto = ONNX Runtime on CPU backends]
 *   skysift pretrain --report --manifest <csv> --model <version dir> [--model <dir> ...] [--folds 2 --eval-fold 1]
 *                    [--robustness: also on the held-out stamps resampled to finer pixels, blurred, rescaled]
 *                    [--update-meta: rewrite each version's held-out figures in its meta.json from this run]
 *   skysift pretrain --validate --manifest <csv> --model <version dir> [--model <dir> ...] [--seed 1]
 *                    (the training side's validation set of a run with that seed: never the held-out fold)
 *                    [--robustness: also its selection stamps and injections through the other-camera views]
 *   training: [--zoom 0.5 --zoom-max 2.2 --blur 0.2 --blur-max 1.6]: shares of examples whose real stamp is
 *                    resampled to finer pixels / blurred to worse seeing before injection (see InjectionOptions)
 *             [--small 0.2 --small-min 12 --small-max 45]: share of examples cut to a small stamp, and its sides
 *   skysift pretrain --cold-start --manifest <csv> --model <version dir> [--labels 0,50,100] [--draws 3] [--min-judged 20]
 *                    [--replay injection|none] (fine-tunes as the desk's Retrain does, on SKYSIFT_TRAINER's choice, default auto)
 *                    [--label-pool held-out|both-folds [--cv 5]]: held-out (the default) draws the labels and the
 *                    judged stamps from the held-out fold; both-folds draws the labels from both folds and judges
 *                    every held-out stamp once per draw, in --cv parts (crossValidatedParts in realBench.ts)
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../../main/worker/model/backends';
import { evaluateScores } from '../../main/library/evaluate';
import { prepareBackground } from '../../main/worker/model/injection/inject';
import {
  averageWeights,
  partitionStamps,
  pretrain as runPretrain,
  robustnessTable,
  scoreTriplets,
  selectionSplit,
  type RobustnessRow,
  simulatedDraw,
  simulatedNightZoom,
  heldOutRecord,
  SN2021RHU_OBJECT,
  standInLabel,
  validationSet,
} from '../../main/worker/model/injection/pretrain';
import {
  distinctStamps,
  loadManifestStamps,
  type RealStamp,
} from '../../main/worker/model/injection/realStamps';
import {
  coldStartCurve,
  coldStartCurveCv,
  keptParentCount,
  loadVersionFolder,
  lowerThanDefault,
  meanPartAuc,
  REPLAY_MODES,
  type ReplayMode,
  surveyTable,
  type ColdStartPoint,
  type CvPoint,
  type WatchSet,
} from '../../main/worker/model/injection/realBench';
import { evaluateOnStamps } from '../../main/worker/model/injection/pretrain';
import { bce } from '../../main/worker/model/training/fit';
import { trainerPreference } from '../../main/worker/model/training/trainerChoice';
import { ModelRegistry } from '../../main/worker/model/registry';
import { describeSeeing } from '../../main/worker/model/seeing';
import { writeFileAtomic } from '../../main/util/atomicWrite';
import { fmt, pct } from './common';

/**
 * Rewrites a version's held-out figures (evaluation, realEvaluation, the test split) from a report
 * run: what the Model panel and `skysift models` show, recomputed by the current code (e.g. after
 * the fix that counts a triplet listed twice in the manifest once).
 */
async function updateHeldOutFigures(
  dir: string,
  r: NonNullable<Awaited<ReturnType<typeof evaluateOnStamps>>>,
  held: RealStamp[],
  folds: number,
  evalFold: number,
): Promise<void> {
  const file = path.join(dir, 'meta.json');
  const meta = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown> & {
    data?: { split?: Record<string, unknown> };
  };
  const { test, testLabels, ...figures } = heldOutRecord(r, held, folds, evalFold);
  Object.assign(meta, figures);
  if (meta.data?.split) Object.assign(meta.data.split, { test, testLabels });
  await writeFileAtomic(file, JSON.stringify(meta, null, 2) + '\n');
}

/**
 * Figures of each model on the validation set a pretraining run with `seed` selects its epochs on
 * (the training side's selection stamps, injections into its pool, simulated demo-night candidates),
 * all on the same examples: how candidates are chosen without looking at the held-out fold.
 */
async function validate(
  stamps: RealStamp[],
  folds: number,
  evalFold: number,
  seed: number,
  dirs: string[],
  robustness: boolean,
) {
  const { selection, pool } = selectionSplit(partitionStamps(stamps, folds, evalFold));
  const set = validationSet(selection, pool.map(prepareBackground), seed, true);
  const injected = set.injected.filter((e) => e.kind !== 'simulated').length;
  // The first two parts are real stamps and injections into real ones: the other-camera views apply.
  const real = selection.length + injected;
  const parts: [string, number, number][] = [
    [`selection stamps (labelled, fold != ${evalFold})`, 0, selection.length],
    ['injected into the pool', selection.length, real],
    ['simulated demo night', real, set.labels.length],
    ['all', 0, set.labels.length],
  ];
  console.log(
    `validation set of seed ${seed}: ${selection.length} + ${injected} + ${set.labels.length - real} examples`,
  );
  for (const dir of dirs) {
    const { meta, model } = await loadVersionFolder(dir);
    try {
      const scores = await scoreTriplets(model, meta.spec as never, set.triplets);
      console.log(`model ${meta.version} (${dir})`);
      for (const [name, a, b] of parts) {
        const sc = scores.subarray(a, b);
        const y = set.labels.slice(a, b);
        const e = evaluateScores(sc, y);
        const loss = bce(sc, y); // as the training run's val loss
        console.log(
          `  ${name.padEnd(38)} n ${String(y.length).padStart(4)}  AUC ${fmt(e.auc)}  log loss ${loss.toFixed(4)}  FPR at 1% MDR ${pct(e.operatingPoint.fpr)}`,
        );
      }
      if (robustness)
        for (const [name, a, b] of parts.slice(0, 2))
          printRobustness(
            `  ${name}, through other cameras:`,
            await robustnessTable(
              model,
              meta.spec as never,
              set.triplets.slice(a, b),
              set.labels.slice(a, b),
              meta.threshold,
            ),
          );
    } finally {
      model.dispose();
    }
  }
}

/** The cross-validated curve, one block per L: pooled figures over draws, then each draw's parts. */
function printCvCurve(points: CvPoint[], counts: number[], evalFold: number, parts: number) {
  console.log(
    `  cold-start curve, cross-validated (${parts} parts; judged: all of ZTF fold ${evalFold}'s labelled stamps per draw; AUC and FPR@1%MDR pooled over the parts' models):`,
  );
  for (const L of counts) {
    const p = points.filter((x) => x.labels === L);
    if (!p.length) continue;
    console.log(
      `    L=${String(L).padStart(3)} draws ${p.length}: judged ${p.map((x) => x.n).join('/')}: AUC ${spread(p.map((x) => x.auc))}; default ${spread(p.map((x) => x.parentAuc))}; ` +
        `FPR@1%MDR ${spread(p.map((x) => x.fpr))} (default ${spread(p.map((x) => x.parentFpr))}); ` +
        `mean of the parts' own AUCs ${spread(p.map((x) => meanPartAuc(x).tuned))} (default ${spread(p.map((x) => meanPartAuc(x).parent))}); ` +
        (L > 0 ? `parent kept per draw ${p.map((x) => `${keptParentCount(x)}/${parts}`).join(', ')}; ` : '') +
        `lower than the default in ${p.filter(lowerThanDefault).length}/${p.length} draws`,
    );
    // What the fine-tunes did elsewhere (forgetting): reals flagged per draw and part, AUC over all parts.
    const watched = p[0].parts[0]?.watch ?? [];
    watched.forEach((w, i) => {
      const all = p.flatMap((x) => x.parts.map((q) => q.watch[i]));
      const aucs = all.map((q) => q.auc).filter((v): v is number => v !== null);
      console.log(
        `      ${w.name}: default ${w.parentAuc === null ? '' : `AUC ${w.parentAuc.toFixed(4)}, `}flagged ${w.parentFlaggedReals}/${w.reals}; ` +
          `after, flagged per part: ${p.map((x) => `draw ${x.draw} ${x.parts.map((q) => q.watch[i].flaggedReals).join('/')}`).join(', ')}` +
          (aucs.length ? `; AUC over the ${aucs.length} models ${spread(aucs)}` : ''),
      );
    });
  }
}

function printRobustness(title: string, rows: RobustnessRow[]) {
  console.log(title);
  for (const r of rows)
    console.log(
      `    ${r.view.padEnd(34)} n ${String(r.n).padStart(4)}  AUC ${fmt(r.auc)}  FPR at 1% MDR ${pct(r.fpr)}  ` +
        `flagged reals ${r.flaggedReals}, bogus ${r.flaggedBogus}  search FWHM ${r.medianFwhm === null ? '-' : r.medianFwhm.toFixed(2)} px  ` +
        (r.seeing.templateBlur > 0
          ? `templates blurred (sigma ${r.seeing.templateBlur.toFixed(2)} px), `
          : '') +
        (r.seeing.zoom === 1
          ? `not resampled${r.seeing.templateBlur > 0 ? `; as they come: AUC ${fmt(r.aucAsIs)}` : ''}`
          : `resampled x${r.seeing.zoom.toFixed(3)} (night seeing ${r.seeing.fwhmPx!.toFixed(2)} px); as they come: AUC ${fmt(r.aucAsIs)}`),
    );
}

function intArg(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

function spread(xs: number[]): string {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${m.toFixed(4)} +- ${sd.toFixed(4)} (min ${Math.min(...xs).toFixed(4)}, max ${Math.max(...xs).toFixed(4)})`;
}

/** Where the cold-start's labels come from (see --label-pool). */
export type ColdStartMode = { pool: 'held-out' } | { pool: 'both-folds'; parts: number };
export const LABEL_POOLS = ['held-out', 'both-folds'] as const;

/** --label-pool, --cv and the options they exclude, checked before anything is read. */
export function coldStartMode(values: {
  'cold-start'?: boolean;
  'label-pool'?: string;
  cv?: string;
  'min-judged'?: string;
}): ColdStartMode {
  const pool = values['label-pool'];
  if ((pool !== undefined || values.cv !== undefined) && !values['cold-start'])
    throw new Error('--label-pool and --cv apply to --cold-start only');
  if (pool === undefined || pool === 'held-out') {
    if (values.cv !== undefined)
      throw new Error(
        '--cv applies to --label-pool both-folds only (held-out judges the stamps left unlabelled)',
      );
    return { pool: 'held-out' };
  }
  if (pool !== 'both-folds')
    throw new Error(
      `--label-pool must be held-out (labels and judged stamps from the held-out fold) or both-folds ` +
        `(labels from both folds, every held-out stamp judged once per draw), got ${pool}`,
    );
  if (values['min-judged'] !== undefined)
    throw new Error(
      '--min-judged applies to --label-pool held-out only (both-folds judges every held-out stamp)',
    );
  const parts = values.cv === undefined ? 5 : Number(values.cv);
  if (!Number.isInteger(parts) || parts < 2)
    throw new Error(
      `--cv must be an integer >= 2 (the parts the held-out fold is judged in), got ${values.cv}`,
    );
  return { pool: 'both-folds', parts };
}

/**
 * Watched for forgetting during the cold-start draws: SN 2021rhu's 34 epochs (known real, never
 * in a label pool) and simulated demo-night candidates (generator seed 7000202, never trained on),
 * which the default learnt and ZTF labels do not teach.
 */
function watchSets(stamps: RealStamp[]): WatchSet[] {
  const sn = stamps.filter((s) => s.objectId === SN2021RHU_OBJECT);
  const draw = simulatedDraw(202);
  const demo = Array.from({ length: 600 }, () => draw());
  return [
    { name: 'SN 2021rhu', triplets: sn.map((s) => s.triplet), labels: sn.map(() => 1 as const) },
    {
      name: 'demo night (600 simulated)',
      triplets: demo.map((d) => d.triplet),
      labels: demo.map((d) => d.label),
    },
  ];
}

export async function pretrain(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      manifest: { type: 'string' },
      out: { type: 'string' },
      model: { type: 'string', multiple: true },
      report: { type: 'boolean', default: false },
      'update-meta': { type: 'boolean', default: false },
      robustness: { type: 'boolean', default: false },
      zoom: { type: 'string' },
      'zoom-max': { type: 'string' },
      blur: { type: 'string' },
      'blur-max': { type: 'string' },
      small: { type: 'string' },
      'small-min': { type: 'string' },
      'small-max': { type: 'string' },
      validate: { type: 'boolean', default: false },
      'cold-start': { type: 'boolean', default: false },
      labels: { type: 'string', default: '0,50,100,200,500' },
      draws: { type: 'string' },
      'min-judged': { type: 'string' },
      'label-pool': { type: 'string' },
      cv: { type: 'string' },
      replay: { type: 'string', default: 'injection' },
      epochs: { type: 'string' },
      steps: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      patience: { type: 'string' },
      minutes: { type: 'string' },
      folds: { type: 'string' },
      'eval-fold': { type: 'string' },
      'no-labelled': { type: 'boolean', default: false },
      init: { type: 'string', multiple: true },
      'simulated-share': { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      trainer: { type: 'string' },
      notes: { type: 'string', default: '' },
    },
  });
  if (!values.manifest)
    throw new Error('pretrain needs --manifest <index.csv> (e.g. ../shared/data/real-stamps/index.csv)');
  if (!REPLAY_MODES.includes(values.replay as ReplayMode))
    throw new Error(`--replay must be one of ${REPLAY_MODES.join(', ')}, got ${values.replay}`);
  const coldStart = coldStartMode(values);
  // Checked before anything is read; fitModel's trainer choice reads it (trainerChoice.ts).
  const trainer = trainerPreference(values.trainer);
  const backend = await selectBackend(values.backend as BackendName | 'auto');
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const { stamps: listed, errors } = await loadManifestStamps(values.manifest);
  console.error(`read ${listed.length} real stamps from ${values.manifest}`);
  for (const e of errors) console.error(`  not read: ${e.file}: ${e.reason}`);
  const folds = intArg('folds', values.folds, 2);
  const evalFold = intArg('eval-fold', values['eval-fold'], 1);
  if (folds < 2 || evalFold >= folds)
    throw new Error(`--folds must be >= 2 and --eval-fold < --folds (got ${folds}, ${evalFold})`);

  if (values.validate) {
    if (!values.model?.length) throw new Error('--validate needs --model <version dir>');
    await validate(listed, folds, evalFold, intArg('seed', values.seed, 1), values.model, values.robustness);
    return;
  }

  if (values.report || values['cold-start']) {
    if (!values.model?.length) throw new Error('--report and --cold-start need --model <version dir>');
    // Each triplet once: the manifest lists a few twice (under two tags), as the cold-start counts.
    const stamps = distinctStamps(listed);
    if (stamps.length < listed.length)
      console.log(
        `${listed.length - stamps.length} triplets listed twice in the manifest: each counted once`,
      );
    const { heldOut } = partitionStamps(stamps, folds, evalFold);
    for (const dir of values.model) {
      const { meta, model } = await loadVersionFolder(dir);
      console.log(`\nmodel ${meta.version} (${dir}); threshold ${fmt(meta.threshold)}`);
      const heldZtf = heldOut.filter((s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT);
      const allZtf = stamps.filter((s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT);
      for (const [name, set] of [
        [`ZTF fold ${evalFold}/${folds} (held out from the new default)`, heldZtf],
        ['ZTF, all stamps', allZtf],
      ] as const) {
        const r = await evaluateOnStamps(model, meta.spec as never, set);
        if (r)
          console.log(
            `  ${name}: n ${r.n}, AUC vs drb>=0.5 ${fmt(r.evaluation.auc)}, FPR at 1% MDR ${pct(r.evaluation.operatingPoint.fpr)} (threshold ${fmt(r.evaluation.operatingPoint.threshold)})`,
          );
        if (set === heldZtf && values.robustness) {
          const labelled = heldZtf.filter((s) => standInLabel(s) !== null);
          printRobustness(
            `  ${name}, through other cameras (flagged at the model's threshold):`,
            await robustnessTable(
              model,
              meta.spec as never,
              labelled.map((s) => s.triplet),
              labelled.map((s) => standInLabel(s)!),
              meta.threshold,
            ),
          );
          const sn = stamps.filter((s) => s.objectId === SN2021RHU_OBJECT);
          printRobustness(
            `  SN 2021rhu (${sn.length} epochs, all real), through other cameras:`,
            await robustnessTable(
              model,
              meta.spec as never,
              sn.map((s) => s.triplet),
              sn.map(() => 1 as const),
              meta.threshold,
            ),
          );
        }
        if (r && set === heldZtf && values['update-meta']) {
          await updateHeldOutFigures(dir, r, heldZtf, folds, evalFold);
          console.log(`  ${dir}/meta.json: held-out figures rewritten from this run (n ${r.n})`);
        }
      }
      if (values.report) {
        // The demo night must keep working with a new default: the simulator's own candidates,
        // from a stream no pretraining run draws (runs use seeds seed and seed + 1000).
        const draw = simulatedDraw(202);
        const demo = Array.from({ length: 1000 }, () => draw());
        const sc = await scoreTriplets(
          model,
          meta.spec as never,
          demo.map((d) => d.triplet),
        );
        const y = demo.map((d) => d.label);
        const e = evaluateScores(sc, y);
        const reals = y.filter((v) => v === 1).length;
        const flagged = y.filter((v, i) => v === 1 && sc[i] >= meta.threshold).length;
        const bogusFlagged = y.filter((v, i) => v === 0 && sc[i] >= meta.threshold).length;
        console.log(
          `  simulated demo night (1,000 candidates, generator seed 7000202, difficulty 0.5, resampled x${simulatedNightZoom().toFixed(3)} as the app resamples it): AUC ${fmt(e.auc)}, ` +
            `flagged at the model's threshold: reals ${flagged}/${reals}, bogus ${bogusFlagged}/${y.length - reals}`,
        );
      }
      model.dispose();
      if (values.report) {
        for (const [name, set] of [
          ['held-out stamps only', heldOut],
          ['all stamps', stamps],
        ] as const) {
          const t = await surveyTable(dir, set);
          console.log(`  per survey (${name}); flagged = score >= ${fmt(t.threshold)}`);
          for (const [survey, seeing] of t.seeing)
            console.log(`    ${survey.padEnd(16)} ${describeSeeing(seeing)}`);
          for (const r of t.rows)
            console.log(
              `    ${r.survey.padEnd(16)} ${r.group.padEnd(24)} n ${String(r.n).padStart(3)}  median ${fmt(r.median, 3)}  flagged ${r.flagged}/${r.n}`,
            );
        }
      }
      if (values['cold-start'] && coldStart.pool === 'both-folds') {
        const counts = values.labels.split(',').map((s) => intArg('labels', s.trim(), 0));
        const labelled = (s: RealStamp) =>
          s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null;
        const judgedPool = heldZtf.filter(labelled);
        const extra = partitionStamps(stamps, folds, evalFold).train.filter(labelled);
        const otherFolds = folds === 2 ? `fold ${1 - evalFold}` : `the folds other than ${evalFold}`;
        console.log(
          `  cross-validated cold-start: labels drawn from ZTF ${otherFolds} (${extra.length} labelled stamps, seen by the default in its ` +
            `pretraining: trained on or used to pick its epochs; labels an astronomer could give, less informative) and from fold ${evalFold} ` +
            `less the judged part; judged: fold ${evalFold}'s ${judgedPool.length} labelled ZTF stamps, never seen by the default, each once ` +
            `per draw, in ${coldStart.parts} parts; a pooled AUC mixes the ${coldStart.parts} fine-tuned models' scores (replay: ${values.replay}` +
            `${values.replay === 'injection' ? `: injections into the labelled stamps; the judged part's stamps are never backgrounds, as the desk keeps its test labels out` : ''})`,
        );
        const points = await coldStartCurveCv({
          versionDir: dir,
          judgedPool,
          extraLabels: extra,
          labelCounts: counts,
          draws: intArg('draws', values.draws, 3),
          folds: coldStart.parts,
          log: (l) => console.log(`  ${l}`),
          replay: values.replay as ReplayMode,
          watch: watchSets(stamps),
        });
        printCvCurve(points, counts, evalFold, coldStart.parts);
      } else if (values['cold-start']) {
        const counts = values.labels.split(',').map((s) => intArg('labels', s.trim(), 0));
        const points: ColdStartPoint[] = await coldStartCurve(
          dir,
          heldZtf,
          counts,
          intArg('draws', values.draws, 3),
          (l) => console.log(`  ${l}`),
          intArg('min-judged', values['min-judged'], 20),
          undefined,
          values.replay as ReplayMode,
          watchSets(stamps),
        );
        console.log(
          `  cold-start curve on ZTF fold ${evalFold}/${folds} (judged on the stamps not labelled in each draw; replay: ${values.replay}):`,
        );
        for (const L of counts) {
          const p = points.filter((x) => x.labels === L);
          if (!p.length) continue;
          const watched = p[0].watch.map((w, i) => {
            const after = p.map((x) => x.watch[i]);
            const aucs = after.map((x) => x.auc).filter((v): v is number => v !== null);
            return `${w.name}: parent ${w.parentAuc === null ? '' : `AUC ${w.parentAuc.toFixed(4)}, `}flagged ${w.parentFlaggedReals}/${w.reals}; after ${aucs.length ? `AUC ${spread(aucs)}, ` : ''}flagged ${after.map((x) => x.flaggedReals).join('/')} of ${w.reals}`;
          });
          if (watched.length) console.log(`    L=${String(L).padStart(3)} elsewhere: ${watched.join('; ')}`);
          console.log(
            `    L=${String(L).padStart(3)} draws ${p.length}: AUC ${spread(p.map((x) => x.auc))}; default on the same stamps ${spread(p.map((x) => x.parentAuc))}; ` +
              `FPR@1%MDR ${spread(p.map((x) => x.fpr))} (default ${spread(p.map((x) => x.parentFpr))}); parent kept ${p.filter((x) => x.kept === 'parent').length}/${p.length}; ` +
              `lower than the default in ${p.filter((x) => x.auc < x.parentAuc - 1e-9).length}/${p.length}`,
          );
        }
      }
    }
    return;
  }

  if (!values.out) throw new Error('pretrain needs --out <registry dir> to write the new version to');
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  // Several --init: their weights averaged (a model soup; with --epochs 0, nothing else).
  const inits = await Promise.all((values.init ?? []).map((d) => loadVersionFolder(d)));
  const init = inits[0] ?? null;
  if (inits.length > 1) {
    averageWeights(
      inits[0].model,
      inits.slice(1).map((i) => i.model),
    );
    for (const i of inits.slice(1)) i.model.dispose();
    console.log(`averaged the weights of ${inits.map((i) => i.meta.version).join(', ')}`);
  }
  const injection: Record<string, number> = {};
  for (const [flag, key] of [
    ['zoom', 'zoom'],
    ['zoom-max', 'zoomMax'],
    ['blur', 'blur'],
    ['blur-max', 'blurMax'],
    ['small', 'smallStamp'],
    ['small-min', 'smallMin'],
    ['small-max', 'smallMax'],
  ] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a non-negative number, got ${v}`);
    injection[key] = n;
  }
  const t0 = Date.now();
  const result = await runPretrain({
    injection,
    initModel: init?.model,
    parentVersion: init?.meta.version,
    averagedFrom: inits.length > 1 ? inits.map((i) => i.meta.version) : undefined,
    simulatedShare: values['simulated-share'] === undefined ? 0 : Number(values['simulated-share']),
    registry: new ModelRegistry(values.out),
    stamps: listed,
    source: values.manifest,
    folds,
    evalFold,
    seed: intArg('seed', values.seed, 1),
    maxEpochs: intArg('epochs', values.epochs, 30),
    stepsPerEpoch: intArg('steps', values.steps, 100),
    batchSize: num(values['batch-size']),
    learningRate: num(values.lr),
    patience: num(values.patience),
    maxSeconds: values.minutes === undefined ? undefined : Number(values.minutes) * 60,
    useLabelled: !values['no-labelled'],
    backend: backend.name,
    trainer,
    notes: values.notes,
    log: (l) => console.log(l),
    onEpoch: (e) =>
      console.log(
        `epoch ${e.epoch}: loss ${fmt(e.loss)} val ${fmt(e.valLoss)} valAUC ${fmt(e.valAuc)} ${e.samplesPerSecond.toFixed(1)} samples/s (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      ),
  });
  if (result.cancelled) return void console.log('Cancelled: no model version written.');
  const m = result.meta;
  console.log(
    `wrote ${m.version} to ${values.out}; best epoch ${m.bestEpoch}; threshold ${fmt(m.threshold)}; ${((Date.now() - t0) / 60000).toFixed(1)} min`,
  );
  if (m.realEvaluation)
    console.log(
      `${m.realEvaluation.source}: AUC ${fmt(m.realEvaluation.evaluation.auc)}, FPR at 1% MDR ${pct(m.realEvaluation.evaluation.operatingPoint.fpr)}`,
    );
}
