import type { JobRecord } from '../../../../shared/contract';

/** What an ingest did: candidates per source, duplicates, and every rejected file with its reason. */
export function IngestReport({ record }: { record: JobRecord }) {
  const r = record.report;
  if (!r) {
    return (
      <p className={record.state === 'done' ? '' : 'panel-error'}>
        Ingest {record.state}
        {record.error ? `: ${record.error}` : ''}
      </p>
    );
  }
  return (
    <div
      className="ingest-report"
      data-testid="ingest-report"
      data-added={r.added}
      data-rejected={r.rejected.length}
    >
      <p>
        {r.cancelled ? 'Cancelled after adding' : 'Added'} {r.added} candidates from{' '}
        <span className="mono">{r.folder}</span>
        {r.duplicates ? ` (${r.duplicates} duplicates ingested once)` : ''}.
      </p>
      <table className="tally-table">
        <tbody>
          {Object.entries(r.perSource).map(([source, n]) => (
            <tr key={source}>
              <th scope="row">{source}</th>
              <td>{n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.rejected.length > 0 ? (
        <details open={r.rejected.length <= 10}>
          <summary>
            {r.rejected.length} {r.rejected.length === 1 ? 'file' : 'files'} rejected
          </summary>
          <ul className="plain small">
            {r.rejected.slice(0, 500).map((e) => (
              <li key={e.file}>
                <span className="mono">{e.file}</span>: {e.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="muted small">No file rejected.</p>
      )}
      {record.state === 'cancelled' && (
        <p className="small">Ingest the same folder again to go on where it stopped.</p>
      )}
    </div>
  );
}
