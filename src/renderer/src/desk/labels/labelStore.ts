/**
 * The astronomer's labels, in IndexedDB through Dexie. One record per (workspace, candidate):
 * the latest word on it. Every write is a transaction with strict durability, so when a put
 * resolves the label is on disk (Chromium otherwise commits "relaxed" and may lose the last
 * writes if the browser or the machine dies); the desk moves on only after that.
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

export const LABELS_DB_NAME = 'skysift-labels';

class LabelsDb extends Dexie {
  labels!: Table<LabelRecord, [string, string]>;
  constructor(name: string) {
    // 'strict': Chromium flushes the transaction to disk before reporting it complete.
    super(name, { chromeTransactionDurability: 'strict' });
    this.version(1).stores({
      labels: '[workspace+candidateId], workspace, at',
    });
  }
}

export class LabelStore {
  private readonly db: LabelsDb;
  constructor(name = LABELS_DB_NAME) {
    this.db = new LabelsDb(name);
  }

  /** Resolves once the label is durable; the caller moves on only then. */
  async put(record: LabelRecord): Promise<void> {
    await this.db.labels.put(record);
  }

  /** Several labels in one durable transaction (an accepted import): all are written or none. */
  async putMany(records: readonly LabelRecord[]): Promise<void> {
    await this.db.transaction('rw', this.db.labels, () => this.db.labels.bulkPut([...records]));
  }

  /** Take a label back (undo of a first label). */
  async remove(workspace: string, candidateId: string): Promise<void> {
    await this.db.labels.delete([workspace, candidateId]);
  }

  async get(workspace: string, candidateId: string): Promise<LabelRecord | undefined> {
    return this.db.labels.get({ workspace, candidateId });
  }

  /**
   * Every label of a workspace. The retraining job (another issue) sends these to main; the desk
   * loads them at open.
   */
  async labelsOfWorkspace(workspace: string): Promise<LabelRecord[]> {
    return this.db.labels.where('workspace').equals(workspace).toArray();
  }

  close(): void {
    this.db.close();
  }

  async deleteDatabase(): Promise<void> {
    await this.db.delete();
  }
}
