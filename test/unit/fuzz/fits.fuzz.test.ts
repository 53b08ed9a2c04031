/**
 * The FITS reader under attack: mutations of real stamps (bit flips, smashed bytes, truncations at
 * every 2880-byte block boundary +-1, splices), fully random bytes, hand-built headers that lie
 * (BITPIX, NAXIS, NAXISn up to 2^53, PCOUNT/GCOUNT), very long headers, and gzip bombs. Each input
 * must give a result or a FitsError naming the file, within a bounded time; never another error.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsError, parseFits, readStamp } from '../../../src/main/stamps/fits';
import {
  card,
  concat,
  emptyPrimary,
  header,
  imageExtension,
  imageFile,
  binTable,
  quantizedGzipFile,
  raw,
} from '../stamps/fits/fitsBuilder';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { FUZZ_RUNS, FUZZ_SEED, Tally, flipBits, rng, smashBytes, splice } from './harness';

const BLOCK = 2880;
const isFitsError = (e: unknown) => e instanceof FitsError;

function firstFile(dir: string, re: RegExp): Uint8Array {
  const name = readdirSync(sharedPath(dir))
    .filter((n) => re.test(n))
    .sort()[0];
  return readFileSync(sharedPath(dir, name));
}

/** Hand-built seeds (always available) and real ones from ../shared when present. */
function loadSeeds(): { name: string; bytes: Uint8Array }[] {
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => (i % 97) - 40);
  const built = [
    {
      name: 'built int16 BLANK/BSCALE',
      bytes: imageFile(16, 21, 17, ramp(21 * 17), [
        card('BSCALE', 2.5),
        card('BZERO', 100),
        card('BLANK', -40),
      ]),
    },
    {
      name: 'built multi-HDU',
      bytes: concat(emptyPrimary(), binTable(12, 40, 100), imageExtension(-32, 31, 29, ramp(31 * 29))),
    },
    { name: 'built float64', bytes: imageFile(-64, 15, 15, ramp(225)) },
    { name: 'built int64', bytes: imageFile(64, 9, 9, ramp(81)) },
    { name: 'built tile-compressed (.fits.fz)', bytes: quantizedGzipFile(21, 17, ramp(21 * 17), 0.25, 10) },
  ];
  if (!HAVE_SHARED) return built;
  const ztfGz = firstFile('real-stamps/ztf', /_diff\.fits\.gz$/);
  return [
    ...built,
    { name: 'ZTF .fits.gz', bytes: ztfGz },
    { name: 'ZTF inflated', bytes: gunzipSync(ztfGz) },
    { name: 'ATLAS plain FITS', bytes: firstFile('real-stamps/atlas', /_diff\.fits$/) },
    { name: 'WINTER float64 .gz', bytes: firstFile('real-stamps/winter', /_diff\.fits\.gz$/) },
    { name: 'ZUDS WCS .gz', bytes: firstFile('real-stamps/zuds', /_sci\.fits\.gz$/) },
  ];
}

const seeds = loadSeeds();
const isGz = (b: Uint8Array) => b[0] === 0x1f && b[1] === 0x8b;
const plain = (b: Uint8Array) => (isGz(b) ? Uint8Array.from(gunzipSync(b)) : b);
/** Header bytes of the first HDU of a plain file (where lies and flips matter most). */
function headerEnd(b: Uint8Array): number {
  const text = Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 20 * BLOCK)).toString('latin1');
  for (let p = 0; p + 80 <= text.length; p += 80) if (text.startsWith('END     ', p)) return p + 80;
  return Math.min(b.length, BLOCK);
}

/** A value for a header card that lies: out of range, huge, negative, not an integer, not a number. */
const lyingNumber = fc.oneof(
  fc.integer({ min: -3, max: 70 }),
  fc.constantFrom(0, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 1e20, 1e300, 46341, 65536),
  fc.constantFrom('1.5', "'12'", 'T', '(1,2)', '1.0D+03', 'NaN', '-0', '+7', ''),
);

const cardFor = (key: string, v: number | string) =>
  typeof v === 'number' ? card(key, v) : raw(`${key.padEnd(8)}= ${v.padStart(20)}`);

