import type { ReactNode } from 'react';

/** The frame of the desk's side panels (Night, Model, Export): title, close button with its key. */
export function SidePanel(props: {
  title: string;
  testId: string;
  closeKey: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { title, testId, closeKey, onClose, children } = props;
  return (
    <aside className="side-panel" aria-label={title.toLowerCase()} data-testid={testId}>
      <header>
        <h2>{title}</h2>
        <button type="button" onClick={onClose}>
          Close <kbd>{closeKey}</kbd>
        </button>
      </header>
      {children}
    </aside>
  );
}
