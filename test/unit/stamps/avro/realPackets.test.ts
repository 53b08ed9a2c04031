import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlertFileError, type AlertRecord, readAlertFile } from '../../../../src/main/stamps/avro';
import { HAVE_SHARED, sharedPath } from '../../helpers/shared';

const ALERTS = (dir: string) => sharedPath('alerts', dir);
const read = (dir: string, f: string) => readAlertFile(readFileSync(path.join(ALERTS(dir), f)), f);

/**
 * Expected record counts. Obtained independently with Debian's python3-avro 1.11
 * (DataFileReader, one record in every readable file); python3-avro has no snappy codec and
 * rejects the WINTER schema (duplicate field), so for those 9 + 4 files the count is the
 * container's own block count (one block of 1 record each). Every other file holds 1 record.
 */
const UNREADABLE_ZTF: Record<string, RegExp> = {
  // Schemaless Avro datums (2016 ZTF simulation alerts): no container, no writer schema.
  '87704463155000.avro': /not an Avro object container file/,
  '87704463155001.avro': /not an Avro object container file/,
  '87704463155002.avro': /not an Avro object container file/,
  'ztf-2500_ztf-2500.avro': /empty file \(0 bytes\)/,
};
const SNAPPY_ZTF = [
  '000010510007802576.avro',
  '000010510092392116.avro',
  '000010510116973199.avro',
  '0000105101211233001.avro',
  '000010510166461127.avro',
  '000010510166823226.avro',
  '0000105101689901211.avro',
  '0000105102001935921.avro',
  '000010510239033826.avro',
];

const cutoutOk = (b: Uint8Array | null) =>
  b !== null &&
  b.length > 0 &&
  ((b[0] === 0x1f && b[1] === 0x8b) || Buffer.from(b.subarray(0, 6)).toString('latin1') === 'SIMPLE');

function expectGoodCutouts(r: AlertRecord) {
  expect(cutoutOk(r.cutouts.science)).toBe(true);
  expect(cutoutOk(r.cutouts.difference)).toBe(true);
  if (r.survey === 'atlas') expect(r.cutouts.template).toBeNull();
  else expect(cutoutOk(r.cutouts.template)).toBe(true);
}

