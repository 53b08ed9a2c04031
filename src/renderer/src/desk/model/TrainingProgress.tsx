import { useRef } from 'react';
import { LossChart } from './LossChart';
import type { TrainingRun } from './modelStore';
import { formatTrainingEta, trainingEta } from './trainingEta';

/** Wall seconds of each completed epoch, from when the desk saw each epoch begin. */
function useEpochSeconds(jobId: string, epoch: number): number[] {
  const seen = useRef<{ jobId: string; starts: Map<number, number> }>({ jobId, starts: new Map() });
  if (seen.current.jobId !== jobId) seen.current = { jobId, starts: new Map() };
  const starts = seen.current.starts;
  if (epoch > 0 && !starts.has(epoch)) starts.set(epoch, performance.now());
  const out: number[] = [];
  const first = Math.min(...starts.keys());
  for (const [e, t] of starts) {
    const next = starts.get(e + 1);
    // An epoch first seen half-way (the panel opened mid-epoch) is not a whole epoch.
    if (next !== undefined && (e !== first || e === 1)) out.push((next - t) / 1000);
  }
  return out;
}

/** Epoch x/N, the loss chart, samples/s, time per epoch and the range left, and its Cancel. */
export function TrainingProgress(props: { run: TrainingRun; onCancel: () => void; pending: boolean }) {
  const { run, onCancel, pending } = props;
  const m = run.progress?.metrics ?? {};
  const maxEpochs = m.maxEpochs ?? 0;
  const epoch = m.epoch ?? 0;
  const rate = m.samplesPerSecond ?? run.progress?.rate ?? null;
  const epochSeconds = useEpochSeconds(run.jobId, epoch);
  const eta = trainingEta({
    epoch,
    maxEpochs,
    done: run.progress?.done ?? 0,
    total: run.progress?.total ?? 0,
    samplesPerSecond: rate,
    epochSeconds,
  });
  return (
    <section className="panel-section" aria-label="training" data-testid="training">
      <h3>Training</h3>
      <p className="training-line" aria-live="polite">
        <span data-testid="training-epoch" data-epoch={epoch} data-max={maxEpochs}>
          epoch {epoch}/{maxEpochs || '?'}
        </span>
        <span>{rate !== null && rate > 0 ? `${rate.toFixed(0)} samples/s` : ''}</span>
        <span data-testid="training-eta">{formatTrainingEta(eta)}</span>
      </p>
      <p className="muted small">{run.progress?.message ?? 'starting the compute worker...'}</p>
      <LossChart points={run.points} maxEpochs={maxEpochs} />
      <p className="muted small">Keep vetting: training runs in a worker process, not in this window.</p>
      <button type="button" onClick={onCancel} disabled={pending} data-testid="train-cancel">
        Cancel training
      </button>
    </section>
  );
}
