/**
 * Scoring preprocesses straight from the stored records (viewTriplet: pixels read in place or
 * byte-copied, masks as views, no arrays per image) with the bucket median/MAD and a channel
 * written once. The model rows must be the same bits as before: here against the preprocessing as
 * it was (kept below as the oracle, with its statistics by sorting, independent of robust.ts) and
 * against preprocessInto on decoded triplets, for the real stamps of every survey in ../shared
 * (float32 and float64 on disk, NaN edges, no template for ATLAS, 30-81 px) and for made-up ones
 * (odd sizes, masked pixels holding NaN, flat and all-masked images, signed zeros).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeTriplet, encodeTriplet } from '../../../src/main/catalog/stampPack';
import { BRAAI_D6_M7_SPEC } from '../../../src/main/library/importModel';
import { seededRandom } from '../../../src/main/util/prng';
import { COMPACT_SPEC, type ModelSpec } from '../../../src/main/worker/model/architectures';
import { loadManifestStamps } from '../../../src/main/worker/model/injection/realStamps';
import { preprocessInto, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { computeRows } from '../../../src/main/worker/model/scoreRows';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

/** Median of a float32 sample by sorting (the typed-array sort puts -0 before +0, as the keys do). */
function sortedMedian(v: Float32Array): number {
  const s = Float32Array.from(v).sort();
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** The standard preprocessing of one image as it was before the record path (the oracle). */
function oracleStandard(
  img: StampImage | null,
  out: Float32Array,
  base: number,
  c: number,
  channels: number,
  [th, tw]: [number, number],
): void {
  for (let i = 0; i < th * tw; i++) out[base + i * channels + c] = 0;
  if (!img) return;
  const y0 = Math.floor((img.height - th) / 2);
  const x0 = Math.floor((img.width - tw) / 2);
  const rowStart = Math.max(0, -y0);
  const rowEnd = Math.min(th, img.height - y0);
  const colStart = Math.max(0, -x0);
  const colEnd = Math.min(tw, img.width - x0);
  const picked: number[] = [];
  for (let r = rowStart; r < rowEnd; r++) {
    const src = (r + y0) * img.width + x0;
    for (let col = colStart; col < colEnd; col++) if (img.mask[src + col]) picked.push(img.data[src + col]);
  }
  if (picked.length === 0) return;
  const valid = Float32Array.from(picked);
  const med = sortedMedian(valid);
  const deviations = Float32Array.from(valid, (x) => Math.abs(x - med));
  let sigma = 1.4826 * sortedMedian(deviations);
  if (!(sigma > 0)) {
    let sum = 0;
    for (let i = 0; i < deviations.length; i++) sum += deviations[i];
    sigma = sum > 0 ? (1.2533 * sum) / deviations.length : 1;
  }
  const inv = 1 / sigma;
  for (let r = rowStart; r < rowEnd; r++) {
    const src = (r + y0) * img.width + x0;
    const dst = base + r * tw * channels + c;
    for (let col = colStart; col < colEnd; col++) {
      if (!img.mask[src + col]) continue;
      const v = (img.data[src + col] - med) * inv;
      out[dst + col * channels] = v > 30 ? 30 : v < -30 ? -30 : v;
    }
  }
}

function oracleRow(spec: ModelSpec, t: StampTriplet, out: Float32Array, index: number): void {
  const channels = spec.channels.length;
  const base = index * stampInputLength(spec);
  spec.channels.forEach((name, c) =>
    oracleStandard(
      name === 'search' ? t.search : name === 'template' ? t.template : t.difference,
      out,
      base,
      c,
      channels,
      spec.inputSize,
    ),
  );
}

/**
 * Writes the triplets' records into one part-like file, 0-3 bytes apart so that the pixels land on
 * and off 4-byte boundaries, and returns the spans as the catalog would give them.
 */
function writePart(triplets: StampTriplet[]): { file: string; spans: [number, number][] } {
  const chunks: Buffer[] = [];
  const spans: [number, number][] = [];
  let at = 0;
  triplets.forEach((t, i) => {
    const gap = Buffer.alloc(i % 4, 0xee);
    const rec = encodeTriplet(t);
    chunks.push(gap, rec);
    at += gap.length;
    spans.push([at, rec.length]);
    at += rec.length;
  });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'skysift-records-')), 'part-000000.bin');
  writeFileSync(file, Buffer.concat(chunks));
  return { file, spans };
}

