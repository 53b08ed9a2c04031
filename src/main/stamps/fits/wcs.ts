import type { FitsHeader } from './header';

const D2R = Math.PI / 180;
const R2D = 180 / Math.PI;

function num(h: FitsHeader, key: string): number | undefined {
  const v = h.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Linear part of the WCS: CD, else PC x CDELT, else CDELT with CROTA2 (the old AIPS convention). */
function linearMatrix(h: FitsHeader): [number, number, number, number] | undefined {
  if (['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].some((k) => h.has(k))) {
    return [num(h, 'CD1_1') ?? 0, num(h, 'CD1_2') ?? 0, num(h, 'CD2_1') ?? 0, num(h, 'CD2_2') ?? 0];
  }
  const c1 = num(h, 'CDELT1');
  const c2 = num(h, 'CDELT2');
  if (c1 === undefined || c2 === undefined) return undefined;
  if (['PC1_1', 'PC1_2', 'PC2_1', 'PC2_2'].some((k) => h.has(k)) || !h.has('CROTA2')) {
    const [p11, p12, p21, p22] = [
      num(h, 'PC1_1') ?? 1,
      num(h, 'PC1_2') ?? 0,
      num(h, 'PC2_1') ?? 0,
      num(h, 'PC2_2') ?? 1,
    ];
    return [c1 * p11, c1 * p12, c2 * p21, c2 * p22];
  }
  const r = (num(h, 'CROTA2') ?? 0) * D2R;
  return [c1 * Math.cos(r), -c2 * Math.sin(r), c1 * Math.sin(r), c2 * Math.cos(r)];
}

/** SIP (CTYPE ...-TAN-SIP): polynomial distortion of the pixel offsets, applied before CD. */
function sip(h: FitsHeader, u: number, v: number): [number, number] {
  const poly = (p: 'A' | 'B'): number => {
    const order = num(h, `${p}_ORDER`) ?? 0;
    let s = 0;
    for (let i = 0; i <= order; i++)
      for (let j = 0; i + j <= order; j++) s += (num(h, `${p}_${i}_${j}`) ?? 0) * u ** i * v ** j;
    return s;
  };
  return [u + poly('A'), v + poly('B')];
}

/** TPV: the SCAMP polynomial on intermediate coordinates (degrees), terms 0..10 (order 3). */
function tpv(h: FitsHeader, x: number, y: number): [number, number] {
  const r = Math.hypot(x, y);
  const t = (a: number, b: number) => [1, a, b, r, a * a, a * b, b * b, a ** 3, a * a * b, a * b * b, b ** 3];
  const apply = (axis: 1 | 2, terms: number[]): number =>
    terms.reduce((s, term, k) => s + (num(h, `PV${axis}_${k}`) ?? (k === 1 ? 1 : 0)) * term, 0);
  // PV2 uses the same terms with x and y swapped (the TPV definition).
  return [apply(1, t(x, y)), apply(2, t(y, x))];
}

/**
 * Sky position (degrees) of FITS pixel (x, y), 1-based, for a celestial TAN/TPV/TAN-SIP WCS; undefined
 * for anything else (so that a wrong position is never returned). The TAN inverse is the general
 * zenithal one of Calabretta & Greisen 2002, honouring LONPOLE.
 */
export function pixelToSky(h: FitsHeader, x: number, y: number): { ra: number; dec: number } | undefined {
  const t1 = String(h.get('CTYPE1') ?? '').toUpperCase();
  const t2 = String(h.get('CTYPE2') ?? '').toUpperCase();
  const raFirst = t1.startsWith('RA--') && t2.startsWith('DEC-');
  if (!raFirst && !(t1.startsWith('DEC-') && t2.startsWith('RA--'))) return undefined;
  const proj = t1.slice(5);
  if (proj !== t2.slice(5) || !['TAN', 'TPV', 'TAN-SIP'].includes(proj)) return undefined;
  const m = linearMatrix(h);
  const crval1 = num(h, 'CRVAL1');
  const crval2 = num(h, 'CRVAL2');
  if (!m || crval1 === undefined || crval2 === undefined) return undefined;
  let [u, v] = [x - (num(h, 'CRPIX1') ?? 0), y - (num(h, 'CRPIX2') ?? 0)];
  if (proj === 'TAN-SIP') [u, v] = sip(h, u, v);
  let xi = m[0] * u + m[1] * v;
  let eta = m[2] * u + m[3] * v;
  if (proj === 'TPV') [xi, eta] = tpv(h, xi, eta);
  if (!raFirst) [xi, eta] = [eta, xi];
  const [a0, d0] = raFirst ? [crval1 * D2R, crval2 * D2R] : [crval2 * D2R, crval1 * D2R];
  const phiP = (num(h, 'LONPOLE') ?? 180) * D2R;
  // Native spherical coordinates of the gnomonic projection.
  const r = Math.hypot(xi, eta);
  const phi = r === 0 ? 0 : Math.atan2(xi, -eta);
  const theta = Math.atan2(R2D, r);
  const dphi = phi - phiP;
  const ra =
    a0 +
    Math.atan2(
      -Math.cos(theta) * Math.sin(dphi),
      Math.sin(theta) * Math.cos(d0) - Math.cos(theta) * Math.sin(d0) * Math.cos(dphi),
    );
  const dec = Math.asin(Math.sin(theta) * Math.sin(d0) + Math.cos(theta) * Math.cos(d0) * Math.cos(dphi));
  return { ra: (((ra * R2D) % 360) + 360) % 360, dec: dec * R2D };
}
