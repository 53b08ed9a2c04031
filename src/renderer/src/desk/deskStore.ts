/**
 * The triage desk outside React, as stores by concern: the queue (order, cursor, prefetch), the
 * labels (with their history for undo and redo), the view settings and the panels. This class
 * ties them together: it loads the night, and it runs keys one at a time in arrival order (a
 * label's database write must finish before the next key acts). React reads each store's
 * snapshots through `useSyncExternalStore`.
 */
import type { CandidateRow, SkysiftBridge, WorkspaceSummary } from '../../../shared/contract';
import type { HumanLabel as SharedLabel } from '../../../shared/labels';
import { ActionRegistry } from './actions/registry';
import { DeskLabels } from './labels/deskLabels';
import type { LabelEvent } from './labels/labelHistory';
import type { HumanLabel } from './labels/labelKinds';
import type { LabelRecord, LabelStore } from './labels/labelStore';
import { LabelOutbox } from './labels/outbox';
import { reconcileLabels } from './labels/reconcile';
import { PanelsStore } from './panels/panelsStore';
import { cancelKey, markKey } from './perfProbe';
import { activeModel, QueueStore } from './queue/queueStore';
import { StampCache } from './stamps/stampCache';
import { newerDurablePrefs } from './stamps/viewSettings';
import { ViewStore } from './view/viewStore';

export interface DeskOptions {
  /** ms, monotonic (performance.now by default): the time spent on each candidate is read from it. */
  now?: () => number;
}