/** Index of the first float whose bits differ (NaN and -0 compared as bits), or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** Rows from the records (in batches of 7: runs that start mid-file) against both references. */
function expectSameRows(spec: ModelSpec, triplets: StampTriplet[], names: string[], oracle: boolean): void {
  const { file, spans } = writePart(triplets);
  const row = stampInputLength(spec);
  const got = new Float32Array(triplets.length * row);
  for (let k = 0; k < spans.length; k += 7) {
    const run = spans.slice(k, k + 7);
    // Into a buffer of NaNs: a pixel the preprocessing failed to write shows.
    const rows = computeRows({ file, spans: run, spec }, new Float32Array(run.length * row).fill(NaN));
    got.set(rows, k * row);
  }
  const decoded = new Float32Array(got.length).fill(NaN);
  const before = new Float32Array(got.length).fill(NaN);
  spans.forEach(([o, l], i) => {
    const t = decodeTriplet(encodeTriplet(triplets[i]));
    expect(l).toBe(encodeTriplet(t).length);
    preprocessInto(spec, t, decoded, i);
    if (oracle) oracleRow(spec, t, before, i);
    void o;
  });
  const where = (i: number) => `${names[Math.floor(i / row)]}, float ${i % row}`;
  const d1 = firstDifference(got, decoded);
  expect(d1, d1 < 0 ? '' : `${where(d1)}: ${got[d1]} vs decoded ${decoded[d1]}`).toBe(-1);
  if (oracle) {
    const d2 = firstDifference(got, before);
    expect(d2, d2 < 0 ? '' : `${where(d2)}: ${got[d2]} vs the old preprocessing ${before[d2]}`).toBe(-1);
  }
}

function image(width: number, height: number, f: (i: number) => number, masked?: (i: number) => boolean) {
  const n = width * height;
  const data = new Float32Array(n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const off = masked?.(i) ?? false;
    mask[i] = off ? 0 : 1;
    data[i] = off ? Number.NaN : f(i);
  }
  return { width, height, data, mask };
}

describe('preprocessing from the stored records', () => {
  it('gives the same bits as before on made-up stamps: odd sizes, masks, flat, signed zeros', () => {
    const next = seededRandom(3131);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const sky = (level: number, noise: number) => () => level + noise * gauss();
    const cases: [string, StampTriplet][] = [
      [
        '51x51 sky',
        {
          search: image(51, 51, sky(1500, 30)),
          template: image(51, 51, sky(1400, 10)),
          difference: image(51, 51, sky(0, 25)),
        },
      ],
      [
        '37x45 (padded), no template',
        { search: image(37, 45, sky(200, 5)), template: null, difference: image(37, 45, sky(0, 5)) },
      ],
      [
        '81x79 (cropped) with NaN edges and masked stars',
        {
          search: image(81, 79, sky(900, 12), (i) => i % 81 < 6 || i % 97 === 0),
          template: image(81, 79, sky(850, 8), (i) => i < 81 * 4),
          difference: image(81, 79, sky(0, 15), (i) => i % 81 > 74),
        },
      ],
      [
        '52x50 (even sizes), quantised',
        {
          search: image(52, 50, () => Math.round(100 + 3 * gauss())),
          template: image(52, 50, () => Math.round(90 + 2 * gauss())),
          difference: image(52, 50, () => Math.round(3 * gauss())),
        },
      ],
      [
        'flat search, all-masked template, signed zeros in the difference',
        {
          search: image(51, 51, () => 7),
          template: image(
            51,
            51,
            () => 1,
            () => true,
          ),
          difference: image(51, 51, (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : gauss())),
        },
      ],
      [
        'more than half equal (MAD 0: the mean deviation instead)',
        {
          search: image(51, 51, (i) => (i % 3 ? 5 : 5 + next())),
          template: image(51, 51, sky(10, 1)),
          difference: image(51, 51, (i) => (i % 4 ? -0 : next() - 0.5)),
        },
      ],
      [
        '15x15 (under 256 valid pixels: the quickselect route)',
        {
          search: image(15, 15, sky(50, 2)),
          template: image(15, 15, sky(40, 2)),
          difference: image(15, 15, sky(0, 2)),
        },
      ],
    ];
    expectSameRows(
      COMPACT_SPEC,
      cases.map((c) => c[1]),
      cases.map((c) => c[0]),
      true,
    );
  });

  it.skipIf(!HAVE_SHARED)(
    'gives the same bits as before on the real stamps of every survey (standard and braai)',
    async () => {
      const { stamps } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv'));
      const surveys = new Set(stamps.map((s) => s.survey));
      expect([...surveys].sort()).toEqual(['atlas', 'pgir', 'winter', 'ztf', 'zuds']);
      expect(stamps.some((s) => s.triplet.template === null)).toBe(true);
      const triplets = stamps.map((s) => s.triplet);
      const names = stamps.map((s) => `${s.survey} ${s.id}`);
      expectSameRows(COMPACT_SPEC, triplets, names, true);
      // braai's preprocessing reads the same views (its own arithmetic unchanged).
      const withTemplate = stamps.filter((s) => s.triplet.template !== null);
      expectSameRows(
        BRAAI_D6_M7_SPEC,
        withTemplate.map((s) => s.triplet),
        withTemplate.map((s) => `${s.survey} ${s.id}`),
        false,
      );
    },
    120_000,
  );

  it('names the file and the byte of a damaged record', () => {
    const t: StampTriplet = {
      search: image(51, 51, () => 1),
      template: null,
      difference: image(51, 51, () => 2),
    };
    const { file, spans } = writePart([t, t]);
    const bad: [number, number][] = [spans[0], [spans[1][0], spans[1][1] - 9]];
    expect(() => computeRows({ file, spans: bad, spec: COMPACT_SPEC })).toThrow(
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: record at byte ${spans[1][0]}: packed stamp record is truncated`,
      ),
    );
  });
});
