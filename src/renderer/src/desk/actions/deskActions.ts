/**
 * The desk's actions: every key the astronomer can press. Label actions leave an event in the
 * label history, which undo and redo walk. Registering them all in one registry is what refuses a
 * clash (see registry.ts), and the buttons read their keys from it.
 */
import type { Action } from './registry';
import type { DeskStore } from '../deskStore';
import { SUBCLASSES } from '../labels/labelKinds';
import { LABEL_FILTERS, QUEUE_ORDERS } from '../queue/queueModel';
import { epochNeighbour } from '../lightcurve/lightCurveModel';
import { cycle, LIMITS, STRETCHES, ZOOMS } from '../stamps/viewSettings';

type DeskAction = Action<DeskStore>;

const labelAction = (
  id: string,
  label: string,
  keys: string[],
  value: 'real' | 'bogus' | 'skip',
  subclass: string | null = null,
): DeskAction => ({
  id,
  label,
  keys,
  group: subclass ? 'Sub-classes (label and move on)' : 'Label',
  perform: (desk) => desk.label(value, subclass),
});

const view = (
  id: string,
  label: string,
  keys: string[],
  perform: (desk: DeskStore) => void,
  group = 'View',
): DeskAction => ({
  id,
  label,
  keys,
  group,
  perform,
});

export function deskActions(): DeskAction[] {
  return [
    labelAction('label-real', 'Real (supernova candidate)', ['r'], 'real'),
    labelAction('label-bogus', 'Bogus (artifact)', ['b'], 'bogus'),
    labelAction('label-skip', 'Skip (cannot tell)', ['s'], 'skip'),
    ...SUBCLASSES.map((s) =>
      labelAction(`subclass-${s.id}`, `${s.implies}: ${s.name}`, [s.key], s.implies, s.id),
    ),
    {
      id: 'undo',
      label: 'Undo the last label (any number of steps)',
      keys: ['u', 'Backspace'],
      group: 'Label',
      perform: (desk) => desk.undo(),
    },
    {
      id: 'redo',
      label: 'Redo the last label undone',
      keys: ['y'],
      group: 'Label',
      perform: (desk) => desk.redo(),
    },
    view('next', 'Next candidate', ['ArrowDown', 'ArrowRight', 'j'], (d) => d.queue.move(1), 'Move'),
    view('previous', 'Previous candidate', ['ArrowUp', 'ArrowLeft', 'k'], (d) => d.queue.move(-1), 'Move'),
    view('epoch-previous', 'Earlier epoch of the same object', ['['], (d) => stepEpoch(d, -1), 'Move'),
    view('epoch-next', 'Later epoch of the same object', [']'], (d) => stepEpoch(d, 1), 'Move'),
    view('page-down', 'Ten candidates on', ['PageDown'], (d) => d.queue.move(10), 'Move'),
    view('page-up', 'Ten candidates back', ['PageUp'], (d) => d.queue.move(-10), 'Move'),
    view('first', 'First in the queue', ['Home'], (d) => d.queue.move(-Infinity), 'Move'),
    view('last', 'Last in the queue', ['End'], (d) => d.queue.move(Infinity), 'Move'),
    view(
      'cycle-order',
      'Queue order: flagged first / score / uncertainty / time / id',
      ['o'],
      (d) => d.queue.setOrder(cycle(QUEUE_ORDERS, d.queue.getSnapshot().order)),
      'Queue',
    ),
    view(
      'cycle-filter',
      'Show: unlabelled / real / bogus / skipped / all',
      ['f'],
      (d) => d.queue.setFilter({ label: cycle(LABEL_FILTERS, d.queue.getSnapshot().filter.label) }),
      'Queue',
    ),
    view('cycle-stretch', 'Stretch: linear / log / sqrt / asinh', ['x'], (d) =>
      d.view.setSettings({ stretch: cycle(STRETCHES, d.view.getSnapshot().settings.stretch) }),
    ),
    view('cycle-limits', 'Limits: zscale / percentile / min-max', ['z'], (d) =>
      d.view.setSettings({ limits: cycle(LIMITS, d.view.getSnapshot().settings.limits) }),
    ),
    view('invert', 'Invert', ['i'], (d) =>
      d.view.setSettings({ invert: !d.view.getSnapshot().settings.invert }),
    ),
    view('difference-scale', 'Difference: diverging symmetric / same as the others', ['d'], (d) =>
      d.view.setSettings({
        difference: d.view.getSnapshot().settings.difference === 'diverging' ? 'same' : 'diverging',
      }),
    ),
    view('zoom-in', 'Zoom in', ['+', '='], (d) =>
      d.view.setSettings({ zoom: nextZoom(d.view.effectiveZoom, 1) }),
    ),
    view('zoom-out', 'Zoom out', ['-'], (d) =>
      d.view.setSettings({ zoom: nextZoom(d.view.effectiveZoom, -1) }),
    ),
    view('zoom-fit', 'Zoom to fit the three stamps', ['0'], (d) => d.view.setSettings({ zoom: 0 })),
    view('theme', 'Dark / light theme', ['t'], (d) => d.view.toggleTheme()),
    view(
      'stats',
      'Stats panel: time saved, score histogram, ROC',
      ['g'],
      (d) => d.panels.set({ statsOpen: !d.panels.getSnapshot().statsOpen }),
      'Panels',
    ),
    view(
      'focus-filters',
      'Go to the queue controls (Tab moves on, Esc comes back)',
      ['/'],
      () => document.getElementById('queue-order')?.focus(),
      'Queue',
    ),
    view(
      'model-panel',
      'Model panel: retrain, compare, adopt, roll back',
      ['m'],
      (d) => d.panels.toggleSide('model'),
      'Panels',
    ),
    view(
      'export-panel',
      'Export panel: confirmed supernovae, label sets out and in',
      ['e'],
      (d) => d.panels.toggleSide('export'),
      'Panels',
    ),
    view(
      'night-panel',
      'Night panel: open another night, ingest stamps',
      ['n'],
      (d) => d.panels.toggleSide('night'),
      'Panels',
    ),
    view(
      'help',
      'This help',
      ['?'],
      (d) => d.panels.set({ helpOpen: !d.panels.getSnapshot().helpOpen }),
      'Panels',
    ),
    view('close', 'Close help and panels, clear messages', ['Escape'], (d) => d.panels.closeAll(), 'Panels'),
  ];
}

/** Same object, next or previous time: the light curve's epochs that are in this night. */
function stepEpoch(desk: DeskStore, delta: 1 | -1): void {
  const s = desk.queue.getSnapshot();
  const id = epochNeighbour(s.rows, s.current, delta);
  if (id) desk.goTo(id);
  else
    desk.panels.set({
      notice: s.current?.context
        ? `No ${delta < 0 ? 'earlier' : 'later'} epoch of ${s.current.context.object} in this night.`
        : 'This candidate has no other epoch in this night.',
    });
}

function nextZoom(current: number, step: 1 | -1): number {
  const i = ZOOMS.findIndex((z) => z >= current);
  const at = i < 0 ? ZOOMS.length - 1 : i;
  return ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, at + step))];
}

export function registerDeskActions(desk: DeskStore): void {
  for (const a of deskActions()) desk.actions.register(a);
}
