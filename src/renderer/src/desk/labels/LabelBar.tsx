import type { DeskStore } from '../deskStore';
import { ActionButton } from '../actions/ActionButton';
import { SUBCLASSES } from './labelKinds';

const MAIN_BUTTONS = ['label-real', 'label-bogus', 'label-skip', 'undo', 'redo', 'previous', 'next'] as const;
const NAMES: Record<(typeof MAIN_BUTTONS)[number], string> = {
  'label-real': 'Real',
  'label-bogus': 'Bogus',
  'label-skip': 'Skip',
  undo: 'Undo',
  redo: 'Redo',
  previous: 'Previous',
  next: 'Next',
};

/** The same actions as the keys, for those who prefer the mouse; each shows its key. */
export function LabelBar(props: { desk: DeskStore; undoDepth: number; redoDepth: number }) {
  const { desk, undoDepth, redoDepth } = props;
  return (
    <div className="label-bar" aria-label="label">
      {MAIN_BUTTONS.map((id) => (
        <ActionButton
          key={id}
          desk={desk}
          actionId={id}
          className={`label-btn ${id}`}
          disabled={(id === 'undo' && undoDepth === 0) || (id === 'redo' && redoDepth === 0)}
        >
          {NAMES[id]}
        </ActionButton>
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