describe.skipIf(!HAVE_SHARED)('real alert packets (../shared/data/alerts)', () => {
  it('alerts/ztf: 40 records from 40 files; the 4 non-containers give a clear error', () => {
    const files = readdirSync(ALERTS('ztf'));
    expect(files).toHaveLength(44);
    let total = 0;
    for (const f of files) {
      const { records, error } = read('ztf', f);
      if (UNREADABLE_ZTF[f]) {
        expect(records).toEqual([]);
        expect(error).toBeInstanceOf(AlertFileError);
        expect(error!.message).toMatch(new RegExp(`^${f.replace(/\./g, '\\.')}: `));
        expect(error!.message).toMatch(UNREADABLE_ZTF[f]);
        continue;
      }
      expect(error, f).toBeNull();
      expect(records, f).toHaveLength(1);
      const [r] = records;
      expect(r.survey).toBe('ztf');
      expect(r.candid).toMatch(/^-?\d+$/);
      expect(['g', 'r', 'i']).toContain(r.meta.band);
      expect(r.meta.mjd).toBeGreaterThan(57000);
      if (f.startsWith('1726958725155')) {
        // Early ZTF simulation packets (schema with alertId) carry JPEG stamps, stored as-is.
        expect(Array.from(r.cutouts.science!.subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
        expect(r.cutoutNames.science).toMatch(/\.jpg$/);
      } else expectGoodCutouts(r);
      total += records.length;
    }
    expect(total).toBe(40);
  });

  it('the snappy packets decode with their CRC32 verified', () => {
    for (const f of SNAPPY_ZTF) {
      const bytes = readFileSync(path.join(ALERTS('ztf'), f));
      expect(Buffer.from(bytes).includes('snappy')).toBe(true);
      const { records, error } = readAlertFile(bytes, f);
      expect(error).toBeNull();
      expect(records).toHaveLength(1);
      // Damage one compressed byte of the block: the CRC must catch it (or snappy itself).
      const bad = Buffer.from(bytes);
      bad[bad.length - 16 - 100] ^= 0x10;
      const damaged = readAlertFile(bad, f);
      expect(damaged.records).toEqual([]);
      expect(damaged.error?.message).toMatch(/cannot decompress the block \(snappy\)/);
    }
  });

  it('exact ids: long candids (incl. negative ZTF simulation ids) match python3-avro', () => {
    expect(read('ztf', '0000105101708014641.avro').records[0].candid).toBe('1464108071015010000');
    expect(read('ztf', '1726958725155000.avro').records[0].candid).toBe('-1726958725155000');
    expect(read('ztf', 'ztf_3.3_validschema_1154446891615015011.avro').records[0].candid).toBe(
      '1154446891615015011',
    );
    expect(read('other', 'rubin-169298432603193359_169298432603193359.avro').records[0].candid).toBe(
      '169298432603193359',
    );
    expect(read('other', 'atlas-02a59543o0072o_000833.avro').records[0].candid).toBe('02a59543o0072o_000833');
  });

  it('alerts/ztf-sn2021rhu: 34 records, all ZTF21abiuvdk', () => {
    const files = readdirSync(ALERTS('ztf-sn2021rhu'));
    const recs = files.flatMap((f) => {
      const { records, error } = read('ztf-sn2021rhu', f);
      expect(error).toBeNull();
      expect(records).toHaveLength(1);
      return records;
    });
    expect(recs).toHaveLength(34);
    for (const r of recs) {
      expect(r.objectId).toBe('ZTF21abiuvdk');
      expectGoodCutouts(r);
    }
  });

  it('alerts/other: 16 records, survey detected per file, with the expected repairs', () => {
    const files = readdirSync(ALERTS('other'));
    expect(files).toHaveLength(16);
    for (const f of files) {
      const { records, error, repairs } = read('other', f);
      expect(error, f).toBeNull();
      expect(records, f).toHaveLength(1);
      const [r] = records;
      const survey = f.split('-')[0];
      expect(r.survey).toBe(survey);
      expectGoodCutouts(r);
      const kinds = new Set(repairs.map((x) => x.kind));
      if (survey === 'winter') expect([...kinds]).toEqual(['duplicate-field-name']);
      if (survey === 'pgir') expect([...kinds]).toEqual(['union-default-mismatch']);
      if (survey === 'atlas' || survey === 'rubin') expect(repairs).toEqual([]);
      if (survey === 'rubin') {
        expect(Buffer.from(r.cutouts.science!.subarray(0, 6)).toString('latin1')).toBe('SIMPLE');
        expect(r.scores.reliability).toBeGreaterThanOrEqual(0);
        expect(r.meta.band).toMatch(/^[ugrizy]$/);
      }
      if (survey === 'pgir') expect(r.meta.band).toBe('J');
      if (survey === 'winter') expect(['Y', 'J', 'Hs']).toContain(r.meta.band);
    }
  });

  it('Rubin magnitude comes from psfFlux in nJy (AB: 31.4 - 2.5 log10 f)', () => {
    const [r] = read('other', 'rubin-169298432598474793_169298432598474793.avro').records;
    // psfFlux of this diaSource is 3028.187 nJy (float32).
    expect(r.meta.mag).toBeCloseTo(31.4 - 2.5 * Math.log10(3028.18701171875), 9);
    expect(r.meta).toMatchObject({ band: 'i', isdiffpos: true, objectId: '169298432598474793' });
    expect(r.meta.mjd).toBeCloseTo(60924.33041372549, 9);
  });

  it('alerts/broken: each file yields a clear truncation error and no records', () => {
    const expected: Record<string, [number, number]> = {
      // [declared block bytes, bytes that remain] — each file lacks one byte of its only block.
      'ampel-516401801315010009.avro': [47975, 47990],
      'ampel-516434762915010006.avro': [47950, 47965],
      'ampel-516442330015015017.avro': [47987, 48002],
    };
    expect(readdirSync(ALERTS('broken')).sort()).toEqual(Object.keys(expected).sort());
    for (const [f, [size, left]] of Object.entries(expected)) {
      const { records, error } = read('broken', f);
      expect(records).toEqual([]);
      expect(error?.message).toBe(
        `${f}: file truncated mid-block: the block declares 1 record(s) in ${size} bytes, which with its ` +
          `16-byte sync marker needs ${size + 16} bytes, but only ${left} remain (at block 0, byte 18549)`,
      );
    }
  });

  it('truncating a real file at every block boundary +-1 (and elsewhere) never throws', () => {
    const f = 'atlas-02a59543o0040o_006230.avro'; // two blocks: 1 record, then an empty block
    const bytes = readFileSync(path.join(ALERTS('other'), f));
    const full = readAlertFile(bytes, f);
    expect(full.records).toHaveLength(1);
    // Boundaries: end of header (start of block 0), end of block 0, end of the empty block.
    const headerEnd = bytes.indexOf(bytes.subarray(bytes.length - 16), 4) + 16;
    const block0End = bytes.length - 2 - 16; // the trailing empty block is [0, 0, sync]
    const cuts = [
      4,
      100,
      headerEnd - 1,
      headerEnd,
      headerEnd + 1,
      headerEnd + 5000,
      block0End - 1,
      block0End,
      block0End + 1,
      bytes.length - 1,
    ];
    for (const cut of cuts) {
      const { records, error } = readAlertFile(bytes.subarray(0, cut), f);
      if (cut === headerEnd) {
        expect(error).toBeNull(); // a header alone is a valid, empty container
        expect(records).toEqual([]);
      } else if (cut === block0End) {
        expect(error).toBeNull(); // block 0 intact, the empty block simply absent
        expect(records).toHaveLength(1);
      } else if (cut > block0End) {
        expect(records).toHaveLength(1); // partial result: block 0 kept
        expect(error?.message).toMatch(
          /^atlas-02a59543o0040o_006230\.avro: file truncated (inside a block header|mid-block)/,
        );
      } else {
        expect(records).toEqual([]);
        expect(error).toBeInstanceOf(AlertFileError);
        expect(error!.message).toMatch(/truncated/);
      }
    }
  });

  it('meta and scores equal real-stamps/index.csv for every triplet whose provenance is one of these packets', () => {
    const lines = readFileSync(sharedPath('real-stamps', 'index.csv'), 'utf8').trim().split(/\r?\n/);
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
    let checked = 0;
    for (const dir of ['ztf', 'ztf-sn2021rhu', 'other']) {
      for (const f of readdirSync(ALERTS(dir))) {
        // Our copies prefix a survey name ("pgir-114297926.avro"); provenance has the original name.
        const names = [f, f.replace(/^[a-z]+-/, '')];
        const mine = rows.filter((row) => names.includes(path.basename(row.provenance)));
        if (mine.length === 0) continue;
        const { records } = read(dir, f);
        for (const row of mine) {
          const r = records.find((x) => x.candid === row.id);
          expect(r, `${f} candid ${row.id}`).toBeDefined();
          const m = r!.meta;
          const time = row.time_kind === 'JD' ? m.mjd! + 2400000.5 : m.mjd!;
          // ATLAS: the CSV has the FITS MJD-OBS (exposure start), the alert the mid-exposure mjd (+15 s).
          if (row.survey === 'atlas') expect(Math.abs(time - Number(row.time))).toBeLessThan(30 / 86400);
          else expect(time).toBeCloseTo(Number(row.time), 6);
          // WINTER: fid 2 is J in mirar's winter_filters_map {Y:1, J:2, Hs:3}; the CSV says 'H' (its error).
          if (row.band && row.survey !== 'winter') expect(m.band).toBe(row.band);
          if (row.survey === 'winter') expect(m.band).toBe('J');
          expect(m.ra).toBeCloseTo(Number(row.ra), 7);
          expect(m.dec).toBeCloseTo(Number(row.dec), 7);
          if (row.mag) expect(m.mag).toBeCloseTo(Number(row.mag), 6);
          if (row.isdiffpos)
            expect(m.isdiffpos).toBe(['t', '1', 'true'].includes(row.isdiffpos.toLowerCase()));
          if (row.rb) expect(r!.scores.rb).toBeCloseTo(Number(row.rb), 6);
          if (row.drb) expect(r!.scores.drb).toBeCloseTo(Number(row.drb), 6);
          if (row.score) expect(r!.scores[row.score_name]).toBeCloseTo(Number(row.score), 6);
          checked++;
        }
      }
    }
    // CSV rows (triplets) whose provenance packet we hold, counted when this test was written.
    expect(checked).toBe(60);
  });
});
