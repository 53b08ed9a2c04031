import { useEffect, useRef } from 'react';
import type { StampImage } from '../../../shared/stamp';
import { renderRGBA, type StretchSpec } from '../../../shared/stretch';

/**
 * One stamp drawn pixel-exact (CSS `image-rendering: pixelated`, no smoothing). FITS row 0 is the
 * bottom row in DS9's convention, so rows are flipped for display.
 */
export function StampCanvas(props: {
  image: StampImage;
  spec: StretchSpec;
  colormap: 'gray' | 'diverging';
  scale: number;
}) {
  const { image, spec, colormap, scale } = props;
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const rgba = renderRGBA(image, spec, colormap);
    const flipped = new Uint8ClampedArray(rgba.length);
    const rowBytes = image.width * 4;
    for (let y = 0; y < image.height; y++) {
      flipped.set(rgba.subarray(y * rowBytes, (y + 1) * rowBytes), (image.height - 1 - y) * rowBytes);
    }
    ctx.putImageData(new ImageData(flipped, image.width, image.height), 0, 0);
  }, [image, spec, colormap]);
  return (
    <canvas
      ref={ref}
      className="stamp-canvas"
      width={image.width}
      height={image.height}
      style={{ width: image.width * scale, height: image.height * scale }}
    />
  );
}
