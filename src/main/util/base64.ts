import type { WireStamp } from '../../shared/contract';
import type { StampImage } from '../../shared/stamp';

export function stampToWire(img: StampImage): WireStamp {
  return {
    width: img.width,
    height: img.height,
    data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength).toString('base64'),
    mask: Buffer.from(img.mask.buffer, img.mask.byteOffset, img.mask.byteLength).toString('base64'),
  };
}
