/**
 * The light-curve chart as pure geometry: which points, where, in which colour. Magnitudes are
 * drawn with the axis inverted (brighter up), limits as open triangles pointing down (fainter than
 * this); a curve with flux only (Rubin forced photometry) is drawn as flux against time instead.
 */
import type { LightCurvePoint } from '../../../../shared/context';
import type { CandidateRow } from '../../../../shared/contract';

export interface PlotBox {
  width: number;
  height: number;
  padLeft: number;
  padRight: number;
  padTop: number;
  padBottom: number;
}

export interface PlotMark {
  x: number;
  y: number;
  band: string;
  kind: LightCurvePoint['kind'];
  /** Error bar ends (y), where the point has an error. */
  err: [number, number] | null;
  current: boolean;
  negative: boolean;
  candidateId: string | null;
  time: number;
  value: number;
}

export interface Tick {
  at: number;
  label: string;
}

export interface LightCurvePlot {
  mode: 'mag' | 'flux';
  marks: PlotMark[];
  xTicks: Tick[];
  yTicks: Tick[];
  /** x of the current epoch, when it is on the chart. */
  currentX: number | null;
  bands: string[];
  /** Points that cannot be drawn in this mode (flux-only points on a magnitude chart). */
  hidden: number;
  /** y of zero flux (flux mode). */
  zeroY: number | null;
}

/** Colours per band, chosen to read on both the dark and the light panel. */
const BAND_COLOURS: Record<'dark' | 'light', Record<string, string>> = {
  dark: {
    u: '#b48cff',
    g: '#4cc96a',
    r: '#ff6b6b',
    i: '#ffb347',
    z: '#c9a0dc',
    y: '#e0d060',
    o: '#ff9f40',
    c: '#40c8e0',
    J: '#e07bd0',
    H: '#9ad0ff',
    Hs: '#9ad0ff',
    Y: '#f0e68c',
    K: '#d2a679',
  },
  light: {
    u: '#6a3fc0',
    g: '#1b8a3a',
    r: '#c62828',
    i: '#c76a00',
    z: '#7b3f9e',
    y: '#8a7a00',
    o: '#d06000',
    c: '#00809a',
    J: '#a0307f',
    H: '#1f5fa0',
    Hs: '#1f5fa0',
    Y: '#7a6a00',
    K: '#8a5a2b',
  },
};
const FALLBACK: Record<'dark' | 'light', string[]> = {
  dark: ['#d8dee6', '#8fbcbb', '#ebcb8b'],
  light: ['#1c2330', '#3b6e6d', '#8a6a10'],
};

export function bandColour(band: string, theme: 'dark' | 'light', order: readonly string[] = []): string {
  const known = BAND_COLOURS[theme][band];
  if (known) return known;
  const i = Math.max(0, order.indexOf(band));
  return FALLBACK[theme][i % FALLBACK[theme].length];
}

/** Round steps (1, 2, 5 x 10^k) giving about `want` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, want = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / want;
  const p = 10 ** Math.floor(Math.log10(raw));
  // The round step whose tick count comes nearest to the one wanted.
  const step = [0.5, 1, 2, 5, 10]
    .map((m) => m * p)
    .reduce((best, s) => (Math.abs((hi - lo) / s - want) < Math.abs((hi - lo) / best - want) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function valueOf(p: LightCurvePoint, mode: 'mag' | 'flux'): number | null {
  if (mode === 'flux') return p.flux;
  return p.kind === 'limit' ? p.limit : p.mag;
}

/**
 * The chart of an object's light curve, or null when there is nothing beyond the current epoch
 * to draw (the desk then shows no chart at all).
 */
export function scaleLightCurve(
  points: readonly LightCurvePoint[],
  current: { id: string; time: number | null },
  box: PlotBox,
): LightCurvePlot | null {
  const magPoints = points.filter((p) => valueOf(p, 'mag') !== null);
  const mode: 'mag' | 'flux' = magPoints.length >= 2 ? 'mag' : 'flux';
  const drawn = points.filter((p) => valueOf(p, mode) !== null);
  if (drawn.length < 2) return null;
  const times = drawn.map((p) => p.time);
  if (current.time !== null) times.push(current.time);
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  const tPad = Math.max(0.5, (t1 - t0) * 0.04);
  t0 -= tPad;
  t1 += tPad;
  const vals: number[] = [];
  for (const p of drawn) {
    const v = valueOf(p, mode)!;
    const e = mode === 'mag' ? (p.kind === 'limit' ? 0 : (p.magErr ?? 0)) : (p.fluxErr ?? 0);
    vals.push(v - e, v + e);
  }
  if (mode === 'flux') vals.push(0);
  let v0 = Math.min(...vals);
  let v1 = Math.max(...vals);
  const vPad = Math.max(mode === 'mag' ? 0.2 : 1, (v1 - v0) * 0.06);
  v0 -= vPad;
  v1 += vPad;
  const plotW = box.width - box.padLeft - box.padRight;
  const plotH = box.height - box.padTop - box.padBottom;
  const x = (t: number) => box.padLeft + ((t - t0) / (t1 - t0)) * plotW;
  // Magnitudes: brighter (smaller) up. Flux: larger up.
  const y = (v: number) =>
    mode === 'mag'
      ? box.padTop + ((v - v0) / (v1 - v0)) * plotH
      : box.padTop + ((v1 - v) / (v1 - v0)) * plotH;
  const bands = [...new Set(drawn.map((p) => p.band))].sort();
  const marks: PlotMark[] = drawn.map((p) => {
    const v = valueOf(p, mode)!;
    const e = mode === 'mag' ? (p.kind === 'limit' ? null : p.magErr) : p.fluxErr;
    return {
      x: x(p.time),
      y: y(v),
      band: p.band,
      kind: p.kind,
      err: e !== null && e > 0 ? [y(v - e), y(v + e)] : null,
      current: p.candidateId === current.id,
      negative: p.negative,
      candidateId: p.candidateId,
      time: p.time,
      value: v,
    };
  });
  const decimals = (ts: number[]) => (ts.length > 1 && ts[1] - ts[0] < 1 ? 1 : 0);
  const xs = niceTicks(t0, t1, 5);
  const ys = niceTicks(v0, v1, 5);
  return {
    mode,
    marks,
    xTicks: xs.map((t) => ({ at: x(t), label: t.toFixed(decimals(xs)) })),
    yTicks: ys.map((v) => ({ at: y(v), label: v.toFixed(mode === 'mag' ? (ys[1] - ys[0] < 1 ? 1 : 0) : 0) })),
    currentX: current.time !== null ? x(current.time) : null,
    bands,
    hidden: points.length - drawn.length,
    zeroY: mode === 'flux' ? y(0) : null,
  };
}

/**
 * The candidate of the same object `delta` epochs away in this night (by time), or null. Rows
 * without a context summary are objects of their own.
 */
export function epochNeighbour(
  rows: readonly CandidateRow[],
  current: CandidateRow | null,
  delta: number,
): string | null {
  const object = current?.context?.object;
  if (!current || !object) return null;
  const same = rows
    .filter((r) => r.context?.object === object)
    .sort((a, b) => (a.meta.mjd ?? Infinity) - (b.meta.mjd ?? Infinity) || (a.id < b.id ? -1 : 1));
  const i = same.findIndex((r) => r.id === current.id);
  const j = i + delta;
  return i < 0 || j < 0 || j >= same.length ? null : same[j].id;
}
