/**
 * Tile-compressed stamps (.fits.fz, as fpack and astropy write them) against what astropy decodes
 * from the same files: every pixel equal (float32 as astropy returns it), masks where astropy
 * reads NaN. The files are written at test time by Debian's python3-astropy (makeCompressed.py),
 * synthetic images of every kind, plus two real ZTF stamps from ../shared recompressed (one cut at
 * the CCD edge).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FitsError, readStamp } from '../../../../src/main/stamps/fits';
import { quantizedGzipFile } from './fitsBuilder';
import { decodeImageBytes } from '../../../../src/main/stamps/sources/readImageFile';
import { DEBIAN_PYTHON, havePythonModule } from '../../helpers/astropy';
import { HAVE_SHARED, sharedPath } from '../../helpers/shared';

const REAL = ['ztf/1704264951715015018_diff.fits.gz', 'ztf/2475433850215010007_sci.fits.gz'];

let dir = '';
let cases: { name: string; w: number; h: number }[] = [];
const astropy = havePythonModule('astropy.io.fits');

beforeAll(() => {
  if (!astropy) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-fz-'));
  const real = HAVE_SHARED ? REAL.map((f) => sharedPath('real-stamps', f)) : [];
  execFileSync(DEBIAN_PYTHON, [path.join(__dirname, 'makeCompressed.py'), dir, ...real], { stdio: 'pipe' });
  cases = readFileSync(path.join(dir, 'manifest.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [name, w, h] = line.split(' ');
      return { name, w: Number(w), h: Number(h) };
    });
}, 60_000);

describe('tile-compressed FITS (.fits.fz)', () => {
  it('decodes every kind astropy writes to the same pixels astropy reads', (ctx) => {
    if (!astropy) {
      console.warn(
        '[skysift tests] .fits.fz check skipped: python3-astropy is not installed; scripts/setup-votable-tools.sh installs it.',
      );
      return ctx.skip();
    }
    const names = cases.map((c) => c.name);
    // RICE_1, GZIP_1, GZIP_2; dither 1 and 2, no dither, lossless; integer images of 8, 16 and 32 bits.
    expect(names).toEqual(
      expect.arrayContaining(['sky_RICE_1', 'sky_GZIP_2', 'zeros_rice_dither2', 'int32_rice', 'uint8_rice']),
    );
    // Without ../shared (a user's machine) the real stamps are left out, and helpers/shared says so.
    if (HAVE_SHARED) expect(names.filter((n) => n.startsWith('real_'))).toHaveLength(REAL.length);
    for (const { name, w, h } of cases) {
      const file = path.join(dir, `${name}.fits.fz`);
      const { image, hdu } = readStamp(readFileSync(file), file);
      const want = new Float64Array(readFileSync(path.join(dir, `${name}.f64`)).buffer.slice(0));
      expect([image.width, image.height, hdu], name).toEqual([w, h, 1]);
      let masked = 0;
      for (let i = 0; i < want.length; i++) {
        if (Number.isNaN(want[i])) {
          masked++;
          expect(image.mask[i], `${name} pixel ${i}`).toBe(0);
        } else {
          expect(image.mask[i], `${name} pixel ${i}`).toBe(1);
          expect(image.data[i], `${name} pixel ${i}`).toBe(Math.fround(want[i]));
        }
      }
      // The three NaN rows; astropy 5.2 itself loses NaNs inside quantized tiles (its ZSCALE is NaN):
      // the hand-made file below checks null pixels in a quantized tile.
      if (name.startsWith('nan_')) expect(masked, name).toBeGreaterThanOrEqual(3 * w);
    }
  });

  it('takes the header of the compressed HDU for the stamp metadata', (ctx) => {
    if (!astropy) return ctx.skip();
    const file = path.join(dir, 'sky_RICE_1.fits.fz');
    const { meta } = decodeImageBytes(readFileSync(file), file);
    expect(meta.band).toBe('r');
  });

  it('names the file and the problem for broken or unsupported compressed files', (ctx) => {
    if (!astropy) return ctx.skip();
    const good = readFileSync(path.join(dir, 'sky_RICE_1.fits.fz'));
    const text = good.toString('latin1');
    const bad = (mutate: (b: Buffer) => Buffer, name: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, mutate(Buffer.from(good)));
      return () => readStamp(readFileSync(file), file);
    };
    const card = (b: Buffer, key: string, value: string) => {
      const at = text.indexOf(key.padEnd(8, ' ') + '=');
      b.write(`${key.padEnd(8, ' ')}= ${value}`.padEnd(80, ' '), at, 'latin1');
      return b;
    };
    expect(bad((b) => card(b, 'ZCMPTYPE', "'HCOMPRESS_1'"), 'hcompress.fits.fz')).toThrow(
      /hcompress\.fits\.fz: HDU 1 is tile-compressed with ZCMPTYPE = 'HCOMPRESS_1'.*funpack/,
    );
    expect(bad((b) => card(b, 'ZNAXIS2', '52'), 'rows.fits.fz')).toThrow(
      /rows\.fits\.fz: .*51 table rows for 52 tiles/,
    );
    // Row 1's COMPRESSED_DATA descriptor (count, heap offset) sits at the start of the table data.
    const table = text.indexOf('XTENSION');
    const endCard = text.slice(table).search(/END {77}/) + table;
    const rows = Math.ceil((endCard + 80) / 2880) * 2880;
    const count = good.readUInt32BE(rows);
    expect(bad((b) => (b.writeUInt32BE(1 << 30, rows + 4), b), 'offset.fits.fz')).toThrow(
      /offset\.fits\.fz: HDU 1 \(tile-compressed image\): tile 1's bytes run past the end of the heap/,
    );
    expect(bad((b) => (b.writeUInt32BE(count >> 1, rows), b), 'short.fits.fz')).toThrow(
      /short\.fits\.fz: HDU 1 \(tile-compressed image\): a Rice tile ends before its last pixel/,
    );
    // A gzip tile whose deflate stream is overwritten past its 10-byte gzip header.
    const gz = readFileSync(path.join(dir, 'sky_GZIP_1.fits.fz'));
    const gzText = gz.toString('latin1');
    const gzRows = Math.ceil((gzText.slice(2880).search(/END {77}/) + 2880 + 80) / 2880) * 2880;
    const num = (key: string) =>
      Number(/= +(\d+)/.exec(gzText.slice(gzText.indexOf(key.padEnd(8, ' ') + '=')))![1]);
    const heapStart = gzRows + num('NAXIS1') * num('NAXIS2');
    const tile1 = heapStart + gz.readUInt32BE(gzRows + 4);
    const gzFile = path.join(dir, 'badgzip.fits.fz');
    writeFileSync(gzFile, Buffer.from(gz).fill(0xff, tile1 + 10, tile1 + 30));
    expect(() => readStamp(readFileSync(gzFile), gzFile)).toThrow(
      /badgzip\.fits\.fz: HDU 1 \(tile-compressed image\): a gzip tile does not inflate/,
    );
  });

  it('reads null and exact-zero pixels of a quantized tile (SUBTRACTIVE_DITHER_2), by hand', () => {
    // One 4x2 tile of quantized integers, GZIP_1: 10, null, zero, 0, 5, -5, 100, 7.
    const q = [10, -2147483647, -2147483646, 0, 5, -5, 100, 7];
    const [scale, zero] = [0.5, 100];
    const file = quantizedGzipFile(4, 2, q, scale, zero);
    const { image } = readStamp(file, 'hand.fits.fz');
    // The FITS dither sequence is the MINSTD generator from seed 1 (16807^k mod 2^31-1), kept as
    // float32; tile 1 with ZDITHER0 = 1 starts at deviate floor(500 * r0) = 0.
    const r = [16807, 282475249, 1622650073, 984943658, 1144108930, 470211272, 101027544, 1457850878].map(
      (k) => Math.fround(k / 2147483647),
    );
    const want = q.map((v, i) => Math.fround((v - r[i] + 0.5) * scale + zero));
    expect(Array.from(image.mask)).toEqual([1, 0, 1, 1, 1, 1, 1, 1]);
    expect(image.data[2]).toBe(0);
    for (const i of [0, 3, 4, 5, 6, 7]) expect(image.data[i], `pixel ${i}`).toBe(want[i]);
  });

  it('gives a FitsError or an image, never another error, on damaged Rice and gzip tiles', (ctx) => {
    if (!astropy) return ctx.skip();
    for (const name of ['sky_RICE_1', 'sky_GZIP_2', 'int16_rice', 'sky_rice_tiles16']) {
      const good = readFileSync(path.join(dir, `${name}.fits.fz`));
      // A fixed pseudo-random walk over the table and heap (the header stays intact).
      let seed = 12345;
      const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
      for (let k = 0; k < 150; k++) {
        const b = Buffer.from(good);
        const at = 5760 + Math.floor(next() * (b.length - 5760));
        for (let m = 0; m < 1 + Math.floor(next() * 8); m++)
          b[Math.min(b.length - 1, at + m)] = Math.floor(next() * 256);
        try {
          readStamp(b, `${name}-mutant-${k}.fits.fz`);
        } catch (e) {
          expect(e, `${name} mutant ${k}: ${(e as Error).message}`).toBeInstanceOf(FitsError);
          expect((e as Error).message).toContain(`${name}-mutant-${k}.fits.fz`);
        }
      }
    }
  });
});
