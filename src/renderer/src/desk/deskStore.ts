/**
 * The state of the triage desk outside React: the ordered and filtered queue, the cursor, the
 * labels, the view settings. Keys are handled here, one at a time in arrival order (a label's
 * database write must finish before the next key acts), and React reads snapshots through
 * `useSyncExternalStore`. Keeping it out of components makes a keypress a few array operations,
 * not a re-render of the world, which is what keeps key-to-next-stamps small on a 100k queue.
 */
import type { CandidateRow, SkysiftBridge, WorkspaceSummary } from '../../../shared/contract';
import { ActionRegistry } from './actions/registry';
import { UndoStack } from './actions/undoStack';
import type { HumanLabel } from './labels/labelKinds';
import type { LabelRecord, LabelStore } from './labels/labelStore';
import { LabelOutbox } from './labels/outbox';
import { reconcileLabels } from './labels/reconcile';
import type { HumanLabel as SharedLabel } from '../../../shared/labels';
import { cancelKey, markKey } from './perfProbe';
import {
  countQueue,
  DEFAULT_FILTER,
  filterRows,
  matchesFilter,
  nextIndexAfterLabel,
  orderRows,
  QUEUE_ORDERS,
  rankIndex,
  updateCounts,
  updateViewForRow,
  type QueueCounts,
  type QueueFilter,
  type QueueOrder,
} from './queue/queueModel';
import { StampCache } from './stamps/stampCache';
import { DEFAULT_VIEW, newerDurablePrefs, savePref, type ViewSettings } from './stamps/viewSettings';

export type Theme = 'dark' | 'light';
/** The panel beside the desk (one at a time): the model, export/import, opening another night. */
export type SidePanel = 'model' | 'export' | 'night';

export interface DeskSnapshot {
  workspace: WorkspaceSummary | null;
  model: string | null;
  threshold: number | null;
  rows: readonly CandidateRow[];
  order: QueueOrder;
  filter: QueueFilter;
  view: readonly CandidateRow[];
  cursor: number;
  current: CandidateRow | null;
  counts: QueueCounts;
  /** Bumped whenever a label changes (the map itself is mutated in place: 100k copies would cost). */
  labelsVersion: number;
  settings: ViewSettings;
  theme: Theme;
  helpOpen: boolean;
  statsOpen: boolean;
  sidePanel: SidePanel | null;
  /** A short line for the astronomer (e.g. a label that differs from the one given with the data). */
  notice: string | null;
  error: string | null;
  /** Labels written this session whose write resolved. */
  acknowledged: number;
  /** A label write is in flight (the status bar says so; nothing waits on it but the next key). */
  saving: boolean;
  undoDepth: number;
}

/** What a label action leaves for its undo: the candidate and its label before and after. */
export interface LabelChange {
  candidateId: string;
  before: LabelRecord | null;
  after: LabelRecord;
}

const PREFETCH_AHEAD = 24;
const PREFETCH_BEHIND = 4;
const EMPTY_COUNTS: QueueCounts = { total: 0, flagged: 0, labelled: 0, remaining: 0, flaggedRemaining: 0 };

function loadOrder(): QueueOrder {
  const o = localStorage.getItem('skysift.order') as QueueOrder | null;
  return o && QUEUE_ORDERS.includes(o) ? o : 'flagged';
}

function loadPref<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? { ...fallback, ...(JSON.parse(raw) as T) } : fallback;
  } catch {
    return fallback;
  }
}

export class DeskStore {
  readonly actions = new ActionRegistry<DeskStore>();
  readonly undoStack = new UndoStack<unknown>();
  readonly stamps: StampCache;
  readonly labels = new Map<string, LabelRecord>();
  /** Sends Dexie's labels to main's journal, off the key path. */
  readonly outbox: LabelOutbox;
  private sorted: CandidateRow[] = [];
  private rank = new Map<string, number>();
  private listeners = new Set<() => void>();
  private chain: Promise<void> = Promise.resolve();
  private shownAt = performance.now();
  private snap: DeskSnapshot;

