import { LossChart } from './LossChart';
import { formatEta } from './lossCurve';
import type { TrainingRun } from './modelStore';

/** Epoch x/N, the loss chart, samples/s and ETA of the running job, and its Cancel. */
export function TrainingProgress(props: { run: TrainingRun; onCancel: () => void; pending: boolean }) {
  const { run, onCancel, pending } = props;
  const m = run.progress?.metrics ?? {};
  const maxEpochs = m.maxEpochs ?? 0;
  const epoch = m.epoch ?? 0;
  const rate = m.samplesPerSecond ?? run.progress?.rate ?? null;
  return (
    <section className="panel-section" aria-label="training" data-testid="training">
      <h3>Training</h3>
      <p className="training-line" aria-live="polite">
        <span data-testid="training-epoch" data-epoch={epoch} data-max={maxEpochs}>
          epoch {epoch}/{maxEpochs || '?'}
        </span>
        <span>{rate !== null && rate > 0 ? `${rate.toFixed(0)} samples/s` : ''}</span>
        <span>ETA {formatEta(run.progress?.etaSeconds ?? null)}</span>
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
