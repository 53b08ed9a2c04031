import { crc32, inflateRawSync } from 'node:zlib';
import { uncompress as snappyUncompress } from 'snappyjs';

/** Codecs of the Avro spec we can read; others (zstandard, bzip2, xz) are refused by name. */
export const SUPPORTED_CODECS = ['null', 'deflate', 'snappy'] as const;

export function isSupportedCodec(codec: string): boolean {
  return (SUPPORTED_CODECS as readonly string[]).includes(codec);
}

/**
 * Largest inflated block. An alert is ~100 kB and a block holds a handful: anything past this is a
 * decompression bomb (a 1 MB deflate block can claim gigabytes) and is refused before it is all in memory.
 */
export const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

/** Throws with a plain message; the caller adds file and block. */
export function decompressBlock(codec: string, data: Uint8Array, maxBytes = MAX_BLOCK_BYTES): Uint8Array {
  switch (codec) {
    case 'null':
      return data;
    case 'deflate':
      // Avro's deflate is raw RFC 1951 (no zlib header), hence inflateRaw.
      try {
        return inflateRawSync(data, { maxOutputLength: maxBytes });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError)
          throw new Error(
            `the block inflates past the ${maxBytes / 2 ** 20} MiB cap (a decompression bomb?)`,
          );
        throw e;
      }
    case 'snappy': {
      // Avro's snappy block is the raw snappy stream followed by a 4-byte big-endian CRC32
      // of the uncompressed bytes.
      if (data.length < 4) throw new Error(`snappy block too short (${data.length} bytes) to hold its CRC32`);
      const body = data.subarray(0, data.length - 4);
      const tail = data.subarray(data.length - 4);
      const expected = ((tail[0] << 24) | (tail[1] << 16) | (tail[2] << 8) | tail[3]) >>> 0;
      let out: Uint8Array;
      try {
        // The snappy stream states its length up front; snappyjs allocates it, so cap it first.
        out = snappyUncompress(body, maxBytes);
      } catch (e) {
        throw new Error(`snappy decompression failed: ${(e as Error).message}`);
      }
      const actual = crc32(out) >>> 0;
      if (actual !== expected) {
        throw new Error(
          `snappy CRC32 mismatch (stored 0x${expected.toString(16).padStart(8, '0')}, computed 0x${actual.toString(16).padStart(8, '0')})`,
        );
      }
      return out;
    }
    default:
      throw new Error(`unsupported codec '${codec}'`);
  }
}