  constructor(
    readonly bridge: SkysiftBridge,
    readonly labelStore: LabelStore,
  ) {
    this.stamps = new StampCache(bridge);
    this.outbox = new LabelOutbox({
      store: labelStore,
      send: (args) => bridge.invoke('labelsPut', args),
      workspace: () => this.snap.workspace?.dir ?? null,
    });
    const theme = (localStorage.getItem('skysift.theme') as Theme | null) ?? 'dark';
    this.snap = {
      workspace: null,
      model: null,
      threshold: null,
      rows: [],
      order: loadOrder(),
      filter: DEFAULT_FILTER,
      view: [],
      cursor: -1,
      current: null,
      counts: EMPTY_COUNTS,
      labelsVersion: 0,
      settings: loadPref('skysift.view', DEFAULT_VIEW),
      theme: theme === 'light' ? 'light' : 'dark',
      helpOpen: false,
      statsOpen: false,
      sidePanel: null,
      notice: null,
      error: null,
      acknowledged: 0,
      saving: false,
      undoDepth: 0,
    };
    document.documentElement.dataset.theme = this.snap.theme;
    void this.restoreDurablePrefs();
  }

  /** Settings changed just before the last close may be newer in IndexedDB than in localStorage. */
  private async restoreDurablePrefs(): Promise<void> {
    const newer = await newerDurablePrefs();
    const view = newer.get('skysift.view');
    if (view) this.setSettings(JSON.parse(view) as Partial<ViewSettings>);
    const theme = newer.get('skysift.theme');
    if (theme === 'dark' || theme === 'light') this.setTheme(theme);
    const order = newer.get('skysift.order') as QueueOrder | undefined;
    if (order && QUEUE_ORDERS.includes(order)) this.setOrder(order);
  }

  // --- React glue -------------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  getSnapshot = (): DeskSnapshot => this.snap;

  private set(patch: Partial<DeskSnapshot>): void {
    this.snap = { ...this.snap, ...patch, undoDepth: this.undoStack.size };
    for (const l of this.listeners) l();
  }

  labelOf = (id: string): HumanLabel | undefined => this.labels.get(id)?.label;

  // --- loading ----------------------------------------------------------------------------------

  /**
   * (Re)load the open workspace: its rows and its journal's labels from main, reconciled with the
   * labels in IndexedDB (see reconcile.ts). Rows and labels are fetched at once; applying them
   * waits its turn among the keys, so a reload that lands while a label is being written (e.g.
   * new scores adopted mid-vetting) neither loses that label from the map nor moves the
   * astronomer: the cursor stays on the same candidate and the queue re-sorts around it.
   */
  async load(): Promise<void> {
    try {
      const workspace = await this.bridge.invoke('workspaceCurrent', {});
      const mark = this.outbox.mark();
      const [list, journal] = workspace
        ? await Promise.all([
            this.bridge.invoke('candidatesList', {}),
            this.bridge.invoke('labelsList', {}).catch((e: Error) => e),
          ])
        : [null, null];
      this.chain = this.chain.then(async () => {
        try {
          if (!workspace || !list) {
            this.sorted = [];
            this.set({
              workspace: null,
              rows: [],
              view: [],
              cursor: -1,
              current: null,
              counts: EMPTY_COUNTS,
            });
            return;
          }
          let records: LabelRecord[];
          if (journal instanceof Error) {
            // Dexie still holds every label given here; the outbox sends them when main answers.
            records = await this.labelStore.labelsOfWorkspace(workspace.dir);
            this.set({ error: `Labels of this night from the app: ${journal.message}` });
          } else {
            const same = journal?.workspace === workspace.dir;
            records = await this.reconcile(workspace.dir, same ? journal.labels : null, mark);
          }
          await this.apply(workspace, list.rows, list.model, records);
        } catch (e) {
          this.set({ error: (e as Error).message });
        }
      });
      await this.chain;
      if (workspace) void this.outbox.flushNow();
    } catch (e) {
      this.set({ error: (e as Error).message });
    }
  }

