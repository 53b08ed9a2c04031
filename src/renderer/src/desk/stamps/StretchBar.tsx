import type { StretchFn } from '../../../../shared/stretch';
import { LIMITS, STRETCHES, ZOOMS, type LimitsKind, type ViewSettings } from './viewSettings';

/** The one stretch control, applied to all three stamps. Each control also has its key (see help). */
export function StretchBar(props: { settings: ViewSettings; onChange: (p: Partial<ViewSettings>) => void }) {
  const { settings: v, onChange } = props;
  return (
    <div className="stretch-bar" aria-label="stretch" data-testid="stretch-bar">
      <label title="X">
        stretch
        <select
          data-testid="stretch-fn"
          value={v.stretch}
          onChange={(e) => onChange({ stretch: e.target.value as StretchFn })}
        >
          {STRETCHES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label title="Z">
        limits
        <select
          data-testid="stretch-limits"
          value={v.limits}
          onChange={(e) => onChange({ limits: e.target.value as LimitsKind })}
        >
          {LIMITS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      {v.limits === 'percentile' && (
        <label>
          percent
          <input
            type="number"
            min={50}
            max={100}
            step={0.5}
            value={v.percent}
            onChange={(e) => {
              const p = Number(e.target.value);
              if (p > 0 && p <= 100) onChange({ percent: p });
            }}
          />
        </label>
      )}
      <label title="I">
        <input type="checkbox" checked={v.invert} onChange={(e) => onChange({ invert: e.target.checked })} />
        invert
      </label>
      <label title="D">
        difference
        <select
          value={v.difference}
          onChange={(e) => onChange({ difference: e.target.value as ViewSettings['difference'] })}
        >
          <option value="diverging">diverging, symmetric</option>
          <option value="same">same as the others</option>
        </select>
      </label>
      <label title="+ / - / 0">
        zoom
        <select value={v.zoom} onChange={(e) => onChange({ zoom: Number(e.target.value) })}>
          <option value={0}>fit</option>
          {ZOOMS.map((z) => (
            <option key={z} value={z}>
              {z}x
            </option>
          ))}
        </select>
      </label>
      <span className="muted legend">
        <span className="swatch masked" /> masked pixel; ticks around the centre pixel: the candidate
      </span>
    </div>
  );
}
