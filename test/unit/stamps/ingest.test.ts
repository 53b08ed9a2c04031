import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GifWriter } from 'omggif';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { card, imageFile, quantizedGzipFile } from './fits/fitsBuilder';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `skysift-${p}-`));

function desStamp(value: number, extra: string[] = []): Uint8Array {
  const px = Array.from({ length: 51 * 51 }, (_, i) => value + (i % 51) * 0.5);
  return imageFile(-32, 51, 51, px, [
    card('MJD-OBS', 56543.123456),
    card('FILTER', 'r'),
    card('RA', 52.5),
    card('DEC', -27.25),
    card('EXPTIME', 90),
    card('MAGZP', 31.5),
    ...extra,
  ]);
}

function autoscanCsv(rows: Array<[string, string]>): string {
  const features = Array.from({ length: 38 }, (_, i) => `F${i + 1}`);
  const comments = Array.from({ length: 6 }, (_, i) => `# comment line ${i + 1}`);
  return [
    ...comments,
    ['ID', 'OBJECT_TYPE', ...features].join(','),
    ...rows.map(([id, t]) => [id, t, ...features.map((_, i) => String(i * 0.5))].join(',')),
  ].join('\n');
}

describe('DES autoscan layout', () => {
  it('ingests srch/temp/diff triplets (plain, gzipped, tile-compressed, in subfolders) with labels and features', async () => {
    const dir = tmp('des');
    mkdirSync(path.join(dir, 'sub'));
    for (const id of ['101', '102']) {
      for (const kind of ['srch', 'temp', 'diff'])
        writeFileSync(path.join(dir, `${kind}${id}.fits`), desStamp(Number(id)));
    }
    for (const kind of ['srch', 'temp', 'diff'])
      writeFileSync(path.join(dir, 'sub', `${kind}103.fits.gz`), gzipSync(desStamp(3)));
    // fpack's output names: srch104.fits.fz
    const ramp = Array.from({ length: 51 * 51 }, (_, i) => i % 51);
    for (const kind of ['srch', 'temp', 'diff'])
      writeFileSync(path.join(dir, `${kind}104.fits.fz`), quantizedGzipFile(51, 51, ramp, 0.5, 100));
    writeFileSync(
      path.join(dir, 'autoscan_features.3.csv'),
      autoscanCsv([
        ['101', '0'],
        ['102', '1'],
        ['103', '0'],
        ['104', '0'],
      ]),
    );
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const report = await runIngest(ws, dir);
    expect(report.rejected).toEqual([]);
    expect(report.added).toBe(4);
    expect(report.perSource).toEqual({ des: 4 });
    expect(ws.get('101')).toMatchObject({
      source: 'des',
      meta: { mjd: 56543.123456, band: 'r', exptime: 90, magzp: 31.5, survey: 'des' },
      given: { label: 'real' },
    });
    expect(ws.get('102')?.given.label).toBe('bogus');
    expect(Object.keys(ws.get('103')?.given.features ?? {})).toHaveLength(38);
    const t = await ws.readTriplet('102');
    expect(t.search.width).toBe(51);
    expect(t.search.data[3]).toBeCloseTo(102 + 1.5, 5);
    const fz = await ws.readTriplet('104');
    expect([fz.difference.width, fz.difference.height]).toEqual([51, 51]);
    // Quantized: pixel 3 holds (3 - dither + 0.5) * 0.5 + 100, the dither in [0, 1).
    expect(Math.abs(fz.difference.data[3] - 101.5)).toBeLessThanOrEqual(0.25);
  });

  it('reports incomplete triplets, broken FITS and bad label rows, and ingests the rest', async () => {
    const dir = tmp('des-bad');
    for (const kind of ['srch', 'temp', 'diff']) writeFileSync(path.join(dir, `${kind}1.fits`), desStamp(1));
    writeFileSync(path.join(dir, 'srch2.fits'), desStamp(2));
    writeFileSync(path.join(dir, 'diff2.fits'), desStamp(2));
    writeFileSync(path.join(dir, 'srch3.fits'), desStamp(3));
    writeFileSync(path.join(dir, 'temp3.fits'), desStamp(3).subarray(0, 4000));
    writeFileSync(path.join(dir, 'diff3.fits'), 'not a fits file at all');
    writeFileSync(
      path.join(dir, 'autoscan_features.3.csv'),
      autoscanCsv([
        ['1', '0'],
        ['2', 'x'],
      ]),
    );
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const report = await runIngest(ws, dir);
    expect(report.added).toBe(1);
    const reasons = report.rejected.map((r) => `${path.basename(r.file)}: ${r.reason}`).join('\n');
    expect(reasons).toMatch(/incomplete triplet for ID 2: missing temp2\.fits/);
    expect(reasons).toMatch(/srch3\.fits: .*(temp3|diff3)\.fits/);
    expect(reasons).toMatch(/OBJECT_TYPE must be 0 \(real\) or 1 \(artifact\), got "x"/);
  });

  it('reads GIF stamps as the public autoscan release ships them', async () => {
    const dir = tmp('gif');
    const w = 51;
    const h = 51;
    const palette = Array.from({ length: 256 }, (_, i) => (i << 16) | (i << 8) | i);
    for (const kind of ['srch', 'temp', 'diff']) {
      const buf = Buffer.alloc(4096);
      const writer = new GifWriter(buf, w, h, { palette });
      const indices = Array.from({ length: w * h }, (_, i) => (i % w) * 5);
      writer.addFrame(0, 0, w, h, indices);
      writeFileSync(path.join(dir, `${kind}77.gif`), buf.subarray(0, writer.end()));
    }
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const report = await runIngest(ws, dir);
    expect(report.rejected).toEqual([]);
    const t = await ws.readTriplet('77');
    expect(t.search.width).toBe(51);
    expect(t.search.data[10]).toBe(50);
  });

  it('resumes after a cancel without duplicating anything', async () => {
    const dir = tmp('des-resume');
    for (let id = 1; id <= 40; id++) {
      for (const kind of ['srch', 'temp', 'diff'])
        writeFileSync(path.join(dir, `${kind}${id}.fits`), desStamp(id));
    }
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const abort = new AbortController();
    const first = await runIngest(ws, dir, {
      chunkSize: 4,
      concurrency: 4,
      signal: abort.signal,
      onProgress: (done) => done >= 12 && abort.abort(),
    });
    expect(first.cancelled).toBe(true);
    expect(first.added).toBeGreaterThanOrEqual(12);
    expect(first.added).toBeLessThan(40);
    const second = await runIngest(ws, dir, { chunkSize: 4 });
    expect(second.cancelled).toBe(false);
    expect(first.added + second.added).toBe(40);
    expect(second.duplicates).toBe(0);
    expect((await Workspace.open(ws.dir)).size).toBe(40);
  });
});