  /**
   * Dexie and main's journal agree after this: main's labels Dexie lacks come in, Dexie's labels
   * main lacks (or holds older) are due to main. `main` null: the journal is of another night
   * (main opened another meanwhile); Dexie's labels are used as they are.
   */
  private async reconcile(dir: string, main: SharedLabel[] | null, mark: number): Promise<LabelRecord[]> {
    const local = await this.labelStore.labelsOfWorkspace(dir);
    if (!main) return local;
    const result = reconcileLabels({
      workspace: dir,
      local,
      pending: await this.labelStore.pending(dir),
      main,
      settledSince: this.outbox.settledSince(mark, dir),
    });
    await this.labelStore.applyReconcile(dir, result);
    return result.labels;
  }

  private async apply(
    workspace: WorkspaceSummary,
    rows: CandidateRow[],
    model: string | null,
    records: readonly LabelRecord[],
  ): Promise<void> {
    const sameNight = this.snap.workspace?.dir === workspace.dir;
    const keepId = sameNight ? this.snap.current?.id : undefined;
    // Undo steps of another night would write into this one.
    if (!sameNight) while (this.undoStack.pop());
    this.labels.clear();
    for (const r of records) this.labels.set(r.candidateId, r);
    performance.mark('skysift:list-received');
    this.sorted = orderRows(rows, this.snap.order, workspace.threshold);
    this.rank = rankIndex(this.sorted);
    this.snap = {
      ...this.snap,
      workspace,
      model,
      threshold: workspace.threshold,
      rows,
      labelsVersion: this.snap.labelsVersion + 1,
      error: null,
    };
    this.refilter(keepId, sameNight ? this.snap.cursor : 0);
    performance.mark('skysift:queue-ready');
  }

  /**
   * Labels accepted from an import, written in one durable transaction, then shown. Runs among
   * the keys so it cannot interleave with a label being given.
   */
  importLabels(records: readonly LabelRecord[]): Promise<void> {
    const step = this.chain.then(async () => {
      await this.labelStore.putMany(records);
      this.outbox.kick();
      for (const r of records) this.labels.set(r.candidateId, r);
      this.snap = { ...this.snap, labelsVersion: this.snap.labelsVersion + 1 };
      this.refilter(this.snap.current?.id, this.snap.cursor);
    });
    // The chain goes on even if this write failed; the caller hears of the failure.
    this.chain = step.catch(() => undefined);
    return step;
  }

  /** The workspace's labels as they are in Dexie, acknowledged by main or not (export sends these). */
  async storedLabels(): Promise<LabelRecord[]> {
    const ws = this.snap.workspace;
    if (!ws) return [];
    await this.chain;
    return this.labelStore.labelsOfWorkspace(ws.dir);
  }

  /** Recompute the view from the sorted rows; keep the cursor on `keepId` if it is still there. */
  private refilter(keepId?: string, fallbackIndex = 0): void {
    const view = filterRows(this.sorted, this.labelOf, this.snap.filter);
    let cursor = keepId ? view.findIndex((r) => r.id === keepId) : -1;
    if (cursor < 0) cursor = view.length ? Math.min(Math.max(0, fallbackIndex), view.length - 1) : -1;
    this.snap = { ...this.snap, counts: countQueue(this.snap.rows, this.snap.threshold, this.labelOf) };
    this.moveTo(cursor, view);
  }

  private moveTo(cursor: number, view: readonly CandidateRow[] = this.snap.view): void {
    const current = cursor >= 0 ? (view[cursor] ?? null) : null;
    if (current?.id !== this.snap.current?.id) this.shownAt = performance.now();
    this.set({ view, cursor, current });
    this.prefetchAround(cursor, view);
  }

  /**
   * One candidate's label changed: update the view and the counts for that row alone (a full
   * refilter of 100k rows would cost ~20 ms on every key), then put the cursor where it belongs.
   */
  private applyLabelChange(row: CandidateRow, wasLabelled: boolean, cursorTo: 'next' | 'same'): void {
    const label = this.labelOf(row.id);
    const matches = matchesFilter(row, label, this.snap.filter);
    const { view, at, present } = updateViewForRow(this.snap.view, row, matches, this.rank);
    const counts = updateCounts(this.snap.counts, row, this.snap.threshold, wasLabelled, label !== undefined);
    this.snap = { ...this.snap, counts, labelsVersion: this.snap.labelsVersion + 1 };
    if (cursorTo === 'next') this.moveTo(nextIndexAfterLabel(view.length, at, present), view);
    else this.moveTo(view.length === 0 ? -1 : Math.min(Math.max(0, at), view.length - 1), view);
  }

