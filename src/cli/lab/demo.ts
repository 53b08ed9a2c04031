/** `skysift demo`: write a simulated DES-like night (and optionally ingest it into a workspace). */
import { parseArgs } from 'node:util';
import { generateNight } from '../../main/worker/demo/generator';
import { Workspace } from '../../main/catalog/workspace';
import { runIngest } from '../../main/worker/ingest/ingest';
import { progressBar } from '../progressBar';

export async function demo(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      difficulty: { type: 'string', default: '0.5' },
      'real-fraction': { type: 'string', default: '0.5' },
      workspace: { type: 'string', short: 'w' },
    },
  });
  if (!values.out) throw new Error('demo needs --out <folder> for the stamps');
  const n = Number(values.n);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000)
    throw new Error(`--n must be a positive integer, got ${values.n}`);
  const bar = progressBar('demo');
  const t0 = Date.now();
  const summary = await generateNight({
    out: values.out,
    n,
    seed: Number(values.seed),
    difficulty: Number(values.difficulty),
    realFraction: Number(values['real-fraction']),
    onProgress: bar.update,
  });
  bar.end();
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `wrote ${summary.n} simulated candidates (${summary.counts.real} real, ${summary.counts.artifact} artifacts) to ${summary.out} in ${secs.toFixed(1)} s (${(summary.n / secs).toFixed(0)} triplets/s)`,
  );
  for (const [kind, count] of Object.entries(summary.kinds)) console.log(`  ${kind}: ${count}`);
  if (values.workspace) {
    const ws = await Workspace.open(values.workspace, {
      create: true,
      simulated: true,
      name: `demo night (seed ${values.seed})`,
    });
    const ib = progressBar('ingest');
    const report = await runIngest(ws, summary.out, { onProgress: ib.update });
    ib.end();
    console.log(`ingested ${report.added} into ${ws.dir}; ${report.rejected.length} rejected`);
    // This engine tool writes the night directly; scoring is the home's (its active model).
    console.log(
      `not scored yet: opening it in the app scores it, or: skysift score --workspace ${ws.dir}` +
        ` (or write the stamps only and run skysift ingest, which scores as it reads)`,
    );
  }
}
