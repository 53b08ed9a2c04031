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

/**
 * The label that came with the data, as the facts show it. On a simulated night it is the answer
 * to the exercise: hidden until the astronomer has labelled the candidate, then shown with whether
 * they agreed (a skip is not an answer, so it stays hidden).
 */
export function givenLabelText(
  given: 'real' | 'bogus' | undefined | null,
  mine: LabelRecord['label'] | undefined,
  simulated: boolean,
): { text: string; verdict: 'agree' | 'differ' | null } {
  if (!given) return { text: 'none', verdict: null };
  if (!simulated) return { text: given, verdict: null };
  if (mine !== 'real' && mine !== 'bogus')
    return { text: 'hidden until you label it (simulated night)', verdict: null };
  return mine === given
    ? { text: `${given}: you agree`, verdict: 'agree' }
    : { text: `${given}: you said ${mine}`, verdict: 'differ' };
}

/** What the astronomer reads beside the stamps: scores, when, where, how bright, what was said. */
export function CandidateFacts(props: {
  row: CandidateRow | null;
  model: string | null;
  threshold: number | null;
  label: LabelRecord | undefined;
  simulated: boolean;
}) {
  const { row, model, threshold, label, simulated } = props;
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
                {threshold !== null ? `, threshold ${threshold.toFixed(3)}` : ''}
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
        <Fact name={simulated ? 'simulated truth' : 'given label'} testId="fact-given-label">
          <GivenLabel view={givenLabelText(row.given.label, label?.label, simulated)} />
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

function GivenLabel({ view }: { view: ReturnType<typeof givenLabelText> }) {
  if (view.verdict === null) return <span className={view.text === 'none' ? 'muted' : ''}>{view.text}</span>;
  return (
    <span
      className={view.verdict === 'agree' ? 'verdict-agree' : 'verdict-differ'}
      data-verdict={view.verdict}
    >
      {view.text}
    </span>
  );
}
