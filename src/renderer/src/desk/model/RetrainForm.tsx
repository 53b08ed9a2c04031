import { useState, type FormEvent } from 'react';
import type { Architecture, RetrainOptions } from './modelStore';

/** Retrain: fine-tune the active model (default) or start from scratch; compact or space2vec. */
export function RetrainForm(props: {
  labelCounts: { real: number; bogus: number; skip: number };
  hasActive: boolean;
  activeArchitecture: string | null;
  pending: boolean;
  onRetrain: (opts: RetrainOptions) => void;
}) {
  const { labelCounts, hasActive, activeArchitecture, pending, onRetrain } = props;
  const [fromScratch, setFromScratch] = useState(false);
  const [architecture, setArchitecture] = useState<Architecture>('compact');
  const [epochs, setEpochs] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const maxEpochs = Number(epochs);
    onRetrain({
      architecture,
      fromScratch: fromScratch || !hasActive,
      ...(epochs && Number.isInteger(maxEpochs) && maxEpochs > 0 ? { maxEpochs } : {}),
    });
  };
  const human = labelCounts.real + labelCounts.bogus;
  return (
    <form className="retrain-form" onSubmit={submit} aria-label="retrain">
      <p className="small">
        Your labels: {labelCounts.real} real, {labelCounts.bogus} bogus
        {labelCounts.skip ? ` (${labelCounts.skip} skipped: not trained on)` : ''}. Mixed with the labels that
        came with the data (yours win);{' '}
        {human >= 10
          ? 'a fifth of yours is held out to compare on.'
          : 'label 10 or more to hold some out for the comparison.'}
      </p>
      <fieldset>
        <legend>Start from</legend>
        <label>
          <input
            type="radio"
            name="start"
            checked={!fromScratch && hasActive}
            disabled={!hasActive}
            onChange={() => setFromScratch(false)}
          />
          fine-tune the active model
        </label>
        <label>
          <input
            type="radio"
            name="start"
            checked={fromScratch || !hasActive}
            onChange={() => setFromScratch(true)}
          />
          from scratch
        </label>
      </fieldset>
      <label>
        Architecture{' '}
        <select
          value={architecture}
          onChange={(e) => setArchitecture(e.target.value as Architecture)}
          data-testid="train-arch"
        >
          <option value="compact">compact (fast, default)</option>
          <option value="space2vec">space2vec (larger, slower)</option>
        </select>
      </label>
      <label>
        Epochs at most{' '}
        <input
          type="number"
          min={1}
          max={500}
          value={epochs}
          placeholder="default"
          onChange={(e) => setEpochs(e.target.value)}
          data-testid="train-epochs"
          className="narrow"
        />
      </label>
      {!fromScratch && hasActive && activeArchitecture !== null && activeArchitecture !== architecture && (
        <p className="small notice">
          The active model is {activeArchitecture}: a {architecture} model cannot be fine-tuned from it and
          starts from scratch.
        </p>
      )}
      <button type="submit" className="primary" disabled={pending} data-testid="retrain">
        Retrain
      </button>
    </form>
  );
}
