import { useState, type FormEvent } from 'react';
import type { SkysiftBridge } from '../../../../shared/contract';
import type { ConfirmedFormat, ExportResult, HumanLabel } from '../../../../shared/labels';
import { SUBCLASSES } from '../labels/labelKinds';
import { CreateFolderOffer, FolderField, isMissingFolder, useRemembered } from './FolderField';

const FORMATS: { id: ConfirmedFormat; name: string }[] = [
  { id: 'csv', name: 'CSV' },
  { id: 'json', name: 'JSON' },
  { id: 'votable', name: 'IVOA VOTable 1.4' },
  { id: 'tns', name: 'TNS AT report (draft, to review; nothing is sent)' },
];
const REAL_SUBCLASSES = SUBCLASSES.filter((s) => s.implies === 'real');

/** The confirmed supernovae (labels real, optionally only some sub-classes) to a file. */
export function ConfirmedExport(props: {
  bridge: SkysiftBridge;
  labels: () => Promise<HumanLabel[]>;
  pick: ((title: string) => Promise<string | null>) | null;
}) {
  const { bridge, labels, pick } = props;
  const [format, setFormat] = useState<ConfirmedFormat>('csv');
  const [subclasses, setSubclasses] = useState<string[]>([]);
  const [folder, setFolder] = useRemembered('skysift.exportFolder');
  const [reporter, setReporter] = useRemembered('skysift.tnsReporter');
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(false);
  };
  const run = async (createFolder: boolean) => {
    setPending(true);
    setError(null);
    try {
      setResult(
        await bridge.invoke('exportConfirmed', {
          labels: await labels(),
          format,
          folder,
          ...(createFolder ? { createFolder } : {}),
          ...(subclasses.length ? { subclasses } : {}),
          ...(format === 'tns' && reporter ? { tns: { reporter } } : {}),
        }),
      );
    } catch (err) {
      setResult(null);
      setError((err as Error).message);
    } finally {
      setPending(false);
    }
  };
  const toggle = (id: string) =>
    setSubclasses((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <form className="panel-form" onSubmit={submit} aria-label="export confirmed supernovae">
      <label>
        Format{' '}
        <select
          value={format}
          onChange={(e) => setFormat(e.target.value as ConfirmedFormat)}
          data-testid="confirmed-format"
        >
          {FORMATS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Only these sub-classes (none ticked: every real label)</legend>
        {REAL_SUBCLASSES.map((s) => (
          <label key={s.id} className="inline">
            <input type="checkbox" checked={subclasses.includes(s.id)} onChange={() => toggle(s.id)} />{' '}
            {s.name}
          </label>
        ))}
      </fieldset>
      {format === 'tns' && (
        <label>
          Reporter (names as TNS should show them)
          <input value={reporter} onChange={(e) => setReporter(e.target.value)} placeholder="A. Astronomer" />
        </label>
      )}
      <FolderField
        label="Output folder"
        value={folder}
        onChange={setFolder}
        pick={pick}
        testId="confirmed-folder"
      />
      <button type="submit" disabled={!folder || pending} data-testid="confirmed-export">
        Export confirmed
      </button>
      {error && (
        <p className="panel-error" role="alert">
          {error}
        </p>
      )}
      {isMissingFolder(error) && (
        <CreateFolderOffer
          folder={folder}
          pending={pending}
          onCreate={() => void run(true)}
          testId="confirmed-create-folder"
        />
      )}
      {result && (
        <p data-testid="confirmed-result" data-rows={result.rows}>
          Wrote {result.rows} {result.rows === 1 ? 'row' : 'rows'} to{' '}
          <span className="mono">{result.file}</span>
          {result.unknownIds.length > 0 &&
            ` (${result.unknownIds.length} labelled ids are not in this workspace and were left out)`}
        </p>
      )}
    </form>
  );
}
