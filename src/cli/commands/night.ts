/**
 * `skysift ingest | status | scores | labels`: a night through the app's own API. An ingest ends
 * with the night scored by the home's active model for its stamps, as it does in the desk.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '../client';

export async function openNight(client: Client, dir: string | undefined, create = false) {
  if (!dir) throw new Error('--workspace <dir> is required');
  return client.call('workspaceOpen', { dir, create });
}

export async function ingest(client: Client, argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1 || !values.workspace)
    throw new Error('ingest needs one input (folder, manifest.csv or .avro) and --workspace <dir>');
  await openNight(client, values.workspace, true);
  // Scoring the night's earlier candidates (if the open started it) must not hold the ingest back.
  const { jobId } = await client.call('ingestStart', { folder: path.resolve(positionals[0]) });
  const record = await client.wait(jobId, 'ingest');
  const scoring = await client.waitForScoring();
  const night = (await client.call('workspaceCurrent', {}))!;
  const report = record.report!;
  if (values.json) {
    console.log(
      JSON.stringify(
        { ...report, scoredBy: night.activeModel, scored: night.scored, candidates: night.candidates },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `${report.cancelled ? 'Cancelled' : 'Done'}: ${report.added} candidates added to ${night.dir} (${night.candidates} in all)`,
  );
  for (const [source, n] of Object.entries(report.perSource)) console.log(`  ${source}: ${n}`);
  if (report.duplicates) console.log(`  ${report.duplicates} duplicates ingested once`);
  if (report.rejected.length) {
    console.log(`${report.rejected.length} rejected:`);
    for (const r of report.rejected) console.log(`  ${r.file}: ${r.reason}`);
  }
  if (night.activeModel)
    console.log(
      `Scored by ${night.activeModel}: ${night.scored} of ${night.candidates} candidates${scoring ? '' : ' (already scored)'}`,
    );
  else
    console.log(
      'Not scored: the home has no model for these stamps (import one with `skysift import-model`).',
    );
}

export async function status(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      json: { type: 'boolean' },
    },
  });
  const night = await openNight(client, values.workspace);
  const { labels } = await client.call('labelsList', {});
  const home = await client.call('homeInfo', {});
  const mine = home.nights.find((n) => n.dir === night.dir);
  const out = {
    workspace: night.dir,
    name: night.name,
    simulated: night.simulated,
    candidates: night.candidates,
    scored: night.scored,
    activeModel: night.activeModel,
    threshold: night.threshold,
    homeModel: night.homeModel,
    labels: mine?.labels ?? { real: 0, bogus: 0, skip: 0 },
    labelled: labels.length,
    flagged: mine?.flagged ?? 0,
    sources: night.sources,
    home: home.home,
  };
  if (values.json) return void console.log(JSON.stringify(out, null, 2));
  console.log(`${out.name} (${out.workspace})${out.simulated ? ' [simulated]' : ''}`);
  console.log(`  candidates ${out.candidates}, scored ${out.scored} by ${out.activeModel ?? 'no model'}`);
  console.log(
    `  flagged ${out.flagged} at threshold ${out.threshold === null ? '-' : out.threshold.toFixed(3)}`,
  );
  console.log(`  labels: real ${out.labels.real}, bogus ${out.labels.bogus}, skip ${out.labels.skip}`);
  console.log(
    `  the home (${out.home}) scores new nights of these stamps with ${out.homeModel ?? 'no model'}`,
  );
}

export async function scores(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      model: { type: 'string' },
      out: { type: 'string', short: 'o' },
    },
  });
  if (!values.out) throw new Error('scores needs --out <file.csv>');
  await openNight(client, values.workspace);
  const r = await client.call('candidatesScores', { version: values.model });
  const csv = ['id,score', ...r.scores.map((s) => `${csvField(s.id)},${s.score ?? ''}`)].join('\n') + '\n';
  writeFileSync(values.out, csv);
  console.log(`wrote ${r.scores.length} scores by ${r.version ?? 'no model'} to ${path.resolve(values.out)}`);
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `skysift labels import <file> | export --out <file>`: the night's journal, in and out. */
export async function labels(client: Client, argv: string[]) {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      workspace: { type: 'string', short: 'w' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const night = await openNight(client, values.workspace);
  if (sub === 'export') {
    if (!values.out) throw new Error('labels export needs --out <file.csv|file.json>');
    const out = path.resolve(values.out);
    const format = values.format ?? (out.endsWith('.json') ? 'json' : 'csv');
    if (format !== 'csv' && format !== 'json')
      throw new Error(`--format must be csv or json, got "${format}"`);
    const r = await client.call('labelsExport', {
      format,
      folder: path.dirname(out),
      fileName: path.basename(out),
    });
    console.log(`wrote ${r.rows} labels of ${night.dir} to ${r.file}`);
    return;
  }
  if (sub === 'import') {
    const file = positionals[0];
    if (!file)
      throw new Error(
        'labels import needs the label file (CSV with candidateId,label or the JSON the desk exports)',
      );
    const r = await client.call('labelsImport', { file: path.resolve(file) });
    // New labels go in; a conflict is never overwritten: the astronomer decides at the desk.
    const fresh = r.labels.map((l) => ({ ...l, workspace: night.dir }));
    if (fresh.length) await client.call('labelsPut', { labels: fresh });
    const summary = {
      file: r.file,
      imported: fresh.length,
      identical: r.identical,
      conflicts: r.conflicts.length,
      unknownIds: r.unknownIds.length,
      errors: r.errors.map((e) => e.reason),
    };
    if (values.json) return void console.log(JSON.stringify(summary, null, 2));
    console.log(`imported ${fresh.length} labels into ${night.dir} (${r.identical} already there)`);
    if (r.conflicts.length)
      console.log(
        `${r.conflicts.length} conflict with labels already given: kept yours (review them at the desk)`,
      );
    if (r.unknownIds.length) console.log(`${r.unknownIds.length} ids are not in this night: left out`);
    for (const e of r.errors) console.log(`  ${e.reason}`);
    return;
  }
  throw new Error('labels needs a subcommand: import <file> | export --out <file>');
}