const lieArb = fc
  .record({
    bitpix: fc.oneof(fc.constantFrom(8, 16, 32, 64, -32, -64), lyingNumber),
    naxis: fc.oneof(fc.integer({ min: 0, max: 4 }), lyingNumber),
    axes: fc.array(lyingNumber, { maxLength: 4 }),
    pcount: fc.option(lyingNumber),
    gcount: fc.option(lyingNumber),
    groups: fc.boolean(),
    xtension: fc.option(fc.constantFrom('IMAGE', 'BINTABLE', 'TABLE', 'FOO')),
    dataLen: fc.nat(12 * BLOCK),
    noEnd: fc.boolean(),
    gzip: fc.boolean(),
    seed: fc.nat(),
  })
  .map((l) => {
    const cards = [
      card('SIMPLE', true),
      cardFor('BITPIX', l.bitpix),
      cardFor('NAXIS', l.naxis),
      ...l.axes.map((a, i) => cardFor(`NAXIS${i + 1}`, a)),
      ...(l.pcount !== null ? [cardFor('PCOUNT', l.pcount)] : []),
      ...(l.gcount !== null ? [cardFor('GCOUNT', l.gcount)] : []),
      ...(l.groups ? [card('GROUPS', true)] : []),
      card('BLANK', -1),
      card('BSCALE', 1e300),
    ];
    const head = header(cards, { end: !(l.noEnd && l.dataLen % 3 === 0) });
    const data = new Uint8Array(l.dataLen);
    const r = rng(l.seed);
    for (let i = 0; i < data.length; i += 61) data[i] = Math.floor(r() * 256);
    let bytes = concat(head, data);
    // A lying image extension after a good primary: the walk must stop there, not before.
    if (l.xtension) {
      const ext = header([
        card('XTENSION', l.xtension),
        cardFor('BITPIX', l.bitpix),
        card('NAXIS', 2),
        cardFor('NAXIS1', l.axes[0] ?? 10),
        cardFor('NAXIS2', l.axes[1] ?? 10),
        ...(l.pcount !== null ? [cardFor('PCOUNT', l.pcount)] : []),
        ...(l.gcount !== null ? [cardFor('GCOUNT', l.gcount)] : []),
      ]);
      bytes = concat(emptyPrimary(), ext, data);
    }
    return { kind: 'header lie', bytes: l.gzip ? Uint8Array.from(gzipSync(bytes)) : bytes };
  });

/** Long and deep headers: thousands of CONTINUE / HIERARCH / COMMENT / junk cards, with or without END. */
const deepArb = fc
  .record({
    n: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 200, max: 4000 })),
    style: fc.constantFrom('CONTINUE', 'HIERARCH', 'COMMENT', 'quotes', 'junk', 'long-key'),
    end: fc.boolean(),
    image: fc.boolean(),
  })
  .map(({ n, style, end, image }) => {
    const cards = [
      card('SIMPLE', true),
      card('BITPIX', -32),
      card('NAXIS', 2),
      card('NAXIS1', 8),
      card('NAXIS2', 8),
    ];
    if (style === 'CONTINUE') cards.push(raw(`LONGSTR = 'start&'`));
    for (let i = 0; i < n; i++) {
      if (style === 'CONTINUE') cards.push(raw(`CONTINUE  '${'x'.repeat(60)}&'`));
      else if (style === 'HIERARCH') cards.push(raw(`HIERARCH ${'A B '.repeat(15)}K${i} = ${i}`));
      else if (style === 'COMMENT') cards.push(raw(`COMMENT ${'='.repeat(72)}`));
      else if (style === 'quotes') cards.push(raw(`Q${String(i).padStart(7, '0')}= '${"''".repeat(34)}`));
      else if (style === 'junk') cards.push(raw(`${'=/'.repeat(40)}`));
      else cards.push(raw(`${'K'.repeat(80)}`));
    }
    const head = header(cards, { end });
    return { kind: `deep header (${style})`, bytes: image ? concat(head, new Uint8Array(BLOCK)) : head };
  });

