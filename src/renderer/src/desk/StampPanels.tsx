import { useEffect, useState } from 'react';
import type { SkysiftBridge } from '../../../shared/contract';
import type { StampTriplet } from '../../../shared/stamp';
import type { StretchSpec } from '../../../shared/stretch';
import { wireToStamp } from '../../../shared/wireStamp';
import { StampCanvas } from './StampCanvas';

const PANELS = [
  { key: 'search', title: 'search' },
  { key: 'template', title: 'template' },
  { key: 'difference', title: 'difference' },
] as const;

const IMAGE_SPEC: StretchSpec = { limits: { kind: 'zscale' }, stretch: 'linear' };
const DIFF_SPEC: StretchSpec = { limits: { kind: 'symmetric' }, stretch: 'linear' };

export function StampPanels({ bridge, candidateId }: { bridge: SkysiftBridge; candidateId: string | null }) {
  const [triplet, setTriplet] = useState<StampTriplet | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setError(null);
    if (!candidateId) {
      setTriplet(null);
      return;
    }
    bridge
      .invoke('candidatesStamps', { ids: [candidateId] })
      .then(([w]) => {
        if (!live) return;
        setTriplet({
          search: wireToStamp(w.search),
          template: w.template ? wireToStamp(w.template) : null,
          difference: wireToStamp(w.difference),
        });
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [bridge, candidateId]);

  return (
    <div className="stamp-panels">
      {PANELS.map(({ key, title }) => {
        const image = triplet ? triplet[key] : null;
        return (
          <figure key={key} className="stamp-panel" data-testid={`panel-${key}`}>
            <figcaption>{title}</figcaption>
            <div className="stamp-frame">
              {image ? (
                <StampCanvas
                  image={image}
                  spec={key === 'difference' ? DIFF_SPEC : IMAGE_SPEC}
                  colormap={key === 'difference' ? 'diverging' : 'gray'}
                  scale={Math.max(1, Math.floor(300 / Math.max(image.width, image.height)))}
                />
              ) : (
                <p className="empty">
                  {error ??
                    (candidateId
                      ? key === 'template' && triplet
                        ? 'no template from this survey'
                        : 'loading'
                      : 'Select a candidate in the queue.')}
                </p>
              )}
            </div>
          </figure>
        );
      })}
    </div>
  );
}
