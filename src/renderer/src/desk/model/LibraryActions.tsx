import { useState, type FormEvent } from 'react';
import type { JobProgress, ModelSummary } from '../../../../shared/contract';

/**
 * The library beside the night: import a model folder (a TF.js layers model such as braai) into
 * the home, and score this night with any version without making it the home's.
 */
export function LibraryActions(props: {
  versions: ModelSummary[];
  pending: boolean;
  scoring: JobProgress | null;
  imported: { version: string } | null;
  hasNight: boolean;
  onImport: (folder: string) => Promise<boolean>;
  onScore: (version: string) => void;
}) {
  const { versions, pending, scoring, imported, hasNight, onImport, onScore } = props;
  const [folder, setFolder] = useState('');
  const shown = versions.find((v) => v.shownHere)?.version ?? '';
  const [choice, setChoice] = useState('');
  const version = choice || versions.find((v) => !v.shownHere)?.version || shown;
  const doImport = async (e: FormEvent) => {
    e.preventDefault();
    if (await onImport(folder.trim())) setFolder('');
  };
  const doScore = (e: FormEvent) => {
    e.preventDefault();
    if (version) onScore(version);
  };
  return (
    <>
      <form className="inline-form" onSubmit={doScore} aria-label="score this night with">
        <label>
          Score this night with{' '}
          <select value={version} onChange={(e) => setChoice(e.target.value)} data-testid="score-version">
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.shownHere ? ' (shown now)' : v.scoredHere ? ' (scored here)' : ''}
                {v.active ? ' (active)' : ''}
              </option>
            ))}
          </select>
        </label>{' '}
        <button
          type="submit"
          disabled={!hasNight || !version || pending || scoring !== null}
          data-testid="score-start"
        >
          Score
        </button>
        <p className="muted small">
          The night then shows that version&apos;s scores; the home&apos;s active model stays as it is (adopt
          it below to change that).
        </p>
      </form>
      {scoring && (
        <p className="small" data-testid="scoring">
          {scoring.message || 'Scoring the night'}: {scoring.done}/{scoring.total || '?'}
          {scoring.etaSeconds !== null ? `, about ${Math.ceil(scoring.etaSeconds)} s left` : ''}
        </p>
      )}
      <form className="inline-form" onSubmit={doImport} aria-label="import a model folder">
        <label>
          Import a model folder{' '}
          <input
            type="text"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
            placeholder="/data/models/braai-d6_m7"
            data-testid="import-model-folder"
            className="wide"
          />
        </label>{' '}
        <button type="submit" disabled={!folder.trim() || pending} data-testid="import-model">
          Import
        </button>
        {imported && (
          <p className="small" data-testid="import-model-result">
            Imported as {imported.version}: in the library for every night.
          </p>
        )}
      </form>
    </>
  );
}
