/**
 * Pixel rendering for the demo generator, on square padded buffers (the stamp plus a margin, so that
 * convolution and shifted sources behave at the stamp edge). Sources are rendered only inside a
 * bounding box where they matter; Gaussian kernels are cached; buffers are reused by the caller.
 */

/** log Gamma (Lanczos, g = 7). */
function lgamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

export interface Grid {
  /** Side of the padded square buffer. */
  size: number;
  /** Margin: stamp pixel (x, y) is buffer pixel (x + pad, y + pad). */
  pad: number;
}

/**
 * Moffat PSF of total `flux` at stamp position (x, y) (pixel centres at integers), FWHM in pixels.
 * Drawn out to the radius where it falls below `floor` ADU/pixel; pixels near the core are
 * integrated on a 3x3 sub-grid.
 */
export function addMoffat(
  buf: Float64Array,
  g: Grid,
  x: number,
  y: number,
  flux: number,
  fwhm: number,
  beta: number,
  floor: number,
): void {
  if (flux === 0) return;
  const alpha = fwhm / (2 * Math.sqrt(Math.pow(2, 1 / beta) - 1));
  const i0 = (Math.abs(flux) * (beta - 1)) / (Math.PI * alpha * alpha);
  const ratio = i0 / Math.max(floor, 1e-9);
  const rMax = ratio > 1 ? alpha * Math.sqrt(Math.pow(ratio, 1 / beta) - 1) : 1.5;
  const amp = flux < 0 ? -i0 : i0;
  const bx = x + g.pad;
  const by = y + g.pad;
  const r = Math.min(Math.ceil(rMax), g.size);
  const x0 = Math.max(0, Math.floor(bx - r));
  const x1 = Math.min(g.size - 1, Math.ceil(bx + r));
  const y0 = Math.max(0, Math.floor(by - r));
  const y1 = Math.min(g.size - 1, Math.ceil(by + r));
  const ia2 = 1 / (alpha * alpha);
  const nb = -beta;
  for (let py = y0; py <= y1; py++) {
    const dy = py - by;
    for (let px = x0; px <= x1; px++) {
      const dx = px - bx;
      const rr = dx * dx + dy * dy;
      let v: number;
      if (rr < 6.25) {
        v = 0;
        for (let sy = -1; sy <= 1; sy++)
          for (let sx = -1; sx <= 1; sx++) {
            const ddx = dx + sx / 3;
            const ddy = dy + sy / 3;
            v += Math.pow(1 + (ddx * ddx + ddy * ddy) * ia2, nb);
          }
        v /= 9;
      } else v = Math.pow(1 + rr * ia2, nb);
      buf[py * g.size + px] += amp * v;
    }
  }
}

/**
 * Sersic profile (index n, half-light radius re in pixels, axis ratio q, position angle theta) of
 * total `flux`, unconvolved (convolve the layer with the PSF afterwards). Normalised analytically;
 * the core is integrated on a 5x5 sub-grid.
 */
export function addSersic(
  buf: Float64Array,
  g: Grid,
  x: number,
  y: number,
  flux: number,
  n: number,
  re: number,
  q: number,
  theta: number,
): void {
  const bn = 2 * n - 1 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
  const total = re * re * 2 * Math.PI * n * Math.exp(bn + lgamma(2 * n)) * Math.pow(bn, -2 * n) * q;
  const ie = flux / total;
  const bx = x + g.pad;
  const by = y + g.pad;
  const r = Math.min(Math.ceil(8 * re + 3), g.size);
  const ct = Math.cos(theta);
  const st = Math.sin(theta);
  const inv = 1 / n;
  const x0 = Math.max(0, Math.floor(bx - r));
  const x1 = Math.min(g.size - 1, Math.ceil(bx + r));
  const y0 = Math.max(0, Math.floor(by - r));
  const y1 = Math.min(g.size - 1, Math.ceil(by + r));
  const prof = (dx: number, dy: number): number => {
    const u = dx * ct + dy * st;
    const w = (-dx * st + dy * ct) / q;
    const rr = Math.sqrt(u * u + w * w) / re;
    return Math.exp(-bn * (Math.pow(rr, inv) - 1));
  };
  const sub = 2; // sub-sample only the cusp
  for (let py = y0; py <= y1; py++) {
    const dy = py - by;
    for (let px = x0; px <= x1; px++) {
      const dx = px - bx;
      let v: number;
      if (Math.abs(dx) < sub && Math.abs(dy) < sub) {
        v = 0;
        for (let sy = -2; sy <= 2; sy++) for (let sx = -2; sx <= 2; sx++) v += prof(dx + sx / 5, dy + sy / 5);
        v /= 25;
      } else v = prof(dx, dy);
      buf[py * g.size + px] += ie * v;
    }
  }
}

