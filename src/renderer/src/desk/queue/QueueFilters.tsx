import { useMemo } from 'react';
import type { CandidateRow } from '../../../../shared/contract';
import {
  CONTEXT_FILTER_NAMES,
  CONTEXT_FILTERS,
  facets,
  LABEL_FILTER_NAMES,
  LABEL_FILTERS,
  ORDER_NAMES,
  QUEUE_ORDERS,
  type ContextFilter,
  type LabelFilter,
  type QueueFilter,
  type QueueOrder,
} from './queueModel';

/** Order and filters of the queue: plain form controls, so Tab reaches each of them. */
export function QueueFilters(props: {
  rows: readonly CandidateRow[];
  order: QueueOrder;
  filter: QueueFilter;
  onOrder: (o: QueueOrder) => void;
  onFilter: (patch: Partial<QueueFilter>) => void;
  onFind: (id: string) => void;
}) {
  const { rows, order, filter, onOrder, onFilter, onFind } = props;
  const { bands, sources } = useMemo(() => facets(rows), [rows]);
  const num = (v: string) => (v.trim() === '' || Number.isNaN(Number(v)) ? null : Number(v));
  return (
    <div className="queue-filters" aria-label="queue order and filters">
      <label>
        order
        <select id="queue-order" value={order} onChange={(e) => onOrder(e.target.value as QueueOrder)}>
          {QUEUE_ORDERS.map((o) => (
            <option key={o} value={o}>
              {ORDER_NAMES[o]}
            </option>
          ))}
        </select>
      </label>
      <label>
        show
        <select
          data-testid="filter-label"
          value={filter.label}
          onChange={(e) => onFilter({ label: e.target.value as LabelFilter })}
        >
          {LABEL_FILTERS.map((f) => (
            <option key={f} value={f}>
              {LABEL_FILTER_NAMES[f]}
            </option>
          ))}
        </select>
      </label>
      <label>
        score
        <span className="range">
          <input
            aria-label="minimum score"
            inputMode="decimal"
            placeholder="min"
            defaultValue={filter.scoreMin ?? ''}
            onChange={(e) => onFilter({ scoreMin: num(e.target.value) })}
          />
          <input
            aria-label="maximum score"
            inputMode="decimal"
            placeholder="max"
            defaultValue={filter.scoreMax ?? ''}
            onChange={(e) => onFilter({ scoreMax: num(e.target.value) })}
          />
        </span>
      </label>
      <label>
        band
        <select value={filter.band ?? ''} onChange={(e) => onFilter({ band: e.target.value || null })}>
          <option value="">any</option>
          {bands.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label>
        go to id
        <input
          aria-label="go to candidate id"
          placeholder="id, Enter"
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            onFind(e.currentTarget.value.trim());
            // Back to the desk's keys on the candidate found.
            e.currentTarget.blur();
          }}
        />
      </label>
      <label>
        source
        <select value={filter.source ?? ''} onChange={(e) => onFilter({ source: e.target.value || null })}>
          <option value="">any</option>
          {sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        context
        <select
          data-testid="filter-context"
          value={filter.context ?? ''}
          onChange={(e) => onFilter({ context: (e.target.value || null) as ContextFilter | null })}
        >
          <option value="">any</option>
          {CONTEXT_FILTERS.map((c) => (
            <option key={c} value={c}>
              {CONTEXT_FILTER_NAMES[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="filter-objects"
          checked={filter.objects}
          onChange={(e) => onFilter({ objects: e.target.checked })}
        />{' '}
        one row per object
      </label>
    </div>
  );
}
