/**
 * space2vec: the DES CNN that replaced autoscan's hand-made features with raw 51x51 pixels.
 * Four blocks of [3x3 conv stride 1, 3x3 conv stride 2, batch norm, ReLU] (25/63/119/210 filters),
 * one more 3x3 conv, flatten, dense 128, dropout 0.45, sigmoid. ~127 MFLOP per stamp.
 * Unstated details of the original are our choices: 'same' padding (51 -> 26 -> 13 -> 7 -> 4), the
 * block convs linear (the block's ReLU follows the BN), ReLU on the extra conv and on dense 128.
 */
import * as tf from '@tensorflow/tfjs-layers';
import { addConvBlocks } from './convBlock';
import { standardStampInput, type ModelSpec } from './spec';

export const SPACE2VEC_SPEC: ModelSpec = {
  id: 'space2vec',
  description: 'space2vec CNN (DES): 4 conv blocks 25/63/119/210, dense 128',
  ...standardStampInput(),
  training: {
    optimizer: 'adam',
    learningRate: 1.4e-4,
    batchSize: 368,
    earlyStoppingPatience: 5,
    maxEpochs: 100,
  },
};

export const SPACE2VEC_FILTERS = [25, 63, 119, 210] as const;

export function buildSpace2vec(seed = 1): tf.Sequential {
  const [h, w] = SPACE2VEC_SPEC.inputSize;
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 1000 + k });
  const model = tf.sequential({ name: 'space2vec' });
  // Block convs linear: the block's ReLU follows the batch norm.
  let k = addConvBlocks(model, {
    filters: SPACE2VEC_FILTERS,
    inputShape: [h, w, SPACE2VEC_SPEC.channels.length],
    init,
    conv2Bias: true,
  });
  model.add(
    tf.layers.conv2d({
      filters: SPACE2VEC_FILTERS[3],
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(k++),
      name: 'final_conv',
    }),
  );
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(
    tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(k++), name: 'dense128' }),
  );
  model.add(tf.layers.dropout({ rate: 0.45, seed, name: 'dropout' }));
  model.add(
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(k++), name: 'score' }),
  );
  return model;
}
