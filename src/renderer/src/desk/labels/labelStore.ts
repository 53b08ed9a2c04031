/**
 * The astronomer's labels, in IndexedDB through Dexie: the desk's fast store and the outbox of
 * what main's journal (the system of record) has not acknowledged yet. One record per
 * (workspace, candidate): the latest word on it. Every write is a transaction with strict
 * durability, so when a put resolves the label is on disk (Chromium otherwise commits "relaxed"
 * and may lose the last writes if the browser or the machine dies); the desk moves on only then.
 *
 * The outbox holds one entry per (workspace, candidate) whose latest word main has not
 * acknowledged: a label given (its record is in `labels`) or taken back (`removedAt`). It is
 * written in the same transaction as the label, so no label is durable here without also being
 * due to main; an entry goes only when main acknowledged that very write (its `seq`).
 */
import Dexie, { type Table } from 'dexie';
import type { HumanLabel } from './labelKinds';

export interface LabelRecord {
  /** The workspace folder (absolute): labels of different nights never mix. */
  workspace: string;
  candidateId: string;
  label: HumanLabel;
  subclass: string | null;
  /** The model version and its score on screen when the label was given (null: no model yet). */
  model: string | null;
  score: number | null;
  /** Seconds from the candidate's stamps appearing to the label key. */
  secondsSpent: number;
  /** ms since the epoch. */
  at: number;
  /** Who gave it, when it came from a colleague's label file; absent: the astronomer at this desk. */
  by?: string;
}

/** A write main has not acknowledged yet. */
export interface OutboxEntry {
  workspace: string;
  candidateId: string;
  /** null: the label in `labels` is to be sent; a time (ms): the label was taken back then. */
  removedAt: number | null;
  /** Which write this is: an acknowledgement clears the entry only if no later write replaced it. */
  seq: string;
}

export const LABELS_DB_NAME = 'skysift-labels';

