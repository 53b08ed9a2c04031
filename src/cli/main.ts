/**
 * `skysift <command>`: the same services as the app, headless, for pipelines, big machines and
 * benchmarks.
 */
import { parseArgs } from 'node:util';
import { Workspace } from '../main/catalog/workspace';
import { runIngest } from '../main/stamps/ingest';
import { VERSION } from '../main/version';
import { progressBar } from './progressBar';
import { baseline, evaluate, importModel, score, train } from './commands/engine';
import { demo } from './commands/demo';
import { exportOnnxCommand } from './commands/exportOnnx';
import { exportCommand } from './commands/export';
import { pretrain } from './commands/pretrain';

const USAGE = `skysift ${VERSION}
usage:
  skysift ingest <folder|manifest.csv|packet.avro> --workspace <dir>
      Read stamps (DES autoscan folders, triplet manifests, Avro alerts) into a workspace
      (created if missing). Bad files are reported, never fatal. Re-run to resume.
  skysift demo --out <folder> [--n 2000] [--seed 1] [--difficulty 0.5] [--real-fraction 0.5] [--workspace <dir>]
      Write a simulated DES-like night (autoscan layout + labels); with --workspace, ingest it too.
  skysift train --workspace <dir> [--arch compact|space2vec] [--epochs N] [--backend auto|webgpu|wasm|cpu]
                [--from-scratch] [--adopt] [--export <dir>] [--seed 1]
      Train a model version on the workspace's labels (fine-tunes the active model unless
      --from-scratch); prints the held-out metrics. --adopt scores the workspace and makes it active.
  skysift score --workspace <dir> [--model <version>|default] [--adopt] [--backend ...]
      Score every candidate with a model version.
  skysift eval --workspace <dir> [--model <version>] [--split test|validation|train|all]
      Metrics on labelled candidates: AUC, FPR/MDR at 0.4/0.5/0.6 (Pippin), threshold at 1% MDR.
  skysift baseline --workspace <dir> [--model <version>]
      The hand-feature logistic-regression baseline on the same split as a model version.
  skysift import-model <tfjs-model-folder> --workspace <dir>
      Register a published TF.js layers model (e.g. ../shared/models/braai-d6_m7).
  skysift export-onnx --workspace <dir> [--model <version>] --out <model.onnx>
      Write a model version as ONNX (input 'stamps' [N,H,W,3] preprocessed, output 'score' [N,1]).
  skysift export --workspace <dir> --out <folder> [--format csv|json|votable|tns] [--labels <file>]
                 [--subclass a,b] [--reporter "<names>"] [--group-id <id>] [--source-group-id <id>] [--json]
      The confirmed supernovae (labels 'real') as CSV, JSON, VOTable 1.4, or a draft TNS AT report
      to review and submit yourself (nothing is sent). --labels: a label file exported from the app;
      without it, the labels that came with the data.
`;

async function ingest(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string', short: 'w' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || !values.workspace)
    throw new Error(`ingest needs one input and --workspace\n\n${USAGE}`);
  const ws = await Workspace.open(values.workspace, { create: true });
  const bar = progressBar('ingest');
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  const report = await runIngest(ws, positionals[0], { onProgress: bar.update, signal: abort.signal });
  bar.end();
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(
      `${report.cancelled ? 'Cancelled' : 'Done'}: ${report.added} candidates added to ${ws.dir} (${ws.size} in all)`,
    );
    for (const [source, n] of Object.entries(report.perSource)) console.log(`  ${source}: ${n}`);
    if (report.duplicates) console.log(`  ${report.duplicates} duplicates ingested once`);
    if (report.rejected.length) {
      console.log(`${report.rejected.length} rejected:`);
      for (const r of report.rejected) console.log(`  ${r.file}: ${r.reason}`);
    }
  }
}

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  ingest,
  demo,
  train,
  score,
  eval: evaluate,
  'import-model': importModel,
  'export-onnx': exportOnnxCommand,
  export: exportCommand,
  baseline,
  pretrain,
};

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (cmd === '--version') return void console.log(VERSION);
  const run = commands[cmd];
  if (!run) throw new Error(`unknown command "${cmd}"\n\n${USAGE}`);
  await run(rest);
  // For benchmarks and pipelines: the peak memory of this command, on stderr.
  if (process.env.SKYSIFT_REPORT_RSS)
    console.error(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(`skysift: ${(e as Error).message}`);
  process.exit(1);
});
