import type { Action } from '../actions/registry';
import { keyLabel } from '../actions/registry';
import { useActionKey } from '../actions/actionKeys';

type HelpEntry = Pick<Action<never>, 'id' | 'label' | 'keys' | 'group'>;

/**
 * Every key, read from the action registry (so it cannot go stale). It does not block: keys keep
 * working while it is open, and ? or Esc closes it.
 */
export function HelpOverlay({ actions, onClose }: { actions: HelpEntry[]; onClose: () => void }) {
  const closeKey = useActionKey('close');
  const groups = new Map<string, HelpEntry[]>();
  for (const a of actions) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  return (
    <aside className="help" role="dialog" aria-modal="false" aria-label="keyboard help" data-testid="help">
      <header>
        <h2>Keys</h2>
        <button type="button" onClick={onClose} onMouseDown={(e) => e.preventDefault()}>
          Close <kbd>{closeKey}</kbd>
        </button>
      </header>
      <div className="help-groups">
        {[...groups].map(([group, list]) => (
          <section key={group}>
            <h3>{group}</h3>
            <table>
              <tbody>
                {list.map((a) => (
                  <tr key={a.id}>
                    <td className="keys">
                      {a.keys.map((k) => (
                        <kbd key={k}>{keyLabel(k)}</kbd>
                      ))}
                    </td>
                    <td>{a.label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))}
      </div>
      <p className="muted">
        Tab reaches every control; / jumps to the queue controls. A label is on disk before the next candidate
        shows.
      </p>
    </aside>
  );
}
