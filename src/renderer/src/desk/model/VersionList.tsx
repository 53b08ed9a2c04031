import type { ModelSummary } from '../../../../shared/contract';

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

function labelsOf(v: ModelSummary): string {
  const s = v.labelSources;
  if (!s) return v.kind === 'imported' ? 'imported' : '-';
  return `${s.human ?? 0} human / ${s.data ?? 0} data`;
}

/** Every version with its provenance; adopt a newer one or roll back to an older one. */
export function VersionList(props: {
  versions: ModelSummary[];
  pending: boolean;
  onAdopt: (version: string) => void;
}) {
  const { versions, pending, onAdopt } = props;
  const active = versions.find((v) => v.active);
  const sorted = [...versions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (sorted.length === 0) return <p className="muted">No model versions in this workspace yet.</p>;
  return (
    <table className="versions-table" data-testid="versions">
      <thead>
        <tr>
          <th scope="col">version</th>
          <th scope="col">created</th>
          <th scope="col">parent</th>
          <th scope="col">labels</th>
          <th scope="col">backend</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {sorted.map((v) => (
          <tr key={v.version} className={v.active ? 'active' : ''} data-version={v.version}>
            <td className="mono" title={`${v.architecture}, ${v.kind}`}>
              {v.version}
            </td>
            <td>{when(v.createdAt)}</td>
            <td className="mono">{v.parent ?? 'none'}</td>
            <td>{labelsOf(v)}</td>
            <td>{v.backend ?? '-'}</td>
            <td>
              {v.active ? (
                <span className="muted">active</span>
              ) : (
                <button type="button" disabled={pending} onClick={() => onAdopt(v.version)}>
                  {active && v.createdAt < active.createdAt ? 'Roll back' : 'Adopt'}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
