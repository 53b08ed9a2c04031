/**
 * Optional PyTorch reference (Debian python3-torch): the same matmul, space2vec inference and
 * training on the same machine with 2 threads, and our rates from the other suites as ratios
 * against it. Skipped, with a message, where `python3 -c 'import torch'` fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { OUT_DIR, ROOT, Rows, type BenchRow } from './lib';

const rows = new Rows('torch');
afterAll(() => rows.write());

function ours(suite: string, match: RegExp): BenchRow[] {
  const file = path.join(OUT_DIR, `bench-${suite}.json`);
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { rows: BenchRow[] }).rows.filter(
    (r) => match.test(r.figure) && Number.isFinite(r.rate),
  );
}

describe('PyTorch reference', () => {
  it('times matmul, space2vec inference and training in torch (2 threads)', () => {
    // BENCH_PYTHON, else the first python3 that imports torch (Debian's python3-torch lives in
    // /usr/bin/python3, which a pyenv shim earlier on PATH may hide).
    const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter(Boolean) as string[];
    let python = '';
    let why = '';
    for (const c of candidates) {
      const probe = spawnSync(c, ['-c', 'import torch'], { encoding: 'utf8' });
      if (probe.status === 0) {
        python = c;
        break;
      }
      why ||= probe.error?.message ?? probe.stderr.trim().split('\n').pop() ?? '';
    }
    if (!python)
      return rows.skip(
        'PyTorch reference',
        `no python3 imports torch (${why}); apt-get install python3-torch`,
      );
    const out = execFileSync(python, [path.join(ROOT, 'bench', 'torch_reference.py'), '2'], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    const t = JSON.parse(out.trim().split('\n').pop()!) as {
      torch: string;
      matmulGflops: number;
      space2vecInferStampsPerS: number;
      space2vecTrainSamplesPerS: number;
      blas: string;
    };
    const ref = (figure: string, rate: number, unit: string, torchRate: number, label: string) =>
      rows.add({
        figure,
        rate,
        unit,
        reference: torchRate,
        refUnit: unit,
        refLabel: label,
        ratio: rate / torchRate,
      });
    rows.add({
      figure: `torch ${t.torch} matmul 1024^3, 2 threads`,
      rate: t.matmulGflops,
      unit: 'GFLOP/s',
      reference: null,
      refUnit: '',
      refLabel: '',
      ratio: null,
      note: `BLAS: ${t.blas}`,
    });
    // The ratios need our rows of this run: the torch suite runs after inference and training.
    for (const [suite, figure] of [
      ['inference', 'space2vec inference'],
      ['training', 'space2vec training'],
    ] as const)
      if (!existsSync(path.join(OUT_DIR, `bench-${suite}.json`)))
        rows.skip(`${figure} vs torch`, `no ${suite} rows in this run (BENCH_SUITES=${suite},torch)`);
    for (const r of ours('inference', /^space2vec inference/))
      ref(
        r.figure + ' vs torch',
        r.rate,
        'stamps/s',
        t.space2vecInferStampsPerS,
        'torch space2vec inference b256',
      );
    for (const r of ours('training', /^space2vec training/))
      ref(
        r.figure + ' vs torch',
        r.rate,
        'samples/s',
        t.space2vecTrainSamplesPerS,
        'torch space2vec training b64',
      );
  });
});
