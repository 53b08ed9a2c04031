import type { HomeInfo, NightSummary } from '../../../../shared/contract';

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

function scoredText(n: NightSummary): string {
  if (n.candidates === 0) return 'empty';
  if (!n.scoredBy || n.scored === 0) return 'not scored';
  return n.scored === n.candidates ? `scored by ${n.scoredBy}` : `${n.scored} scored by ${n.scoredBy}`;
}

/** The home's nights, the last opened first: candidates, scoring and labels; a click opens one. */
export function NightList(props: {
  home: HomeInfo | null;
  openDir: string | null;
  busy: boolean;
  onOpen: (dir: string) => void;
}) {
  const { home, openDir, busy, onOpen } = props;
  if (!home) return <p className="muted small">Reading the home...</p>;
  if (home.nights.length === 0) return <p className="muted small">No night in this home yet.</p>;
  const nights = [...home.nights].sort((a, b) => b.lastOpenedAt.localeCompare(a.lastOpenedAt));
  return (
    <table className="versions-table" data-testid="night-list">
      <thead>
        <tr>
          <th scope="col">night</th>
          <th scope="col">candidates</th>
          <th scope="col">scored</th>
          <th scope="col">labels (real / bogus / skip)</th>
          <th scope="col">opened</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {nights.map((n) => (
          <tr
            key={n.dir}
            className={n.dir === openDir ? 'active' : ''}
            data-dir={n.dir}
            data-candidates={n.candidates}
            data-scored={n.scored}
            title={n.dir}
          >
            <td>
              {n.name}
              {n.simulated ? <span className="muted small"> (simulated)</span> : null}
            </td>
            <td>{n.candidates}</td>
            <td className="small">{scoredText(n)}</td>
            <td>
              {n.labels.real} / {n.labels.bogus} / {n.labels.skip}
            </td>
            <td className="small">{when(n.lastOpenedAt)}</td>
            <td>
              {n.dir === openDir ? (
                <span className="muted">open</span>
              ) : (
                <button type="button" disabled={busy} onClick={() => onOpen(n.dir)}>
                  Open
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
