import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FitsError, parseFits, readStamp } from '../../../../src/main/stamps/fits';
import {
  binTable,
  card,
  concat,
  emptyPrimary,
  header,
  imageExtension,
  imageFile,
  pixels,
  raw,
} from './fitsBuilder';

/** Runs `fn` and returns the FitsError it must throw. */
function fitsError(fn: () => unknown): FitsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FitsError);
    return e as FitsError;
  }
  throw new Error('expected a FitsError, got none');
}

describe('pixel decoding: every BITPIX, scaling, BLANK', () => {
  it.each([
    [8, [0, 1, 200, 255]],
    [16, [-32768, -1, 0, 32767]],
    [32, [-2147483648, -5, 7, 2147483647]],
    [-32, [-1.5, 0, 3.25, 1e20]],
    [-64, [-1e-300, 0.1, Math.PI, 9e29]],
  ])('BITPIX %i round-trips values', (bitpix, values) => {
    const [hdu] = parseFits(imageFile(bitpix, 2, 2, values), `b${bitpix}.fits`);
    expect(hdu.bitpix).toBe(bitpix);
    expect(hdu.axes).toEqual([2, 2]);
    expect(Array.from(hdu.data!)).toEqual(values.map((v) => (bitpix === -32 ? Math.fround(v) : v)));
    expect(Array.from(hdu.blankMask!)).toEqual([1, 1, 1, 1]);
  });

  it('BITPIX 64 reads exact values below 2^53 and large negatives', () => {
    const vals = [-(2n ** 40n), 123456789012345n, 0n, -1n];
    const [hdu] = parseFits(imageFile(64, 4, 1, vals), 'b64.fits');
    expect(Array.from(hdu.data!)).toEqual(vals.map(Number));
    expect(hdu.data).toBeInstanceOf(Float64Array);
  });

  it('applies BSCALE/BZERO to integers and floats', () => {
    const [i16] = parseFits(
      imageFile(16, 2, 1, [10, -4], [card('BSCALE', 0.5), card('BZERO', 100)]),
      's.fits',
    );
    expect(Array.from(i16.data!)).toEqual([105, 98]);
    const [f32] = parseFits(
      imageFile(-32, 2, 1, [1, 2], [card('BSCALE', 2.0), card('BZERO', -1.0)]),
      'f.fits',
    );
    expect(Array.from(f32.data!)).toEqual([1, 3]);
  });

  it('unsigned 16-bit convention (BZERO = 32768)', () => {
    const [hdu] = parseFits(
      imageFile(16, 3, 1, [-32768, 0, 32767], [card('BZERO', 32768), card('BSCALE', 1)]),
      'u16.fits',
    );
    expect(Array.from(hdu.data!)).toEqual([0, 32768, 65535]);
  });

  it('unsigned 32-bit convention (BZERO = 2147483648) keeps exact values in float64', () => {
    const [hdu] = parseFits(
      imageFile(32, 3, 1, [-2147483648, 0, 2147483647], [card('BZERO', 2147483648)]),
      'u32.fits',
    );
    expect(hdu.data).toBeInstanceOf(Float64Array);
    expect(Array.from(hdu.data!)).toEqual([0, 2147483648, 4294967295]);
  });

  it('signed bytes convention (BITPIX 8, BZERO = -128)', () => {
    const [hdu] = parseFits(imageFile(8, 2, 1, [0, 255], [card('BZERO', -128)]), 's8.fits');
    expect(Array.from(hdu.data!)).toEqual([-128, 127]);
  });

  it('BLANK masks integer pixels (compared before scaling); the stamp holds 0 there', () => {
    const bytes = imageFile(16, 2, 2, [-32768, 5, 6, -32768], [card('BLANK', -32768), card('BZERO', 10)]);
    const [hdu] = parseFits(bytes, 'blank.fits');
    expect(Array.from(hdu.blankMask!)).toEqual([0, 1, 1, 0]);
    expect(Number.isNaN(hdu.data![0])).toBe(true);
    expect(hdu.data![1]).toBe(15);
    const { image } = readStamp(bytes, 'blank.fits');
    expect(Array.from(image.data)).toEqual([0, 15, 16, 0]);
    expect(Array.from(image.mask)).toEqual([0, 1, 1, 0]);
  });

  it('BLANK is ignored for float data (not defined there); NaN, Inf and |v| >= 1e30 fill are masked', () => {
    const vals = [NaN, -3.4e38, 1e30, 42, Infinity, -9.99e29, 0];
    const bytes = imageFile(-32, 7, 1, vals, [card('BLANK', 42)]);
    const { image } = readStamp(bytes, 'fill.fits');
    expect(Array.from(image.mask)).toEqual([0, 0, 0, 1, 0, 1, 1]);
    expect(image.data[0]).toBe(0);
    expect(image.data[1]).toBe(0);
    expect(image.data[3]).toBe(42);
    expect(image.data[5]).toBe(Math.fround(-9.99e29));
  });

  it('readStamp converts float64 to float32 and keeps row-major order, row 0 = first row in the file', () => {
    const { image } = readStamp(imageFile(-64, 3, 2, [1, 2, 3, 4, 5, 6.5]), 'f64.fits');
    expect(image).toMatchObject({ width: 3, height: 2 });
    expect(image.data).toBeInstanceOf(Float32Array);
    expect(Array.from(image.data)).toEqual([1, 2, 3, 4, 5, 6.5]);
  });

  it('readStamp accepts NAXIS3 = 1 cubes as 2-D', () => {
    const h = header([
      card('SIMPLE', true),
      card('BITPIX', -32),
      card('NAXIS', 3),
      card('NAXIS1', 2),
      card('NAXIS2', 1),
      card('NAXIS3', 1),
    ]);
    expect(readStamp(concat(h, pixels(-32, [1, 2])), 'cube.fits').image.width).toBe(2);
  });
});

