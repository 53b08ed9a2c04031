/**
 * compact: the default architecture for CPU training and scoring (wasm/cpu backends).
 * Same block shape as space2vec ([conv s1, conv s2, BN, ReLU]) but three blocks of 16/32/64 filters
 * and global average pooling instead of flatten + dense 128: ~24 MFLOP and ~70k parameters per
 * stamp against space2vec's ~127 MFLOP and ~1.7M. Candidates are centred in the stamp, so position
 * information lost by pooling matters little; the 7x7 receptive grid at the last block still sees
 * the whole stamp. Plain convolutions rather than depthwise-separable ones: tfjs-backend-wasm has
 * no depthwise backprop kernels, and at these channel counts separable convs save little time.
 */
import * as tf from '@tensorflow/tfjs-layers';
import { addConvBlocks } from './convBlock';
import { standardStampInput, type ModelSpec } from './spec';

export const COMPACT_SPEC: ModelSpec = {
  id: 'compact',
  description: 'compact CNN for CPUs: 3 conv blocks 16/32/64, global average pooling',
  ...standardStampInput(),
  // Smaller batches than space2vec: more updates per epoch on the small label sets of one astronomer.
  training: {
    optimizer: 'adam',
    learningRate: 1e-3,
    batchSize: 64,
    earlyStoppingPatience: 5,
    maxEpochs: 100,
  },
};

export const COMPACT_FILTERS = [16, 32, 64] as const;

export function buildCompact(seed = 1): tf.Sequential {
  const [h, w] = COMPACT_SPEC.inputSize;
  const init = (k: number) => tf.initializers.heNormal({ seed: seed * 1000 + k });
  const model = tf.sequential({ name: 'compact' });
  const k = addConvBlocks(model, {
    filters: COMPACT_FILTERS,
    inputShape: [h, w, COMPACT_SPEC.channels.length],
    init,
    conv1Activation: 'relu',
    conv2Bias: false, // the batch norm right after has its own offset
  });
  model.add(tf.layers.globalAveragePooling2d({ name: 'gap' }));
  model.add(tf.layers.dropout({ rate: 0.3, seed, name: 'dropout' }));
  // Seeded like every other weight (glorot, the dense default), so that a seed gives one model.
  model.add(
    tf.layers.dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + k }),
      name: 'score',
    }),
  );
  return model;
}
