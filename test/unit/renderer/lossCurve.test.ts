import { describe, expect, it } from 'vitest';
import {
  addProgressPoint,
  scaleLossChart,
  type EpochPoint,
} from '../../../src/renderer/src/desk/model/lossCurve';

const BOX = { width: 110, height: 60, padLeft: 10, padBottom: 10 };

describe('the live loss curve', () => {
  it('keeps one point per epoch, the latest running loss, and files valLoss under the finished epoch', () => {
    let pts: readonly EpochPoint[] = [];
    // The stamp cache phase (epoch 0) draws nothing.
    pts = addProgressPoint(pts, { epoch: 0, maxEpochs: 3, loss: null, valLoss: null });
    expect(pts).toEqual([]);
    pts = addProgressPoint(pts, { epoch: 1, loss: 0.9, valLoss: null });
    pts = addProgressPoint(pts, { epoch: 1, loss: 0.8, valLoss: null });
    expect(pts).toEqual([{ epoch: 1, loss: 0.8, valLoss: null }]);
    // During epoch 2 the trainer reports epoch 1's validation loss.
    pts = addProgressPoint(pts, { epoch: 2, loss: 0.7, valLoss: 0.85 });
    expect(pts).toEqual([
      { epoch: 1, loss: 0.8, valLoss: 0.85 },
      { epoch: 2, loss: 0.7, valLoss: null },
    ]);
    // Nothing is lost to a message without metrics.
    expect(addProgressPoint(pts, undefined)).toBe(pts);
  });

  it('scales epochs 1..max across the box and the loss range top to bottom', () => {
    const c = scaleLossChart(
      [
        { epoch: 1, loss: 1, valLoss: 0.5 },
        { epoch: 3, loss: 0, valLoss: null },
      ],
      3,
      BOX,
    );
    // y range: 0..1 with a 5% margin (not below 0).
    expect(c.yMin).toBe(0);
    expect(c.yMax).toBeCloseTo(1.05);
    expect(c.xMax).toBe(3);
    expect(c.lossDots[0].x).toBe(10);
    expect(c.lossDots[1].x).toBe(110);
    // Highest loss near the top, 0 at the bottom of the plot (height - padBottom).
    expect(c.lossDots[0].y).toBeCloseTo(50 - 50 / 1.05, 0);
    expect(c.lossDots[1].y).toBe(50);
    expect(c.valDots).toHaveLength(1);
    expect(c.loss.split(' ')).toHaveLength(2);
  });

  it('does not rescale x as epochs arrive, and copes with one point or none', () => {
    const one = scaleLossChart([{ epoch: 1, loss: 0.5, valLoss: null }], 10, BOX);
    expect(one.lossDots[0].x).toBe(10);
    expect(Number.isFinite(one.lossDots[0].y)).toBe(true);
    const none = scaleLossChart([], 0, BOX);
    expect(none.loss).toBe('');
    expect(none.xMax).toBe(1);
  });
});
