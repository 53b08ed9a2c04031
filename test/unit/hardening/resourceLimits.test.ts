/**
 * Resource limits (issue 9, part 4): a 1 GB FITS file, a 10000 x 10000 stamp and a folder of too
 * many files each get a clear refusal, not an out-of-memory crash. Peak RSS is printed per case.
 * The 1 GB file is sparse (a valid header, then fs.truncate): it takes no real disk space.
 */
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { FitsError, readStamp } from '../../../src/main/stamps/fits';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { FileReader, readImageFile } from '../../../src/main/stamps/sources/readImageFile';
import { listFiles, WalkLimitError } from '../../../src/main/stamps/sources/walk';
import { card, header, imageFile } from '../stamps/fits/fitsBuilder';

const MiB = 1024 * 1024;

/** Samples RSS every 5 ms while `fn` runs: the peak over the baseline, in MiB. */
async function peakRss<T>(
  fn: () => Promise<T>,
): Promise<{ value: T | undefined; error: unknown; peakMiB: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  let value: T | undefined;
  let error: unknown = null;
  try {
    value = await fn();
  } catch (e) {
    error = e;
  }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { value, error, peakMiB: (peak - base) / MiB };
}

/** A header claiming width x height BITPIX -32, then a sparse file of `size` bytes. */
function sparseFits(file: string, width: number, height: number, size: number): void {
  const h = header([
    card('SIMPLE', true),
    card('BITPIX', -32),
    card('NAXIS', 2),
    card('NAXIS1', width),
    card('NAXIS2', height),
  ]);
  const fd = openSync(file, 'w');
  writeSync(fd, h);
  closeSync(fd);
  truncateSync(file, size);
}

