import { useState, type FormEvent } from 'react';
import type { Architecture, RetrainOptions } from './modelStore';

/**
 * Retrain: on the labels of every night of the home (default) or of this night only, optionally
 * only nights from some surveys; fine-tune the active model (default) or start from scratch;
 * compact or space2vec. Main reads the labels from the nights' journals.
 */
export function RetrainForm(props: {
  /** This night's labels. */
  labelCounts: { real: number; bogus: number; skip: number };
  /** Labels over every night of the home (null: not known yet). */
  homeCounts: { real: number; bogus: number; skip: number; nights: number } | null;
  hasActive: boolean;
  activeArchitecture: string | null;
  pending: boolean;
  onRetrain: (opts: RetrainOptions) => void;
}) {
  const { labelCounts, homeCounts, hasActive, activeArchitecture, pending, onRetrain } = props;
  const [nights, setNights] = useState<'all' | 'this'>('all');
  const [surveys, setSurveys] = useState('');
  const [fromScratch, setFromScratch] = useState(false);
  const [architecture, setArchitecture] = useState<Architecture>('compact');
  const [epochs, setEpochs] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const maxEpochs = Number(epochs);
    const wanted = surveys
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    onRetrain({
      architecture,
      fromScratch: fromScratch || !hasActive,
      nights,
      ...(nights === 'all' && wanted.length ? { surveys: wanted } : {}),
      ...(epochs && Number.isInteger(maxEpochs) && maxEpochs > 0 ? { maxEpochs } : {}),
    });
  };
  const counts = nights === 'all' && homeCounts ? homeCounts : labelCounts;
  const human = counts.real + counts.bogus;
  return (
    <form className="retrain-form" onSubmit={submit} aria-label="retrain">
      <fieldset>
        <legend>Train on</legend>
        <label>
          <input
            type="radio"
            name="nights"
            checked={nights === 'all'}
            onChange={() => setNights('all')}
            data-testid="train-nights-all"
          />
          labels of all nights{homeCounts ? ` (${homeCounts.nights})` : ''}
        </label>
        <label>
          <input
            type="radio"
            name="nights"
            checked={nights === 'this'}
            onChange={() => setNights('this')}
            data-testid="train-nights-this"
          />
          this night only
        </label>
        {nights === 'all' && (
          <label className="small">
            Only surveys{' '}
            <input
              type="text"
              value={surveys}
              placeholder="all (e.g. ZTF, DES)"
              onChange={(e) => setSurveys(e.target.value)}
              data-testid="train-surveys"
            />
          </label>
        )}
      </fieldset>
      <p className="small" data-testid="train-label-counts">
        {nights === 'all' ? 'Your labels over the nights' : 'Your labels on this night'}: {counts.real} real,{' '}
        {counts.bogus} bogus
        {counts.skip ? ` (${counts.skip} skipped: not trained on)` : ''}. Mixed with the labels that came with
        the data (yours win);{' '}
        {human >= 10
          ? 'a stratified part of yours is held out to compare on.'
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
