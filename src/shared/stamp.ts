/**
 * A stamp as every layer sees it: true size kept, masked pixels flagged (never turned into numbers).
 * Pixels are row-major with row 0 at the FITS first row (y = 1 in FITS terms, the bottom in DS9).
 */
export interface StampImage {
  width: number;
  height: number;
  /** Pixel values; masked pixels hold 0 here and must be read through `mask`. */
  data: Float32Array;
  /** 1 = valid pixel, 0 = masked (NaN, BLANK, sentinel fill such as -3.4e38). */
  mask: Uint8Array;
}

/** The three images of a difference-imaging candidate. A survey may send no template (ATLAS). */
export interface StampTriplet {
  search: StampImage;
  template: StampImage | null;
  difference: StampImage;
}

/** Values whose magnitude reaches this are fill, not flux (ZTF edge stamps use -3.4e38); both signs are masked. */
export const SENTINEL_FILL_THRESHOLD = 1e30;