  private prefetchAround(cursor: number, view: readonly CandidateRow[]): void {
    if (cursor < 0) return;
    const ids: string[] = [];
    // The current one first: if it is missing it is the one the astronomer waits for.
    for (let i = cursor; i < Math.min(view.length, cursor + PREFETCH_AHEAD); i++) ids.push(view[i].id);
    for (let i = Math.max(0, cursor - PREFETCH_BEHIND); i < cursor; i++) ids.push(view[i].id);
    this.stamps.prefetch(ids).catch((e: Error) => this.set({ error: `Stamps: ${e.message}` }));
  }

  // --- keys -------------------------------------------------------------------------------------

  /** Run the action bound to `key`; returns whether a binding existed (so the event is consumed). */
  handleKey(key: string, timeStamp = performance.now()): boolean {
    const action = this.actions.forKey(key);
    if (!action) return false;
    this.run(action.id, timeStamp);
    return true;
  }

  /** Queue an action by id (keys and buttons both end here), one at a time in order. */
  run(actionId: string, timeStamp = performance.now()): Promise<void> {
    const action = this.actions.get(actionId);
    if (!action) return Promise.resolve();
    this.chain = this.chain.then(async () => {
      try {
        const before = this.snap.current?.id;
        // Marked before the action: React may draw the next stamps before `perform` returns.
        markKey(timeStamp);
        const record = await action.perform(this);
        if (this.snap.current?.id === before) cancelKey();
        if (record !== undefined && action.undo) this.undoStack.push({ actionId: action.id, record });
        this.set({});
      } catch (e) {
        this.set({ error: `${action.label}: ${(e as Error).message}` });
      }
    });
    return this.chain;
  }

  /** Wait for every queued action (tests and the bench). */
  idle(): Promise<void> {
    return this.chain;
  }

  async undo(): Promise<void> {
    const step = this.undoStack.pop();
    if (!step) {
      this.set({ notice: 'Nothing to undo.' });
      return;
    }
    const action = this.actions.get(step.actionId);
    try {
      await action?.undo?.(this, step.record);
    } catch (e) {
      this.undoStack.restore(step);
      throw e;
    }
  }

  // --- labelling --------------------------------------------------------------------------------

  /**
   * Label the current candidate, durably in Dexie, then move on. Main's journal gets it through
   * the outbox, asynchronously: the next stamps never wait for that round trip. Returns the
   * change for undo.
   */
  async label(label: HumanLabel, subclass: string | null): Promise<LabelChange | undefined> {
    const row = this.snap.current;
    const ws = this.snap.workspace;
    if (!row || !ws) return undefined;
    const before = this.labels.get(row.id) ?? null;
    const after: LabelRecord = {
      workspace: ws.dir,
      candidateId: row.id,
      label,
      subclass,
      model: this.snap.model,
      score: row.score,
      secondsSpent: Math.max(0, (performance.now() - this.shownAt) / 1000),
      at: Date.now(),
    };
    // Write first: only an acknowledged label moves the desk on. The status bar says "saving" only
    // if the disk is slow (an extra render on every key would cost more than it tells).
    const slow = setTimeout(() => this.set({ saving: true }), 150);
    performance.mark('skysift:label-write-start');
    try {
      await this.labelStore.put(after);
      this.outbox.kick();
    } finally {
      clearTimeout(slow);
      performance.measure('skysift:label-write', 'skysift:label-write-start');
      this.snap = { ...this.snap, saving: false };
    }
    this.labels.set(row.id, after);
    const given = row.given.label;
    const notice =
      given && label !== 'skip' && given !== label
        ? `${row.id}: your label (${label}) differs from the label that came with the data (${given}); both are kept.`
        : null;
    this.snap = { ...this.snap, acknowledged: this.snap.acknowledged + 1, notice };
    this.applyLabelChange(row, before !== null, 'next');
    return { candidateId: row.id, before, after };
  }