const mutationArb = fc
  .record({
    seed: fc.nat(seeds.length - 1),
    op: fc.constantFrom(
      'flip',
      'flip-header',
      'smash',
      'truncate-block',
      'truncate-any',
      'splice',
      'regzip-flip',
    ),
    n: fc.integer({ min: 1, max: 24 }),
    r: fc.nat(),
    other: fc.nat(seeds.length - 1),
    delta: fc.constantFrom(-1, 0, 1),
  })
  .map(({ seed, op, n, r, other, delta }) => {
    const src = seeds[seed].bytes;
    const rand = rng(r + 1);
    let bytes: Uint8Array;
    switch (op) {
      case 'flip':
        bytes = flipBits(src, n, rand);
        break;
      case 'flip-header': {
        const p = plain(src);
        bytes = flipBits(p, n, rand, 0, headerEnd(p));
        break;
      }
      case 'smash':
        bytes = smashBytes(plain(src), n, rand);
        break;
      case 'truncate-block': {
        const p = plain(src);
        const k = Math.floor(rand() * (Math.ceil(p.length / BLOCK) + 1));
        bytes = p.subarray(0, Math.max(0, Math.min(p.length, k * BLOCK + delta)));
        break;
      }
      case 'truncate-any':
        bytes = src.subarray(0, Math.floor(rand() * src.length));
        break;
      case 'splice':
        bytes = splice(plain(src), plain(seeds[other].bytes), rand);
        break;
      default:
        bytes = Uint8Array.from(gzipSync(flipBits(plain(src), n, rand, 0, headerEnd(plain(src)))));
    }
    return { kind: `${op} of ${seeds[seed].name}`, bytes };
  });

const randomArb = fc
  .record({
    body: fc.uint8Array({ maxLength: 3 * BLOCK }),
    prefix: fc.constantFrom('', 'SIMPLE  =', 'SIMPLE  =                    T', '\x1f\x8b'),
  })
  .map(({ body, prefix }) => ({
    kind: prefix ? `random bytes after ${JSON.stringify(prefix.slice(0, 9))}` : 'random bytes',
    bytes: concat(Buffer.from(prefix, 'latin1'), body),
  }));

const inputArb = fc.oneof(
  { weight: 4, arbitrary: mutationArb },
  { weight: 2, arbitrary: lieArb },
  { weight: 1, arbitrary: deepArb },
  { weight: 2, arbitrary: randomArb },
);

