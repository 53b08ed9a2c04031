/**
 * Ingest through the decoder threads (the bundle's out/main/ingestDecoder.js) against in-process
 * decoding of the same folder: the same catalog, order, stamps and per-file errors. Vitest runs the
 * TS sources, which cannot start a TS worker file, so this needs a build (`npx electron-vite build`)
 * and says it is skipped without one.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { DECODER_FILE, DecodePool } from '../../../src/main/worker/ingest/decodePool';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { card, imageFile } from './fits/fitsBuilder';

const decoder = path.resolve(__dirname, '../../../out/main', DECODER_FILE);
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), `skysift-${p}-`));

function stamp(value: number): Uint8Array {
  const px = Array.from({ length: 21 * 17 }, (_, i) => (i % 7 === 3 ? NaN : value + i * 0.25));
  return imageFile(-32, 21, 17, px, [
    card('MJD-OBS', 56543.5 + value),
    card('FILTER', 'g'),
    card('MAGZP', 31),
  ]);
}

/** 150 DES triplets (some gzipped, in subfolders), 3 broken ones, and a manifest of 80 rows. */
function night(): string {
  const dir = tmp('pool-night');
  mkdirSync(path.join(dir, 'a'));
  mkdirSync(path.join(dir, 'rows'));
  for (let id = 1; id <= 150; id++) {
    for (const kind of ['srch', 'temp', 'diff']) {
      const bytes = stamp(id + kind.length);
      if (id % 5 === 0) writeFileSync(path.join(dir, 'a', `${kind}${id}.fits.gz`), gzipSync(bytes));
      else writeFileSync(path.join(dir, `${kind}${id}.fits`), bytes);
    }
  }
  writeFileSync(path.join(dir, 'temp7.fits'), stamp(7).subarray(0, 3000));
  writeFileSync(path.join(dir, 'diff11.fits'), 'not a fits file');
  writeFileSync(path.join(dir, 'srch13.fits'), Buffer.alloc(0));
  const lines = ['id,sci,ref,diff,label,ra'];
  for (let i = 0; i < 80; i++) {
    for (const k of ['s', 'd', ...(i % 3 ? ['t'] : [])])
      writeFileSync(path.join(dir, 'rows', `${k}${i}.fits`), stamp(1000 + i));
    const t = i % 3 ? `rows/t${i}.fits` : '';
    const d = i === 40 ? 'rows/missing.fits' : `rows/d${i}.fits`;
    lines.push(`m${i},rows/s${i}.fits,${t},${d},${i % 2 ? 'real' : 'bogus'},${i * 1.5}`);
  }
  writeFileSync(path.join(dir, 'manifest.csv'), lines.join('\n'));
  return dir;
}

async function ingest(
  dir: string,
  decoderFile: string | null,
  opts: { abortAt?: number; concurrency?: number } = {},
) {
  const ws = await Workspace.open(tmp('pool-ws'), { create: true });
  const abort = new AbortController();
  const report = await runIngest(ws, dir, {
    decoder: decoderFile,
    threads: 2,
    chunkSize: 50,
    concurrency: opts.concurrency,
    signal: abort.signal,
    onProgress: (done) => opts.abortAt !== undefined && done >= opts.abortAt && abort.abort(),
  });
  return { ws, report };
}

function parts(ws: Workspace): string[] {
  return ['catalog', 'stamps'].flatMap((sub) =>
    ws
      .list()
      .map((e) => e.stamp.part)
      .filter((p, i, all) => all.indexOf(p) === i)
      .map((p) => {
        const name = `part-${String(p).padStart(6, '0')}.${sub === 'catalog' ? 'json' : 'bin'}`;
        return readFileSync(path.join(ws.dir, sub, name)).toString('base64');
      }),
  );
}

describe.skipIf(!existsSync(decoder))('ingest through decoder threads (built out/main)', () => {
  it('writes the same catalog, stamps and errors as in-process decoding', async () => {
    const dir = night();
    const threaded = await ingest(dir, decoder);
    const inProcess = await ingest(dir, null);
    expect(threaded.report.added).toBe(150 - 3 + 80 - 1);
    // The threads open a file first, in-process reads stat it first: a missing file's ENOENT names
    // that call; everything else is the same.
    const syscall = (r: typeof threaded.report) =>
      JSON.parse(JSON.stringify(r).replace(/, (open|stat) '/g, ", open-or-stat '")) as unknown;
    expect(syscall(threaded.report)).toEqual(syscall(inProcess.report));
    expect(threaded.ws.list()).toEqual(inProcess.ws.list());
    expect(parts(threaded.ws)).toEqual(parts(inProcess.ws));
    const reasons = threaded.report.rejected.map((r) => `${path.basename(r.file)}: ${r.reason}`).join('\n');
    expect(reasons).toMatch(/srch7\.fits: .*temp7\.fits/);
    expect(reasons).toMatch(/srch11\.fits: .*diff11\.fits/);
    // The file is named once: by the report line, not again inside the reason.
    expect(reasons).toMatch(/srch13\.fits: the file is empty \(0 bytes\)/);
    expect(reasons).not.toMatch(/srch13\.fits: .*srch13\.fits/);
    expect(reasons).toMatch(/manifest\.csv:\d+: .*missing\.fits/);
    const t = await threaded.ws.readTriplet('20');
    expect(t.search.width).toBe(21);
    expect(t.search.mask[3]).toBe(0);
  });

  it('writes the same bytes when the threads decode into buffers handed back to them', async () => {
    // Slices of 8: far more slices than are in flight, so most decode into a buffer whose records
    // were written already; a buffer reused too early would show as other stamps' bytes.
    const dir = night();
    const decode = vi.spyOn(DecodePool.prototype, 'decode');
    try {
      const threaded = await ingest(dir, decoder, { concurrency: 8 });
      const handedBack = decode.mock.calls.filter(([, into]) => into !== undefined).length;
      expect(handedBack).toBeGreaterThan(decode.mock.calls.length / 2);
      const inProcess = await ingest(dir, null);
      expect(threaded.ws.list()).toEqual(inProcess.ws.list());
      expect(parts(threaded.ws)).toEqual(parts(inProcess.ws));
    } finally {
      decode.mockRestore();
    }
  });

  it('cancels between slices and resumes without duplicates', async () => {
    const dir = night();
    const first = await ingest(dir, decoder, { abortAt: 64 });
    expect(first.report.cancelled).toBe(true);
    expect(first.report.added).toBeLessThan(226);
    const second = await runIngest(first.ws, dir, { decoder, threads: 2 });
    expect(second.duplicates).toBe(0);
    expect(first.report.added + second.added).toBe(226);
    expect((await Workspace.open(first.ws.dir)).size).toBe(226);
  });

  it('falls back to in-process decoding when a decoder thread cannot start', async () => {
    const dir = night();
    const broken = path.join(tmp('pool-broken'), 'decoder.js');
    writeFileSync(broken, 'throw new Error("no decoder here")');
    const { report } = await ingest(dir, broken);
    expect(report.added).toBe(226);
  });
});
