/**
 * The session's history of label events, newest last (the Excalidraw shape: each change is
 * stored as what was there before and what is there after, so undo is applying the inverse and
 * redo is applying the event again). Any number of steps, bounded only by `limit` (a night is a
 * few thousand labels, so the default keeps every one). A new label clears what could be redone.
 */
import type { LabelRecord } from './labelStore';

/** One label action: the candidate's label before (null: none) and after. */
export interface LabelEvent {
  candidateId: string;
  before: LabelRecord | null;
  after: LabelRecord;
}

/** What applying an event in one direction writes: `record` null takes the label back. */
export interface LabelWrite {
  workspace: string;
  candidateId: string;
  record: LabelRecord | null;
  /**
   * The write is the later word than this time (ms): main's journal and the reconcile keep the
   * latest `at`, so the undone label must not win over its undo.
   */
  laterThan: number;
}

export const inverse = (e: LabelEvent): LabelWrite => ({
  workspace: e.after.workspace,
  candidateId: e.candidateId,
  record: e.before,
  laterThan: e.after.at,
});

export const forward = (e: LabelEvent): LabelWrite => ({
  workspace: e.after.workspace,
  candidateId: e.candidateId,
  record: e.after,
  laterThan: e.before?.at ?? 0,
});

export class LabelHistory {
  private readonly done: LabelEvent[] = [];
  private readonly undone: LabelEvent[] = [];

  constructor(private readonly limit = 100_000) {}

  record(event: LabelEvent): void {
    this.done.push(event);
    if (this.done.length > this.limit) this.done.splice(0, this.done.length - this.limit);
    this.undone.length = 0;
  }

  /**
   * Take the newest event back through `write` (its inverse); the event moves to the redo side
   * only once the write resolved, so a refused write leaves the history as it was.
   */
  async undo(write: (w: LabelWrite) => Promise<void>): Promise<LabelEvent | undefined> {
    const event = this.done.pop();
    if (!event) return undefined;
    try {
      await write(inverse(event));
    } catch (e) {
      this.done.push(event);
      throw e;
    }
    this.undone.push(event);
    return event;
  }

  /** Apply the newest undone event again, the same way. */
  async redo(write: (w: LabelWrite) => Promise<void>): Promise<LabelEvent | undefined> {
    const event = this.undone.pop();
    if (!event) return undefined;
    try {
      await write(forward(event));
    } catch (e) {
      this.undone.push(event);
      throw e;
    }
    this.done.push(event);
    return event;
  }

  /** Events of another night would write into this one. */
  clear(): void {
    this.done.length = 0;
    this.undone.length = 0;
  }

  get undoDepth(): number {
    return this.done.length;
  }

  get redoDepth(): number {
    return this.undone.length;
  }
}