export class DeskStore {
  readonly actions = new ActionRegistry<DeskStore>();
  readonly stamps: StampCache;
  /** Sends Dexie's labels to main's journal, off the key path. */
  readonly outbox: LabelOutbox;
  readonly labels: DeskLabels;
  readonly queue: QueueStore;
  readonly view = new ViewStore();
  readonly panels = new PanelsStore();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly bridge: SkysiftBridge,
    readonly labelStore: LabelStore,
    options: DeskOptions = {},
  ) {
    this.stamps = new StampCache(bridge);
    this.outbox = new LabelOutbox({
      store: labelStore,
      send: (args) => bridge.invoke('labelsPut', args),
      workspace: () => this.queue.getSnapshot().workspace?.dir ?? null,
    });
    this.labels = new DeskLabels(labelStore, this.outbox);
    this.queue = new QueueStore({
      labelOf: this.labels.labelOf,
      prefetch: (ids) =>
        this.stamps.prefetch(ids).catch((e: Error) => this.panels.set({ error: `Stamps: ${e.message}` })),
      now: options.now ?? (() => performance.now()),
    });
    void this.restoreDurablePrefs();
  }

  /** Settings changed just before the last close may be newer in IndexedDB than in localStorage. */
  private async restoreDurablePrefs(): Promise<void> {
    const newer = await newerDurablePrefs();
    this.view.restore(newer);
    this.queue.restoreOrder(newer.get('skysift.order'));
  }

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
            this.queue.clear();
            return;
          }
          let records: LabelRecord[];
          if (journal instanceof Error) {
            // Dexie still holds every label given here; the outbox sends them when main answers.
            records = await this.labelStore.labelsOfWorkspace(workspace.dir);
            this.panels.set({ error: `Labels of this night from the app: ${journal.message}` });
          } else {
            const same = journal?.workspace === workspace.dir;
            records = await this.reconcile(workspace.dir, same ? journal.labels : null, mark);
          }
          this.apply(workspace, list.rows, records);
        } catch (e) {
          this.panels.set({ error: (e as Error).message });
        }
      });
      await this.chain;
      if (workspace) void this.outbox.flushNow();
    } catch (e) {
      this.panels.set({ error: (e as Error).message });
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

  private apply(workspace: WorkspaceSummary, rows: CandidateRow[], records: readonly LabelRecord[]): void {
    // The history of another night would write into this one.
    this.labels.replaceAll(records, this.queue.getSnapshot().workspace?.dir !== workspace.dir);
    performance.mark('skysift:list-received');
    this.labels.publish();
    this.queue.show(workspace, rows);
    this.panels.set({ error: null });
    performance.mark('skysift:queue-ready');
  }

  /**
   * Labels accepted from an import, written in one durable transaction, then shown. Runs among
   * the keys so it cannot interleave with a label being given.
   */
  importLabels(records: readonly LabelRecord[]): Promise<void> {
    const step = this.chain.then(async () => {
      await this.labels.importMany(records);
      this.labels.publish();
      this.queue.relabelled();
    });
    // The chain goes on even if this write failed; the caller hears of the failure.
    this.chain = step.catch(() => undefined);
    return step;
  }

  /** The workspace's labels as they are in Dexie, acknowledged by main or not (export sends these). */
  async storedLabels(): Promise<LabelRecord[]> {
    const ws = this.queue.getSnapshot().workspace;
    if (!ws) return [];
    await this.chain;
    return this.labelStore.labelsOfWorkspace(ws.dir);
  }

  // --- keys -------------------------------------------------------------------------------------

  /** Run the action bound to `key`; returns whether a binding existed (so the event is consumed). */
  handleKey(key: string, timeStamp = performance.now()): boolean {
    const action = this.actions.forKey(key);
    if (!action) return false;
    void this.run(action.id, timeStamp);
    return true;
  }

  /** Queue an action by id (keys and buttons both end here), one at a time in order. */
  run(actionId: string, timeStamp = performance.now()): Promise<void> {
    const action = this.actions.get(actionId);
    if (!action) return Promise.resolve();
    this.chain = this.chain.then(async () => {
      try {
        const before = this.queue.getSnapshot().current?.id;
        // Marked before the action: React may draw the next stamps before `perform` returns.
        markKey(timeStamp);
        await action.perform(this);
        if (this.queue.getSnapshot().current?.id === before) cancelKey();
      } catch (e) {
        this.panels.set({ error: `${action.label}: ${(e as Error).message}` });
      }
    });
    return this.chain;
  }

  /** Wait for every queued action (tests and the bench). */
  idle(): Promise<void> {
    return this.chain;
  }

  // --- labelling --------------------------------------------------------------------------------

  /**
   * Label the current candidate, durably in Dexie, then move on. Main's journal gets it through
   * the outbox, asynchronously: the next stamps never wait for that round trip. Returns the
   * event the history recorded (undefined: nothing to label).
   */
  async label(label: HumanLabel, subclass: string | null): Promise<LabelEvent | undefined> {
    const q = this.queue.getSnapshot();
    const row = q.current;
    if (!row || !q.workspace) return undefined;
    const event = await this.labels.give({
      workspace: q.workspace.dir,
      candidateId: row.id,
      label,
      subclass,
      model: activeModel(q),
      score: row.score,
      secondsSpent: this.queue.secondsShown(),
    });
    const given = row.given.label;
    const notice =
      given && label !== 'skip' && given !== label
        ? `${row.id}: your label (${label}) differs from the label that came with the data (${given}); both are kept.`
        : null;
    this.labels.publish();
    this.queue.rowRelabelled(row.id, event.before !== null, 'next');
    this.panels.set({ notice });
    return event;
  }

  /**
   * Undo the newest label event: restore what was there (or take the label back), then go to
   * that candidate. The restored label is said again now (its time is the undo's), so on any
   * reconcile it is the later word and wins over the one undone.
   */
  async undo(): Promise<void> {
    const event = await this.labels.undo();
    if (!event) return this.panels.set({ notice: 'Nothing to undo.' });
    this.labels.publish();
    this.queue.rowRelabelled(event.candidateId, true, 'same');
    this.panels.set({ notice: null });
  }

  /** Give the newest undone label again, and go to that candidate. */
  async redo(): Promise<void> {
    const event = await this.labels.redo();
    if (!event) return this.panels.set({ notice: 'Nothing to redo.' });
    this.labels.publish();
    this.queue.rowRelabelled(event.candidateId, event.before !== null, 'same');
    this.panels.set({ notice: null });
  }

  // --- navigation -------------------------------------------------------------------------------

  /** Jump to a candidate by id (the find field, the light curve's epochs). */
  goTo(id: string): void {
    const notice = this.queue.goTo(id);
    if (notice) this.panels.set({ notice });
  }
}
