/**
 * `skysift <command>`: the same services as the app, headless, for pipelines, big machines and
 * benchmarks.
 */
import { parseArgs } from 'node:util';
import { Workspace } from '../main/catalog/workspace';
import { runIngest } from '../main/stamps/ingest';
import { VERSION } from '../main/version';
import { progressBar } from './progressBar';

const USAGE = `skysift ${VERSION}
usage:
  skysift ingest <folder|manifest.csv|packet.avro> --workspace <dir>
      Read stamps (DES autoscan folders, triplet manifests, Avro alerts) into a workspace
      (created if missing). Bad files are reported, never fatal. Re-run to resume.
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

const commands: Record<string, (argv: string[]) => Promise<void>> = { ingest };

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
}

main().catch((e) => {
  console.error(`skysift: ${(e as Error).message}`);
  process.exit(1);
});
