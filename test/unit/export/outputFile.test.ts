import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportConfirmed } from '../../../src/main/export/exportService';
import { exportFileName, fileSafe } from '../../../src/main/export/outputFile';
import { label, makeWorkspace, tmpDir } from './fixtures';

const NOW = new Date('2024-03-02T08:00:00Z');

describe('export files', () => {
  it('are named by kind, workspace and UTC time, safe for any file system', () => {
    expect(exportFileName('confirmed', 'night 2024/03/01: DES', NOW, 'csv')).toBe(
      'skysift-confirmed-night-2024-03-01-DES-20240302T080000Z.csv',
    );
    expect(exportFileName('labels', '../..', NOW, 'json', 2)).toBe(
      'skysift-labels-workspace-20240302T080000Z-2.json',
    );
    expect(fileSafe('')).toBe('workspace');
  });

  it('refuse a folder that does not exist, or a file given as folder', async () => {
    const ws = await makeWorkspace();
    const missing = path.join(tmpDir(), 'nope');
    await expect(exportConfirmed(ws, { labels: [], format: 'csv', folder: missing })).rejects.toThrow(
      /nope: no such folder/,
    );
    const file = path.join(tmpDir(), 'f.txt');
    writeFileSync(file, 'x');
    await expect(exportConfirmed(ws, { labels: [], format: 'csv', folder: file })).rejects.toThrow(
      /not a folder/,
    );
  });

  it('refuse to write through a symlink planted at the file name, leaving its target alone', async () => {
    const ws = await makeWorkspace();
    const outside = path.join(tmpDir(), 'precious.txt');
    writeFileSync(outside, 'keep me');
    const out = tmpDir();
    symlinkSync(outside, path.join(out, exportFileName('confirmed', ws.name, NOW, 'csv')));
    await expect(
      exportConfirmed(ws, { labels: [label(ws, 'c1')], format: 'csv', folder: out }, NOW),
    ).rejects.toThrow(/symbolic link: refusing to write through it/);
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('follow a symlinked folder to its real place, and never overwrite an earlier export', async () => {
    const ws = await makeWorkspace();
    const real = path.join(tmpDir(), 'real');
    mkdirSync(real);
    const link = path.join(tmpDir(), 'link');
    symlinkSync(real, link);
    const a = await exportConfirmed(ws, { labels: [label(ws, 'c1')], format: 'csv', folder: link }, NOW);
    const b = await exportConfirmed(
      ws,
      { labels: [label(ws, 'c1'), label(ws, 'c3')], format: 'csv', folder: link },
      NOW,
    );
    expect(path.dirname(a.file)).toBe(real);
    expect(path.basename(b.file)).toMatch(/-2\.csv$/);
    expect(readdirSync(real).sort()).toEqual([path.basename(a.file), path.basename(b.file)].sort());
    expect(readFileSync(a.file, 'utf8').trim().split('\r\n')).toHaveLength(2);
  });
});

describe('the confirmed CSV and JSON', () => {
  it('hold only real labels (optionally some sub-classes), joined with catalog and active-model score', async () => {
    const ws = await makeWorkspace();
    const labels = [
      label(ws, 'c1', { subclass: 'sn' }),
      label(ws, 'c3', { subclass: 'agn' }),
      label(ws, 'c2', { label: 'bogus' }),
      label(ws, 'c4', { label: 'skip' }),
    ];
    const json = await exportConfirmed(ws, { labels, format: 'json', folder: tmpDir() }, NOW);
    const doc = JSON.parse(readFileSync(json.file, 'utf8'));
    expect(doc).toMatchObject({
      format: 'skysift-confirmed',
      version: 1,
      workspace: 'test night',
      activeModel: 'v1',
    });
    expect(doc.rows.map((r: { id: string }) => r.id)).toEqual(['c1', 'c3']);
    expect(doc.rows[0]).toEqual({
      id: 'c1',
      objectId: 'ZTF18abfcjtr',
      survey: 'ztf',
      ra: 284.1196294,
      dec: 54.1205048,
      mjd: 59000.5,
      band: 'g',
      mag: 19.17,
      magErr: 0.08,
      exptime: 30,
      // Its light curve is its one epoch.
      firstDetection: 59000.5,
      detections: 1,
      peakMag: 19.17,
      score: 0.97,
      model: 'v1',
      label: 'real',
      subclass: 'sn',
      by: 'astro',
      labelledAt: '2024-03-01T22:10:05.123Z',
    });
    const sn = await exportConfirmed(ws, { labels, format: 'json', folder: tmpDir(), subclasses: ['sn'] });
    expect(JSON.parse(readFileSync(sn.file, 'utf8')).rows.map((r: { id: string }) => r.id)).toEqual(['c1']);
  });

  it('CSV defuses formula-like cells (= + - @) from ids, bands and names', async () => {
    const ws = await makeWorkspace();
    const labels = [
      label(ws, '=HYPERLINK("x")', { by: '+cmd', subclass: '@x' }),
      label(ws, 'c3', { by: '-1' }),
    ];
    const csv = readFileSync(
      (await exportConfirmed(ws, { labels, format: 'csv', folder: tmpDir() })).file,
      'utf8',
    );
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,objectId,survey,ra,dec,mjd,band,mag,magErr,exptime,firstDetection,detections,peakMag,score,model,label,subclass,by,labelledAt',
    );
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""x""\)",/);
    expect(lines[1]).toContain(`"r&<>""",20,`);
    expect(lines[1]).toContain(",'@x,'+cmd,");
    expect(lines[2]).toMatch(
      /^c3,,des,0\.0001,-0\.5,57000\.25,i,21\.3,,,57000\.25,1,21\.3,0\.81,v1,real,,'-1,/,
    );
  });

  it('fall back to the score on screen at labelling, then to a score from the data, when no model is active', async () => {
    const ws = await makeWorkspace({ activeModel: false });
    const labels = [
      label(ws, 'c1', { score: null, modelVersion: null }),
      label(ws, 'c3', { score: 0.4, modelVersion: 'v0' }),
    ];
    const doc = JSON.parse(
      readFileSync((await exportConfirmed(ws, { labels, format: 'json', folder: tmpDir() })).file, 'utf8'),
    );
    expect(doc.rows.map((r: { score: number; model: string }) => [r.score, r.model])).toEqual([
      [0.99, 'data:drb'],
      [0.4, 'v0'],
    ]);
  });
});
