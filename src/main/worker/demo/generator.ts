/**
 * The demo night: a folder of simulated candidates in the DES autoscan layout
 * (`srch<ID>.fits`, `temp<ID>.fits`, `diff<ID>.fits`, 51x51 float32, in subfolders of 1000) plus
 * `autoscan_features.3.csv` (6 '#' lines, header `ID,OBJECT_TYPE,<38 features>,SIM_KIND`).
 * Deterministic from the seed (each candidate has its own PRNG stream from (seed, id)), streamed
 * (one candidate in memory at a time), with progress and cancel. Physics and the difficulty knob:
 * see scene.ts.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StampImage, StampTriplet } from '../../../shared/stamp';
import { writeFitsImageSync, type FitsCard } from '../../stamps/fitsWriter';
import { AUTOSCAN_FEATURES, computeFeatures, type FeatureMeta } from './features';
import { Rng } from '../../util/prng';
import {
  ARTIFACT_KINDS,
  DEFAULT_ARTIFACT_WEIGHTS,
  DEFAULT_REAL_WEIGHTS,
  PIXSCALE,
  REAL_KINDS,
  STAMP,
  simulateCandidate,
  type ArtifactKind,
  type RealKind,
  type SimCandidate,
  type SimKind,
} from './scene';

export const GENERATOR_VERSION = '1.0.1';
export const FEATURES_CSV = 'autoscan_features.3.csv';
const PER_DIR = 1000;

export interface NightOptions {
  out: string;
  n: number;
  seed: number;
  /** 0..1, default 0.5: see scene.ts. */
  difficulty?: number;
  /** Fraction of real candidates (OBJECT_TYPE 0), default 0.5. */
  realFraction?: number;
  /** First candidate ID, default 1. */
  idOffset?: number;
  artifactWeights?: Partial<Record<ArtifactKind, number>>;
  realWeights?: Partial<Record<RealKind, number>>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface NightSummary {
  out: string;
  n: number;
  seed: number;
  difficulty: number;
  realFraction: number;
  counts: { real: number; artifact: number };
  kinds: Partial<Record<SimKind, number>>;
  csvPath: string;
  /** The stamp subfolders (each holds srch/temp/diff FITS of up to 1000 candidates). */
  stampDirs: string[];
  filesWritten: number;
}

/** Class and kind of candidate `id` (its own stream, so any candidate can be regenerated alone). */
export function drawKind(
  seed: number,
  id: number,
  realFraction: number,
  aw: Record<ArtifactKind, number>,
  rw: Record<RealKind, number>,
): { real: boolean; kind: SimKind } {
  const r = new Rng(seed, id, 0xc1a55);
  const real = r.next() < realFraction;
  if (real) return { real, kind: REAL_KINDS[r.weighted(REAL_KINDS.map((k) => rw[k]))] };
  return { real, kind: ARTIFACT_KINDS[r.weighted(ARTIFACT_KINDS.map((k) => aw[k]))] };
}

export function candidateTriplet(c: SimCandidate): StampTriplet {
  const img = (data: Float32Array): StampImage => {
    const d = new Float32Array(data.length);
    for (let i = 0; i < d.length; i++) d[i] = c.mask[i] ? data[i] : 0;
    return { width: STAMP, height: STAMP, data: d, mask: c.mask };
  };
  return { search: img(c.search), template: img(c.template), difference: img(c.difference) };
}

export function candidateFeatureMeta(c: SimCandidate): FeatureMeta {
  return {
    band: c.band,
    ccdid: c.meta.ccdid,
    magzp: c.meta.magzp,
    saturate: c.meta.saturate,
    fwhm: Math.max(c.meta.fwhmSearch, c.meta.fwhmTemplate),
    distanceToEdge: c.meta.distanceToEdge,
  };
}

function headerCards(c: SimCandidate, which: 'srch' | 'temp' | 'diff'): FitsCard[] {
  const m = c.meta;
  const isT = which === 'temp';
  const cd = PIXSCALE / 3600;
  return [
    { key: 'OBJECT', value: 'SIMULATED', comment: 'Skysift demo night: simulated, not real data' },
    { key: 'CANDID', value: c.id, comment: 'candidate ID' },
    { key: 'IMAGETYP', value: which === 'srch' ? 'search' : isT ? 'template' : 'difference' },
    {
      key: 'MJD-OBS',
      value: isT ? m.mjdTemplate : m.mjdSearch,
      precision: 12,
      comment: 'MJD of observation',
    },
    { key: 'FILTER', value: c.band, comment: 'DES-like band' },
    { key: 'EXPTIME', value: isT ? m.exptime * m.nTemplate : m.exptime, comment: '[s]' },
    { key: 'NCOMBINE', value: isT ? m.nTemplate : 1, comment: 'exposures co-added' },
    { key: 'MAGZP', value: m.magzp, precision: 7, comment: 'mag of 1 ADU' },
    { key: 'GAIN', value: m.gain, precision: 6, comment: '[e-/ADU] effective' },
    { key: 'RDNOISE', value: m.rdnoise, precision: 5, comment: '[e-]' },
    { key: 'SATURATE', value: m.saturate, precision: 7, comment: '[ADU]' },
    {
      key: 'SKYLEVEL',
      value: which === 'diff' ? 0 : isT ? m.skyTemplate : m.skySearch,
      precision: 7,
      comment: '[ADU]',
    },
    { key: 'FWHM', value: isT ? m.fwhmTemplate : m.fwhmSearch, precision: 5, comment: '[pixel] PSF FWHM' },
    { key: 'CCDNUM', value: m.ccdid },
    { key: 'RA', value: m.ra, precision: 10, comment: '[deg] candidate' },
    { key: 'DEC', value: m.dec, precision: 10, comment: '[deg] candidate' },
    { key: 'RADESYS', value: 'ICRS' },
    { key: 'EQUINOX', value: 2000.0, precision: 6 },
    { key: 'CTYPE1', value: 'RA---TAN' },
    { key: 'CTYPE2', value: 'DEC--TAN' },
    { key: 'CRVAL1', value: m.ra, precision: 10 },
    { key: 'CRVAL2', value: m.dec, precision: 10 },
    { key: 'CRPIX1', value: (STAMP + 1) / 2, precision: 4, comment: 'stamp centre (1-based)' },
    { key: 'CRPIX2', value: (STAMP + 1) / 2, precision: 4 },
    { key: 'CD1_1', value: -cd, precision: 10 },
    { key: 'CD1_2', value: 0, precision: 3 },
    { key: 'CD2_1', value: 0, precision: 3 },
    { key: 'CD2_2', value: cd, precision: 10 },
    {
      key: 'COMMENT',
      comment: `Simulated by Skysift demo generator ${GENERATOR_VERSION}; not telescope data.`,
    },
  ];
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(7)));
}