describe('bad input', () => {
  it('names the path when the input does not exist or is not something we read', async () => {
    const ws = await Workspace.open(tmp('ws'), { create: true });
    await expect(runIngest(ws, '/no/such/place')).rejects.toThrow(
      /\/no\/such\/place: no such file or folder/,
    );
    const f = path.join(tmp('x'), 'notes.txt');
    writeFileSync(f, 'hello');
    await expect(runIngest(ws, f)).rejects.toThrow(/notes\.txt: not a folder, a manifest/);
  });

  it('reports manifest rows with the wrong number of cells or missing files', async () => {
    const dir = tmp('manifest');
    writeFileSync(path.join(dir, 's.fits'), desStamp(1));
    writeFileSync(path.join(dir, 'd.fits'), desStamp(1));
    writeFileSync(
      path.join(dir, 'm.csv'),
      [
        'id,sci,ref,diff,band',
        'a,s.fits,,d.fits,g',
        'b,s.fits,,missing.fits,r',
        'c,s.fits,d.fits',
        '"d,s.fits',
      ].join('\n'),
    );
    const ws = await Workspace.open(tmp('ws'), { create: true });
    await expect(runIngest(ws, path.join(dir, 'm.csv'))).rejects.toThrow(
      /m\.csv, line 5: a quoted field is never closed/,
    );
    writeFileSync(
      path.join(dir, 'm.csv'),
      ['id,sci,ref,diff,band', 'a,s.fits,,d.fits,g', 'b,s.fits,,missing.fits,r', 'c,s.fits,d.fits'].join(
        '\n',
      ),
    );
    const report = await runIngest(ws, path.join(dir, 'm.csv'));
    expect(report.added).toBe(1);
    expect(ws.get('a')?.meta.band).toBe('g');
    const text = report.rejected.map((r) => `${r.file}: ${r.reason}`).join('\n');
    expect(text).toMatch(/m\.csv:3: .*missing\.fits/);
    expect(text).toMatch(/m\.csv:4: 3 cells where the header has 5/);
  });
});

