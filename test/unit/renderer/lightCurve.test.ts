import { describe, expect, it } from 'vitest';
import type { ContextSummary, LightCurvePoint } from '../../../src/shared/context';
import type { CandidateRow } from '../../../src/shared/contract';
import {
  bandColour,
  epochNeighbour,
  niceTicks,
  scaleLightCurve,
} from '../../../src/renderer/src/desk/lightcurve/lightCurveModel';
import { DEFAULT_FILTER, filterRows, matchesContext } from '../../../src/renderer/src/desk/queue/queueModel';
import { row } from './rows';

const BOX = { width: 200, height: 100, padLeft: 20, padRight: 0, padTop: 0, padBottom: 20 };

const pt = (p: Partial<LightCurvePoint> & Pick<LightCurvePoint, 'band' | 'time'>): LightCurvePoint => ({
  mag: null,
  magErr: null,
  limit: null,
  flux: null,
  fluxErr: null,
  kind: 'detection',
  negative: false,
  candidateId: null,
  night: null,
  ...p,
});

describe('the light-curve chart geometry', () => {
  const curve = [
    pt({ band: 'g', time: 100, kind: 'limit', limit: 20.5 }),
    pt({ band: 'g', time: 102, mag: 18, magErr: 0.1, candidateId: 'a' }),
    pt({ band: 'r', time: 104, mag: 17, magErr: 0.05, candidateId: 'b' }),
    pt({ band: 'g', time: 110, mag: 19, magErr: 0.1 }),
  ];

  it('inverts the magnitude axis: brighter is higher; limits sit at their limiting magnitude', () => {
    const plot = scaleLightCurve(curve, { id: 'b', time: 104 }, BOX)!;
    expect(plot.mode).toBe('mag');
    const [lim, g18, r17, g19] = plot.marks;
    expect(r17.y).toBeLessThan(g18.y);
    expect(g18.y).toBeLessThan(g19.y);
    expect(g19.y).toBeLessThan(lim.y);
    expect(lim.kind).toBe('limit');
    expect(lim.err).toBeNull();
    expect(r17.current).toBe(true);
    expect(plot.currentX).toBeCloseTo(r17.x, 9);
    expect(plot.bands).toEqual(['g', 'r']);
    // Time runs left to right inside the plot area.
    expect(lim.x).toBeGreaterThanOrEqual(BOX.padLeft);
    expect(g19.x).toBeLessThanOrEqual(BOX.width);
    expect(lim.x).toBeLessThan(g18.x);
  });

  it('no chart for a lone epoch (no clutter where nothing is known)', () => {
    expect(scaleLightCurve([curve[1]], { id: 'a', time: 102 }, BOX)).toBeNull();
    expect(scaleLightCurve([], { id: 'a', time: null }, BOX)).toBeNull();
  });

  it('flux against time when the curve has flux only (Rubin forced photometry)', () => {
    const plot = scaleLightCurve(
      [
        pt({ band: 'r', time: 1, kind: 'forced', flux: -50, fluxErr: 90 }),
        pt({ band: 'r', time: 2, kind: 'forced', flux: 1000, fluxErr: 90 }),
      ],
      { id: 'x', time: 3 },
      BOX,
    )!;
    expect(plot.mode).toBe('flux');
    expect(plot.marks[1].y).toBeLessThan(plot.zeroY!);
    expect(plot.marks[0].y).toBeGreaterThan(plot.zeroY!);
  });

  it('ticks are round numbers covering the range; band colours differ per theme', () => {
    expect(niceTicks(99.5, 110.5)).toEqual([100, 102, 104, 106, 108, 110]);
    expect(niceTicks(16.8, 20.7)).toEqual([17, 18, 19, 20]);
    expect(bandColour('g', 'dark')).not.toBe(bandColour('g', 'light'));
    expect(bandColour('g', 'dark')).not.toBe(bandColour('r', 'dark'));
  });
});

const ctx = (p: Partial<ContextSummary>): ContextSummary => ({
  object: 'o',
  detections: 1,
  firstDetection: null,
  peakMag: null,
  asteroid: false,
  nearStar: false,
  rising: false,
  best: true,
  ...p,
});
const withCtx = (r: CandidateRow, c: Partial<ContextSummary>): CandidateRow => ({ ...r, context: ctx(c) });

describe('queue filters on the context', () => {
  const rows = [
    withCtx(row('a1', 0.9, { mjd: 100 }), { object: 'A', firstDetection: 100, rising: true, best: true }),
    withCtx(row('a2', 0.2, { mjd: 105 }), { object: 'A', firstDetection: 100, best: false }),
    withCtx(row('s', 0.5, { mjd: 105 }), { object: 'S', nearStar: true, asteroid: true, firstDetection: 90 }),
    row('lone', 0.1, { mjd: 105 }),
  ];
  const ids = (f: Partial<typeof DEFAULT_FILTER>) =>
    filterRows(rows, () => undefined, { ...DEFAULT_FILTER, ...f }).map((r) => r.id);

  it('known asteroid, near a star, rising, new this night', () => {
    expect(ids({ context: 'asteroid' })).toEqual(['s']);
    expect(ids({ context: 'star' })).toEqual(['s']);
    expect(ids({ context: 'rising' })).toEqual(['a1']);
    // a1 is its object's first detection; a2 came five days later; s was seen 15 days before.
    expect(ids({ context: 'new' })).toEqual(['a1', 'lone']);
    expect(matchesContext(rows[3], 'rising')).toBe(false);
  });

  it('one row per object keeps the best-scored candidate of each', () => {
    expect(ids({ objects: true })).toEqual(['a1', 's', 'lone']);
    expect(ids({})).toEqual(['a1', 'a2', 's', 'lone']);
  });

  it('epoch keys step through the same object by time', () => {
    expect(epochNeighbour(rows, rows[0], 1)).toBe('a2');
    expect(epochNeighbour(rows, rows[1], -1)).toBe('a1');
    expect(epochNeighbour(rows, rows[1], 1)).toBeNull();
    expect(epochNeighbour(rows, rows[3], 1)).toBeNull();
  });
});
