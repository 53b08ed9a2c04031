import { useReducer, useState, type FormEvent } from 'react';
import type { SkysiftBridge } from '../../../../shared/contract';
import type { HumanLabel, LabelSetFormat } from '../../../../shared/labels';
import { CreateFolderOffer, FolderField, isMissingFolder, useRemembered } from './FolderField';
import { ImportReviewView } from './ImportReviewView';
import { acceptedLabels, reviewReducer, startReview, type ImportReview } from './importReview';

type ReviewState = ImportReview | null;
type ReviewAction =
  Parameters<typeof reviewReducer>[1] | { type: 'start'; review: ImportReview } | { type: 'end' };

function reducer(state: ReviewState, action: ReviewAction): ReviewState {
  if (action.type === 'start') return action.review;
  if (action.type === 'end') return null;
  return state ? reviewReducer(state, action) : state;
}

/** The whole label set out to a file for a colleague, and a colleague's file in (reviewed first). */
export function LabelSetTransfer(props: {
  bridge: SkysiftBridge;
  labels: () => Promise<HumanLabel[]>;
  /** Write the accepted labels (new ones and the conflicts decided "theirs"); resolves once durable. */
  onAccept: (labels: HumanLabel[]) => Promise<void>;
  pick: ((title: string) => Promise<string | null>) | null;
}) {
  const { bridge, labels, onAccept, pick } = props;
  const [format, setFormat] = useState<LabelSetFormat>('json');
  const [folder, setFolder] = useRemembered('skysift.labelFolder');
  const [file, setFile] = useState('');
  const [review, dispatch] = useReducer(reducer, null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const busy = async (work: () => Promise<void>) => {
    setPending(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setPending(false);
    }
  };
  const exportSet = (e: FormEvent) => {
    e.preventDefault();
    doExport(false);
  };
  const doExport = (createFolder: boolean) =>
    void busy(async () => {
      const r = await bridge.invoke('labelsExport', {
        labels: await labels(),
        format,
        folder,
        ...(createFolder ? { createFolder } : {}),
      });
      setMessage(`Wrote ${r.rows} labels to ${r.file}`);
      setFile(r.file);
    });
  const readFile = (e: FormEvent) => {
    e.preventDefault();
    void busy(async () => {
      const r = await bridge.invoke('labelsImport', { file, existing: await labels() });
      setMessage(null);
      dispatch({ type: 'start', review: startReview(r) });
    });
  };
  const apply = () =>
    void busy(async () => {
      if (!review) return;
      const accepted = acceptedLabels(review);
      await onAccept(accepted);
      dispatch({ type: 'end' });
      setMessage(
        `Imported ${accepted.length} labels from ${review.result.file}; your other labels are unchanged.`,
      );
    });

  return (
    <div className="panel-form">
      <form onSubmit={exportSet} aria-label="export label set">
        <label>
          Format{' '}
          <select
            value={format}
            onChange={(e) => setFormat(e.target.value as LabelSetFormat)}
            data-testid="labels-format"
          >
            <option value="json">JSON</option>
            <option value="csv">CSV</option>
          </select>
        </label>
        <FolderField
          label="Folder for the label file"
          value={folder}
          onChange={setFolder}
          pick={pick}
          testId="labels-folder"
        />
        <button type="submit" disabled={!folder || pending} data-testid="labels-export">
          Export labels
        </button>
      </form>
      <form onSubmit={readFile} aria-label="import label set">
        <label>
          Label file to import (CSV or JSON from Skysift)
          <input
            value={file}
            onChange={(e) => setFile(e.target.value)}
            placeholder="/home/me/colleague-labels.json"
            data-testid="labels-file"
          />
        </label>
        <button type="submit" disabled={!file || pending} data-testid="labels-read">
          Read and review
        </button>
      </form>
      {error && (
        <p className="panel-error" role="alert">
          {error}
        </p>
      )}
      {isMissingFolder(error) && (
        <CreateFolderOffer
          folder={folder}
          pending={pending}
          onCreate={() => doExport(true)}
          testId="labels-create-folder"
        />
      )}
      {message && (
        <p data-testid="labels-message" className="small">
          {message}
        </p>
      )}
      {review && (
        <ImportReviewView
          review={review}
          pending={pending}
          onChoose={(candidateId, side) => dispatch({ type: 'choose', candidateId, side })}
          onAll={(side) => dispatch({ type: 'all', side })}
          onApply={apply}
          onCancel={() => dispatch({ type: 'end' })}
        />
      )}
    </div>
  );
}
