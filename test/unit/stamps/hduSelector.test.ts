/**
 * One multi-extension FITS file per triplet, addressed as cfitsio, DS9 and astropy users write it:
 * `triplet.fits[SCI]`, `triplet.fits[2]`, `triplet.fits[DIFF,2]`, in a manifest, through both
 * decoding paths (in-process and the decoder threads' synchronous reader).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { readStamp } from '../../../src/main/stamps/fits';
import {
  FileReader,
  readTripletSync,
  splitHduSelector,
} from '../../../src/main/stamps/sources/readImageFile';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { card, concat, emptyPrimary, imageExtension } from './fits/fitsBuilder';

const W = 21;
const plane = (v: number) => Array.from({ length: W * W }, (_, i) => v + (i % W) * 0.25);
/** Primary (no data), SCI = 1, REF = 2, DIFF v1 = 3, DIFF v2 = 4, and a table-free 1-D HDU. */
const mef = concat(
  emptyPrimary(),
  imageExtension(-32, W, W, plane(1), 'SCI'),
  imageExtension(-32, W, W, plane(2), 'REF'),
  imageExtension(-32, W, W, plane(3), 'DIFF', [card('EXTVER', 1)]),
  imageExtension(-32, W, W, plane(4), 'DIFF', [card('EXTVER', 2)]),
);

describe('extension selectors', () => {
  it('parse as cfitsio writes them, and leave a real file name with brackets alone', () => {
    expect(splitHduSelector('/n/t.fits[2]')).toEqual({ file: '/n/t.fits', hdu: 2 });
    expect(splitHduSelector('/n/t.fits[diff]')).toEqual({ file: '/n/t.fits', hdu: { extname: 'diff' } });
    expect(splitHduSelector('/n/t.fits[SCI, 2]')).toEqual({
      file: '/n/t.fits',
      hdu: { extname: 'SCI', extver: 2 },
    });
    expect(splitHduSelector('/n/t.fits')).toEqual({ file: '/n/t.fits' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-hdu-'));
    const odd = path.join(dir, 'odd[1]');
    writeFileSync(odd, mef);
    expect(splitHduSelector(odd)).toEqual({ file: odd });
  });

  it('pick the HDU by number, EXTNAME (any case) and EXTVER', () => {
    const first = (hdu?: Parameters<typeof readStamp>[2]) => readStamp(mef, 'mef.fits', hdu).image.data[0];
    expect(first()).toBe(1);
    expect(first({ hdu: 2 })).toBe(2);
    expect(first({ hdu: { extname: 'ref' } })).toBe(2);
    expect(first({ hdu: { extname: 'DIFF' } })).toBe(3);
    expect(first({ hdu: { extname: 'DIFF', extver: 2 } })).toBe(4);
    expect(() => readStamp(mef, 'mef.fits[NOPE]', { hdu: { extname: 'NOPE' } })).toThrow(
      /mef\.fits\[NOPE\]: no HDU named NOPE in the file \(HDUs: 0: PRIMARY \(no data\); 1: IMAGE SCI 21x21; 2: IMAGE REF 21x21; 3: IMAGE DIFF 21x21; 4: IMAGE DIFF 21x21\)/,
    );
    expect(() => readStamp(mef, 'mef.fits[0]', { hdu: 0 })).toThrow(
      /mef\.fits\[0\]: HDU 0 is not a 2-D image/,
    );
  });

  it('read a manifest of one-file triplets on both decoding paths', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-mef-'));
    writeFileSync(path.join(dir, 'c1.fits'), mef);
    writeFileSync(
      path.join(dir, 'night.csv'),
      'id,sci,ref,diff\n' +
        'c1,c1.fits[SCI],c1.fits[2],"c1.fits[DIFF,2]"\n' +
        'c2,c1.fits[SCI],,c1.fits[GONE]\n',
    );
    const ws = await Workspace.open(path.join(dir, 'ws'), { create: true });
    const report = await runIngest(ws, path.join(dir, 'night.csv'), { decoder: null });
    expect(report.added).toBe(1);
    expect(report.rejected).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(/c1\.fits\[GONE\]: no HDU named GONE in the file/),
      }),
    ]);
    const t = await ws.readTriplet('c1');
    expect([t.search.data[0], t.template!.data[0], t.difference.data[0]]).toEqual([1, 2, 4]);
    // The decoder threads read synchronously through FileReader: the same selectors, the same pixels.
    const sync = readTripletSync(
      {
        search: path.join(dir, 'c1.fits[SCI]'),
        template: path.join(dir, 'c1.fits[2]'),
        difference: path.join(dir, 'c1.fits[DIFF,2]'),
      },
      new FileReader(),
    );
    expect(sync.triplet).toEqual(t);
  });
});
