/**
 * The open night's queue: its rows in the chosen order, the filter, the view that results, the
 * cursor on it and the candidate under it, the counts; and the prefetch of the stamps around the
 * cursor. The night itself (its active model and threshold) is what main last reported: the
 * workspace summary is the one place they are read from.
 */
import type { CandidateRow, WorkspaceSummary } from '../../../../shared/contract';
import { ExternalStore } from '../externalStore';
import type { HumanLabel } from '../labels/labelKinds';
import { savePref } from '../stamps/viewSettings';
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
} from './queueModel';

export interface QueueSnapshot {
  /** The open night as main reported it (null: none open). */
  workspace: WorkspaceSummary | null;
  rows: readonly CandidateRow[];
  order: QueueOrder;
  filter: QueueFilter;
  view: readonly CandidateRow[];
  cursor: number;
  current: CandidateRow | null;
  counts: QueueCounts;
}

export interface QueueDeps {
  labelOf: (id: string) => HumanLabel | undefined;
  /** Stamps to have ready, the current one first. */
  prefetch: (ids: string[]) => void;
  /** ms, monotonic: when the current candidate's stamps appeared (for a label's time spent). */
  now: () => number;
}

export const ORDER_KEY = 'skysift.order';
const PREFETCH_AHEAD = 24;
const PREFETCH_BEHIND = 4;
const EMPTY_COUNTS: QueueCounts = { total: 0, flagged: 0, labelled: 0, remaining: 0, flaggedRemaining: 0 };

function loadOrder(): QueueOrder {
  const o = localStorage.getItem(ORDER_KEY) as QueueOrder | null;
  return o && QUEUE_ORDERS.includes(o) ? o : 'flagged';
}

/** The model whose scores the queue shows, and its threshold: the night's, as main reported it. */
export const activeModel = (s: Pick<QueueSnapshot, 'workspace'>): string | null =>
  s.workspace?.activeModel ?? null;
export const activeThreshold = (s: Pick<QueueSnapshot, 'workspace'>): number | null =>
  s.workspace?.threshold ?? null;

export class QueueStore extends ExternalStore<QueueSnapshot> {
  private sorted: CandidateRow[] = [];
  private rank = new Map<string, number>();
  private shownAt: number;

  constructor(private readonly deps: QueueDeps) {
    super({
      workspace: null,
      rows: [],
      order: loadOrder(),
      filter: DEFAULT_FILTER,
      view: [],
      cursor: -1,
      current: null,
      counts: EMPTY_COUNTS,
    });
    this.shownAt = deps.now();
  }

  /** Seconds since the current candidate's stamps appeared. */
  secondsShown(): number {
    return Math.max(0, (this.deps.now() - this.shownAt) / 1000);
  }

  has(id: string): boolean {
    return this.rank.has(id);
  }

  /**
   * Show a night's rows (labels already in place). The same night keeps the astronomer where
   * they were: the cursor stays on the same candidate and the queue re-sorts around it.
   */
  show(workspace: WorkspaceSummary, rows: CandidateRow[]): void {
    const sameNight = this.snap.workspace?.dir === workspace.dir;
    const keepId = sameNight ? this.snap.current?.id : undefined;
    this.sorted = orderRows(rows, this.snap.order, workspace.threshold);
    this.rank = rankIndex(this.sorted);
    this.stage({ workspace, rows });
    this.refilter(keepId, sameNight ? this.snap.cursor : 0);
  }

  /** No night open. */
  clear(): void {
    this.sorted = [];
    this.rank = new Map();
    this.update({ workspace: null, rows: [], view: [], cursor: -1, current: null, counts: EMPTY_COUNTS });
  }

  /** Many labels changed at once (an import): recompute the view, keeping the place. */
  relabelled(): void {
    this.refilter(this.snap.current?.id, this.snap.cursor);
  }

