/**
 * The session's history of undoable actions, newest last. Undo pops one step and hands it back
 * to the action that made it; any number of steps, bounded only by `limit` (a night is a few
 * thousand labels, so the default keeps every one).
 */
export interface UndoStep<R = unknown> {
  actionId: string;
  record: R;
}

export class UndoStack<R = unknown> {
  private readonly steps: UndoStep<R>[] = [];
  constructor(private readonly limit = 100_000) {}

  push(step: UndoStep<R>): void {
    this.steps.push(step);
    if (this.steps.length > this.limit) this.steps.splice(0, this.steps.length - this.limit);
  }

  pop(): UndoStep<R> | undefined {
    return this.steps.pop();
  }

  /** Put a step back (its undo failed, e.g. the database refused the write). */
  restore(step: UndoStep<R>): void {
    this.steps.push(step);
  }

  get size(): number {
    return this.steps.length;
  }

  peek(): UndoStep<R> | undefined {
    return this.steps[this.steps.length - 1];
  }
}
