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
