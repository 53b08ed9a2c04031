import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { CandidateRow } from '../../../../shared/contract';
import type { StampImage } from '../../../../shared/stamp';
import { markDrawn } from '../perfProbe';
import { darkDiverging } from './colormaps';
import type { StampCache } from './stampCache';
import { StampCanvas, type PixelPos } from './StampCanvas';
import { fitZoom, stretchFor, type PanelKind, type ViewSettings } from './viewSettings';

const PANELS: readonly PanelKind[] = ['search', 'template', 'difference'];

function valueAt(image: StampImage | null, p: PixelPos): string {
  if (!image) return 'none';
  if (p.x >= image.width || p.y >= image.height) return 'outside';
  const i = p.y * image.width + p.x;
  if (image.mask[i] === 0) return 'masked';
  const v = image.data[i];
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(2);
}

/**
 * Search | template | difference at one zoom, drawn from the stamp cache the moment the cursor
 * lands (or when the triplet arrives, if the prefetch had not brought it yet).
 */
export function StampPanels(props: {
  stamps: StampCache;
  current: CandidateRow | null;
  settings: ViewSettings;
  theme: 'dark' | 'light';
  /** Told the zoom in use, so zoom in/out can step from "fit". */
  onZoom: (zoom: number) => void;
}) {
  const { stamps, current, settings, theme, onZoom } = props;
  const [width, setWidth] = useState(900);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current?.parentElement;
    if (!el) return;
    // Leave room for the facts beside the stamps when the screen is wide enough for both.
    const ro = new ResizeObserver(() =>
      setWidth(el.clientWidth > 1100 ? el.clientWidth - 340 : el.clientWidth),
    );
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const id = current?.id ?? null;
  const [, arrived] = useReducer((n: number) => n + 1, 0);
  const [hover, setHover] = useState<PixelPos | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const triplet = id ? stamps.peek(id) : undefined;
  const lastDrawn = useRef<string | null>(null);

  useEffect(() => {
    if (!id || triplet) return;
    setFailed(null);
    const off = stamps.onArrive((got) => got === id && arrived());
    // The prefetch normally has it already; if not, ask for this one alone.
    stamps.prefetch([id]).catch((e: Error) => setFailed(e.message));
    return off;
  }, [stamps, id, triplet]);

  // Children's layout effects (the canvases) have run by now: the new stamps are drawn.
  useLayoutEffect(() => {
    if (triplet && id !== lastDrawn.current) {
      lastDrawn.current = id;
      markDrawn();
    }
  });

  const widest = triplet ? Math.max(triplet.search.width, triplet.difference.width) : 63;
  const zoom = settings.zoom > 0 ? settings.zoom : fitZoom(width, widest);
  useEffect(() => onZoom(zoom), [zoom, onZoom]);

  const specs = useMemo(
    () => ({
      search: stretchFor('search', settings),
      template: stretchFor('template', settings),
      difference: stretchFor('difference', settings),
    }),
    [settings],
  );

  return (
    <div className="stamps" ref={box}>
      <div className="stamp-panels" data-testid="stamp-panels" data-candidate={triplet ? id : ''}>
        {PANELS.map((key) => {
          const image = triplet ? triplet[key] : null;
          return (
            <figure key={key} className="stamp-panel" data-testid={`panel-${key}`}>
              <figcaption>
                {key}
                {image && (
                  <span className="muted">
                    {' '}
                    {image.width}x{image.height}
                  </span>
                )}
              </figcaption>
              <div className="stamp-frame">
                {image ? (
                  <StampCanvas
                    image={image}
                    spec={specs[key].spec}
                    colormap={
                      specs[key].colormap === 'diverging' && theme === 'dark'
                        ? darkDiverging
                        : specs[key].colormap
                    }
                    zoom={zoom}
                    onHover={setHover}
                  />
                ) : (
                  <p className="empty">
                    {failed ??
                      (!id
                        ? 'Select a candidate in the queue.'
                        : key === 'template' && triplet
                          ? 'No template from this survey.'
                          : 'loading')}
                  </p>
                )}
              </div>
            </figure>
          );
        })}
      </div>
      <div className="readout" data-testid="pixel-readout" aria-live="off">
        {hover && triplet ? (
          <>
            <span>
              pixel ({hover.x + 1}, {hover.y + 1})
            </span>
            <span>search {valueAt(triplet.search, hover)}</span>
            <span>template {valueAt(triplet.template, hover)}</span>
            <span>difference {valueAt(triplet.difference, hover)}</span>
          </>
        ) : (
          <span className="muted">Point at a stamp to read its pixels in all three.</span>
        )}
      </div>
    </div>
  );
}
