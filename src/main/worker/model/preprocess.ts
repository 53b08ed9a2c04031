/**
 * StampTriplet -> model input, written straight into a preallocated channels-last Float32Array
 * ([N, H, W, C], C in the spec's channel order) so that a batch costs one tensor, not one per stamp.
 *
 * 'standard' (our models): crop/pad about the centre to the model size, then per image subtract the
 *   median and divide by a robust sigma (1.4826 x MAD, the normal-equivalent), over valid pixels,
 *   and clip to +-STANDARD_CLIP. Why robust statistics: stamps hold bright stars, galaxy cores and
 *   sentinel-cut edges, which would dominate a mean/std; the median/MAD follow the sky noise, so a
 *   value reads as "sigmas above the background" on every survey and exposure. Why clip at 30:
 *   the real/bogus cues (PSF-like shape, dipoles, cosmic-ray sharpness) live within a few tens of
 *   sigma; beyond that, bright cores would only dominate the batch-norm statistics and gradients.
 *   Masked and padding pixels -> 0 (the median) after normalisation; a missing template -> zeros.
 * 'braai' (ZTF braai d6_m7, see ../shared/data/README.md): per image masked (NaN) -> 0, L2-normalise
 *   each row over its columns (Keras utils.normalize(axis=-1); zero rows stay 0), then pad at the
 *   high-index end (bottom rows, right columns) to 63x63 with 1e-9. Padding comes after the row
 *   normalisation, as in the ZTF/Kowalski pipeline (np.pad after normalising), and that is what
 *   reproduces the stored drb scores (see test/unit/model/braaiReproduction.test.ts).
 */
import { MAD_TO_SIGMA, medianMadInPlace } from '../../../shared/robust';
import type { StampImage, StampTriplet } from '../../../shared/stamp';
import type { ChannelName, ModelSpec } from './architectures/spec';
import { NightScaleScratch, toNightScaleInto, type NightScale } from './injection/transform';

export const STANDARD_CLIP = 30;
const BRAAI_PAD_VALUE = 1e-9;

function imageFor(triplet: StampTriplet, channel: ChannelName): StampImage | null {
  return channel === 'search'
    ? triplet.search
    : channel === 'template'
      ? triplet.template
      : triplet.difference;
}

/** Scratch buffers reused between stamps (the median reorders a copy of the valid pixels). */
class Scratch {
  private buf = new Float32Array(0);
  get(n: number): Float32Array {
    if (this.buf.length < n) this.buf = new Float32Array(n);
    return this.buf.subarray(0, n);
  }
}
const scratch = new Scratch();
const nightScratch = new NightScaleScratch();

/**
 * Writes one image into channel `c` of the output stamp at `base` (NHWC, stride `channels`), whose
 * pixels the caller has zeroed: padding and masked pixels are left at 0, so only the image's own
 * valid pixels are written (one memset per stamp is cheaper than strided zeros per channel).
 * Centre crop/pad: the offset keeps the stamp centre on the model centre for odd and even sizes.
 */
function writeStandard(
  img: StampImage | null,
  out: Float32Array,
  base: number,
  c: number,
  channels: number,
  [th, tw]: [number, number],
): void {
  // Padding, masked pixels and a missing image all read as 0.
  if (!img) return;
  const y0 = Math.floor((img.height - th) / 2); // source row of target row 0 (negative = padding)
  const x0 = Math.floor((img.width - tw) / 2);
  const rowStart = Math.max(0, -y0);
  const rowEnd = Math.min(th, img.height - y0);
  const colStart = Math.max(0, -x0);
  const colEnd = Math.min(tw, img.width - x0);
  const { data, mask } = img;

  // Robust statistics over the valid pixels that the model will see.
  const values = scratch.get(th * tw);
  let n = 0;
  for (let r = rowStart; r < rowEnd; r++) {
    const src = (r + y0) * img.width + x0;
    for (let col = colStart; col < colEnd; col++) {
      if (mask[src + col]) values[n++] = data[src + col];
    }
  }
  if (n === 0) return;
  const valid = values.subarray(0, n);
  // Selection, not a sort: the two medians per image are most of preprocessing time. `valid`
  // holds the absolute deviations afterwards.
  const { median: med, mad } = medianMadInPlace(valid);
  let sigma = MAD_TO_SIGMA * mad;
  if (!(sigma > 0)) {
    // More than half the pixels equal (flat or heavily quantised image): fall back to the mean
    // absolute deviation, then to 1, so that the image is at least centred.
    let sum = 0;
    for (let i = 0; i < n; i++) sum += valid[i];
    sigma = sum > 0 ? (1.2533 * sum) / n : 1;
  }
  const inv = 1 / sigma;
  for (let r = rowStart; r < rowEnd; r++) {
    const dst = base + r * tw * channels + c;
    const src = (r + y0) * img.width + x0;
    for (let col = colStart; col < colEnd; col++) {
      if (!mask[src + col]) continue;
      const v = (data[src + col] - med) * inv;
      out[dst + col * channels] = v > STANDARD_CLIP ? STANDARD_CLIP : v < -STANDARD_CLIP ? -STANDARD_CLIP : v;
    }
  }
}