describe('resource limits', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-limits-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a 1 GB FITS file claiming 16000 x 16000 float32 is refused by size before it is read', async () => {
    const file = path.join(tmp, 'huge.fits');
    sparseFits(file, 16000, 16000, 1024 * MiB);
    const r = await peakRss(() => readImageFile(file));
    expect(r.error).toBeInstanceOf(FitsError);
    expect((r.error as Error).message).toMatch(
      /huge\.fits: the file is 1024 MiB, more than a stamp can be \(256 MiB cap\)/,
    );
    // The decoder threads' synchronous reader refuses it too, before growing its buffer to 1 GB.
    const r2 = await peakRss(async () => new FileReader().read(file));
    expect(r2.error).toBeInstanceOf(FitsError);
    expect((r2.error as Error).message).toMatch(/the file is 1024 MiB, more than a stamp can be/);
    console.log(
      `[limits] 1 GB sparse FITS: refused by readImageFile (peak RSS +${r.peakMiB.toFixed(1)} MiB) ` +
        `and by the decoder threads' FileReader (peak RSS +${r2.peakMiB.toFixed(1)} MiB)`,
    );
    expect(r.peakMiB).toBeLessThan(64);
    expect(r2.peakMiB).toBeLessThan(64);
  });

  it('ingest of a folder holding that 1 GB file reports it and goes on with the good triplet', async () => {
    const dir = path.join(tmp, 'night');
    mkdirSync(dir);
    sparseFits(path.join(dir, 'srchBIG.fits'), 16000, 16000, 1024 * MiB);
    const small = imageFile(-32, 8, 8, new Array(64).fill(1));
    writeFileSync(path.join(dir, 'tempBIG.fits'), small);
    writeFileSync(path.join(dir, 'diffBIG.fits'), small);
    for (const k of ['srch', 'temp', 'diff']) writeFileSync(path.join(dir, `${k}OK.fits`), small);
    const ws = await Workspace.open(path.join(tmp, 'ws1'), { create: true });
    const r = await peakRss(() => runIngest(ws, dir));
    expect(r.error).toBeNull();
    expect(r.value!.added).toBe(1);
    expect(r.value!.rejected).toHaveLength(1);
    const [big] = r.value!.rejected;
    expect(`${big.file}: ${big.reason}`).toMatch(/srchBIG\.fits: the file is 1024 MiB/);
    expect(big.reason).not.toContain('srchBIG.fits');
    console.log(
      `[limits] ingest with a 1 GB file: 1 added, 1 refused ("${r.value!.rejected[0].reason.slice(0, 90)}..."), peak RSS +${r.peakMiB.toFixed(1)} MiB`,
    );
    expect(r.peakMiB).toBeLessThan(128);
  });

  it('a 10000 x 10000 stamp is refused by maxPixels before its pixels are allocated (plain, and gzipped)', async () => {
    // Plain: 100 MB of 8-bit pixels after the header (zero-filled: the pages are never touched).
    const h = header([
      card('SIMPLE', true),
      card('BITPIX', 8),
      card('NAXIS', 2),
      card('NAXIS1', 10000),
      card('NAXIS2', 10000),
    ]);
    const plain = Buffer.alloc(h.length + 10000 * 10000);
    plain.set(h);
    const r1 = await peakRss(async () => readStamp(plain, 'big.fits'));
    expect(r1.error).toBeInstanceOf(FitsError);
    expect((r1.error as Error).message).toMatch(
      /10000 x 10000 image \(100000000 pixels\), above the 50000000-pixel limit/,
    );
    // Gzipped on disk (~100 kB): inflated within the 256 MiB cap, then refused by maxPixels.
    const file = path.join(tmp, 'big.fits.gz');
    writeFileSync(file, gzipSync(plain, { level: 1 }));
    const r2 = await peakRss(() => readImageFile(file));
    expect(r2.error).toBeInstanceOf(FitsError);
    expect((r2.error as Error).message).toMatch(/above the 50000000-pixel limit/);
    console.log(
      `[limits] 10000x10000 stamp: refused by maxPixels, plain in memory peak RSS +${r1.peakMiB.toFixed(1)} MiB; ` +
        `gzipped file peak RSS +${r2.peakMiB.toFixed(1)} MiB (the 100 MB inflate, bounded by the 256 MiB cap)`,
    );
    expect(r1.peakMiB).toBeLessThan(64);
    expect(r2.peakMiB).toBeLessThan(400);
  });

  it('a 1 GiB gzip stamp (a bomb) is refused at the 256 MiB inflate cap', async () => {
    const member = gzipSync(Buffer.alloc(64 * MiB));
    const file = path.join(tmp, 'srchBOMB.fits.gz');
    writeFileSync(file, Buffer.concat(Array.from({ length: 16 }, () => member)));
    const r = await peakRss(() => readImageFile(file));
    expect(r.error).toBeInstanceOf(FitsError);
    expect((r.error as Error).message).toMatch(/inflates past the 256 MiB cap/);
    console.log(
      `[limits] 1 GiB gzip bomb as a stamp file: refused at the 256 MiB cap, peak RSS +${r.peakMiB.toFixed(1)} MiB`,
    );
    expect(r.peakMiB).toBeLessThan(400);
  });

  it('a folder with more files than the cap is refused with a clear message (same code path as 1M files)', async () => {
    // 1M real files take minutes to create here; listFiles' cap is the same check at any size, so
    // it is shown with maxFiles = 1000 over 1500 files, through listFiles and through ingest.
    const dir = path.join(tmp, 'many');
    mkdirSync(path.join(dir, 'sub'), { recursive: true });
    for (let i = 0; i < 1500; i++) writeFileSync(path.join(dir, i % 2 ? 'sub' : '', `f${i}.fits`), '');
    const r = await peakRss(() => listFiles(dir, 1000));
    expect(r.error).toBeInstanceOf(WalkLimitError);
    expect((r.error as Error).message).toBe(
      `${dir}: more than 1000 files; ingest it in parts (one subfolder at a time).`,
    );
    const ws = await Workspace.open(path.join(tmp, 'ws2'), { create: true });
    await expect(runIngest(ws, dir, { maxFiles: 1000 })).rejects.toThrow(/more than 1000 files/);
    expect(await listFiles(dir, 2000)).toHaveLength(1500);
    console.log(
      `[limits] folder of 1500 files with maxFiles 1000: refused by listFiles and by ingest, peak RSS +${r.peakMiB.toFixed(1)} MiB`,
    );
  });
});
