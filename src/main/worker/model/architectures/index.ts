/**
 * The architectures we train, by id. One model code for every backend: these are plain tfjs-layers
 * models; the backend is chosen separately (../backends).
 */
import type * as tf from '@tensorflow/tfjs-layers';
import { buildCompact, COMPACT_SPEC } from './compact';
import { buildSpace2vec, SPACE2VEC_SPEC } from './space2vec';
import type { ModelSpec } from './spec';

export interface Architecture {
  spec: ModelSpec;
  build(seed?: number): tf.LayersModel;
}

export const ARCHITECTURES = {
  compact: { spec: COMPACT_SPEC, build: buildCompact },
  space2vec: { spec: SPACE2VEC_SPEC, build: buildSpace2vec },
} satisfies Record<string, Architecture>;

export type ArchitectureId = keyof typeof ARCHITECTURES;

/** The default for CPU machines (and every machine until a GPU backend is found). */
export const DEFAULT_ARCHITECTURE: ArchitectureId = 'compact';

export function getArchitecture(id: string): Architecture {
  const arch = (ARCHITECTURES as Record<string, Architecture>)[id];
  if (!arch) throw new Error(`Unknown architecture '${id}'; known: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return arch;
}

export { buildCompact, COMPACT_SPEC } from './compact';
export { buildSpace2vec, SPACE2VEC_SPEC } from './space2vec';
export { modelCost, type ModelCost, type LayerCost } from './modelCost';
export * from './spec';
