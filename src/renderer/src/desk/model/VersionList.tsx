import type { ModelSummary } from '../../../../shared/contract';
import { figureText, qualityFigure, trainedOnText } from './provenance';

const when = (iso: string) => iso.replace('T', ' ').slice(0, 16);

/**
 * Every version of the home's library with its provenance: what it was trained on, its figures
 * (and where they were measured), its input. Adopt one (it becomes the home's: it scores the
 * next nights on open) or roll back.
 */
export function VersionList(props: {
  versions: ModelSummary[];
  pending: boolean;
  onAdopt: (version: string) => void;
}) {
  const { versions, pending, onAdopt } = props;
  const active = versions.find((v) => v.active);
  const sorted = [...versions].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (sorted.length === 0) return <p className="muted">No model in the home&apos;s library yet.</p>;
  return (
    <table className="versions-table" data-testid="versions">
      <thead>
        <tr>
          <th scope="col">version</th>
          <th scope="col">parent</th>
          <th scope="col">trained on</th>
          <th scope="col">figures</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {sorted.map((v) => {
          const q = qualityFigure(v);
          return (
            <tr
              key={v.version}
              className={v.active ? 'active' : ''}
              data-version={v.version}
              data-shown={v.shownHere}
              data-scored={v.scoredHere}
            >
              <td
                className="mono"
                title={`${v.architecture}, ${v.kind}, ${v.trainer ? `trained by ${v.trainer}` : (v.backend ?? 'no backend recorded')}`}
              >
                {v.version}
                <div className="muted small">
                  {when(v.createdAt)}
                  {v.shipped ? ', ships with Skysift' : ''}
                  {`, ${v.input.size[0]}x${v.input.size[1]} ${v.input.channels.join('+')}`}
                </div>
                <div className="small">
                  {[
                    v.active && 'active',
                    v.shownHere && 'shown here',
                    !v.shownHere && v.scoredHere && 'scored here',
                  ]
                    .filter(Boolean)
                    .join(', ')}
                </div>
              </td>
              <td className="mono">{v.parent ?? 'none'}</td>
              <td className="small" data-testid="trained-on">
                {trainedOnText(v)}
              </td>
              <td className="small" data-testid="figures" data-scope={q.scope}>
                {q.evaluation ? (
                  <>
                    {figureText(q.evaluation)} <span className="muted">{q.where}</span>
                  </>
                ) : (
                  <span className="muted">{q.where}</span>
                )}
              </td>
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
          );
        })}
      </tbody>
    </table>
  );
}
