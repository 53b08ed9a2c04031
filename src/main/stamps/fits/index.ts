export { FitsError } from './errors';
export type { FitsCard, FitsHeader, FitsValue } from './header';
export type { FitsHdu, FitsReadOptions } from './parse';
export { parseFits } from './parse';
export { readStamp, type HduSelector } from './stamp';
export { headerMeta } from './meta';
export { DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_PIXELS } from './constants';
