/**
 * The Avro alert reader under attack: real ZTF (null and snappy codecs), PGIR, WINTER, ATLAS and
 * Rubin packets and a deflate re-framing of one, mutated (bit flips, smashed bytes, truncations at
 * every block boundary +-1, splices, lying block counts and sizes), plus random bytes and named
 * lies (array/map counts of 2^27, decompression bombs). readAlertFile must never throw: it returns
 * records and/or an AlertFileError naming the file, within a bounded time. Cutouts of accepted
 * records go on to the FITS reader as ingest does (FitsError or a stamp).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertFileError, readAlertFile } from '../../../src/main/stamps/avro';
import { iterateBlocks, parseHeader } from '../../../src/main/stamps/avro/container';
import { FitsError, readStamp } from '../../../src/main/stamps/fits';
import { MINI_ZTF_SCHEMA, SYNC, makeContainer, miniZtfAlert, zigzag } from '../stamps/avro/containerFixture';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { FUZZ_RUNS, FUZZ_SEED, Tally, flipBits, rng, smashBytes, splice } from './harness';

const isFitsError = (e: unknown) => e instanceof FitsError;

function avroString(s: string | Uint8Array): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
  return Buffer.concat([zigzag(b.length), b]);
}

/** A container with the given schema and raw (already encoded) blocks. */
function container(schema: object | string, blocks: { count: number; data: Uint8Array }[], codec = 'null') {
  const json = typeof schema === 'string' ? schema : JSON.stringify(schema);
  return Buffer.concat([
    Buffer.from('Obj\x01', 'latin1'),
    zigzag(2),
    avroString('avro.schema'),
    avroString(json),
    avroString('avro.codec'),
    avroString(codec),
    zigzag(0),
    SYNC,
    ...blocks.flatMap((b) => [zigzag(b.count), zigzag(b.data.length), Buffer.from(b.data), SYNC]),
  ]);
}

/** The same packet with every block deflated (the deflate codec has no real sample here). */
function reframeDeflate(bytes: Uint8Array): Buffer {
  const h = parseHeader(bytes);
  const blocks = [...iterateBlocks(bytes, h)].map((b) => ({ count: b.count, data: deflateRawSync(b.data) }));
  return container(h.schemaJson, blocks, 'deflate');
}

interface Seed {
  name: string;
  bytes: Uint8Array;
  /** Offsets where blocks start (and the end of the file): truncation points. */
  boundaries: number[];
}

function boundariesOf(bytes: Uint8Array): number[] {
  try {
    const h = parseHeader(bytes);
    const out = [h.dataStart];
    for (const b of iterateBlocks(bytes, h)) out.push(b.offset);
    out.push(bytes.length);
    return out;
  } catch {
    return [bytes.length];
  }
}

function loadSeeds(): Seed[] {
  const mini = makeContainer(MINI_ZTF_SCHEMA, [0, 1, 2, 3, 4].map(miniZtfAlert), { perBlock: 2 });
  const list: { name: string; bytes: Uint8Array }[] = [
    { name: 'synthetic null', bytes: mini },
    {
      name: 'synthetic snappy',
      bytes: makeContainer(MINI_ZTF_SCHEMA, [0, 1, 2].map(miniZtfAlert), { perBlock: 1, codec: 'snappy' }),
    },
  ];
  if (HAVE_SHARED) {
    const pick = (dir: string, re: RegExp) => {
      const name = readdirSync(sharedPath('alerts', dir))
        .filter((n) => re.test(n))
        .sort()[0];
      return { name: `${dir}/${name}`, bytes: readFileSync(sharedPath('alerts', dir, name)) };
    };
    const ztf = pick('ztf', /^ztf_v3-3_/);
    list.push(
      ztf,
      { name: 'ZTF re-framed deflate', bytes: reframeDeflate(ztf.bytes) },
      pick('ztf', /^0000105100/), // snappy (ALeRCE)
      pick('ztf', /^2019_/),
      pick('other', /^pgir-/),
      pick('other', /^winter-/),
      pick('other', /^atlas-/),
      pick('other', /^rubin-/),
      pick('broken', /\.avro$/),
    );
  }
  return list.map((s) => ({ ...s, bytes: Uint8Array.from(s.bytes), boundaries: boundariesOf(s.bytes) }));
}

const seeds = loadSeeds();