interface IndexRow {
  [k: string]: string;
}

function readIndex(): IndexRow[] {
  const [head, ...lines] = readFileSync(sharedPath('real-stamps', 'index.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

describe.skipIf(!HAVE_SHARED)('real survey data from ../shared', () => {
  it('ingests all 370 triplets of real-stamps/index.csv with their metadata (12 ids appear twice)', async () => {
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const report = await runIngest(ws, sharedPath('real-stamps', 'index.csv'));
    expect(report.rejected).toEqual([]);
    expect(report.added + report.duplicates).toBe(370);
    expect(report.added).toBe(358);
    const rows = readIndex();
    // One sample of each survey and tag, including edge-truncated NaN ZTF stamps and float64 WINTER.
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.tag)) continue;
      seen.add(row.tag);
      const e = ws.get(row.id)!;
      expect(e, row.id).toBeDefined();
      const t = Number(row.time);
      expect(e.meta.mjd).toBeCloseTo(row.time_kind === 'JD' ? t - 2400000.5 : t, 6);
      if (row.band) expect(e.meta.band).toBe(row.band);
      if (row.ra) expect(e.meta.ra).toBeCloseTo(Number(row.ra), 6);
      if (row.dec) expect(e.meta.dec).toBeCloseTo(Number(row.dec), 6);
      if (row.mag) expect(e.meta.mag).toBeCloseTo(Number(row.mag), 5);
      if (row.drb) expect(e.given.scores.drb).toBeCloseTo(Number(row.drb), 7);
      if (row.rb) expect(e.given.scores.rb).toBeCloseTo(Number(row.rb), 7);
      const triplet = await ws.readTriplet(row.id);
      expect(triplet.template === null).toBe(row.ref === '');
      if (row.tag === 'ztf_edge_nan_or_truncated') {
        const masked =
          [triplet.search, triplet.difference].some((im) => im.mask.includes(0)) ||
          triplet.search.width * triplet.search.height < 63 * 63;
        expect(masked, `${row.id} should carry masked or truncated pixels`).toBe(true);
      }
    }
    expect(seen.size).toBe(8);
  });

  it('ingests every readable alert packet once and reports each unreadable file', async () => {
    const ws = await Workspace.open(tmp('ws'), { create: true });
    const report = await runIngest(ws, sharedPath('alerts'));
    // 90 records decode (40 ztf + 34 SN 2021rhu + 16 other); 3 early ZTF simulations carry JPEG cutouts.
    expect(report.added).toBe(87);
    const rejectedFiles = new Set(report.rejected.map((r) => path.basename(r.file.split('#')[0])));
    for (const f of [
      'ampel-516401801315010009.avro',
      'ampel-516434762915010006.avro',
      'ampel-516442330015015017.avro',
      'ztf-2500_ztf-2500.avro',
    ]) {
      expect(rejectedFiles.has(f), f).toBe(true);
    }
    for (const r of report.rejected) expect(r.reason.length).toBeGreaterThan(20);
    const surveys = new Set(ws.list().map((e) => e.meta.survey));
    expect([...surveys].sort()).toEqual(['atlas', 'pgir', 'rubin', 'winter', 'ztf']);
    const again = await runIngest(ws, sharedPath('alerts'));
    expect(again.added).toBe(0);
  });
});
