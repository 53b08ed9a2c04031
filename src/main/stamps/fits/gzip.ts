import { gunzipSync } from 'node:zlib';
import { DEFAULT_MAX_INFLATED_BYTES, formatBytes } from './constants';
import { FitsError } from './errors';

/** gzip magic: ZTF and PGIR cutouts arrive as .fits.gz, whatever their file name says. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates gzip input, or returns plain input untouched. `maxOutputLength` makes zlib stop as soon as
 * the output passes the cap, so a bomb costs at most `cap` bytes of memory, never its full size.
 */
export function maybeInflate(
  bytes: Uint8Array,
  file: string,
  maxInflatedBytes = DEFAULT_MAX_INFLATED_BYTES,
): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxInflatedBytes });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new FitsError(
        file,
        `gzip data inflates past the ${formatBytes(maxInflatedBytes)} cap (a gzip bomb, or a far larger file than a stamp)`,
        'raise maxInflatedBytes if the file is genuine',
      );
    }
    throw new FitsError(
      file,
      `corrupt or truncated gzip data (${e.message})`,
      'download or export the file again',
    );
  }
}
