/**
 * The live loss curve of a training job, built from its jobProgress metrics as they come, and
 * scaled into an SVG box. Pure: tested without a browser.
 */
import type { ModelSummary } from '../../../../shared/contract';

export interface EpochPoint {
  epoch: number;
  /** Mean training loss over the epoch so far (final once the next epoch starts). */
  loss: number | null;
  valLoss: number | null;
}

const num = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/**
 * Fold one progress message into the points. The trainer reports, during epoch e's batches, the
 * running loss of epoch e and the validation loss of the last finished epoch (e - 1): validation
 * runs only at an epoch's end. So valLoss is filed under e - 1. Points are never dropped.
 */
export function addProgressPoint(
  points: readonly EpochPoint[],
  metrics: Record<string, number | null> | undefined,
): readonly EpochPoint[] {
  const epoch = num(metrics?.epoch);
  // Epoch 0 is the stamp cache and the evaluation phases: nothing to draw.
  if (!metrics || epoch === null || epoch < 1) return points;
  const loss = num(metrics.loss);
  const valLoss = num(metrics.valLoss);
  const next = points.map((p) => ({ ...p }));
  const at = (e: number): EpochPoint => {
    let p = next.find((q) => q.epoch === e);
    if (!p) {
      p = { epoch: e, loss: null, valLoss: null };
      next.push(p);
      next.sort((a, b) => a.epoch - b.epoch);
    }
    return p;
  };
  if (loss !== null) at(epoch).loss = loss;
  if (valLoss !== null && epoch > 1) at(epoch - 1).valLoss = valLoss;
  return next;
}

/** The finished version's own record of its epochs replaces the live approximation. */
export function pointsFromCurves(curves: ModelSummary['curves']): EpochPoint[] {
  return curves.map((c) => ({ epoch: c.epoch, loss: num(c.loss), valLoss: num(c.valLoss) }));
}

export interface ChartBox {
  width: number;
  height: number;
  /** Room left for the axis labels. */
  padLeft: number;
  padBottom: number;
}

export interface ScaledChart {
  loss: string;
  valLoss: string;
  /** Points as drawn (so single points show as dots, not invisible one-point lines). */
  lossDots: { x: number; y: number }[];
  valDots: { x: number; y: number }[];
  yMin: number;
  yMax: number;
  xMax: number;
}

/**
 * x: epoch 1..maxEpochs across the box (so the chart does not rescale as epochs arrive);
 * y: from the lowest to the highest loss seen, with a little margin, high values at the top.
 */
export function scaleLossChart(points: readonly EpochPoint[], maxEpochs: number, box: ChartBox): ScaledChart {
  const values = points.flatMap((p) => [p.loss, p.valLoss]).filter((v): v is number => v !== null);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const span = hi - lo || Math.max(Math.abs(hi), 1) * 0.1;
  const yMin = Math.max(0, lo - span * 0.05);
  const yMax = hi + span * 0.05;
  const xMax = Math.max(1, maxEpochs, ...points.map((p) => p.epoch));
  const plotW = box.width - box.padLeft;
  const plotH = box.height - box.padBottom;
  const x = (epoch: number) => box.padLeft + (xMax === 1 ? plotW / 2 : ((epoch - 1) / (xMax - 1)) * plotW);
  const y = (v: number) => plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const dots = (pick: (p: EpochPoint) => number | null) =>
    points.filter((p) => pick(p) !== null).map((p) => ({ x: round(x(p.epoch)), y: round(y(pick(p)!)) }));
  const lossDots = dots((p) => p.loss);
  const valDots = dots((p) => p.valLoss);
  const line = (d: { x: number; y: number }[]) => d.map((p) => `${p.x},${p.y}`).join(' ');
  return { loss: line(lossDots), valLoss: line(valDots), lossDots, valDots, yMin, yMax, xMax };
}

const round = (v: number) => Math.round(v * 10) / 10;
