import { memo, useEffect, useRef, useState } from 'react';
import type { CandidateRow } from '../../../../shared/contract';
import type { LabelRecord } from '../labels/labelStore';
import { isFlagged } from './queueModel';

/** Fixed row height: what lets the list draw only the rows in sight, whatever the queue's length. */
export const ROW_HEIGHT = 24;
const OVERSCAN = 10;

/**
 * The queue, virtualised: a spacer as tall as all rows, and only the ~40 rows in the viewport
 * rendered inside it. Scrolling 100k candidates costs what scrolling 40 does.
 */
export const QueueList = memo(function QueueList(props: {
  view: readonly CandidateRow[];
  cursor: number;
  threshold: number | null;
  /** Mutated in place by the desk; `labelsVersion` says when. */
  labels: { get(id: string): LabelRecord | undefined };
  labelsVersion: number;
  onSelect: (id: string) => void;
}) {
  const { view, cursor, threshold, labels, onSelect } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the cursor in sight: scroll only when it leaves the viewport, so the list does not jump.
  useEffect(() => {
    const el = ref.current;
    if (!el || cursor < 0) return;
    const top = cursor * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [cursor, view]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(view.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const items = [];
  for (let i = first; i < last; i++) {
    const r = view[i];
    const label = labels.get(r.id);
    const flagged = isFlagged(r, threshold);
    items.push(
      <li
        key={r.id}
        role="option"
        aria-selected={i === cursor}
        style={{ top: i * ROW_HEIGHT, height: ROW_HEIGHT }}
        data-id={r.id}
      >
        <button
          type="button"
          tabIndex={-1}
          className={`queue-item${i === cursor ? ' selected' : ''}${flagged ? ' flagged' : ''}`}
          onClick={() => onSelect(r.id)}
        >
          <span className="qflag" aria-label={flagged ? 'flagged' : undefined}>
            {flagged ? '*' : ''}
          </span>
          <span className="qid">{r.id}</span>
          <span className={`qlabel ${label?.label ?? ''}`}>{label ? label.label : ''}</span>
          <span className="qscore">{r.score === null ? '-' : r.score.toFixed(3)}</span>
        </button>
      </li>,
    );
  }

  return (
    <div
      className="queue-scroll"
      ref={ref}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid="queue-scroll"
    >
      <ol
        className="queue-list"
        role="listbox"
        aria-label="candidates in queue order"
        style={{ height: view.length * ROW_HEIGHT }}
      >
        {items}
      </ol>
    </div>
  );
});
