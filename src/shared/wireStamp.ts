import type { WireStamp } from './contract';
import type { StampImage } from './stamp';

function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Decode a stamp sent over either transport (works in the renderer and in Node 20). */
export function wireToStamp(w: WireStamp): StampImage {
  const n = w.width * w.height;
  const bytes = fromBase64(w.data);
  const mask = fromBase64(w.mask);
  if (bytes.length !== n * 4 || mask.length !== n) {
    throw new Error(`stamp payload does not match its ${w.width}x${w.height} size`);
  }
  return {
    width: w.width,
    height: w.height,
    data: new Float32Array(bytes.buffer, bytes.byteOffset, n),
    mask,
  };
}
