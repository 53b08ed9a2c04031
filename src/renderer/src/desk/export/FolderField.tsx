import { useEffect, useState } from 'react';

/** A folder as text, plus the native chooser where the host has one (Electron). */
export function FolderField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  pick: ((title: string) => Promise<string | null>) | null;
  testId?: string;
  placeholder?: string;
}) {
  const { label, value, onChange, pick, testId, placeholder } = props;
  return (
    <div className="folder-field">
      <label>
        {label}
        <input
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder ?? '/home/me/skysift-exports'}
          data-testid={testId}
        />
      </label>
      {pick && (
        <button
          type="button"
          onClick={() =>
            void pick(label).then((p) => {
              if (p) onChange(p);
            })
          }
        >
          Choose...
        </button>
      )}
    </div>
  );
}

/** Remember a text field across panel openings (a folder typed once is wanted again). */
export function useRemembered(key: string, fallback = ''): [string, (v: string) => void] {
  const [value, setValue] = useState(() => localStorage.getItem(key) ?? fallback);
  useEffect(() => {
    localStorage.setItem(key, value);
  }, [key, value]);
  return [value, setValue];
}

/** Whether an export failed only because its folder does not exist (main says "<folder>: no such folder"). */
export function isMissingFolder(message: string | null): boolean {
  return message !== null && /: no such folder\./.test(message);
}

/**
 * The offer made when the export folder does not exist: create it and export (the browser host has
 * no folder picker, so typing a new folder's path is the way to make one).
 */
export function CreateFolderOffer(props: {
  folder: string;
  pending: boolean;
  onCreate: () => void;
  testId: string;
}) {
  const { folder, pending, onCreate, testId } = props;
  return (
    <p className="small">
      <button type="button" disabled={pending} onClick={onCreate} data-testid={testId}>
        Create <span className="mono">{folder}</span> and export
      </button>
    </p>
  );
}
