import { describe, expect, it } from 'vitest';
import { fmtSpan, formatTrainingEta, trainingEta } from '../../../src/renderer/src/desk/model/trainingEta';

describe('the training time left: a range and the time per epoch, not the worst case', () => {
  // 40 epochs of 1000 samples at 250 samples/s: 4 s per epoch by rate; the old ETA promised
  // (40000 - done) / rate, the full 40 epochs, for runs that early stopping ended after a few.
  const base = { maxEpochs: 40, total: 40_000, samplesPerSecond: 250 };

  it('before a whole epoch is measured: per epoch from the sample rate; ends after this epoch at the soonest', () => {
    const eta = trainingEta({ ...base, epoch: 1, done: 500, epochSeconds: [] });
    expect(eta.perEpoch).toBeCloseTo(4, 12);
    expect(eta.soonest).toBeCloseTo(2, 12); // half of epoch 1 left
    expect(eta.latest).toBeCloseTo(2 + 39 * 4, 12);
    expect(formatTrainingEta(eta)).toBe('~4 s per epoch; ends in 2 s to 2 min 38 s (early stopping decides)');
  });

  it('measured epochs (validation included) replace the rate, by their median', () => {
    const eta = trainingEta({ ...base, epoch: 5, done: 4000, epochSeconds: [6, 5, 60, 5] });
    expect(eta.perEpoch).toBe(5.5);
    expect(eta.soonest).toBeCloseTo(5.5, 12); // epoch 5 just began
    expect(eta.latest).toBeCloseTo(5.5 * 36, 12);
  });

  it('the last epoch has one end; nothing known yet says so', () => {
    const last = trainingEta({ ...base, epoch: 40, done: 39_500, epochSeconds: [4] });
    expect(formatTrainingEta(last)).toBe('~4 s per epoch; ends in ~2 s');
    expect(
      formatTrainingEta(trainingEta({ ...base, samplesPerSecond: 0, epoch: 0, done: 0, epochSeconds: [] })),
    ).toBe('time per epoch: measuring...');
  });

  it('formats spans the way people say them', () => {
    expect(fmtSpan(42.4)).toBe('42 s');
    expect(fmtSpan(200)).toBe('3 min 20 s');
    expect(fmtSpan(7322)).toBe('2 h 2 min');
  });
});