/** Blocks of a seed with their count and size rewritten: the structured lies of the framing. */
function lieAboutBlocks(seed: Seed, which: number, count: number, size: number | null): Uint8Array {
  const h = parseHeader(seed.bytes);
  const blocks: { count: number; data: Uint8Array }[] = [];
  try {
    for (const b of iterateBlocks(seed.bytes, h)) blocks.push(b);
  } catch {
    // A broken seed: lie about the blocks that are intact.
  }
  const head = seed.bytes.subarray(0, h.dataStart);
  const parts: Buffer[] = [Buffer.from(head)];
  blocks.forEach((b, i) => {
    const lie = i === which % Math.max(1, blocks.length);
    parts.push(zigzag(lie ? count : b.count), zigzag(lie && size !== null ? size : b.data.length));
    parts.push(Buffer.from(b.data), Buffer.from(h.sync));
  });
  return Uint8Array.from(Buffer.concat(parts));
}

const lyingCount = fc.oneof(
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(2 ** 20, 2 ** 31, 2 ** 40, 2 ** 53, -(2 ** 40)),
);

const mutationArb = fc
  .record({
    seed: fc.nat(seeds.length - 1),
    op: fc.constantFrom(
      'flip',
      'flip-header',
      'flip-block',
      'smash',
      'truncate-block',
      'truncate-any',
      'splice',
      'lie',
    ),
    n: fc.integer({ min: 1, max: 16 }),
    r: fc.nat(),
    other: fc.nat(seeds.length - 1),
    delta: fc.constantFrom(-1, 0, 1),
    count: lyingCount,
    size: fc.option(lyingCount),
  })
  .map(({ seed, op, n, r, other, delta, count, size }) => {
    const s = seeds[seed];
    const rand = rng(r + 1);
    const dataStart = s.boundaries[0];
    let bytes: Uint8Array;
    switch (op) {
      case 'flip':
        bytes = flipBits(s.bytes, n, rand);
        break;
      case 'flip-header':
        bytes = flipBits(s.bytes, n, rand, 0, dataStart);
        break;
      case 'flip-block':
        // The first bytes of a block: its count, size and the start of its first record.
        bytes = flipBits(s.bytes, n, rand, dataStart, Math.min(s.bytes.length, dataStart + 64));
        break;
      case 'smash':
        bytes = smashBytes(s.bytes, n, rand);
        break;
      case 'truncate-block': {
        const b = s.boundaries[Math.floor(rand() * s.boundaries.length)];
        bytes = s.bytes.subarray(0, Math.max(0, Math.min(s.bytes.length, b + delta)));
        break;
      }
      case 'truncate-any':
        bytes = s.bytes.subarray(0, Math.floor(rand() * s.bytes.length));
        break;
      case 'splice':
        bytes = splice(s.bytes, seeds[other].bytes, rand);
        break;
      default:
        bytes = lieAboutBlocks(s, n, count, size);
    }
    return { kind: `${op} of ${s.name}`, bytes };
  });

const randomArb = fc
  .record({ body: fc.uint8Array({ maxLength: 4096 }), magic: fc.boolean() })
  .map(({ body, magic }) => ({
    kind: magic ? 'random bytes after the Obj1 magic' : 'random bytes',
    bytes: magic ? Uint8Array.from(Buffer.concat([Buffer.from('Obj\x01', 'latin1'), body])) : body,
  }));

/** A header whose schema is random JSON or a random mangling of a real one. */
const schemaArb = fc
  .record({
    json: fc.oneof(fc.json({ maxDepth: 4 }), fc.constant(JSON.stringify(MINI_ZTF_SCHEMA))),
    r: fc.nat(),
    body: fc.uint8Array({ maxLength: 512 }),
  })
  .map(({ json, r, body }) => {
    let text = json;
    if (r % 3 === 0 && text.length > 2) {
      const p = r % text.length;
      text = text.slice(0, p) + text.slice(p + 1);
    }
    return {
      kind: 'random schema',
      bytes: Uint8Array.from(container(text, [{ count: 1 + (r % 3), data: body }])),
    };
  });

const inputArb = fc.oneof(
  { weight: 6, arbitrary: mutationArb },
  { weight: 2, arbitrary: randomArb },
  { weight: 1, arbitrary: schemaArb },
);

