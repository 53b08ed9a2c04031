import { useEffect, useState } from 'react';
import type { CandidateContextResult } from '../../../../shared/context';
import type { CandidateRow, SkysiftBridge } from '../../../../shared/contract';
import { bandColour, scaleLightCurve, type PlotBox, type PlotMark } from './lightCurveModel';

const BOX: PlotBox = { width: 380, height: 210, padLeft: 38, padRight: 8, padTop: 8, padBottom: 30 };

/** The context of the current candidate, fetched when it has any (most rows of a DES night have none). */
function useCandidateContext(bridge: SkysiftBridge, row: CandidateRow | null) {
  const [state, setState] = useState<{
    id: string;
    ctx: CandidateContextResult | null;
    error: string | null;
  }>();
  const id = row?.id ?? null;
  const has = !!row?.context;
  useEffect(() => {
    if (!id || !has) return;
    let live = true;
    bridge.invoke('candidateContext', { id }).then(
      (ctx) => live && setState({ id, ctx, error: null }),
      (e: Error) => live && setState({ id, ctx: null, error: e.message }),
    );
    return () => {
      live = false;
    };
  }, [bridge, id, has]);
  return state && state.id === id ? state : null;
}

function Mark({ m, colour }: { m: PlotMark; colour: string }) {
  const title = `${m.band} MJD ${m.time.toFixed(4)}: ${m.kind === 'limit' ? '> ' : ''}${m.value.toFixed(2)}${m.kind === 'forced' ? ' (forced)' : ''}`;
  if (m.kind === 'limit')
    // Open triangle pointing down: the object was fainter than this.
    return (
      <polygon
        className="lc-limit"
        points={`${m.x - 4},${m.y - 3} ${m.x + 4},${m.y - 3} ${m.x},${m.y + 4}`}
        stroke={colour}
      >
        <title>{title}</title>
      </polygon>
    );
  return (
    <g>
      {m.err && <line className="lc-err" x1={m.x} x2={m.x} y1={m.err[0]} y2={m.err[1]} stroke={colour} />}
      <circle
        className={m.kind === 'forced' ? 'lc-forced' : 'lc-det'}
        cx={m.x}
        cy={m.y}
        r={m.current ? 4.5 : 3}
        stroke={colour}
        fill={m.kind === 'forced' || m.negative ? 'none' : colour}
      >
        <title>{title}</title>
      </circle>
      {m.current && <circle className="lc-current-ring" cx={m.x} cy={m.y} r={7.5} />}
    </g>
  );
}

