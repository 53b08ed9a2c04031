/**
 * GIF stamps, as in the public autoscan release: 8-bit greyscale renderings, so the values are
 * display levels (0-255), not fluxes. Decoded with omggif (no native code, long-stable).
 */
import { GifReader } from 'omggif';
import type { StampImage } from '../../../shared/stamp';

export function readGifStamp(bytes: Uint8Array, file: string): StampImage {
  let reader: GifReader;
  try {
    reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new Error(`${file}: not a readable GIF (${(e as Error).message})`);
  }
  const { width, height } = reader;
  if (width * height > 4_000_000)
    throw new Error(`${file}: GIF of ${width}x${height} is too large for a stamp`);
  const rgba = new Uint8Array(width * height * 4);
  try {
    reader.decodeAndBlitFrameRGBA(0, rgba);
  } catch (e) {
    throw new Error(`${file}: GIF image data is damaged (${(e as Error).message})`);
  }
  const n = width * height;
  const data = new Float32Array(n);
  const mask = new Uint8Array(n);
  // GIF rows run top to bottom; FITS rows bottom to top: flip so north stays up as in the FITS.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = ((height - 1 - y) * width + x) * 4;
      const dst = y * width + x;
      data[dst] = (rgba[src] + rgba[src + 1] + rgba[src + 2]) / 3;
      mask[dst] = rgba[src + 3] === 0 ? 0 : 1;
    }
  }
  return { width, height, data, mask };
}