  /**
   * One candidate's label changed: update the view and the counts for that row alone (a full
   * refilter of 100k rows would cost ~20 ms on every key), then put the cursor where it belongs:
   * past it after a label, on it after an undo or a redo.
   */
  rowRelabelled(id: string, wasLabelled: boolean, cursorTo: 'next' | 'same'): void {
    const row = this.sorted[this.rank.get(id) ?? -1];
    if (!row) return;
    const label = this.deps.labelOf(row.id);
    const matches = matchesFilter(row, label, this.snap.filter);
    const { view, at, present } = updateViewForRow(this.snap.view, row, matches, this.rank);
    const threshold = activeThreshold(this.snap);
    this.stage({ counts: updateCounts(this.snap.counts, row, threshold, wasLabelled, label !== undefined) });
    if (cursorTo === 'next') this.moveTo(nextIndexAfterLabel(view.length, at, present), view);
    else this.moveTo(view.length === 0 ? -1 : Math.min(Math.max(0, at), view.length - 1), view);
  }

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

  /**
   * Jump to a candidate by id; if the filters hide it, show everything rather than refuse.
   * Returns what to tell the astronomer (null: nothing).
   */
  goTo(id: string): string | null {
    if (!id) return null;
    if (!this.rank.has(id)) return `No candidate "${id}" in this night.`;
    if (this.snap.view.some((r) => r.id === id)) {
      this.select(id);
      return null;
    }
    this.stage({ filter: { ...DEFAULT_FILTER, label: 'all' } });
    this.refilter(id);
    return 'Filters cleared to show it.';
  }

  setOrder(order: QueueOrder): void {
    savePref(ORDER_KEY, order);
    this.sorted = orderRows(this.snap.rows, order, activeThreshold(this.snap));
    this.rank = rankIndex(this.sorted);
    this.stage({ order });
    // The top of the new order: keeping the current candidate left the astronomer at its far end
    // (switching to uncertainty kept a 0.998 candidate, and the next 40 were all ~0.997).
    this.refilter();
  }

  setFilter(patch: Partial<QueueFilter>): void {
    this.stage({ filter: { ...this.snap.filter, ...patch } });
    this.refilter(this.snap.current?.id);
  }

  /** An order whose durable copy was newer than localStorage's at start-up. */
  restoreOrder(order: string | undefined): void {
    if (order && QUEUE_ORDERS.includes(order as QueueOrder)) this.setOrder(order as QueueOrder);
  }

  /** Recompute the view from the sorted rows; keep the cursor on `keepId` if it is still there. */
  private refilter(keepId?: string, fallbackIndex = 0): void {
    const view = filterRows(this.sorted, this.deps.labelOf, this.snap.filter);
    let cursor = keepId ? view.findIndex((r) => r.id === keepId) : -1;
    if (cursor < 0) cursor = view.length ? Math.min(Math.max(0, fallbackIndex), view.length - 1) : -1;
    this.stage({ counts: countQueue(this.snap.rows, activeThreshold(this.snap), this.deps.labelOf) });
    this.moveTo(cursor, view);
  }

  private moveTo(cursor: number, view: readonly CandidateRow[] = this.snap.view): void {
    const current = cursor >= 0 ? (view[cursor] ?? null) : null;
    if (current?.id !== this.snap.current?.id) this.shownAt = this.deps.now();
    this.update({ view, cursor, current });
    this.prefetchAround(cursor, view);
  }

  private prefetchAround(cursor: number, view: readonly CandidateRow[]): void {
    if (cursor < 0) return;
    const ids: string[] = [];
    // The current one first: if it is missing it is the one the astronomer waits for.
    for (let i = cursor; i < Math.min(view.length, cursor + PREFETCH_AHEAD); i++) ids.push(view[i].id);
    for (let i = Math.max(0, cursor - PREFETCH_BEHIND); i < cursor; i++) ids.push(view[i].id);
    this.deps.prefetch(ids);
  }
}