const kernelCache = new Map<number, Float64Array>();

/** Normalised 1-D Gaussian kernel (cached by sigma to 0.01 px), radius ceil(3.5 sigma). */
export function gaussianKernel(sigma: number): Float64Array {
  const key = Math.round(sigma * 100);
  let k = kernelCache.get(key);
  if (k) return k;
  const s = key / 100;
  const r = Math.max(1, Math.ceil(3.5 * s));
  k = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) {
    // Pixel-integrated via 5 sub-samples, so narrow kernels stay normalised and smooth.
    let v = 0;
    for (let j = -2; j <= 2; j++) {
      const t = i + j / 5;
      v += Math.exp((-0.5 * t * t) / (s * s));
    }
    k[i + r] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  kernelCache.set(key, k);
  return k;
}

/** Separable Gaussian convolution of `src` into `dst` (zero outside the buffer); `tmp` is scratch. */
export function convolveGaussian(
  src: Float64Array,
  dst: Float64Array,
  tmp: Float64Array,
  size: number,
  sigma: number,
): void {
  if (sigma < 0.05) {
    dst.set(src);
    return;
  }
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  for (let y = 0; y < size; y++) {
    const row = y * size;
    for (let x = 0; x < size; x++) {
      let s = 0;
      const a = Math.max(-r, -x);
      const b = Math.min(r, size - 1 - x);
      for (let i = a; i <= b; i++) s += k[i + r] * src[row + x + i];
      tmp[row + x] = s;
    }
  }
  for (let y = 0; y < size; y++) {
    const a = Math.max(-r, -y);
    const b = Math.min(r, size - 1 - y);
    for (let x = 0; x < size; x++) {
      let s = 0;
      for (let i = a; i <= b; i++) s += k[i + r] * tmp[(y + i) * size + x];
      dst[y * size + x] = s;
    }
  }
}

/**
 * A line (satellite or asteroid trail) through (x, y) at angle `theta`, Gaussian cross-section of
 * `sigma` px, `fluxPerPx` ADU per pixel of length; `halfLength` limits it (Infinity: crosses the stamp).
 */
export function addTrail(
  buf: Float64Array,
  g: Grid,
  x: number,
  y: number,
  theta: number,
  sigma: number,
  fluxPerPx: number,
  halfLength: number,
): void {
  const ct = Math.cos(theta);
  const st = Math.sin(theta);
  const norm = fluxPerPx / (Math.sqrt(2 * Math.PI) * sigma);
  const bx = x + g.pad;
  const by = y + g.pad;
  const w = 4 * sigma + 1;
  for (let py = 0; py < g.size; py++) {
    const dy = py - by;
    for (let px = 0; px < g.size; px++) {
      const dx = px - bx;
      const across = -dx * st + dy * ct;
      if (across > w || across < -w) continue;
      const along = dx * ct + dy * st;
      let taper = 1;
      const over = Math.abs(along) - halfLength;
      if (over > 0) taper = Math.exp((-0.5 * over * over) / (sigma * sigma));
      if (taper < 1e-4) continue;
      buf[py * g.size + px] += norm * taper * Math.exp((-0.5 * across * across) / (sigma * sigma));
    }
  }
}
