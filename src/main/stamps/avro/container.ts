import { ByteReader, OutOfBytes } from './byteReader';

/** The Avro object container magic: 'O' 'b' 'j' 0x01. */
export const AVRO_MAGIC = Uint8Array.of(0x4f, 0x62, 0x6a, 0x01);
export const SYNC_SIZE = 16;

export interface ContainerHeader {
  meta: Map<string, Uint8Array>;
  schemaJson: string;
  codec: string;
  sync: Uint8Array;
  /** Offset of the first block. */
  dataStart: number;
}

export interface RawBlock {
  index: number;
  /** Offset of the block's count varint. */
  offset: number;
  count: number;
  /** Still compressed with the file's codec. */
  data: Uint8Array;
}

/** A framing problem; readAlertFile adds the file name and turns it into an AlertFileError. */
export class ContainerProblem extends Error {
  constructor(
    message: string,
    readonly where: { block?: number; offset?: number },
  ) {
    super(message);
  }
}

function startsWithMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && AVRO_MAGIC.every((b, i) => bytes[i] === b);
}

export function parseHeader(bytes: Uint8Array): ContainerHeader {
  if (bytes.length === 0) throw new ContainerProblem('empty file (0 bytes), not an Avro alert packet', {});
  if (!startsWithMagic(bytes)) {
    // Schemaless datums (e.g. early ZTF simulation alerts) land here too: without the
    // container there is no writer schema, so they cannot be decoded safely.
    throw new ContainerProblem(
      'not an Avro object container file: it does not start with the 4 bytes an Avro container starts with ("Obj" and the byte 1, hex 4F 62 6A 01); a schemaless Avro datum cannot be read without its schema',
      { offset: 0 },
    );
  }
  const r = new ByteReader(bytes);
  r.pos = 4;
  const meta = new Map<string, Uint8Array>();
  const decoder = new TextDecoder('utf-8');
  try {
    // The metadata is an Avro map: blocks of (count, [size if count < 0], entries), ending with 0.
    for (;;) {
      let count = r.readLong();
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        r.readLong();
      }
      for (let i = 0; i < count; i++) {
        const key = decoder.decode(r.readBytes(r.readLong()));
        meta.set(key, r.readBytes(r.readLong()));
      }
    }
    const sync = r.readBytes(SYNC_SIZE);
    const schemaBytes = meta.get('avro.schema');
    if (!schemaBytes) throw new ContainerProblem("header has no 'avro.schema' entry", { offset: r.pos });
    const codecBytes = meta.get('avro.codec');
    return {
      meta,
      schemaJson: decoder.decode(schemaBytes),
      codec: codecBytes && codecBytes.length ? decoder.decode(codecBytes) : 'null',
      sync,
      dataStart: r.pos,
    };
  } catch (e) {
    if (e instanceof ContainerProblem) throw e;
    if (e instanceof OutOfBytes)
      throw new ContainerProblem(`file truncated inside the header (${e.message})`, { offset: e.offset });
    throw new ContainerProblem(`corrupt header: ${(e as Error).message}`, { offset: r.pos });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Walks the blocks after the header: [count, size, data, sync]. Yields each block only once
 * its trailing sync marker has been checked, so a consumer never decodes a block whose
 * framing is wrong. Throws ContainerProblem at the first framing error.
 */
export function* iterateBlocks(bytes: Uint8Array, header: ContainerHeader): Generator<RawBlock> {
  const r = new ByteReader(bytes);
  r.pos = header.dataStart;
  for (let index = 0; r.remaining > 0; index++) {
    const offset = r.pos;
    let count: number;
    let size: number;
    try {
      count = r.readLong();
      size = r.readLong();
    } catch (e) {
      const what =
        e instanceof OutOfBytes
          ? 'file truncated inside a block header'
          : `corrupt block header: ${(e as Error).message}`;
      throw new ContainerProblem(what, { block: index, offset });
    }
    if (count < 0 || size < 0) {
      throw new ContainerProblem(`corrupt block header (record count ${count}, byte size ${size})`, {
        block: index,
        offset,
      });
    }
    if (size + SYNC_SIZE > r.remaining) {
      throw new ContainerProblem(
        `file truncated mid-block: the block declares ${count} record(s) in ${size} bytes, ` +
          `which with its 16-byte sync marker needs ${size + SYNC_SIZE} bytes, but only ${r.remaining} remain`,
        { block: index, offset },
      );
    }
    const data = r.readBytes(size);
    const sync = r.readBytes(SYNC_SIZE);
    if (!sameBytes(sync, header.sync)) {
      throw new ContainerProblem('sync marker mismatch after the block (wrong block size or corrupt data)', {
        block: index,
        offset: offset,
      });
    }
    yield { index, offset, count, data };
  }
}
