/**
 * The desk's labels of the open night: the map the queue reads on every key, and the one path
 * every change takes (a label given, undone, redone, imported): Dexie first, durably and with its
 * outbox entry in the same transaction, then the outbox is kicked (main's journal hears of it off
 * the key path), then the map. Undo and redo are the label history's events applied through that
 * same path, so the journal in main sees a removal or a restoration like any other label.
 * Changes are staged; `publish` tells the listeners.
 */
import { ExternalStore } from '../externalStore';
import type { HumanLabel } from './labelKinds';
import { LabelHistory, type LabelEvent, type LabelWrite } from './labelHistory';
import type { LabelRecord, LabelStore } from './labelStore';
import type { LabelOutbox } from './outbox';

export interface LabelsSnapshot {
  /** Bumped whenever a label changes (the map itself is mutated in place: 100k copies would cost). */
  version: number;
  /** Labels written this session whose write resolved. */
  acknowledged: number;
  /** A label write is in flight (the status bar says so; nothing waits on it but the next key). */
  saving: boolean;
  undoDepth: number;
  redoDepth: number;
}

/** The status bar says "saving" only past this: an extra render on every key would cost more than it tells. */
const SLOW_WRITE_MS = 150;

export class DeskLabels extends ExternalStore<LabelsSnapshot> {
  readonly history = new LabelHistory();
  private readonly records = new Map<string, LabelRecord>();
  /** The time of this session's last write: each write is a later word than every earlier one. */
  private lastAt = 0;

  constructor(
    private readonly store: LabelStore,
    private readonly outbox: LabelOutbox,
  ) {
    super({ version: 0, acknowledged: 0, saving: false, undoDepth: 0, redoDepth: 0 });
  }

  labelOf = (id: string): HumanLabel | undefined => this.records.get(id)?.label;
  get = (id: string): LabelRecord | undefined => this.records.get(id);

  /** All labels of the night, in the order given (for the stats panel and the tally). */
  all(): LabelRecord[] {
    return [...this.records.values()];
  }

  get size(): number {
    return this.records.size;
  }

  /** The night's labels as loaded (reconciled with main); `newNight` drops the history too. */
  replaceAll(records: readonly LabelRecord[], newNight: boolean): void {
    if (newNight) this.history.clear();
    this.records.clear();
    for (const r of records) this.records.set(r.candidateId, r);
    this.changed();
  }

  /** A label given at the desk: written, then recorded in the history as one event. */
  async give(record: Omit<LabelRecord, 'at'>): Promise<LabelEvent> {
    const before = this.records.get(record.candidateId) ?? null;
    const after = await this.write({
      workspace: record.workspace,
      candidateId: record.candidateId,
      record: { ...record, at: 0 },
      laterThan: 0,
    });
    const event = { candidateId: record.candidateId, before, after: after! };
    this.history.record(event);
    this.stage({ acknowledged: this.snap.acknowledged + 1 });
    this.changed();
    return event;
  }

  /** Take back the newest label event; undefined when there is none. */
  async undo(): Promise<LabelEvent | undefined> {
    const event = await this.history.undo((w) => this.write(w).then(() => undefined));
    if (event) this.changed();
    return event;
  }

  async redo(): Promise<LabelEvent | undefined> {
    const event = await this.history.redo((w) => this.write(w).then(() => undefined));
    if (event) this.changed();
    return event;
  }

  /** Labels accepted from an import, in one durable transaction (their own times kept). */
  async importMany(records: readonly LabelRecord[]): Promise<void> {
    await this.store.putMany(records);
    this.outbox.kick();
    for (const r of records) this.records.set(r.candidateId, r);
    this.changed();
  }

  /** The one path of a change: Dexie, the outbox, the map. Returns what was written. */
  private async write(w: LabelWrite): Promise<LabelRecord | null> {
    const at = (this.lastAt = Math.max(Date.now(), this.lastAt + 1, w.laterThan + 1));
    const record = w.record ? { ...w.record, at } : null;
    const slow = setTimeout(() => this.update({ saving: true }), SLOW_WRITE_MS);
    performance.mark('skysift:label-write-start');
    try {
      if (record) await this.store.put(record);
      else await this.store.remove(w.workspace, w.candidateId, at);
      this.outbox.kick();
    } finally {
      clearTimeout(slow);
      performance.measure('skysift:label-write', 'skysift:label-write-start');
      this.stage({ saving: false });
    }
    if (record) this.records.set(w.candidateId, record);
    else this.records.delete(w.candidateId);
    return record;
  }

  /**
   * Tell React. The desk calls this in the same tick as the queue's move after the change, so a
   * key draws one consistent frame (a label counted but the cursor not yet moved would be a
   * second render per key).
   */
  publish(): void {
    this.emit();
  }

  private changed(): void {
    this.stage({
      version: this.snap.version + 1,
      undoDepth: this.history.undoDepth,
      redoDepth: this.history.redoDepth,
    });
  }
}
