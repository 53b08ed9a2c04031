import { checksumWords } from '../../../src/main/worker/model/scoreCache';

/**
 * A model stand-in that is a pure function of each row's exact bits (rows of `rowLength` floats):
 * any misplaced or changed row shows in its score.
 */
export function rowHasher(rowLength: number) {
  return async (batch: Float32Array, n: number): Promise<number[]> =>
    Array.from({ length: n }, (_, i) =>
      checksumWords(new Int32Array(batch.buffer, batch.byteOffset + i * rowLength * 4, rowLength)),
    );
}