  /**
   * Undo of a label: restore what was there (or nothing), then go back to that candidate. The
   * restored label is said again now (its time is the undo's), so on any reconcile it is the
   * later word and wins over the one undone.
   */
  async revertLabel(change: LabelChange): Promise<void> {
    const ws = this.snap.workspace;
    if (!ws) return;
    const now = Math.max(Date.now(), change.after.at + 1);
    const restored = change.before ? { ...change.before, at: now } : null;
    if (restored) await this.labelStore.put(restored);
    else await this.labelStore.remove(ws.dir, change.candidateId, now);
    this.outbox.kick();
    if (restored) this.labels.set(change.candidateId, restored);
    else this.labels.delete(change.candidateId);
    this.snap = { ...this.snap, notice: null };
    const row = this.sorted[this.rank.get(change.candidateId) ?? -1];
    if (row) this.applyLabelChange(row, true, 'same');
  }

  // --- navigation and view ----------------------------------------------------------------------

  move(delta: number): void {
    const n = this.snap.view.length;
    if (n === 0) return;
    const cursor = Math.min(n - 1, Math.max(0, (this.snap.cursor < 0 ? 0 : this.snap.cursor) + delta));
    if (cursor !== this.snap.cursor) this.moveTo(cursor);
  }

  select = (id: string): void => {
    const i = this.snap.view.findIndex((r) => r.id === id);
    if (i >= 0) this.moveTo(i);
  };

  /** Jump to a candidate by id; if the filters hide it, show everything rather than refuse. */
  goTo(id: string): void {
    if (!id) return;
    if (!this.rank.has(id)) {
      this.set({ notice: `No candidate "${id}" in this night.` });
      return;
    }
    if (this.snap.view.some((r) => r.id === id)) return this.select(id);
    this.snap = {
      ...this.snap,
      filter: { ...DEFAULT_FILTER, label: 'all' },
      notice: 'Filters cleared to show it.',
    };
    this.refilter(id);
  }

  setOrder(order: QueueOrder): void {
    savePref('skysift.order', order);
    this.sorted = orderRows(this.snap.rows, order, this.snap.threshold);
    this.rank = rankIndex(this.sorted);
    this.snap = { ...this.snap, order };
    // The top of the new order: keeping the current candidate left the astronomer at its far end
    // (switching to uncertainty kept a 0.998 candidate, and the next 40 were all ~0.997).
    this.refilter();
  }

  setFilter(patch: Partial<QueueFilter>): void {
    this.snap = { ...this.snap, filter: { ...this.snap.filter, ...patch } };
    this.refilter(this.snap.current?.id);
  }

  setSettings(patch: Partial<ViewSettings>): void {
    const settings = { ...this.snap.settings, ...patch };
    savePref('skysift.view', JSON.stringify(settings));
    this.set({ settings });
  }

  /** The zoom on screen (differs from the setting when that is 0, "fit"). */
  effectiveZoom = 4;
  setEffectiveZoom = (zoom: number): void => {
    this.effectiveZoom = zoom;
  };

  setTheme(theme: Theme): void {
    savePref('skysift.theme', theme);
    document.documentElement.dataset.theme = theme;
    this.set({ theme });
  }

  setPanels(
    patch: Partial<Pick<DeskSnapshot, 'helpOpen' | 'statsOpen' | 'sidePanel' | 'notice' | 'error'>>,
  ): void {
    this.set(patch);
  }

  /** Open a side panel, or close it if it is the one open. */
  toggleSidePanel(panel: SidePanel): void {
    this.set({ sidePanel: this.snap.sidePanel === panel ? null : panel });
  }

  /** All labels of this workspace, in the order given (for the stats panel and the tally). */
  labelRecords(): LabelRecord[] {
    return [...this.labels.values()];
  }
}
