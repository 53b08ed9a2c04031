/**
 * The desk's actions: every key the astronomer can press, each with its undo where it changes
 * data. Registering them all in one registry is what refuses a clash (see registry.ts).
 */
import type { Action } from './registry';
import type { DeskStore, LabelChange } from '../deskStore';
import { SUBCLASSES } from '../labels/labelKinds';
import { LABEL_FILTERS, QUEUE_ORDERS } from '../queue/queueModel';
import { epochNeighbour } from '../lightcurve/lightCurveModel';
import { cycle, LIMITS, STRETCHES, ZOOMS } from '../stamps/viewSettings';

type DeskAction = Action<DeskStore, LabelChange>;

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
  undo: (desk, change) => desk.revertLabel(change),
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
  perform: (desk) => {
    perform(desk);
    return undefined;
  },
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
      perform: async (desk) => {
        await desk.undo();
        return undefined;
      },
    },
    view('next', 'Next candidate', ['ArrowDown', 'ArrowRight', 'j'], (d) => d.move(1), 'Move'),
    view('previous', 'Previous candidate', ['ArrowUp', 'ArrowLeft', 'k'], (d) => d.move(-1), 'Move'),
    view('epoch-previous', 'Earlier epoch of the same object', ['['], (d) => stepEpoch(d, -1), 'Move'),
    view('epoch-next', 'Later epoch of the same object', [']'], (d) => stepEpoch(d, 1), 'Move'),
    view('page-down', 'Ten candidates on', ['PageDown'], (d) => d.move(10), 'Move'),
    view('page-up', 'Ten candidates back', ['PageUp'], (d) => d.move(-10), 'Move'),
    view('first', 'First in the queue', ['Home'], (d) => d.move(-Infinity), 'Move'),
    view('last', 'Last in the queue', ['End'], (d) => d.move(Infinity), 'Move'),
    view(
      'cycle-order',
      'Queue order: flagged first / score / uncertainty / time / id',
      ['o'],
      (d) => d.setOrder(cycle(QUEUE_ORDERS, d.getSnapshot().order)),
      'Queue',
    ),
    view(
      'cycle-filter',
      'Show: unlabelled / real / bogus / skipped / all',
      ['f'],
      (d) => d.setFilter({ label: cycle(LABEL_FILTERS, d.getSnapshot().filter.label) }),
      'Queue',
    ),
    view('cycle-stretch', 'Stretch: linear / log / sqrt / asinh', ['x'], (d) =>
      d.setSettings({ stretch: cycle(STRETCHES, d.getSnapshot().settings.stretch) }),
    ),
    view('cycle-limits', 'Limits: zscale / percentile / min-max', ['z'], (d) =>
      d.setSettings({ limits: cycle(LIMITS, d.getSnapshot().settings.limits) }),
    ),
    view('invert', 'Invert', ['i'], (d) => d.setSettings({ invert: !d.getSnapshot().settings.invert })),
    view('difference-scale', 'Difference: diverging symmetric / same as the others', ['d'], (d) =>
      d.setSettings({
        difference: d.getSnapshot().settings.difference === 'diverging' ? 'same' : 'diverging',
      }),
    ),
    view('zoom-in', 'Zoom in', ['+', '='], (d) => d.setSettings({ zoom: nextZoom(d.effectiveZoom, 1) })),
    view('zoom-out', 'Zoom out', ['-'], (d) => d.setSettings({ zoom: nextZoom(d.effectiveZoom, -1) })),
    view('zoom-fit', 'Zoom to fit the three stamps', ['0'], (d) => d.setSettings({ zoom: 0 })),
    view('theme', 'Dark / light theme', ['t'], (d) =>
      d.setTheme(d.getSnapshot().theme === 'dark' ? 'light' : 'dark'),
    ),
    view(
      'stats',
      'Stats panel: time saved, score histogram, ROC',
      ['g'],
      (d) => d.setPanels({ statsOpen: !d.getSnapshot().statsOpen }),
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
      (d) => d.toggleSidePanel('model'),
      'Panels',
    ),
    view(
      'export-panel',
      'Export panel: confirmed supernovae, label sets out and in',
      ['e'],
      (d) => d.toggleSidePanel('export'),
      'Panels',
    ),
    view(
      'night-panel',
      'Night panel: open another night, ingest stamps',
      ['n'],
      (d) => d.toggleSidePanel('night'),
      'Panels',
    ),
    view('help', 'This help', ['?'], (d) => d.setPanels({ helpOpen: !d.getSnapshot().helpOpen }), 'Panels'),
    view(
      'close',
      'Close help and panels, clear messages',
      ['Escape'],
      (d) => d.setPanels({ helpOpen: false, sidePanel: null, notice: null, error: null }),
      'Panels',
    ),
  ];
}

/** Same object, next or previous time: the light curve's epochs that are in this night. */
function stepEpoch(desk: DeskStore, delta: 1 | -1): void {
  const s = desk.getSnapshot();
  const id = epochNeighbour(s.rows, s.current, delta);
  if (id) desk.goTo(id);
  else
    desk.setPanels({
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
