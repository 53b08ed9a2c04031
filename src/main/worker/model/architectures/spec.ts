/**
 * What a model expects from the stamps, declared next to its weights so that scoring can never feed
 * a model the wrong layout: input size, channel order, preprocessing and masked-pixel handling.
 */
export type ChannelName = 'search' | 'template' | 'difference';

/** 'standard': our robust per-image normalisation; 'braai': ZTF braai's row-wise L2 (see preprocess.ts). */
export type PreprocessingId = 'standard' | 'braai';

export interface TrainingHyperparameters {
  optimizer: 'adam';
  learningRate: number;
  batchSize: number;
  /** Stop when the validation loss has not improved for this many epochs. */
  earlyStoppingPatience: number;
  maxEpochs: number;
}

export interface ModelSpec {
  /** Architecture id: 'space2vec', 'compact', 'braai-d6_m7', ... */
  id: string;
  description: string;
  /** [height, width] in pixels; stamps are cropped or padded about their centre to this size. */
  inputSize: [number, number];
  /** Channel order of the input tensor (channels-last). */
  channels: ChannelName[];
  preprocessing: PreprocessingId;
  /** Human-readable rule for masked pixels (NaN, BLANK, sentinel fill) and for a missing template. */
  maskedPixels: string;
  /** Absent for imported, inference-only models. */
  training?: TrainingHyperparameters;
}

export const STAMP_CHANNELS: ChannelName[] = ['search', 'template', 'difference'];

export const STANDARD_MASK_RULE =
  'masked and padding pixels are set to 0 after robust normalisation (i.e. to the image median); ' +
  'a missing template is an all-zero channel';

/**
 * The input contract of the architectures we train: 51x51 stamps, all three images, standard
 * preprocessing (fresh arrays per spec: specs are copied into model metadata and must not alias).
 */
export function standardStampInput(): Pick<
  ModelSpec,
  'inputSize' | 'channels' | 'preprocessing' | 'maskedPixels'
> {
  return {
    inputSize: [51, 51],
    channels: [...STAMP_CHANNELS],
    preprocessing: 'standard',
    maskedPixels: STANDARD_MASK_RULE,
  };
}
