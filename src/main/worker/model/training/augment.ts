/**
 * Flips and 90-degree rotations (the 8 symmetries of the square): a supernova is a supernova
 * whichever way the CCD was read out, so these multiply the training set for free.
 * Applied in place to one square [H, W, C] sample of a batch buffer.
 */
export function applyDihedral(
  buf: Float32Array,
  offset: number,
  size: number,
  channels: number,
  k: number,
  scratch: Float32Array,
): void {
  if (k === 0) return;
  const n = size * size * channels;
  scratch.set(buf.subarray(offset, offset + n));
  const last = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sx = x;
      let sy = y;
      // k in 1..7: bit 2 = transpose, bit 1 = flip rows, bit 0 = flip columns.
      if (k & 4) [sx, sy] = [sy, sx];
      if (k & 2) sy = last - sy;
      if (k & 1) sx = last - sx;
      const dst = offset + (y * size + x) * channels;
      const src = (sy * size + sx) * channels;
      for (let c = 0; c < channels; c++) buf[dst + c] = scratch[src + c];
    }
  }
}