function normWeights<K extends string>(
  defaults: Record<K, number>,
  given?: Partial<Record<K, number>>,
): Record<K, number> {
  const w = { ...defaults, ...(given ?? {}) } as Record<K, number>;
  for (const k of Object.keys(w) as K[])
    if (!(w[k] >= 0)) throw new Error(`demo night: weight for '${k}' must be a number >= 0`);
  return w;
}

export async function generateNight(opts: NightOptions): Promise<NightSummary> {
  const { out, n, seed } = opts;
  const difficulty = opts.difficulty ?? 0.5;
  const realFraction = opts.realFraction ?? 0.5;
  const idOffset = opts.idOffset ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error(`demo night: n must be a positive integer (got ${n})`);
  if (!(difficulty >= 0 && difficulty <= 1))
    throw new Error(`demo night: difficulty must be in [0, 1] (got ${difficulty})`);
  if (!(realFraction >= 0 && realFraction <= 1))
    throw new Error(`demo night: realFraction must be in [0, 1]`);
  const aw = normWeights(DEFAULT_ARTIFACT_WEIGHTS, opts.artifactWeights);
  const rw = normWeights(DEFAULT_REAL_WEIGHTS, opts.realWeights);

  mkdirSync(out, { recursive: true });
  const csvPath = path.join(out, FEATURES_CSV);
  const csvTmp = `${csvPath}.tmp-${process.pid}`;
  const csv = createWriteStream(csvTmp);
  const comments = [
    '# Skysift demo night: SIMULATED data (not telescope data), DES autoscan layout.',
    `# generator: skysift-demo ${GENERATOR_VERSION}`,
    `# seed: ${seed}`,
    `# difficulty: ${difficulty}; realFraction: ${realFraction}; n: ${n}; first ID: ${idOffset}`,
    '# OBJECT_TYPE: 0 = real (simulated SN), 1 = artifact. Features computed from the stamps by the demo generator.',
    '# SIM_KIND: simulation truth (what was simulated), not a feature.',
  ];
  let buffer =
    comments.join('\n') + '\n' + ['ID', 'OBJECT_TYPE', ...AUTOSCAN_FEATURES, 'SIM_KIND'].join(',') + '\n';
  const flush = async (): Promise<void> => {
    if (!buffer) return;
    const chunk = buffer;
    buffer = '';
    if (!csv.write(chunk)) await new Promise<void>((res) => csv.once('drain', () => res()));
  };

  const summary: NightSummary = {
    out,
    n,
    seed,
    difficulty,
    realFraction,
    counts: { real: 0, artifact: 0 },
    kinds: {},
    csvPath,
    stampDirs: [],
    filesWritten: 0,
  };
  try {
    let dir = '';
    for (let k = 0; k < n; k++) {
      if (opts.signal?.aborted) throw new Error('demo night generation cancelled');
      const id = idOffset + k;
      if (k % PER_DIR === 0) {
        dir = path.join(out, String(Math.floor(k / PER_DIR)).padStart(4, '0'));
        mkdirSync(dir, { recursive: true });
        summary.stampDirs.push(dir);
      }
      const { real, kind } = drawKind(seed, id, realFraction, aw, rw);
      const c = simulateCandidate(seed, id, real, kind, difficulty);
      for (const [which, data] of [
        ['srch', c.search],
        ['temp', c.template],
        ['diff', c.difference],
      ] as const) {
        writeFitsImageSync(path.join(dir, `${which}${id}.fits`), {
          width: STAMP,
          height: STAMP,
          data,
          cards: headerCards(c, which),
        });
      }
      summary.filesWritten += 3;
      const f = computeFeatures(candidateTriplet(c), candidateFeatureMeta(c));
      const row = [String(id), real ? '0' : '1'];
      for (const name of AUTOSCAN_FEATURES) row.push(name === 'BAND' ? c.band : fmt(f[name]));
      row.push(kind);
      buffer += row.join(',') + '\n';
      if (real) summary.counts.real++;
      else summary.counts.artifact++;
      summary.kinds[kind] = (summary.kinds[kind] ?? 0) + 1;
      if ((k + 1) % 100 === 0 || k + 1 === n) {
        await flush();
        opts.onProgress?.(k + 1, n);
        await new Promise<void>((res) => setImmediate(res));
      }
    }
    await flush();
    await new Promise<void>((res, rej) => csv.end((err?: Error | null) => (err ? rej(err) : res())));
    await rename(csvTmp, csvPath);
  } catch (e) {
    csv.destroy();
    await rm(csvTmp, { force: true });
    throw e;
  }
  return summary;
}
