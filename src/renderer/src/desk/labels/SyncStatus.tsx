import { useSyncExternalStore } from 'react';
import type { LabelOutbox } from './outbox';

/**
 * Whether main's journal (the app's record, read by every browser and the CLI) holds every label
 * given here. Its own small store: the desk does not re-render when a batch is acknowledged.
 */
export function SyncStatus({ outbox }: { outbox: LabelOutbox }) {
  const s = useSyncExternalStore(outbox.subscribe, outbox.getSnapshot);
  return (
    <span
      data-testid="status-synced"
      data-unsent={s.unsent}
      data-acknowledged={s.acknowledged}
      data-busy={s.busy}
      className={s.error ? 'warn' : undefined}
      title={s.error ?? 'Labels are kept by the app (its journal), not only by this browser.'}
    >
      {s.unsent === 0 ? 'all kept by the app' : `${s.unsent} waiting for the app`}
      {s.error ? ' (retrying)' : ''}
    </span>
  );
}
