/**
 * The shape every desk store shares with React's `useSyncExternalStore`: an immutable snapshot
 * replaced on change, and listeners told after each replacement. State lives outside React so a
 * keypress costs a few array operations, not a re-render of the world.
 */
export class ExternalStore<T extends object> {
  private readonly listeners = new Set<() => void>();

  constructor(protected snap: T) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): T => this.snap;

  /** Replace the snapshot and tell the listeners. */
  protected update(patch: Partial<T>): void {
    this.snap = { ...this.snap, ...patch };
    this.emit();
  }

  /** Replace the snapshot without telling anyone yet (a later `update` or `emit` does). */
  protected stage(patch: Partial<T>): void {
    this.snap = { ...this.snap, ...patch };
  }

  protected emit(): void {
    for (const l of this.listeners) l();
  }
}
