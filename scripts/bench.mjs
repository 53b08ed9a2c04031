// `npm run bench`: the benchmark suites of bench/ run by vitest (which executes the TypeScript
// directly: no build needed), one suite at a time so they do not share the two cores, then ONE
// table of every row they wrote to test-output/bench-*.json (plus the desk-latency JSON of the
// renderer bench when present). Sizes by environment: BENCH_N (night size, default 2000),
// BENCH_INFER_N, BENCH_BATCH, BENCH_ORT_THREADS, BENCH_TRAIN_BATCH, BENCH_TRAIN_STEPS, BENCH_CPU=0;
// BENCH_SUITES=data,inference to run some only.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run } from './lib.mjs';

const OUT = path.join(ROOT, 'test-output');
const ALL = ['data', 'inference', 'training', 'memory', 'torch'];
const suites = process.env.BENCH_SUITES ? process.env.BENCH_SUITES.split(',') : ALL;

mkdirSync(OUT, { recursive: true });
for (const s of suites) rmSync(path.join(OUT, `bench-${s}.json`), { force: true });

const failed = [];
const t0 = Date.now();
for (const s of suites) {
  const file = `bench/${s}.bench.test.ts`;
  if (!existsSync(path.join(ROOT, file))) {
    console.error(`no suite ${file}`);
    failed.push(s);
    continue;
  }
  console.log(`\n=== bench: ${s} ===`);
  const code = await run('npx', ['vitest', 'run', '--config', 'vitest.bench.config.mts', file]);
  if (code !== 0) failed.push(s);
}

// Collect rows: ours, then any JSON another bench left (desk latency from the renderer).
const rows = [];
for (const f of readdirSync(OUT)
  .filter((f) => /^bench-.*\.json$/.test(f) || /^desk-latency.*\.json$/.test(f))
  .sort()) {
  try {
    const data = JSON.parse(readFileSync(path.join(OUT, f), 'utf8'));
    const list = Array.isArray(data) ? data : Array.isArray(data.rows) ? data.rows : null;
    if (!list) {
      rows.push({
        suite: f,
        figure: '(unrecognised file; see it directly)',
        rate: NaN,
        unit: '',
        reference: null,
        ratio: null,
      });
      continue;
    }
    for (const r of list) rows.push({ suite: r.suite ?? f.replace(/\.json$/, ''), ...r });
  } catch (err) {
    rows.push({
      suite: f,
      figure: `unreadable: ${err.message}`,
      rate: NaN,
      unit: '',
      reference: null,
      ratio: null,
    });
  }
}

const num = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
};
const table = rows.map((r) => [
  r.suite,
  r.figure,
  r.unit === 'skipped' ? 'skipped' : `${num(r.rate)} ${r.unit ?? ''}`.trim(),
  r.reference === null || r.reference === undefined
    ? ''
    : `${num(r.reference)} ${r.refUnit ?? ''} (${r.refLabel ?? ''})`,
  typeof r.ratio === 'number' ? r.ratio.toFixed(3) : '',
  r.note ?? '',
]);
const head = ['suite', 'figure', 'rate', 'reference / ceiling (same run)', 'ratio', 'note'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join(' | ')
    .trimEnd();
console.log(
  `\nSkysift bench (${((Date.now() - t0) / 1000).toFixed(0)} s; ratios are the figures to compare across runs)`,
);
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of table) console.log(line(row));
if (failed.length) {
  console.log(`\nsuites that failed: ${failed.join(', ')}`);
  process.exit(1);
}