/** braai: rows L2-normalised over the true width, then the 1e-9 padding at the high-index end. */
function writeBraai(
  img: StampImage | null,
  out: Float32Array,
  base: number,
  c: number,
  channels: number,
  [th, tw]: [number, number],
): void {
  for (let i = 0; i < th * tw; i++) out[base + i * channels + c] = BRAAI_PAD_VALUE;
  if (!img) {
    // braai never sees a missing template (ZTF always sends one); zeros are the closest analogue.
    for (let i = 0; i < th * tw; i++) out[base + i * channels + c] = 0;
    return;
  }
  // Larger stamps than the model (not seen in ZTF) are cut at the high-index end, mirroring the padding.
  const rows = Math.min(img.height, th);
  const cols = Math.min(img.width, tw);
  for (let r = 0; r < rows; r++) {
    const src = r * img.width;
    let sumSq = 0;
    // Keras normalises the full row of the stored image, masked pixels counting as 0.
    for (let col = 0; col < img.width; col++) {
      if (img.mask[src + col]) sumSq += img.data[src + col] * img.data[src + col];
    }
    const norm = Math.sqrt(sumSq);
    const inv = norm > 0 ? 1 / norm : 0;
    const dst = base + r * tw * channels + c;
    for (let col = 0; col < cols; col++) {
      out[dst + col * channels] = img.mask[src + col] ? img.data[src + col] * inv : 0;
    }
  }
}

/** Number of floats one stamp occupies in a batch buffer. */
export function stampInputLength(spec: ModelSpec): number {
  return spec.inputSize[0] * spec.inputSize[1] * spec.channels.length;
}

/**
 * Writes one triplet at position `index` of a batch buffer laid out [N, H, W, C]. For the standard
 * preprocessing, `scale` first brings the night's stamps to what the models learnt (see seeing.ts):
 * a template blur to the search images' seeing, then a resampling by its zoom (< 1: a coarser pixel
 * scale); a number is a zoom alone. braai takes ZTF's stamps as they come.
 */
export function preprocessInto(
  spec: ModelSpec,
  triplet: StampTriplet,
  out: Float32Array,
  index: number,
  scale: NightScale | number = 1,
): void {
  const channels = spec.channels.length;
  const length = stampInputLength(spec);
  const base = index * length;
  if (base + length > out.length) {
    throw new RangeError(`batch buffer too small for stamp ${index} (${out.length} floats)`);
  }
  if (spec.preprocessing === 'braai') {
    spec.channels.forEach((name, c) =>
      writeBraai(imageFor(triplet, name), out, base, c, channels, spec.inputSize),
    );
    return;
  }
  // The images are used up below, before the next stamp reuses their buffers.
  triplet = toNightScaleInto(triplet, scale, nightScratch);
  out.fill(0, base, base + length);
  spec.channels.forEach((name, c) =>
    writeStandard(imageFor(triplet, name), out, base, c, channels, spec.inputSize),
  );
}

/**
 * Fills (or allocates) a batch buffer for `triplets`; pass `out` to reuse one buffer across batches
 * (`scale`: see preprocessInto).
 * Make the tensor with tf.tensor4d(out.subarray(0, n * stampInputLength(spec)), [n, H, W, C]).
 */
export function preprocessBatch(
  spec: ModelSpec,
  triplets: readonly StampTriplet[],
  out?: Float32Array,
  scale: NightScale | number = 1,
): Float32Array {
  const buffer = out ?? new Float32Array(triplets.length * stampInputLength(spec));
  triplets.forEach((t, i) => preprocessInto(spec, t, buffer, i, scale));
  return buffer;
}
