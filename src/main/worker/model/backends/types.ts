/**
 * Backends of the engine, in the order DESIGN.md tries them. Both tfjs-node packages register a tfjs
 * backend called 'tensorflow'; we keep them apart because only one of them uses the GPU.
 */
export const BACKEND_ORDER = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendAttempt {
  name: BackendName;
  error: string;
}

export interface BackendChoice {
  name: BackendName;
  /** Why this one: shown to the user ("forced", or why the faster ones were passed over). */
  reason: string;
  /** Backends tried before this one, with why each failed. */
  tried: BackendAttempt[];
}

/** The name tfjs itself uses for each of ours (tf.getBackend()). */
export const TFJS_BACKEND_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};
