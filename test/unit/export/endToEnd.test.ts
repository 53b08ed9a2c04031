import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportCommand } from '../../../src/cli/commands/export';
import { openClient } from '../../../src/cli/client';
import { Workspace } from '../../../src/main/catalog/workspace';
import { createApi } from '../../../src/main/api';
import { confirmedRows } from '../../../src/main/export/confirmedRows';
import { exportLabelSet } from '../../../src/main/export/exportService';
import { readConfirmedVoTable } from '../../support/votableRead';
import { Services } from '../../../src/main/services';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { parseArgs } from '../../../src/shared/contract';
import type { HumanLabel, LabelsImportResult } from '../../../src/shared/labels';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { label, makeWorkspace, tmpDir } from './fixtures';
import { checkVoTable } from './votableStructure';

afterEach(() => vi.restoreAllMocks());

describe('the contract calls', () => {
  it('validate their arguments', () => {
    expect(() => parseArgs('exportConfirmed', { labels: [], format: 'xls', folder: '/x' })).toThrow(/format/);
    expect(() =>
      parseArgs('labelsExport', {
        labels: [{ candidateId: 'a', label: 'real' }],
        format: 'csv',
        folder: '/x',
      }),
    ).toThrow(/labels/);
    expect(() => parseArgs('labelsImport', { file: '' })).toThrow(/labelsImport/);
  });

  it('export and import through the api: a round trip loses nothing', async () => {
    const ws = await makeWorkspace();
    const services = new Services({ host: 'browser', version: 'test' });
    await services.nights.open(ws.dir, false);
    const api = createApi(services);
    const labels = [
      label(ws, 'c1', { subclass: 'sn' }),
      label(ws, 'c2', { label: 'bogus' }),
      label(ws, 'c3', { label: 'skip' }),
    ];
    const folder = tmpDir();
    const out = (await api.handle('labelsExport', { labels, format: 'json', folder })) as {
      file: string;
      rows: number;
    };
    expect(out.rows).toBe(3);
    const back = (await api.handle('labelsImport', { file: out.file, existing: [] })) as LabelsImportResult;
    expect(back.labels).toEqual(labels);
    const vot = (await api.handle('exportConfirmed', { labels, format: 'votable', folder })) as {
      file: string;
      rows: number;
    };
    expect(vot.rows).toBe(1);
    expect(checkVoTable(readFileSync(vot.file, 'utf8'))).toEqual([]);
  });
});

describe('skysift export', () => {
  async function run(argv: string[]) {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const client = openClient();
    try {
      await exportCommand(client, argv);
    } finally {
      client.stop();
    }
    return log.mock.calls.map((c) => c.join(' ')).join('\n');
  }

  it('without --labels, exports the labels that came with the data, by "data"', async () => {
    const ws = await makeWorkspace();
    const out = tmpDir();
    const printed = await run(['--workspace', ws.dir, '--out', out, '--format', 'json', '--json']);
    const result = JSON.parse(printed);
    const doc = JSON.parse(readFileSync(result.file, 'utf8'));
    expect(doc.rows.map((r: { id: string; by: string }) => [r.id, r.by])).toEqual([
      ['c1', 'data'],
      ['c4', 'data'],
    ]);
  });

  it('with --labels from the app, and a subclass filter', async () => {
    const ws = await makeWorkspace();
    const labels: HumanLabel[] = [label(ws, 'c1', { subclass: 'sn' }), label(ws, 'c3', { subclass: 'agn' })];
    const file = (await exportLabelSet(ws, { labels, format: 'csv', folder: tmpDir() })).file;
    const out = tmpDir();
    const printed = await run([
      '-w',
      ws.dir,
      '-o',
      out,
      '--format',
      'votable',
      '--labels',
      file,
      '--subclass',
      'agn',
    ]);
    expect(printed).toMatch(/wrote 1 confirmed candidates to .*\.vot/);
    const vot = path.join(out, readdirSync(out)[0]);
    expect(readConfirmedVoTable(readFileSync(vot, 'utf8')).map((r) => r.id)).toEqual(['c3']);
  });

  it('refuses a bad format, a missing --out, and a label file with bad lines', async () => {
    const ws = await makeWorkspace();
    await expect(run(['-w', ws.dir, '-o', tmpDir(), '--format', 'xls'])).rejects.toThrow(/--format must be/);
    await expect(run(['-w', ws.dir])).rejects.toThrow(/--out/);
    const bad = path.join(tmpDir(), 'bad.csv');
    writeFileSync(bad, 'candidateId\nc1\n');
    await expect(run(['-w', ws.dir, '-o', tmpDir(), '--labels', bad])).rejects.toThrow(
      /bad\.csv: 1 bad lines/,
    );
  });
});

describe.skipIf(!HAVE_SHARED)('real survey stamps (../shared/data/real-stamps)', () => {
  it('the ZTF candidates labelled real export to a VOTable that validates and re-reads', async () => {
    const ws = await Workspace.open(path.join(tmpDir(), 'real'), { create: true });
    const report = await runIngest(ws, sharedPath('real-stamps', 'index.csv'));
    expect(report.added).toBeGreaterThan(100);
    const labels = ws
      .list()
      .filter((_, i) => i % 3 === 0)
      .map((e) => label(ws, e.id, { by: 'tester', score: null, modelVersion: null }));
    const folder = tmpDir();
    const services = new Services({ host: 'browser', version: 'test' });
    await services.nights.open(ws.dir, false);
    const result = await services.export.confirmed({ labels, format: 'votable', folder });
    expect(result.rows).toBe(labels.length);
    const text = readFileSync(result.file, 'utf8');
    expect(checkVoTable(text)).toEqual([]);
    const rows = readConfirmedVoTable(text);
    expect(rows.length).toBe(labels.length);
    // Every real candidate has a position and a time (PGIR alerts carry no band: null, not '').
    expect(rows.every((r) => r.ra !== null && r.dec !== null && r.mjd !== null)).toBe(true);
    expect(rows).toEqual(confirmedRows(ws, labels).rows);
    const tns = await services.export.confirmed({ labels, format: 'tns', folder });
    expect(tns.rows).toBe(labels.length);
  });
});
