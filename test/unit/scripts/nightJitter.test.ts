/**
 * scripts/nightJitter.mjs (the 1,000,000-candidate night's simulator): every candidate is a pool
 * triplet under one rotation/flip and one gain within +-1%, the same for its three images, with
 * that triplet's label; the output ingests as a DES night; the seed fixes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { readStamp } from '../../../src/main/stamps/fits';
import { runIngest } from '../../../src/main/worker/ingest/ingest';

const ROOT = path.resolve(__dirname, '../../..');
const KINDS = ['srch', 'temp', 'diff'] as const;

/** Runs jitterNight in Node (a plain .mjs with worker threads, not part of the TS build). */
function jitter(poolDir: string, out: string, n: number, seed: number) {
  const code = `import('./scripts/nightJitter.mjs').then(async (m) => {
    const pool = m.readPool([${JSON.stringify(poolDir)}]);
    await m.jitterNight({ pool, out: ${JSON.stringify(out)}, to: ${n}, seed: ${seed}, threads: 2 });
  });`;
  execFileSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
}

function image(file: string): Float32Array {
  const { image } = readStamp(readFileSync(file), file);
  // Masked pixels as NaN, so that they compare only with masked pixels.
  return image.data.map((v, i) => (image.mask[i] ? v : NaN));
}

function dihedral(a: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      let sx = d & 4 ? n - 1 - x : x;
      let sy = y;
      for (let r = 0; r < (d & 3); r++) [sx, sy] = [sy, n - 1 - sx];
      out[y * n + x] = a[sy * n + sx];
    }
  return out;
}

const labels = (dir: string) =>
  new Map(
    readFileSync(path.join(dir, 'autoscan_features.3.csv'), 'utf8')
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => [l.split(',')[0], l.split(',')[1]] as const),
  );

let poolDir: string;
let out: string;
const N = 40;

beforeAll(async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-jitter-'));
  poolDir = path.join(base, 'pool');
  await generateNight({ out: poolDir, n: 6, seed: 8 });
  out = path.join(base, 'night');
  jitter(poolDir, out, N, 3);
}, 120_000);

describe('nightJitter', () => {
  it('makes each candidate from one pool triplet, one transform and one gain, with its label', () => {
    const poolLabels = labels(poolDir);
    const nightLabels = labels(out);
    expect(nightLabels.size).toBe(N);
    const pool = [...poolLabels.keys()].map((id) => ({
      id,
      images: KINDS.map((k) => image(path.join(poolDir, '0000', `${k}${id}.fits`))),
    }));
    const transforms = new Set<number>();
    for (let id = 1; id <= N; id++) {
      const got = KINDS.map((k) => image(path.join(out, '0000', `${k}${id}.fits`)));
      let match: { id: string; d: number; gain: number } | null = null;
      for (const p of pool) {
        for (let d = 0; d < 8 && !match; d++) {
          const rotated = p.images.map((img) => dihedral(img, 51, d));
          // The gain from the search image's brightest pixel, then every pixel of all three checked.
          let k = 0;
          rotated[0].forEach((v, i) =>
            Math.abs(v) > Math.abs(rotated[0][k]) || isNaN(rotated[0][k]) ? (k = i) : 0,
          );
          const gain = got[0][k] / rotated[0][k];
          if (!(Math.abs(gain - 1) <= 0.0100001)) continue;
          const same = rotated.every((img, j) =>
            img.every((v, i) =>
              isNaN(v)
                ? isNaN(got[j][i])
                : got[j][i] === Math.fround(v * gain) ||
                  Math.abs(got[j][i] - v * gain) <= 1e-6 * Math.abs(v) + 1e-30,
            ),
          );
          if (same) match = { id: p.id, d, gain };
        }
        if (match) break;
      }
      expect(match, `candidate ${id}`).not.toBeNull();
      expect(nightLabels.get(String(id))).toBe(poolLabels.get(match!.id));
      transforms.add(match!.d);
    }
    expect(transforms.size).toBeGreaterThan(4);
  });

  it('ingests as a DES night with its labels, and the seed fixes it', async () => {
    const ws = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-jitter-ws-')), {
      create: true,
    });
    const report = await runIngest(ws, out, { decoder: null });
    expect(report.added).toBe(N);
    expect(report.rejected).toEqual([]);
    const nightLabels = labels(out);
    for (const e of ws.list()) expect(e.given.label).toBe(nightLabels.get(e.id) === '0' ? 'real' : 'bogus');
    const again = path.join(path.dirname(out), 'again');
    jitter(poolDir, again, N, 3);
    for (const k of KINDS) {
      expect(readFileSync(path.join(again, '0000', `${k}17.fits`))).toEqual(
        readFileSync(path.join(out, '0000', `${k}17.fits`)),
      );
    }
  }, 60_000);
});