export function LightCurveChart({ ctx, theme }: { ctx: CandidateContextResult; theme: 'dark' | 'light' }) {
  const time = ctx.lightCurve.find((p) => p.candidateId === ctx.id)?.time ?? null;
  const plot = scaleLightCurve(ctx.lightCurve, { id: ctx.id, time }, BOX);
  if (!plot) return null;
  const bottom = BOX.height - BOX.padBottom;
  return (
    <figure className="lc-figure">
      <svg
        width={BOX.width}
        height={BOX.height}
        role="img"
        aria-label={`light curve of ${ctx.object}`}
        className="chart lc-chart"
        data-testid="light-curve"
        data-points={plot.marks.length}
        data-mode={plot.mode}
      >
        <rect
          className="frame"
          x={BOX.padLeft}
          y={BOX.padTop}
          width={BOX.width - BOX.padLeft - BOX.padRight}
          height={bottom - BOX.padTop}
        />
        {plot.yTicks.map((t) => (
          <g key={`y${t.label}`}>
            <line className="lc-grid" x1={BOX.padLeft} x2={BOX.width - BOX.padRight} y1={t.at} y2={t.at} />
            <text x={BOX.padLeft - 3} y={t.at + 3} textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
        {plot.xTicks.map((t) => (
          <g key={`x${t.label}`}>
            <line className="lc-grid" x1={t.at} x2={t.at} y1={BOX.padTop} y2={bottom} />
            <text x={t.at} y={bottom + 11} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        <text x={BOX.padLeft + (BOX.width - BOX.padLeft) / 2} y={BOX.height - 3} textAnchor="middle">
          MJD
        </text>
        <text
          x={9}
          y={BOX.padTop + (bottom - BOX.padTop) / 2}
          textAnchor="middle"
          transform={`rotate(-90 9 ${BOX.padTop + (bottom - BOX.padTop) / 2})`}
        >
          {plot.mode === 'mag' ? 'mag (AB)' : 'flux (nJy)'}
        </text>
        {plot.zeroY !== null && (
          <line
            className="lc-zero"
            x1={BOX.padLeft}
            x2={BOX.width - BOX.padRight}
            y1={plot.zeroY}
            y2={plot.zeroY}
          />
        )}
        {plot.currentX !== null && (
          <line
            className="lc-now"
            x1={plot.currentX}
            x2={plot.currentX}
            y1={BOX.padTop}
            y2={bottom}
            data-testid="lc-now"
          />
        )}
        {plot.marks.map((m, i) => (
          <Mark key={i} m={m} colour={bandColour(m.band, theme, plot.bands)} />
        ))}
      </svg>
      <figcaption className="legend">
        {plot.bands.map((b) => (
          <span key={b} className="lc-band">
            <svg width={10} height={10} aria-hidden="true">
              <circle cx={5} cy={5} r={4} fill={bandColour(b, theme, plot.bands)} />
            </svg>{' '}
            {b}
          </span>
        ))}
        <span className="muted">
          ▽ non-detection limit · ○ ring: this epoch
          {plot.hidden ? ` · ${plot.hidden} flux-only point(s) not drawn` : ''}
        </span>
      </figcaption>
    </figure>
  );
}

const fmt = (x: number | undefined | null, d: number) =>
  x === undefined || x === null ? null : x.toFixed(d);

/** The context as facts: nearest star, known asteroid, first detection and age, counts, rates. */
export function ContextFactsList({ ctx }: { ctx: CandidateContextResult }) {
  const f = ctx.facts;
  const s = ctx.summary;
  const rows: [string, React.ReactNode, string][] = [];
  rows.push([
    'object',
    <>
      {ctx.object}
      {ctx.epochs.length > 1 ? (
        <span className="muted"> {ctx.epochs.length} epochs tonight ([ ] to step)</span>
      ) : (
        ''
      )}
    </>,
    'ctx-object',
  ]);
  if (f.nearestStarDist !== undefined)
    rows.push([
      'nearest source',
      <>
        {fmt(f.nearestStarDist, 2)}&quot;
        {f.nearestStarScore !== undefined ? `, star/galaxy ${fmt(f.nearestStarScore, 2)}` : ''}
        {f.nearestStarMag !== undefined ? `, r ${fmt(f.nearestStarMag, 2)}` : ''}
        {s.nearStar ? <b className="flag"> near a star</b> : ''}
      </>,
      'ctx-star',
    ]);
  rows.push([
    'known asteroid',
    f.asteroidName !== undefined ? (
      <b className={s.asteroid ? 'flag' : ''}>
        {f.asteroidName}
        {f.asteroidDist !== undefined ? ` ${fmt(f.asteroidDist, 1)}"` : ''}
        {f.asteroidMag !== undefined ? `, V ${fmt(f.asteroidMag, 1)}` : ''}
      </b>
    ) : (
      <span className="muted">none reported</span>
    ),
    'ctx-asteroid',
  ]);
  rows.push([
    'first detection',
    s.firstDetection !== null ? (
      <>
        MJD {fmt(s.firstDetection, 3)}
        {ctx.ageDays !== null ? (
          <span className="muted"> {fmt(ctx.ageDays, 1)} days before this epoch</span>
        ) : (
          ''
        )}
      </>
    ) : (
      <span className="muted">unknown</span>
    ),
    'ctx-first',
  ]);
  rows.push([
    'detections',
    <>
      {s.detections} in the light curve
      {f.ndethist !== undefined ? <span className="muted"> ({f.ndethist} by the survey)</span> : ''}
      {s.peakMag !== null ? <span className="muted">, peak {fmt(s.peakMag, 2)}</span> : ''}
    </>,
    'ctx-detections',
  ]);
  if (ctx.rates.length)
    rows.push([
      'rate',
      ctx.rates.map((r) => (
        <span key={r.band} className="kv">
          {r.band} {r.magPerDay > 0 ? '+' : ''}
          {fmt(r.magPerDay, 3)} mag/d{' '}
          <span className="muted">
            ({r.magPerDay < 0 ? 'rising' : 'fading'}, {fmt(r.days, 1)} d)
          </span>
        </span>
      )),
      'ctx-rates',
    ]);
  return (
    <dl className="ctx-facts">
      {rows.map(([name, value, id]) => (
        <div key={id} className="ctx-fact">
          <dt>{name}</dt>
          <dd data-testid={id}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Beside the stamps: the object's light curve and what the packets knew. Nothing when they knew nothing. */
export function LightCurvePanel(props: {
  bridge: SkysiftBridge;
  row: CandidateRow | null;
  theme: 'dark' | 'light';
}) {
  const state = useCandidateContext(props.bridge, props.row);
  if (!props.row?.context || !state) return null;
  if (state.error)
    return (
      <section className="lc-panel" aria-label="light curve">
        <p className="muted">Context not available: {state.error}</p>
      </section>
    );
  const ctx = state.ctx!;
  return (
    <section className="lc-panel" aria-label="light curve and context" data-testid="lc-panel">
      <LightCurveChart ctx={ctx} theme={props.theme} />
      <ContextFactsList ctx={ctx} />
    </section>
  );
}
