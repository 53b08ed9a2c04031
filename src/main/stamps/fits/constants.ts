/** FITS files are made of 2880-byte logical records; headers of 80-byte ASCII cards. */
export const BLOCK = 2880;
export const CARD = 80;

/** Default caps: a stamp is a few kB, so these only stop bombs and lies, never real inputs. */
export const DEFAULT_MAX_INFLATED_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 50_000_000;

export const VALID_BITPIX: readonly number[] = [8, 16, 32, 64, -32, -64];

/** Above this a NAXISn value is a lie or corruption, not an image (astropy also rejects it). */
export const MAX_AXIS_LENGTH = 2 ** 31 - 1;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
