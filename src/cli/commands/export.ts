/**
 * `skysift export`: the confirmed-supernova list (CSV, JSON, VOTable) or a draft TNS AT report,
 * from the night's labels (main's journal), or from a label file exported by the app.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfirmedFormatSchema, type HumanLabel } from '../../shared/labels';
import type { Client } from '../client';
import { openNight } from './night';

export async function exportCommand(client: Client, argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      out: { type: 'string', short: 'o' },
      format: { type: 'string', default: 'csv' },
      labels: { type: 'string' },
      subclass: { type: 'string', multiple: true },
      reporter: { type: 'string' },
      'group-id': { type: 'string' },
      'source-group-id': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const format = ConfirmedFormatSchema.safeParse(values.format);
  if (!format.success) throw new Error(`--format must be csv, json, votable or tns, got "${values.format}"`);
  if (!values.out) throw new Error('export needs --out <folder> (an existing folder)');
  const night = await openNight(client, values.workspace);

  let labels: HumanLabel[] | undefined;
  if (values.labels) {
    // Read against no labels at all: every label of the file comes back, or an error per bad line.
    const parsed = await client.call('labelsImport', { file: path.resolve(values.labels), existing: [] });
    if (parsed.errors.length) {
      // A confirmed list silently missing some labels would mislead: refuse, and say where.
      for (const e of parsed.errors) console.error(`  ${e.reason}`);
      throw new Error(`${values.labels}: ${parsed.errors.length} bad lines (above); fix them and run again`);
    }
    labels = parsed.labels;
  } else {
    const { labels: given } = await client.call('labelsList', {});
    if (!given.length) console.error(`note: ${night.dir} has no labels yet; give --labels <file>`);
  }

  const subclasses = (values.subclass ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const result = await client.call('exportConfirmed', {
    labels,
    format: format.data,
    folder: values.out,
    subclasses,
    tns: {
      reporter: values.reporter || undefined,
      reportingGroupId: values['group-id'] || undefined,
      discoveryDataSourceId: values['source-group-id'] || undefined,
    },
  });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const what = format.data === 'tns' ? 'draft AT reports' : 'confirmed candidates';
  console.log(`wrote ${result.rows} ${what} to ${result.file}`);
  if (result.unknownIds.length)
    console.log(
      `${result.unknownIds.length} labelled candidates are not in this workspace and were left out: ${result.unknownIds.slice(0, 10).join(', ')}${result.unknownIds.length > 10 ? ', ...' : ''}`,
    );
  if (format.data === 'tns')
    console.log('Review it and replace every "<...>" placeholder before submitting to TNS.');
}
