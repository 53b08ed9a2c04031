import { crc32, deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { compress as snappyCompress } from 'snappyjs';
import { decimalLongType } from '../../../../src/main/stamps/avro/datumType';

/** Avro zigzag varint, for writing synthetic container files in tests. */
export function zigzag(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  do {
    let b = z % 128;
    z = Math.floor(z / 128);
    if (z > 0) b |= 0x80;
    out.push(b);
  } while (z > 0);
  return Buffer.from(out);
}

function avroString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
  return Buffer.concat([zigzag(b.length), b]);
}

export const SYNC = Buffer.from('0123456789abcdef', 'latin1');

export interface FixtureOptions {
  codec?: string;
  /** Records per block (default: all in one). */
  perBlock?: number;
  /** Override a block's declared count (block index -> count). */
  countOverride?: Record<number, number>;
  /** Write this schema JSON verbatim instead of JSON.stringify(schema). */
  schemaJson?: string;
}

/**
 * Writes an Avro object container file. The encoder uses the (valid) schema given; pass
 * schemaJson to embed a different (e.g. spec-breaking) schema text in the header.
 */
export function makeContainer(schema: object, values: unknown[], opts: FixtureOptions = {}): Buffer {
  const codec = opts.codec ?? 'null';
  const type = avro.Type.forSchema(schema as avro.Schema, { registry: { long: decimalLongType } });
  const meta = [
    [avroString('avro.schema'), avroString(opts.schemaJson ?? JSON.stringify(schema))],
    [avroString('avro.codec'), avroString(codec)],
  ];
  const parts: Buffer[] = [
    Buffer.from('Obj\x01', 'latin1'),
    zigzag(meta.length),
    ...meta.flat(),
    zigzag(0),
    SYNC,
  ];
  const per = opts.perBlock ?? Math.max(values.length, 1);
  for (let i = 0, block = 0; i < values.length; i += per, block++) {
    const chunk = values.slice(i, i + per);
    const raw = Buffer.concat(chunk.map((v) => type.toBuffer(v)));
    let data: Buffer;
    if (codec === 'deflate') data = deflateRawSync(raw);
    else if (codec === 'snappy') {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(raw) >>> 0);
      data = Buffer.concat([Buffer.from(snappyCompress(raw)), crc]);
    } else data = raw;
    parts.push(zigzag(opts.countOverride?.[block] ?? chunk.length), zigzag(data.length), data, SYNC);
  }
  return Buffer.concat(parts);
}

/** A minimal ZTF-shaped alert schema. */
export const MINI_ZTF_SCHEMA = {
  type: 'record',
  name: 'alert',
  namespace: 'ztf',
  fields: [
    { name: 'objectId', type: 'string' },
    { name: 'candid', type: 'long' },
    {
      name: 'candidate',
      type: {
        type: 'record',
        name: 'candidate',
        fields: [
          { name: 'jd', type: 'double' },
          { name: 'fid', type: 'int' },
          { name: 'ra', type: 'double' },
          { name: 'dec', type: 'double' },
          { name: 'magpsf', type: 'float' },
          { name: 'sigmapsf', type: 'float' },
          { name: 'isdiffpos', type: 'string' },
          { name: 'rb', type: ['null', 'float'], default: null },
          { name: 'drb', type: ['null', 'float'], default: null },
        ],
      },
    },
    {
      name: 'cutoutScience',
      type: [
        'null',
        {
          type: 'record',
          name: 'cutout',
          fields: [
            { name: 'fileName', type: 'string' },
            { name: 'stampData', type: 'bytes' },
          ],
        },
      ],
      default: null,
    },
    { name: 'cutoutTemplate', type: ['null', 'cutout'], default: null },
    { name: 'cutoutDifference', type: ['null', 'cutout'], default: null },
  ],
};

export function miniZtfAlert(i: number): Record<string, unknown> {
  const stamp = (n: string) => ({
    fileName: `${n}.fits.gz`,
    stampData: Buffer.from([0x1f, 0x8b, 8, 0, i & 0xff]),
  });
  return {
    objectId: `ZTF21test${i}`,
    candid: (9007199254740993n + BigInt(i)).toString(), // > 2^53: not representable as a JS number
    candidate: {
      jd: 2459400.5 + i,
      fid: 1 + (i % 3),
      ra: 10 + i,
      dec: -5,
      magpsf: 18.5,
      sigmapsf: 0.1,
      isdiffpos: i % 2 ? 'f' : 't',
      rb: 0.5,
      drb: 0.25,
    },
    cutoutScience: stamp('sci'),
    cutoutTemplate: stamp('ref'),
    cutoutDifference: stamp('diff'),
  };
}
