import type { DeskStore } from '../deskStore';
import { keyLabel } from '../actions/registry';
import { SUBCLASSES } from './labelKinds';

const MAIN_BUTTONS = ['label-real', 'label-bogus', 'label-skip', 'undo', 'previous', 'next'] as const;
const NAMES: Record<(typeof MAIN_BUTTONS)[number], string> = {
  'label-real': 'Real',
  'label-bogus': 'Bogus',
  'label-skip': 'Skip',
  undo: 'Undo',
  previous: 'Previous',
  next: 'Next',
};

/** The same actions as the keys, for those who prefer the mouse; each shows its key. */
export function LabelBar({ desk, undoDepth }: { desk: DeskStore; undoDepth: number }) {
  const keyOf = (id: string) => desk.actions.get(id)?.keys.map(keyLabel).join(' / ') ?? '';
  return (
    <div className="label-bar" aria-label="label">
      {MAIN_BUTTONS.map((id) => (
        <button
          key={id}
          type="button"
          className={`label-btn ${id}`}
          title={`${desk.actions.get(id)?.label} (${keyOf(id)})`}
          disabled={id === 'undo' && undoDepth === 0}
          // The button must not keep focus: the next key press belongs to the desk, not to it.
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => void desk.run(id)}
        >
          {NAMES[id]} <kbd>{keyOf(id).split(' / ')[0]}</kbd>
        </button>
      ))}
      <select
        aria-label="sub-class"
        value=""
        onChange={(e) => {
          if (e.target.value) void desk.run(`subclass-${e.target.value}`);
          e.target.blur();
        }}
      >
        <option value="">sub-class (1-9)...</option>
        {SUBCLASSES.map((s) => (
          <option key={s.id} value={s.id}>
            {s.key} {s.implies}: {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}
