/**
 * How long a training run may still take, as a range, never a promise: early stopping ends most runs
 * well before `maxEpochs` (runs estimated at 12-40 min ended in 1-2.5 min), so the worst case alone
 * misleads. The lower end is the rest of the current epoch (early stopping is decided at its end),
 * the upper end every remaining epoch; the time per epoch is shown as measured. Pure.
 */
import { median } from '../../../../shared/robust';

export interface EtaInput {
  /** 1-based epoch in progress (0 before the first). */
  epoch: number;
  maxEpochs: number;
  /** Training samples done over the whole run and their total (maxEpochs x samples per epoch). */
  done: number;
  total: number;
  /** Training samples per second (the worker's figure). */
  samplesPerSecond: number | null;
  /** Wall seconds of the epochs completed so far, as the desk saw them go by. */
  epochSeconds: readonly number[];
}

export interface TrainingEta {
  /** Seconds per epoch: the median of completed epochs, else from the sample rate; null if unknown. */
  perEpoch: number | null;
  /** Seconds left if early stopping ends the run at the end of this epoch. */
  soonest: number | null;
  /** Seconds left if every remaining epoch runs. */
  latest: number | null;
}

export function trainingEta(x: EtaInput): TrainingEta {
  const perEpochSamples = x.maxEpochs > 0 ? x.total / x.maxEpochs : 0;
  const measured = x.epochSeconds.filter((s) => s > 0);
  const perEpoch =
    measured.length > 0
      ? median(measured)
      : x.samplesPerSecond && x.samplesPerSecond > 0 && perEpochSamples > 0
        ? perEpochSamples / x.samplesPerSecond
        : null;
  if (perEpoch === null || x.epoch < 1 || perEpochSamples <= 0)
    return { perEpoch, soonest: null, latest: null };
  const inEpoch = Math.min(1, Math.max(0, (x.done - (x.epoch - 1) * perEpochSamples) / perEpochSamples));
  const soonest = (1 - inEpoch) * perEpoch;
  const latest = soonest + Math.max(0, x.maxEpochs - x.epoch) * perEpoch;
  return { perEpoch, soonest, latest };
}

/** "3 min 20 s", "45 s". */
export function fmtSpan(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "~40 s per epoch; ends in 20 s to 12 min 0 s (early stopping decides)". */
export function formatTrainingEta(eta: TrainingEta): string {
  if (eta.perEpoch === null) return 'time per epoch: measuring...';
  const per = `~${fmtSpan(eta.perEpoch)} per epoch`;
  if (eta.soonest === null || eta.latest === null) return per;
  if (eta.latest - eta.soonest < 1) return `${per}; ends in ~${fmtSpan(eta.latest)}`;
  return `${per}; ends in ${fmtSpan(eta.soonest)} to ${fmtSpan(eta.latest)} (early stopping decides)`;
}