describe('FITS reader fuzz', () => {
  const tallies: Tally[] = [];
  afterAll(() => {
    for (const t of tallies) console.log(t.report());
  });

  it(`parseFits and readStamp: ${FUZZ_RUNS} mutated, lying, deep and random inputs give a result or a FitsError`, () => {
    const parse = new Tally('FITS parseFits');
    const stamp = new Tally('FITS readStamp');
    tallies.push(parse, stamp);
    let i = 0;
    fc.assert(
      fc.property(inputArb, ({ kind, bytes }) => {
        const file = `fuzz-${i++}.fits`;
        parse.run(kind, file, () => void parseFits(bytes, file), isFitsError);
        stamp.run(
          kind,
          file,
          () => {
            const { image } = readStamp(bytes, file);
            // An accepted stamp is a consistent one.
            if (image.data.length !== image.width * image.height || image.mask.length !== image.data.length)
              throw new Error(`inconsistent stamp ${image.width}x${image.height}`);
          },
          isFitsError,
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    expect(parse.cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('truncation at every 2880-byte block boundary -1/0/+1 of every seed (and every 97th byte of gzip ones)', () => {
    const t = new Tally('FITS truncations');
    tallies.push(t);
    for (const s of seeds) {
      const p = plain(s.bytes);
      const cuts = new Set<number>();
      for (let k = 0; k * BLOCK <= p.length + 1; k++) for (const d of [-1, 0, 1]) cuts.add(k * BLOCK + d);
      for (const c of cuts) {
        if (c < 0 || c >= p.length) continue;
        const file = `${s.name} cut at ${c}`;
        t.run('block truncation', file, () => void readStamp(p.subarray(0, c), file), isFitsError);
      }
      if (isGz(s.bytes)) {
        for (let c = 0; c < s.bytes.length; c += 97) {
          const file = `${s.name} gz cut at ${c}`;
          t.run('gzip truncation', file, () => void readStamp(s.bytes.subarray(0, c), file), isFitsError);
        }
      }
    }
    // The few accepted cuts only drop block padding after the last HDU (read leniently, as astropy does).
    expect(t.rejected).toBeGreaterThan(t.accepted * 10);
  });

  it('named lies: GCOUNT = 0 images, 2^31 axes, NAXIS 1000, 100,000 CONTINUE cards', () => {
    const t = new Tally('FITS named lies');
    tallies.push(t);
    const img = (extra: string[], axes: number[] = [100, 100], bitpix = 16) =>
      header([
        card('SIMPLE', true),
        card('BITPIX', bitpix),
        card('NAXIS', axes.length),
        ...axes.map((a, i) => card(`NAXIS${i + 1}`, a)),
        ...extra,
      ]);
    const cases: [string, Uint8Array][] = [
      // Was a RangeError (integer BITPIX) or 10,000 pixels read from nothing (float BITPIX).
      ['GCOUNT = 0 int16', img([card('GCOUNT', 0)])],
      ['GCOUNT = 0 float32', img([card('GCOUNT', 0)], [100, 100], -32)],
      [
        'GCOUNT = 0 IMAGE extension',
        concat(
          emptyPrimary(),
          header([
            card('XTENSION', 'IMAGE'),
            card('BITPIX', 64),
            card('NAXIS', 2),
            card('NAXIS1', 100),
            card('NAXIS2', 100),
            card('PCOUNT', 0),
            card('GCOUNT', 0),
          ]),
        ),
      ],
      ['NAXIS1 = 2^31', img([], [2 ** 31, 2])],
      ['2^31-1 squared', img([], [2 ** 31 - 1, 2 ** 31 - 1])],
      ['NAXIS = 1000', img([], [])],
      ['negative NAXIS2', img([], [10, -10])],
      [
        'PCOUNT = -1 table',
        concat(
          emptyPrimary(),
          header([
            card('XTENSION', 'BINTABLE'),
            card('BITPIX', 8),
            card('NAXIS', 2),
            card('NAXIS1', 4),
            card('NAXIS2', 4),
            card('PCOUNT', -1),
            card('GCOUNT', 1),
          ]),
        ),
      ],
    ];
    cases[5][1] = header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 1000)]);
    const cont = [card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), raw(`LONGSTR = 'a&'`)];
    for (let i = 0; i < 100_000; i++) cont.push(raw(`CONTINUE  '${'x'.repeat(60)}&'`));
    cases.push(['100,000 CONTINUE cards (8 MB header)', header(cont)]);
    for (const [name, bytes] of cases)
      t.run(name, `${name}.fits`, () => void readStamp(bytes, `${name}.fits`), isFitsError);
    expect(t.accepted).toBe(0);
    expect(t.rejected).toBe(cases.length);
  });

  it('refuses gzip bombs at the cap, before inflating them in full', () => {
    // 64 MiB of zeros gzip to ~64 kB; 16 members of it claim 1 GiB once inflated.
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 16 }, () => member));
    const t = new Tally('FITS gzip bombs');
    tallies.push(t);
    const rss0 = process.memoryUsage().rss;
    t.run(
      '1 GiB bomb, 32 MiB cap',
      'bomb.fits.gz',
      () => void readStamp(bomb, 'bomb.fits.gz', { maxInflatedBytes: 32 * 1024 * 1024 }),
      isFitsError,
    );
    const rss1 = process.memoryUsage().rss;
    expect(t.reasons.size).toBe(1);
    expect([...t.reasons.keys()][0]).toMatch(/gzip data inflates past the/);
    console.log(
      `[fuzz] gzip bomb (${(bomb.length / 1024).toFixed(0)} kB inflating to 1 GiB) refused at a 32 MiB cap in ${t.maxMs.toFixed(0)} ms; RSS +${((rss1 - rss0) / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(rss1 - rss0).toBeLessThan(256 * 1024 * 1024);
  });
});