let seqCounter = 0;
/** Unique across tabs and sessions sharing the database (a counter alone repeats after a reload). */
function nextSeq(): string {
  return `${Date.now().toString(36)}-${(seqCounter++).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

class LabelsDb extends Dexie {
  labels!: Table<LabelRecord, [string, string]>;
  outbox!: Table<OutboxEntry, [string, string]>;
  constructor(name: string, durability: 'strict' | 'relaxed' = 'strict') {
    // 'strict': Chromium flushes the transaction to disk before reporting it complete.
    super(name, { chromeTransactionDurability: durability });
    this.version(1).stores({
      labels: '[workspace+candidateId], workspace, at',
    });
    this.version(2)
      .stores({
        labels: '[workspace+candidateId], workspace, at',
        outbox: '[workspace+candidateId], workspace',
      })
      // Labels given before main kept a journal exist only here: every one is due to main.
      .upgrade(async (tx) => {
        const old = (await tx.table('labels').toArray()) as LabelRecord[];
        await tx.table('outbox').bulkPut(
          old.map((r): OutboxEntry => ({
            workspace: r.workspace,
            candidateId: r.candidateId,
            removedAt: null,
            seq: nextSeq(),
          })),
        );
      });
  }
}

const due = (r: Pick<LabelRecord, 'workspace' | 'candidateId'>): OutboxEntry => ({
  workspace: r.workspace,
  candidateId: r.candidateId,
  removedAt: null,
  seq: nextSeq(),
});

export class LabelStore {
  private readonly db: LabelsDb;
  /**
   * The same database without the flush to disk, for the outbox's bookkeeping: an acknowledgement
   * lost in a crash only makes a label go to main once more (main keeps the last word), and a
   * strict commit there would hold up the next label's write behind a second flush.
   */
  private readonly lazy: LabelsDb;
  constructor(name = LABELS_DB_NAME) {
    this.db = new LabelsDb(name);
    this.lazy = new LabelsDb(name, 'relaxed');
  }

  /** Resolves once the label (and its outbox entry) is durable; the caller moves on only then. */
  async put(record: LabelRecord): Promise<void> {
    const { labels, outbox } = this.db;
    await this.db.transaction('rw', labels, outbox, async () => {
      await labels.put(record);
      await outbox.put(due(record));
    });
  }

  /** Several labels in one durable transaction (an accepted import): all are written or none. */
  async putMany(records: readonly LabelRecord[]): Promise<void> {
    const { labels, outbox } = this.db;
    await this.db.transaction('rw', labels, outbox, async () => {
      await labels.bulkPut([...records]);
      await outbox.bulkPut(records.map(due));
    });
  }

  /** Take a label back (undo of a first label); main hears of it through the outbox. */
  async remove(workspace: string, candidateId: string, at = Date.now()): Promise<void> {
    const { labels, outbox } = this.db;
    await this.db.transaction('rw', labels, outbox, async () => {
      await labels.delete([workspace, candidateId]);
      await outbox.put({ workspace, candidateId, removedAt: at, seq: nextSeq() });
    });
  }

  async get(workspace: string, candidateId: string): Promise<LabelRecord | undefined> {
    return this.db.labels.get({ workspace, candidateId });
  }

  /** Every label of a workspace (the desk loads them at open). */
  async labelsOfWorkspace(workspace: string): Promise<LabelRecord[]> {
    return this.db.labels.where('workspace').equals(workspace).toArray();
  }

  /** The writes of a workspace that main has not acknowledged. */
  async pending(workspace: string): Promise<OutboxEntry[]> {
    return this.db.outbox.where('workspace').equals(workspace).toArray();
  }

  /** Up to `limit` unacknowledged writes of a workspace, each with the label it sends (null: a removal). */
  async outgoing(
    workspace: string,
    limit: number,
  ): Promise<{ entry: OutboxEntry; record: LabelRecord | null }[]> {
    const { outbox, labels } = this.lazy;
    const entries = await outbox.where('workspace').equals(workspace).limit(limit).toArray();
    const records = await labels.bulkGet(entries.map((e) => [e.workspace, e.candidateId]));
    return entries.map((entry, i) => ({
      entry,
      record: entry.removedAt === null ? (records[i] ?? null) : null,
    }));
  }

  /** How many writes, over every night, main has not acknowledged. */
  async pendingCount(): Promise<number> {
    return this.lazy.outbox.count();
  }

  /** Main acknowledged these writes: their entries go, unless a later write replaced one meanwhile. */
  async acknowledge(sent: readonly OutboxEntry[]): Promise<void> {
    const { outbox } = this.lazy;
    await this.lazy.transaction('rw', outbox, async () => {
      const now = await outbox.bulkGet(sent.map((e) => [e.workspace, e.candidateId]));
      const done = sent.filter((e, i) => now[i]?.seq === e.seq).map((e) => [e.workspace, e.candidateId]);
      await outbox.bulkDelete(done as [string, string][]);
    });
  }

  /**
   * The outcome of a reconcile with main's journal, in one transaction: labels main holds (as
   * acknowledged), entries to clear (main already has that word), labels to (re)send.
   */
  async applyReconcile(
    workspace: string,
    change: {
      fromMain: readonly LabelRecord[];
      settled: readonly string[];
      resend: readonly string[];
    },
  ): Promise<void> {
    const { labels, outbox } = this.db;
    if (!change.fromMain.length && !change.settled.length && !change.resend.length) return;
    await this.db.transaction('rw', labels, outbox, async () => {
      await labels.bulkPut([...change.fromMain]);
      const cleared = [...change.fromMain.map((r) => r.candidateId), ...change.settled];
      await outbox.bulkDelete(cleared.map((id) => [workspace, id] as [string, string]));
      // A label main lacks or holds older: due again (an entry already there keeps its seq).
      const have = await outbox.bulkGet(change.resend.map((id) => [workspace, id]));
      await outbox.bulkPut(
        change.resend.filter((_, i) => !have[i]).map((candidateId) => due({ workspace, candidateId })),
      );
    });
  }

  close(): void {
    this.db.close();
    this.lazy.close();
  }

  async deleteDatabase(): Promise<void> {
    this.lazy.close();
    await this.db.delete();
  }
}
