import type { ReactNode } from 'react';
import type { DeskStore } from '../deskStore';
import { keyLabel } from './registry';

/**
 * A button for a registered action: it runs the action the way its key does, and the key it
 * shows and the title it gives are read from the registry, so a rebinding cannot leave a button
 * naming the old key.
 */
export function ActionButton(props: {
  desk: DeskStore;
  actionId: string;
  className?: string;
  disabled?: boolean;
  pressed?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  const { desk, actionId, className, disabled, pressed, testId, children } = props;
  const action = desk.actions.get(actionId);
  // A button for an action nobody registered is a programming error, not something to hide.
  if (!action) throw new Error(`no action "${actionId}" is registered for its button`);
  const keys = action.keys.map(keyLabel);
  return (
    <button
      type="button"
      className={className}
      title={`${action.label} (${keys.join(' / ')})`}
      disabled={disabled}
      aria-pressed={pressed}
      data-testid={testId}
      data-action={actionId}
      // The button must not keep focus: the next key press belongs to the desk, not to it.
      onMouseDown={(e) => e.preventDefault()}
      onClick={() => void desk.run(actionId)}
    >
      {children} <kbd>{keys[0]}</kbd>
    </button>
  );
}
