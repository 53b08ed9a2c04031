import { createContext, useContext } from 'react';
import { keyLabel, type ActionRegistry } from './registry';

/**
 * The desk's action registry for components that show a key but do not run the action
 * themselves (the side panels' Close buttons), so no key is written down twice.
 */
export const ActionKeys = createContext<ActionRegistry<never> | null>(null);

/** How the first key of `actionId` is written ("M", "Esc"). */
export function useActionKey(actionId: string): string {
  const action = useContext(ActionKeys)?.get(actionId);
  // A key shown for an action nobody registered is a programming error, not something to hide.
  if (!action) throw new Error(`no action "${actionId}" is registered to show its key`);
  return keyLabel(action.keys[0]);
}
