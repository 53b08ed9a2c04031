import type { CandidateRow, WorkspaceSummary } from '../../../shared/contract';

export function QueueColumn(props: {
  rows: CandidateRow[];
  selected: string | null;
  onSelect: (id: string) => void;
  workspace: WorkspaceSummary | null;
}) {
  const { rows, selected, onSelect, workspace } = props;
  return (
    <aside className="queue" aria-label="candidate queue">
      <h2>Queue</h2>
      {!workspace && (
        <p className="empty">No night is open. Open a workspace and ingest a folder of stamps (right).</p>
      )}
      {workspace && rows.length === 0 && (
        <p className="empty">This workspace has no candidates yet. Ingest a folder of stamps to fill it.</p>
      )}
      <ol className="queue-list">
        {rows.slice(0, 500).map((r) => (
          <li key={r.id}>
            <button
              type="button"
              className={r.id === selected ? 'queue-item selected' : 'queue-item'}
              onClick={() => onSelect(r.id)}
            >
              <span className="qid">{r.id}</span>
              <span className="qscore">{r.score === null ? 'unscored' : r.score.toFixed(3)}</span>
            </button>
          </li>
        ))}
      </ol>
    </aside>
  );
}
