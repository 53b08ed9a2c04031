import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreBaseline, trainBaseline } from '../../../src/main/worker/demo/baseline';
import { stratifiedSplit } from '../../../src/main/worker/model/training/split';
import { auc } from '../../../src/shared/metrics';
import { AUTOSCAN_FEATURES, FEATURE_GROUPS } from '../../../src/main/worker/demo/features';
import {
  FEATURES_CSV,
  GENERATOR_VERSION,
  generateNight,
  type NightSummary,
} from '../../../src/main/worker/demo/generator';
import { ARTIFACT_KINDS } from '../../../src/main/worker/demo/scene';

const root = mkdtempSync(path.join(tmpdir(), 'skysift-demo-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
function hashes(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of walk(dir).sort())
    m.set(path.relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex'));
  return m;
}

/** A tiny FITS primary-header reader: cards until END, values parsed per the fixed format. */
function readHeader(file: string): { cards: Map<string, string | number | boolean>; dataOffset: number } {
  const buf = readFileSync(file);
  const cards = new Map<string, string | number | boolean>();
  for (let off = 0; off < buf.length; off += 80) {
    const card = buf.toString('latin1', off, off + 80);
    expect(card.length).toBe(80);
    const key = card.slice(0, 8).trim();
    if (key === 'END') return { cards, dataOffset: Math.ceil((off + 80) / 2880) * 2880 };
    if (card.slice(8, 10) !== '= ') continue;
    const rest = card.slice(10).trim();
    if (rest.startsWith("'")) cards.set(key, rest.slice(1, rest.indexOf("'", 1)).trimEnd());
    else {
      const v = rest.split('/')[0].trim();
      cards.set(key, v === 'T' ? true : v === 'F' ? false : Number(v));
    }
  }
  throw new Error(`${file}: no END card`);
}

interface CsvData {
  comments: string[];
  header: string[];
  rows: Record<string, string>[];
}
function readCsv(file: string): CsvData {
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const comments = lines.filter((l) => l.startsWith('#'));
  const rest = lines.filter((l) => !l.startsWith('#'));
  const header = rest[0].split(',');
  const rows = rest.slice(1).map((l) => {
    const c = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, c[i]]));
  });
  return { comments, header, rows };
}
const num = (r: Record<string, string>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as Record<string, number>;

describe('demo night generator', () => {
  let a: NightSummary;
  beforeAll(async () => {
    a = await generateNight({ out: path.join(root, 'a'), n: 200, seed: 1 });
  });

  it('is deterministic: same seed -> byte-identical files; other seed -> different', async () => {
    await generateNight({ out: path.join(root, 'b'), n: 200, seed: 1 });
    await generateNight({ out: path.join(root, 'c'), n: 200, seed: 2 });
    const ha = hashes(path.join(root, 'a'));
    const hb = hashes(path.join(root, 'b'));
    const hc = hashes(path.join(root, 'c'));
    expect(ha.size).toBe(600 + 1);
    expect([...ha]).toEqual([...hb]);
    let same = 0;
    for (const [k, v] of ha) if (hc.get(k) === v) same++;
    expect(same).toBe(0);
  });

  it(
    'stays the same night from one version of the code to the next (generator ' + GENERATOR_VERSION + ')',
    () => {
      // A change to the simulation that alters this digest must bump GENERATOR_VERSION (and this digest):
      // otherwise a seed no longer names the night that was shared, labelled or benchmarked.
      const digest = createHash('sha256');
      for (const [name, h] of hashes(path.join(root, 'a'))) digest.update(`${name} ${h}\n`);
      expect({ version: GENERATOR_VERSION, digest: digest.digest('hex') }).toEqual({
        version: '1.0.1',
        digest: '46c95dd80502279a42698d8b9c67fe3e6e1316405b0556885c2ccf1f6e79c1c4',
      });
    },
  );

  it('writes FITS files with parseable headers, 51x51 float32, a TAN WCS on the candidate', () => {
    expect(a.filesWritten).toBe(600);
    const dir = a.stampDirs[0];
    for (const which of ['srch', 'temp', 'diff']) {
      const file = path.join(dir, `${which}7.fits`);
      const buf = readFileSync(file);
      expect(buf.length % 2880).toBe(0);
      const { cards, dataOffset } = readHeader(file);
      expect(cards.get('SIMPLE')).toBe(true);
      expect(cards.get('BITPIX')).toBe(-32);
      expect(cards.get('NAXIS')).toBe(2);
      expect(cards.get('NAXIS1')).toBe(51);
      expect(cards.get('NAXIS2')).toBe(51);
      expect(cards.get('OBJECT')).toBe('SIMULATED');
      expect(['g', 'r', 'i', 'z']).toContain(cards.get('FILTER'));
      for (const k of [
        'MJD-OBS',
        'RA',
        'DEC',
        'EXPTIME',
        'MAGZP',
        'GAIN',
        'CRVAL1',
        'CRVAL2',
        'CRPIX1',
        'CRPIX2',
      ])
        expect(Number.isFinite(cards.get(k) as number), k).toBe(true);
      for (const k of ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2']) expect(typeof cards.get(k)).toBe('number');
      expect(cards.get('CTYPE1')).toBe('RA---TAN');
      expect(cards.get('CRVAL1')).toBeCloseTo(cards.get('RA') as number, 6);
      expect(cards.get('CRPIX1')).toBe(26);
      expect(Math.abs(cards.get('MAGZP') as number) - 31.5).toBeLessThan(0.5);
      expect(buf.length - dataOffset).toBe(Math.ceil((51 * 51 * 4) / 2880) * 2880);
      const v = buf.readFloatBE(dataOffset + (25 * 51 + 25) * 4);
      expect(Number.isFinite(v) || which !== 'srch').toBe(true);
    }
  });

  it('writes the autoscan CSV: 6 comment lines, ID, OBJECT_TYPE, 38 features, SIM_KIND', () => {
    const csv = readCsv(path.join(root, 'a', FEATURES_CSV));
    expect(csv.comments).toHaveLength(6);
    expect(csv.comments.join(' ')).toMatch(/SIMULATED/);
    expect(csv.comments.join(' ')).toMatch(/seed: 1/);
    expect(csv.comments.join(' ')).toMatch(/difficulty: 0.5/);
    expect(csv.header[0]).toBe('ID');
    expect(csv.header[1]).toBe('OBJECT_TYPE');
    expect(csv.header.slice(2, 40)).toEqual([...AUTOSCAN_FEATURES]);
    expect(AUTOSCAN_FEATURES).toHaveLength(38);
    expect(csv.header[40]).toBe('SIM_KIND');
    expect(csv.rows).toHaveLength(200);
    expect(csv.rows.map((r) => Number(r.ID))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const r of csv.rows) {
      expect(['0', '1']).toContain(r.OBJECT_TYPE);
      for (const f of ['SNR', 'MAG', 'N3SIG5', 'NUMNEGRN', 'GAUSS', 'SPREAD_MODEL', 'MASKFRAC'])
        expect(Number.isFinite(Number(r[f])), f).toBe(true);
    }
  });

  describe('at n = 1500', () => {
    let night: NightSummary;
    let csv: CsvData;
    beforeAll(async () => {
      night = await generateNight({ out: path.join(root, 'big'), n: 1500, seed: 11 });
      csv = readCsv(night.csvPath);
    }, 120_000);

    it('keeps the class balance and has every artifact kind in the first 1000', () => {
      expect(Math.abs(night.counts.real / 1500 - 0.5)).toBeLessThan(0.05);
      const kinds = new Set(csv.rows.slice(0, 1000).map((r) => r.SIM_KIND));
      for (const k of ARTIFACT_KINDS) expect(kinds.has(k), k).toBe(true);
      for (const r of csv.rows)
        expect(r.OBJECT_TYPE).toBe((ARTIFACT_KINDS as readonly string[]).includes(r.SIM_KIND) ? '1' : '0');
    });

    it('CCD-edge stamps hold NaN in all three images', () => {
      const edge = csv.rows.find((r) => r.SIM_KIND === 'ccd-edge')!;
      expect(Number(edge.MASKFRAC)).toBeGreaterThan(0);
      const dir = night.stampDirs[Math.floor((Number(edge.ID) - 1) / 1000)];
      for (const which of ['srch', 'temp', 'diff']) {
        const file = path.join(dir, `${which}${edge.ID}.fits`);
        const { dataOffset } = readHeader(file);
        const buf = readFileSync(file);
        let nan = 0;
        for (let i = 0; i < 51 * 51; i++) if (Number.isNaN(buf.readFloatBE(dataOffset + i * 4))) nan++;
        expect(nan).toBeGreaterThan(0);
      }
    });

    it('a simple baseline is clearly above chance and clearly below perfect', () => {
      const rows = csv.rows.map(num);
      const labels = rows.map((r) => (r.OBJECT_TYPE === 0 ? 1 : 0));
      // The training code's split, by row index as the id.
      const split = stratifiedSplit(
        labels.map((label, i) => ({ id: String(i), label: label as 0 | 1 })),
        { validation: 0, test: 0.3 },
        1,
      );
      const sp = { train: split.train.map((x) => Number(x.id)), test: split.test.map((x) => Number(x.id)) };
      const model = trainBaseline(
        sp.train.map((i) => rows[i]),
        sp.train.map((i) => labels[i]),
      );
      const ev = {
        auc: auc(
          scoreBaseline(
            model,
            sp.test.map((i) => rows[i]),
          ),
          sp.test.map((i) => labels[i]),
        ),
      };
      expect(ev.auc).toBeGreaterThan(0.7);
      expect(ev.auc).toBeLessThan(0.99);
    });
  });

  it('computes each autoscan feature in exactly one feature group', () => {
    const computed = FEATURE_GROUPS.flatMap((g) => [...g.features]);
    expect([...computed].sort()).toEqual([...AUTOSCAN_FEATURES].sort());
  });

  it('reports progress, can be cancelled, rejects bad options', async () => {
    const seen: number[] = [];
    await generateNight({ out: path.join(root, 'p'), n: 250, seed: 3, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual([100, 200, 250]);
    const ac = new AbortController();
    ac.abort();
    await expect(
      generateNight({ out: path.join(root, 'q'), n: 10, seed: 3, signal: ac.signal }),
    ).rejects.toThrow(/cancelled/);
    expect(existsSync(path.join(root, 'q', FEATURES_CSV))).toBe(false);
    await expect(generateNight({ out: path.join(root, 'r'), n: 10, seed: 3, difficulty: 2 })).rejects.toThrow(
      /difficulty/,
    );
  });
});
