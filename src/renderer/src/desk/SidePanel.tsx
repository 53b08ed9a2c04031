import type { ReactNode } from 'react';
import { useActionKey } from './actions/actionKeys';

/**
 * The frame of the desk's side panels (Night, Model, Export, Stats): title, close button with the
 * key of the action that toggles the panel (read from the registry).
 */
export function SidePanel(props: {
  title: string;
  testId: string;
  /** The action whose key closes the panel (it toggles it). */
  closeAction: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { title, testId, closeAction, onClose, children } = props;
  const closeKey = useActionKey(closeAction);
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
