/**
 * `skysift <command>`: the app, headless, for pipelines, big machines and checks. The night,
 * label and model commands are clients of the contract: createApp in this process, i.e. the same
 * service code as the desk over the same home (its own instance, not a connection to a running
 * app), with jobs in the same compute workers. `lab/` holds the engine tools for model work
 * (evaluation on data labels, the hand-feature baseline, ONNX export, pretraining, the demo-night
 * simulator), which act on files directly and load tfjs: they are imported only when one runs,
 * so the client commands start without the engine.
 */
import { openClient, VERSION, type Client } from './client';
import { ingest, labels, scores, status } from './commands/night';
import { importModel, models, score, train } from './commands/models';
import { exportCommand } from './commands/export';
import { show } from './commands/show';

const USAGE = `skysift ${VERSION}
usage (every command takes --home <dir>: the Skysift home, default SKYSIFT_HOME or ~/.skysift):
  skysift ingest <folder|manifest.csv|packet.avro> --workspace <dir> [--json]
      Read stamps (DES autoscan folders, triplet manifests, Avro alerts) into a night (created if
      missing), then score it with the home's active model for its stamps. Bad files are reported,
      never fatal. Re-run to resume; candidates appended later are scored too.
  skysift status --workspace <dir> [--json]
      Candidates, how many the active model scored, the labels given, the home's model.
  skysift labels import <file> --workspace <dir> [--json]
  skysift labels export --workspace <dir> --out <file.csv|file.json>
      The night's labels (main's journal) in and out. Import takes the desk's label-set CSV/JSON or
      a CSV with only candidateId,label columns; it never overwrites a label already given.
  skysift models [--json] [--workspace <dir>]
      The home's model library: what each version was trained on and its figures on real labels;
      * marks the active one.
  skysift import-model <folder> [--name <version>]
      Put a TF.js layers model (e.g. ../shared/models/braai-d6_m7) or a Skysift version in the library.
  skysift train --workspace <dir> [--workspace-only] [--survey ZTF,...] [--arch compact|space2vec]
                [--epochs N] [--from-scratch] [--adopt] [--backend auto|webgpu|wasm|cpu] [--seed N]
      Train a new version on the labels of every night of the home (or this night only), holding out
      a stratified part to judge it and the active model on. --adopt makes it the home's active model.
  skysift score --workspace <dir> [--model <version>|default|active] [--adopt] [--backend ...]
      Score the night with a library version (the night shows it); --adopt makes it the home's.
  skysift scores --workspace <dir> [--model <version>] --out <file.csv>
      id,score of every candidate (empty where not scored).
  skysift export --workspace <dir> --out <folder> [--format csv|json|votable|tns] [--labels <file>]
                 [--subclass a,b] [--reporter "<names>"] [--group-id <id>] [--source-group-id <id>] [--json]
      The confirmed supernovae (labels 'real') as CSV, JSON, VOTable 1.4, or a draft TNS AT report
      to review and submit yourself (nothing is sent). Default: the night's labels; --labels: a file.
  skysift show <id> --workspace <dir> [--json]
      A candidate with its context (nearest star, known asteroid, first detection, rates) and its
      object's light curve (detections and non-detection limits of every packet, of every night).
engine tools (act on files directly):
  skysift demo --out <folder> [--n 2000] [--seed 1] [--difficulty 0.5] [--real-fraction 0.5] [--workspace <dir>]
      Write a simulated DES-like night (autoscan layout + labels); with --workspace, ingest it too.
  skysift eval --workspace <dir> [--model <version>] [--split test|validation|train|all]
      Metrics on the labels that came with the data: AUC, FPR/MDR at 0.4/0.5/0.6, threshold at 1% MDR.
  skysift baseline --workspace <dir> [--model <version>]
      The hand-feature logistic-regression baseline on the same split as a model version.
  skysift export-onnx --workspace <dir> [--model <version>] --out <model.onnx>
      Write a model version as ONNX (input 'stamps' [N,H,W,3] preprocessed, output 'score' [N,1]).
  skysift pretrain --manifest <index.csv> --out <library dir> [--epochs N] [--minutes M] [--init <version dir>]... [--trainer auto|tfjs|onnxruntime]
  skysift pretrain --validate --manifest <index.csv> --model <version dir>... [--seed 1] [--robustness]
  skysift pretrain --report --manifest <index.csv> --model <version dir> [--folds 2 --eval-fold 1] [--update-meta] [--robustness]
  skysift pretrain --cold-start --manifest <index.csv> --model <version dir> [--labels 0,50,100] [--draws 3] [--label-pool held-out|both-folds [--cv 5]]
      Train on fake sources injected into real stamps (real backgrounds from the manifest; several
      --init: their weights averaged), compare versions on a run's training-side validation set, report
      a version's figures on real stamps it never saw (per survey; --update-meta writes the held-out
      ones into the version's meta.json), or measure fine-tuning from N labels.
      resources/models/default/TRAINED_BY.md gives the exact commands of the shipped default.
`;

type Command = (client: Client, argv: string[]) => Promise<void>;
const clientCommands: Record<string, Command> = {
  ingest,
  status,
  labels,
  models,
  'import-model': importModel,
  train,
  score,
  scores,
  export: exportCommand,
  show,
};
type LabCommand = (argv: string[]) => Promise<void>;
const labCommands: Record<string, () => Promise<LabCommand>> = {
  demo: async () => (await import('./lab/demo')).demo,
  eval: async () => (await import('./lab/engineLab')).evaluate,
  baseline: async () => (await import('./lab/engineLab')).baseline,
  'export-onnx': async () => (await import('./lab/exportOnnx')).exportOnnxCommand,
  pretrain: async () => (await import('./lab/pretrain')).pretrain,
};

/** --home sets the home for this command and its compute workers (they inherit SKYSIFT_HOME). */
function homeFlag(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--home' || a.startsWith('--home='));
  if (i < 0) return undefined;
  const value = argv[i].includes('=') ? argv[i].slice(7) : argv[i + 1];
  if (!value) throw new Error('--home needs a folder');
  argv.splice(i, argv[i].includes('=') ? 1 : 2);
  return value;
}

async function main() {
  const [cmd, ...rest] = process.argv.slice(2);
  if (!cmd || cmd === '--help' || cmd === '-h') return void process.stdout.write(USAGE);
  if (cmd === '--version') return void console.log(VERSION);
  const home = homeFlag(rest);
  if (home) process.env.SKYSIFT_HOME = home;
  const lab = labCommands[cmd];
  if (lab) await (await lab())(rest);
  else {
    const run = clientCommands[cmd];
    if (!run) throw new Error(`unknown command "${cmd}"\n\n${USAGE}`);
    const client = openClient(home);
    try {
      await run(client, rest);
    } finally {
      client.stop();
    }
  }
  // For benchmarks and pipelines: the peak memory of this command, on stderr.
  if (process.env.SKYSIFT_REPORT_RSS)
    console.error(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`skysift: ${(e as Error).message}`);
    process.exit(1);
  },
);
