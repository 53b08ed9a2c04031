// A big simulated night, fast: the real simulator (`skysift demo`) renders a pool of candidates,
// then every candidate of the night is a pool triplet reused with jitter, written by worker threads
// (one per core) in the DES autoscan layout. Jitter, the same for the triplet's three images so
// that it stays one consistent detection: one of the 8 rotations/flips of the square stamp (PSF
// shapes, dipoles and streaks keep their physics, only their orientation changes) and a gain
// within +-1% (flux scale). Labels follow the pool candidate; the features are left out of the
// labels file, since a rotated stamp no longer has its base's features. Rendering each candidate
// instead runs at ~100 candidates/s on 2 cores: a 1,000,000-candidate night would take hours.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CARD = 80;
const BLOCK = 2880;
export const PER_DIR = 1000;
export const LABELS_CSV = 'autoscan_features.3.csv';

/** mulberry32 on a (seed, id) hash: every candidate's jitter is fixed by the seed, whatever the threads. */
function rng(seed, id) {
  let a = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id, 0xc2b2ae35)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A pool stamp file: its header bytes, where its CANDID value sits, and its size. */
function parseStamp(bytes, file) {
  const text = bytes.subarray(0, Math.min(bytes.length, 10 * BLOCK)).toString('latin1');
  let end = -1;
  let candid = -1;
  const keys = {};
  for (let p = 0; p + CARD <= text.length; p += CARD) {
    const key = text.slice(p, p + 8).trimEnd();
    if (key === 'END') {
      end = p;
      break;
    }
    if (key === 'CANDID') candid = p;
    if (text[p + 8] === '=') keys[key] = text.slice(p + 10, p + 30).trim();
  }
  if (end < 0 || keys.BITPIX !== '-32' || keys.NAXIS !== '2')
    throw new Error(`${file}: not a BITPIX -32 2-D stamp of the demo simulator`);
  const w = Number(keys.NAXIS1);
  const h = Number(keys.NAXIS2);
  if (w !== h) throw new Error(`${file}: ${w}x${h} is not square (rotations need a square stamp)`);
  return { dataOffset: Math.ceil((end + CARD) / BLOCK) * BLOCK, size: w, candid };
}

/** Source index of target pixel (x, y) under dihedral transform d (0..7) of an n x n image. */
function sourceIndex(d, x, y, n) {
  const m = n - 1;
  let sx = x;
  let sy = y;
  if (d & 4) sx = m - sx; // flip
  switch (d & 3) {
    case 1:
      [sx, sy] = [sy, m - sx];
      break;
    case 2:
      [sx, sy] = [m - sx, m - sy];
      break;
    case 3:
      [sx, sy] = [m - sy, sx];
      break;
  }
  return sy * n + sx;
}

function writeJittered(base, info, d, gain, id, file, maps) {
  const out = Buffer.from(base); // header and padding as they are
  if (info.candid >= 0) out.write(String(id).padStart(20, ' '), info.candid + 10, 'latin1');
  const n = info.size;
  const map = maps[d];
  const src = new DataView(base.buffer, base.byteOffset + info.dataOffset, n * n * 4);
  const dst = new DataView(out.buffer, out.byteOffset + info.dataOffset, n * n * 4);
  for (let i = 0; i < n * n; i++) dst.setFloat32(i * 4, src.getFloat32(map[i] * 4) * gain);
  writeFileSync(file, out);
}

/** Worker: candidates [from, to) of the night. */
function writeRange({ pool, out, from, to, seed }) {
  const loaded = pool.map((c) => {
    const files = ['srch', 'temp', 'diff'].map((k) => {
      const bytes = readFileSync(c[k]);
      return { bytes, info: parseStamp(bytes, c[k]) };
    });
    return files;
  });
  const n = loaded[0][0].info.size;
  const maps = Array.from({ length: 8 }, (_, d) => {
    const m = new Int32Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) m[y * n + x] = sourceIndex(d, x, y, n);
    return m;
  });
  for (let k = from; k < to; k++) {
    const id = k + 1;
    const r = rng(seed, id);
    const base = loaded[Math.floor(r() * loaded.length)];
    const d = Math.floor(r() * 8);
    const gain = 1 + 0.02 * (r() - 0.5);
    const dir = path.join(out, String(Math.floor(k / PER_DIR)).padStart(4, '0'));
    if (k % PER_DIR === 0 || k === from) mkdirSync(dir, { recursive: true });
    ['srch', 'temp', 'diff'].forEach((kind, j) =>
      writeJittered(base[j].bytes, base[j].info, d, gain, id, path.join(dir, `${kind}${id}.fits`), maps),
    );
    if ((k - from) % 2000 === 1999) parentPort.postMessage({ done: 2000 });
  }
  parentPort.postMessage({ done: (to - from) % 2000, finished: true });
}

/** Pool candidates (ID, label, files) from one or more `skysift demo` outputs. */
export function readPool(dirs) {
  const pool = [];
  for (const dir of dirs) {
    const lines = readFileSync(path.join(dir, LABELS_CSV), 'utf8').split('\n');
    const header = lines.find((l) => !l.startsWith('#')).split(',');
    const idCol = header.indexOf('ID');
    const typeCol = header.indexOf('OBJECT_TYPE');
    const label = new Map();
    for (const l of lines) {
      if (!l || l.startsWith('#') || l.startsWith('ID,')) continue;
      const cells = l.split(',');
      label.set(cells[idCol], cells[typeCol]);
    }
    // Sorted: the seed must fix the night whatever order the file system lists files in.
    for (const sub of readdirSync(dir)
      .filter((s) => /^\d{4}$/.test(s))
      .sort()) {
      for (const f of readdirSync(path.join(dir, sub)).sort()) {
        const m = /^srch(.+)\.fits$/.exec(f);
        if (!m) continue;
        const file = (k) => path.join(dir, sub, `${k}${m[1]}.fits`);
        pool.push({ type: label.get(m[1]), srch: file('srch'), temp: file('temp'), diff: file('diff') });
      }
    }
  }
  if (pool.length === 0) throw new Error(`no pool candidates under ${dirs.join(', ')}`);
  return pool;
}

/** Writes candidates [from, to) of the night (IDs from + 1 ...) and their labels file. */
export async function jitterNight({ pool, out, from = 0, to, seed, threads, onProgress }) {
  mkdirSync(out, { recursive: true });
  // Labels: the pool candidate each one copies, drawn the same way the worker draws it.
  const rows = [
    '# Skysift demo night: SIMULATED data (not telescope data), DES autoscan layout.',
    `# pool of ${pool.length} simulated candidates reused with jitter (rotation/flip, gain +-1%); seed ${seed}`,
    '# OBJECT_TYPE: 0 = real (simulated SN), 1 = artifact.',
    '# Features left out: a jittered copy does not have its base candidate features.',
    '#',
    '#',
    'ID,OBJECT_TYPE',
  ];
  for (let k = from; k < to; k++) {
    const r = rng(seed, k + 1);
    rows.push(`${k + 1},${pool[Math.floor(r() * pool.length)].type}`);
  }
  writeFileSync(path.join(out, LABELS_CSV), rows.join('\n') + '\n');
  const per = Math.ceil((to - from) / threads);
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const a = from + t * per;
      const b = Math.min(to, a + per);
      if (a >= b) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { pool, out, from: a, to: b, seed } });
        w.on('message', (m) => {
          done += m.done;
          onProgress?.(done, to - from);
          if (m.finished) resolve();
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`jitter thread exited ${code}`))));
      });
    }),
  );
}

if (!isMainThread && workerData) writeRange(workerData);