describe('Avro alert reader fuzz', () => {
  const tallies: Tally[] = [];
  afterAll(() => {
    for (const t of tallies) console.log(t.report());
  });

  /** readAlertFile never throws; its error (if any) is an AlertFileError that names the file. */
  function readOne(t: Tally, stamps: Tally, kind: string, file: string, bytes: Uint8Array): void {
    t.run(
      kind,
      file,
      () => {
        const res = readAlertFile(bytes, file);
        if (res.error) {
          if (!(res.error instanceof AlertFileError))
            throw new Error(`not an AlertFileError: ${String(res.error)}`);
          throw res.error;
        }
        for (const rec of res.records) {
          for (const [which, b] of Object.entries(rec.cutouts)) {
            if (!b) continue;
            const name = `${file}#${rec.candid} (${which})`;
            stamps.run(kind, name, () => void readStamp(b, name), isFitsError);
          }
        }
      },
      (e) => e instanceof AlertFileError,
    );
  }

  it(`readAlertFile: ${FUZZ_RUNS} mutated, lying and random packets give records or an AlertFileError`, () => {
    const t = new Tally('Avro readAlertFile');
    const stamps = new Tally('Avro cutouts -> readStamp');
    tallies.push(t, stamps);
    let i = 0;
    fc.assert(
      fc.property(inputArb, ({ kind, bytes }) => readOne(t, stamps, kind, `fuzz-${i++}.avro`, bytes)),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    expect(t.cases).toBeGreaterThanOrEqual(FUZZ_RUNS);
  });

  it('truncation at every block boundary -1/0/+1 of every seed', () => {
    const t = new Tally('Avro block truncations');
    const stamps = new Tally('Avro truncations: cutouts');
    tallies.push(t);
    for (const s of seeds) {
      for (const b of s.boundaries) {
        for (const d of [-1, 0, 1]) {
          const c = b + d;
          if (c < 0 || c >= s.bytes.length) continue;
          readOne(
            t,
            stamps,
            'block truncation',
            `${path.basename(s.name)} cut at ${c}`,
            s.bytes.subarray(0, c),
          );
        }
      }
    }
    expect(t.cases).toBeGreaterThan(0);
  });

  it('named lies: array and map counts of 2^27 and 2^31 in a tiny packet, deflate and snappy bombs', () => {
    const t = new Tally('Avro named lies');
    tallies.push(t);
    const stamps = new Tally('unused');
    const arraySchema = {
      type: 'record',
      name: 'alert',
      fields: [
        {
          name: 'a',
          type: {
            type: 'array',
            items: { type: 'record', name: 'r', fields: [{ name: 'x', type: ['null', 'int'] }] },
          },
        },
      ],
    };
    const mapSchema = {
      type: 'record',
      name: 'alert',
      fields: [{ name: 'm', type: { type: 'map', values: 'int' } }],
    };
    const cases: [string, Uint8Array][] = [];
    for (const n of [2 ** 27, 2 ** 31, 2 ** 52]) {
      // Before the guard, 2^27 took 19 s here and 2^31 would have run for minutes or out of memory.
      cases.push([
        `array count ${n}`,
        container(arraySchema, [{ count: 1, data: Buffer.concat([zigzag(n), Buffer.from([0])]) }]),
      ]);
      cases.push([
        `map count ${n}`,
        container(mapSchema, [{ count: 1, data: Buffer.concat([zigzag(n), Buffer.from([0])]) }]),
      ]);
    }
    // 300 MiB of zeros behind a ~0.3 MB deflate block (the cap is 256 MiB per block).
    const big = deflateRawSync(Buffer.alloc(300 * 1024 * 1024), { level: 1 });
    cases.push([
      'deflate bomb (300 MiB in one block)',
      container(MINI_ZTF_SCHEMA, [{ count: 1, data: big }], 'deflate'),
    ]);
    // Snappy blocks whose stream claims 1 GiB and 2 GiB (the latter overflows snappyjs's int32 length).
    const claim = Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]), Buffer.alloc(16)]);
    const claim2 = Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]), Buffer.alloc(16)]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.alloc(0)) >>> 0);
    for (const [name, c] of [
      ['snappy stream claiming 1 GiB', claim],
      ['snappy stream claiming 2 GiB', claim2],
    ] as const) {
      cases.push([name, container(MINI_ZTF_SCHEMA, [{ count: 1, data: Buffer.concat([c, crc]) }], 'snappy')]);
    }
    const rss0 = process.memoryUsage().rss;
    for (const [name, bytes] of cases) readOne(t, stamps, name, `${name}.avro`, Uint8Array.from(bytes));
    const rss1 = process.memoryUsage().rss;
    console.log(
      `[fuzz] Avro named lies: RSS +${((rss1 - rss0) / 2 ** 20).toFixed(0)} MiB over ${cases.length} cases`,
    );
    expect(t.accepted).toBe(0);
    expect(t.rejected).toBe(cases.length);
  });
});
