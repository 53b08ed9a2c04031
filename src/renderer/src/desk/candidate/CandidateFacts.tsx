import type { CandidateRow } from '../../../../shared/contract';
import { subclassById } from '../labels/labelKinds';
import type { LabelRecord } from '../labels/labelStore';
import { formatDec, formatRa, mjdToIso } from './sexagesimal';

function Fact({ name, children, testId }: { name: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt>{name}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** What the astronomer reads beside the stamps: scores, when, where, how bright, what was said. */
export function CandidateFacts(props: {
  row: CandidateRow | null;
  model: string | null;
  threshold: number | null;
  label: LabelRecord | undefined;
}) {
  const { row, model, threshold, label } = props;
  if (!row) return <section className="facts" aria-label="candidate" />;
  const m = row.meta;
  const given = Object.entries(row.given.scores);
  const sub = subclassById(label?.subclass);
  return (
    <section className="facts" aria-label="candidate">
      <h2 data-testid="candidate-id">{row.id}</h2>
      <dl>
        <Fact name="score" testId="fact-score">
          {row.score === null ? (
            <span className="muted">not scored{model ? '' : ' (no model yet)'}</span>
          ) : (
            <>
              <b className={threshold !== null && row.score >= threshold ? 'flag' : ''}>
                {row.score.toFixed(3)}
              </b>{' '}
              <span className="muted">
                {model}
                {threshold !== null ? `, threshold ${threshold}` : ''}
              </span>
            </>
          )}
        </Fact>
        <Fact name="given scores" testId="fact-given-scores">
          {given.length ? (
            given.map(([k, v]) => (
              <span key={k} className="kv">
                {k} {v.toFixed(3)}
              </span>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </Fact>
        <Fact name="time">
          {m.mjd !== undefined ? (
            <>
              MJD {m.mjd.toFixed(5)} <span className="muted">{mjdToIso(m.mjd)}</span>
            </>
          ) : (
            <span className="muted">unknown</span>
          )}
        </Fact>
        <Fact name="band">{m.band ?? <span className="muted">unknown</span>}</Fact>
        <Fact name="magnitude">
          {m.mag !== undefined ? (
            <>
              {m.mag.toFixed(2)}
              {m.magErr !== undefined ? ` +- ${m.magErr.toFixed(2)}` : ''}
              {m.isdiffpos === false ? <span className="muted"> (negative difference)</span> : ''}
            </>
          ) : (
            <span className="muted">unknown</span>
          )}
        </Fact>
        <Fact name="RA, Dec" testId="fact-radec">
          {m.ra !== undefined && m.dec !== undefined ? (
            <>
              {formatRa(m.ra)} {formatDec(m.dec)}{' '}
              <span className="muted">
                ({m.ra.toFixed(5)}, {m.dec >= 0 ? '+' : ''}
                {m.dec.toFixed(5)} deg)
              </span>
            </>
          ) : (
            <span className="muted">unknown</span>
          )}
        </Fact>
        <Fact name="source">
          {m.survey ?? row.source}
          {m.objectId ? <span className="muted"> {m.objectId}</span> : ''}
        </Fact>
        <Fact name="given label" testId="fact-given-label">
          {row.given.label ?? <span className="muted">none</span>}
        </Fact>
        <Fact name="your label" testId="fact-your-label">
          {label ? (
            <span className={`qlabel ${label.label}`}>
              {label.label}
              {sub ? `: ${sub.name}` : ''}
            </span>
          ) : (
            <span className="muted">not yet</span>
          )}
        </Fact>
      </dl>
    </section>
  );
}
