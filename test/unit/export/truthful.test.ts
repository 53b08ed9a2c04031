/**
 * Exports say what the data say: rows in natural id order, numbers without float noise, and a
 * simulated night says so inside every file (CSV, JSON, VOTable, TNS draft), not only in its name.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { confirmedRows } from '../../../src/main/export/confirmedRows';
import { SIMULATED_NOTE } from '../../../src/main/export/confirmedTable';
import { exportConfirmed, exportLabelSet } from '../../../src/main/export/exportService';
import { isMissingFolder } from '../../../src/renderer/src/desk/export/FolderField';
import { dataPrecision } from '../../../src/main/export/skyFormat';
import type { ConfirmedFormat } from '../../../src/shared/labels';
import { label, tmpDir } from './fixtures';

const img = () => ({ width: 2, height: 2, data: new Float32Array(4), mask: new Uint8Array(4).fill(1) });

async function night(simulated: boolean): Promise<Workspace> {
  const ws = await Workspace.open(path.join(tmpDir('skysift-ws-'), 'night'), {
    create: true,
    name: simulated ? 'demo' : 'real',
    simulated,
  });
  // Ids that text order puts as 1007, 101, 1018; an RA with the float noise of arithmetic.
  const ids = ['1018', '101', '1007', '9'];
  await ws.appendPart(
    ids.map((id, i) => ({
      id,
      source: 'manifest' as const,
      origin: { search: `s${i}.fits`, template: null, difference: `d${i}.fits` },
      meta: { ra: id === '101' ? 37.15035082999998 : 10 + i, dec: -5.25, mjd: 60000.125 + i, band: 'g' },
      given: { scores: {} },
      triplet: { search: img(), template: null, difference: img() },
    })),
  );
  return ws;
}

describe('export rows', () => {
  it('come in natural id order (9, 101, 1007, 1018), not text order', async () => {
    const ws = await night(false);
    const { rows } = confirmedRows(
      ws,
      ['1018', '101', '1007', '9'].map((id) => label(ws, id)),
    );
    expect(rows.map((r) => r.id)).toEqual(['9', '101', '1007', '1018']);
    const csv = readFileSync(
      (
        await exportConfirmed(ws, {
          labels: rows.map((r) => label(ws, r.id)),
          format: 'csv',
          folder: tmpDir(),
        })
      ).file,
      'utf8',
    );
    expect(
      csv
        .split('\r\n')
        .slice(1, 5)
        .map((l) => l.split(',')[0]),
    ).toEqual(['9', '101', '1007', '1018']);
  });

  it('carry coordinates to the precision the data have, without float noise', async () => {
    const ws = await night(false);
    const { rows } = confirmedRows(ws, [label(ws, '101')]);
    expect(rows[0].ra).toBe(37.15035083);
    const json = readFileSync(
      (await exportConfirmed(ws, { labels: [label(ws, '101')], format: 'json', folder: tmpDir() })).file,
      'utf8',
    );
    expect(json).toContain('"ra": 37.15035083');
    expect(json).not.toContain('37.15035082999998');
    const vot = readFileSync(
      (await exportConfirmed(ws, { labels: [label(ws, '101')], format: 'votable', folder: tmpDir() })).file,
      'utf8',
    );
    expect(vot).toContain('<TD>37.15035083</TD>');
  });

  it('dataPrecision strips arithmetic noise and keeps every real digit', () => {
    expect(dataPrecision(37.15035082999998)).toBe(37.15035083);
    expect(dataPrecision(0.1 + 0.2)).toBe(0.3);
    expect(dataPrecision(284.1196294)).toBe(284.1196294);
    expect(dataPrecision(123.456789012345)).toBe(123.456789012345);
    expect(dataPrecision(-19.6470455)).toBe(-19.6470455);
    expect(dataPrecision(0)).toBe(0);
  });
});

describe('a simulated night says so inside every export', () => {
  const formats: ConfirmedFormat[] = ['csv', 'json', 'votable', 'tns'];
  for (const format of formats) {
    it(format, async () => {
      const sim = await night(true);
      const text = readFileSync(
        (await exportConfirmed(sim, { labels: [label(sim, '9')], format, folder: tmpDir() })).file,
        'utf8',
      );
      expect(text).toContain(SIMULATED_NOTE);
      if (format === 'csv') expect(text.startsWith(`# ${SIMULATED_NOTE}`)).toBe(true);
      if (format === 'json') expect(JSON.parse(text)).toMatchObject({ simulated: true });
      if (format === 'votable') expect(text).toContain('<INFO name="simulated" value="true">');
      if (format === 'tns') {
        const draft = JSON.parse(text);
        expect(draft._skysift_simulated).toBe(true);
        expect(draft.at_report['0'].remarks).toMatch(/^SIMULATED NIGHT.*DO NOT SUBMIT/);
      }
      const real = await night(false);
      const plain = readFileSync(
        (await exportConfirmed(real, { labels: [label(real, '9')], format, folder: tmpDir() })).file,
        'utf8',
      );
      expect(plain).not.toContain('SIMULATED');
    });
  }
});

describe('exporting into a folder that does not exist', () => {
  it('says so (the desk then offers to create it), and creates it when asked', async () => {
    const ws = await night(false);
    const folder = path.join(tmpDir(), 'new', 'deeper');
    await expect(exportConfirmed(ws, { labels: [label(ws, '9')], format: 'csv', folder })).rejects.toThrow(
      `${folder}: no such folder. Create it, or choose an existing folder to export into.`,
    );
    const r = await exportConfirmed(ws, {
      labels: [label(ws, '9')],
      format: 'csv',
      folder,
      createFolder: true,
    });
    expect(path.dirname(r.file)).toBe(realpathSync(folder));
    const set = await exportLabelSet(ws, {
      labels: [label(ws, '9')],
      format: 'json',
      folder: path.join(folder, 'labels'),
      createFolder: true,
    });
    expect(readFileSync(set.file, 'utf8')).toContain('"9"');
    expect(
      isMissingFolder(`${folder}: no such folder. Create it, or choose an existing folder to export into.`),
    ).toBe(true);
  });
});