describe('HDU structure', () => {
  it('skips a BINTABLE (NAXIS1 x NAXIS2 + PCOUNT heap) and reads the IMAGE extension after it', () => {
    const bytes = concat(emptyPrimary(), binTable(13, 7, 1000), imageExtension(-32, 2, 2, [1, 2, 3, 4]));
    const hdus = parseFits(bytes, 'multi.fits');
    expect(hdus.map((h) => h.xtension)).toEqual([null, 'BINTABLE', 'IMAGE']);
    expect(hdus[1].data).toBeNull();
    expect(hdus[1].axes).toEqual([13, 7]);
    expect(Array.from(hdus[2].data!)).toEqual([1, 2, 3, 4]);
    const s = readStamp(bytes, 'multi.fits');
    expect(s.hdu).toBe(2);
    expect(s.header.get('EXTNAME')).toBe('SCI');
  });

  it('readStamp takes a given HDU, and explains when it is not an image', () => {
    const bytes = concat(imageFile(-32, 1, 1, [9]), imageExtension(-32, 2, 1, [7, 8]));
    expect(Array.from(readStamp(bytes, 'two.fits', { hdu: 1 }).image.data)).toEqual([7, 8]);
    expect(readStamp(bytes, 'two.fits').hdu).toBe(0);
    expect(fitsError(() => readStamp(concat(emptyPrimary(), binTable(4, 2)), 't.fits')).message).toMatch(
      /t\.fits: no HDU holds a 2-D image \(HDUs: 0: PRIMARY \(no data\); 1: BINTABLE 4x2\)/,
    );
    expect(fitsError(() => readStamp(bytes, 'two.fits', { hdu: 5 })).message).toMatch(
      /two\.fits: no HDU 5 in the file \(HDUs: 0: PRIMARY 1x1; 1: IMAGE SCI 2x1\)/,
    );
  });

  it('reads gzip input (magic 1f 8b) whatever the name', () => {
    const [hdu] = parseFits(gzipSync(imageFile(-32, 2, 1, [1, 2])), 'stamp.fits');
    expect(Array.from(hdu.data!)).toEqual([1, 2]);
  });

  it('lenient: a last HDU without its block padding, and trailing zero bytes, are accepted', () => {
    const h = header([
      card('SIMPLE', true),
      card('BITPIX', 16),
      card('NAXIS', 2),
      card('NAXIS1', 2),
      card('NAXIS2', 2),
    ]);
    expect(parseFits(concat(h, pixels(16, [1, 2, 3, 4], { pad: false })), 'unpadded.fits')[0].data![3]).toBe(
      4,
    );
    expect(parseFits(concat(imageFile(8, 1, 1, [3]), new Uint8Array(2880)), 'zeros.fits')).toHaveLength(1);
  });

  it('primary with NAXIS = 0 has no data', () => {
    const [hdu] = parseFits(emptyPrimary(), 'empty-primary.fits');
    expect(hdu.data).toBeNull();
    expect(hdu.axes).toEqual([]);
  });
});

