import type { DeskStore } from '../deskStore';
import { activeThreshold, type QueueSnapshot } from './queueStore';
import { QueueFilters } from './QueueFilters';
import { QueueList } from './QueueList';

/** The left column: counts that are always in sight, the order and filters, the list itself. */
export function QueueColumn(props: { desk: DeskStore; s: QueueSnapshot; labelsVersion: number }) {
  const { desk, s, labelsVersion } = props;
  const { counts } = s;
  const threshold = activeThreshold(s);
  return (
    <aside className="queue" aria-label="candidate queue">
      <div className="queue-counts" data-testid="queue-counts">
        <span title="score at or above the active model's threshold">
          flagged <b data-testid="count-flagged">{threshold === null ? '-' : counts.flagged}</b>
        </span>
        <span>
          labelled <b data-testid="count-labelled">{counts.labelled}</b>
        </span>
        <span>
          remaining <b data-testid="count-remaining">{counts.remaining}</b>
        </span>
        <span className="muted">
          in view <b data-testid="count-view">{s.view.length}</b>
        </span>
      </div>
      <QueueFilters
        rows={s.rows}
        order={s.order}
        filter={s.filter}
        onOrder={(o) => desk.queue.setOrder(o)}
        onFilter={(p) => desk.queue.setFilter(p)}
        onFind={(id) => desk.goTo(id)}
      />
      {!s.workspace && (
        <p className="empty">
          No night is open. Open a workspace and ingest a folder of stamps with the form below the desk, or in
          the Night panel (N).
        </p>
      )}
      {s.workspace && s.rows.length === 0 && (
        <p className="empty">This workspace has no candidates yet. Ingest a folder of stamps to fill it.</p>
      )}
      {s.rows.length > 0 && s.view.length === 0 && (
        <p className="empty">Nothing in this view. Press F to show other labels, or widen the filters.</p>
      )}
      <QueueList
        view={s.view}
        cursor={s.cursor}
        threshold={threshold}
        labels={desk.labels}
        labelsVersion={labelsVersion}
        onSelect={desk.queue.select}
      />
    </aside>
  );
}
