import { useLayoutEffect, useRef } from 'react';
import type { StampImage } from '../../../../shared/stamp';
import { renderRGBA, type Colormap, type StretchSpec } from '../../../../shared/stretch';

/** A stamp pixel under the pointer, in FITS-like 0-based (x, y) with y counted from the bottom row. */
export interface PixelPos {
  x: number;
  y: number;
}

/**
 * One stamp drawn pixel-exact: the canvas holds the stamp at its own size and CSS scales it by an
 * integer factor with `image-rendering: pixelated` (no browser smoothing). FITS row 0 is the
 * bottom row in DS9's convention, so rows are flipped for display. The crosshair marks the stamp
 * centre, which is the candidate position for every source we read.
 */
export function StampCanvas(props: {
  image: StampImage;
  spec: StretchSpec;
  colormap: 'gray' | 'diverging' | Colormap;
  zoom: number;
  onHover: (p: PixelPos | null) => void;
}) {
  const { image, spec, colormap, zoom, onHover } = props;
  const ref = useRef<HTMLCanvasElement>(null);
  // Layout effect: the pixels are on the canvas before the browser paints the new candidate.
  useLayoutEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const rgba = renderRGBA(image, spec, colormap);
    const flipped = new Uint8ClampedArray(rgba.length);
    const rowBytes = image.width * 4;
    for (let y = 0; y < image.height; y++) {
      flipped.set(rgba.subarray(y * rowBytes, (y + 1) * rowBytes), (image.height - 1 - y) * rowBytes);
    }
    ctx.putImageData(new ImageData(flipped, image.width, image.height), 0, 0);
  }, [image, spec, colormap]);

  const w = image.width * zoom;
  const h = image.height * zoom;
  // Centre pixel (the candidate): for even sizes the pixel just past the middle, as numpy's n//2.
  const cx = Math.floor(image.width / 2);
  const cy = image.height - 1 - Math.floor(image.height / 2);
  const pos = (e: React.MouseEvent): PixelPos | null => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = Math.floor((e.clientX - r.left) / zoom);
    const row = Math.floor((e.clientY - r.top) / zoom);
    if (x < 0 || row < 0 || x >= image.width || row >= image.height) return null;
    return { x, y: image.height - 1 - row };
  };
  return (
    <div
      className="stamp-stage"
      style={{ width: w, height: h }}
      onMouseMove={(e) => onHover(pos(e))}
      onMouseLeave={() => onHover(null)}
    >
      <canvas
        ref={ref}
        className="stamp-canvas"
        width={image.width}
        height={image.height}
        style={{ width: w, height: h }}
      />
      {/* Two short ticks each side of the centre pixel, leaving the pixel itself visible. */}
      <div className="crosshair" aria-hidden="true">
        <span
          style={{ left: cx * zoom - 3 * zoom, top: cy * zoom + zoom / 2 - 1, width: 2 * zoom, height: 2 }}
        />
        <span style={{ left: (cx + 2) * zoom, top: cy * zoom + zoom / 2 - 1, width: 2 * zoom, height: 2 }} />
        <span
          style={{ top: cy * zoom - 3 * zoom, left: cx * zoom + zoom / 2 - 1, height: 2 * zoom, width: 2 }}
        />
        <span style={{ top: (cy + 2) * zoom, left: cx * zoom + zoom / 2 - 1, height: 2 * zoom, width: 2 }} />
      </div>
    </div>
  );
}