describe('broken files: a FitsError naming the file and the problem, never a hang or crash', () => {
  const good = imageFile(-32, 4, 4, new Array(16).fill(1));

  it('empty file', () => {
    expect(fitsError(() => parseFits(new Uint8Array(0), 'empty.fits')).message).toMatch(
      /^empty\.fits: the file is empty/,
    );
  });

  it('not FITS: a PNG, random text, random binary', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(fitsError(() => parseFits(png, 'pic.fits')).message).toMatch(
      /pic\.fits: not a FITS file: it is a PNG image/,
    );
    const text = Buffer.from('hello, this is a README and not an image\n');
    expect(fitsError(() => parseFits(text, 'notes.fits')).message).toMatch(
      /notes\.fits: not a FITS file: it starts with "hello/,
    );
    const bin = Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919) & 255);
    expect(fitsError(() => readStamp(bin, 'noise.bin')).file).toBe('noise.bin');
  });

  it('truncated data', () => {
    const e = fitsError(() => parseFits(good.subarray(0, 2880 + 20), 'cut.fits'));
    expect(e.message).toMatch(
      /cut\.fits: HDU 0 declares 64 bytes of data \(4 x 4 x 4 bytes\) but only 20 bytes follow/,
    );
    expect(e.file).toBe('cut.fits');
  });

  it('truncated header (no END before end of file), and header cut mid-card', () => {
    expect(fitsError(() => parseFits(good.subarray(0, 400), 'head.fits')).message).toMatch(
      /head\.fits: HDU 0 header has no END card/,
    );
  });

  it('missing END: binary data after the cards is not read as header', () => {
    const noEnd = concat(
      header(
        [card('SIMPLE', true), card('BITPIX', -32), card('NAXIS', 2), card('NAXIS1', 2), card('NAXIS2', 2)],
        { end: false },
      ),
      pixels(-32, [1.5, -2, 3e9, NaN]),
    );
    expect(fitsError(() => parseFits(noEnd, 'noend.fits')).message).toMatch(
      /noend\.fits: HDU 0 header has no END card/,
    );
  });

  it('wrong BITPIX (12)', () => {
    expect(fitsError(() => parseFits(imageFile(12 as number, 1, 1, []), 'b12.fits')).message).toMatch(
      /b12\.fits: HDU 0 has BITPIX = 12; FITS allows only 8, 16, 32, 64, -32 or -64/,
    );
  });

  it('NAXIS lies: NAXIS1 x NAXIS2 larger than the file', () => {
    const lie = concat(
      header([
        card('SIMPLE', true),
        card('BITPIX', -32),
        card('NAXIS', 2),
        card('NAXIS1', 4000),
        card('NAXIS2', 4000),
      ]),
      pixels(-32, new Array(100).fill(0)),
    );
    expect(fitsError(() => parseFits(lie, 'lie.fits')).message).toMatch(
      /lie\.fits: HDU 0 declares 64000000 bytes .* only 2880 bytes follow/,
    );
  });

  it('huge (2^31) and negative NAXIS values', () => {
    const huge = header([
      card('SIMPLE', true),
      card('BITPIX', 8),
      card('NAXIS', 2),
      card('NAXIS1', 2 ** 31),
      card('NAXIS2', 2 ** 31),
    ]);
    expect(fitsError(() => parseFits(huge, 'huge.fits')).message).toMatch(
      /huge\.fits: HDU 0 has NAXIS1 = 2147483648, outside/,
    );
    const neg = header([
      card('SIMPLE', true),
      card('BITPIX', 8),
      card('NAXIS', 2),
      card('NAXIS1', -5),
      card('NAXIS2', 3),
    ]);
    expect(fitsError(() => parseFits(neg, 'neg.fits')).message).toMatch(/neg\.fits: HDU 0 has NAXIS1 = -5/);
    const negN = header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', -1)]);
    expect(fitsError(() => parseFits(negN, 'negn.fits')).message).toMatch(/HDU 0 has NAXIS = -1/);
  });

  it('NAXISn missing, or not an integer', () => {
    const miss = header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', 5)]);
    expect(fitsError(() => parseFits(miss, 'miss.fits')).message).toMatch(
      /miss\.fits: HDU 0 header lacks the mandatory keyword NAXIS2/,
    );
    const str = header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 1), card('NAXIS1', 'ten')]);
    expect(fitsError(() => parseFits(str, 'str.fits')).message).toMatch(/NAXIS1 = "ten" is not an integer/);
  });

  it('an extension that does not start with XTENSION rules, or a broken extension header', () => {
    const badExt = concat(
      imageFile(8, 1, 1, [1]),
      header([raw("XTENSION= 'IMAGE   '"), card('BITPIX', 7), card('NAXIS', 0)]),
    );
    expect(fitsError(() => parseFits(badExt, 'ext.fits')).message).toMatch(/ext\.fits: HDU 1 has BITPIX = 7/);
  });

  it('pixel limit: refused before allocating, with the option to raise it', () => {
    const big = imageFile(8, 100, 100, new Array(10000).fill(1));
    expect(fitsError(() => parseFits(big, 'big.fits', { maxPixels: 5000 })).message).toMatch(
      /big\.fits: HDU 0 is a 100 x 100 image \(10000 pixels\), above the 5000-pixel limit/,
    );
    expect(parseFits(big, 'big.fits', { maxPixels: 10000 })[0].data).toHaveLength(10000);
  });

  it('gzip bomb: a small .gz inflating past the cap is refused without inflating it all', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024)); // 64 MiB of zeros, ~64 kB compressed
    expect(bomb.length).toBeLessThan(100_000);
    expect(
      fitsError(() => parseFits(bomb, 'bomb.fits.gz', { maxInflatedBytes: 1024 * 1024 })).message,
    ).toMatch(/bomb\.fits\.gz: gzip data inflates past the 1 MiB cap/);
  });

  it('corrupt and truncated gzip', () => {
    const gz = gzipSync(good);
    expect(fitsError(() => parseFits(gz.subarray(0, gz.length - 30), 'trunc.fits.gz')).message).toMatch(
      /trunc\.fits\.gz: corrupt or truncated gzip data/,
    );
    const bad = Uint8Array.from(gz);
    bad.fill(0xff, 12, 40);
    expect(fitsError(() => parseFits(bad, 'bad.fits.gz')).file).toBe('bad.fits.gz');
  });

  it('fuzz: random truncations and byte flips never escape as anything but FitsError', () => {
    const base = concat(
      emptyPrimary(),
      binTable(9, 5, 17),
      imageExtension(16, 3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    );
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let k = 0; k < 300; k++) {
      const b = Uint8Array.from(base.subarray(0, Math.floor(rnd() * base.length) + 1));
      for (let j = 0; j < 3; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        parseFits(b, 'fuzz.fits');
      } catch (e) {
        expect(e).toBeInstanceOf(FitsError);
      }
    }
  });
});
