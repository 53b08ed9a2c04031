/** Benchmark-only ONNX model: the matmul ceiling that the inference and training benches compare to. */
import { encodeModel } from '../../src/main/worker/model/onnx/onnxProto';
import { seededRandom } from '../../src/main/util/prng';

/** A one-node model computing `Y = MatMul(A, B)`, B an initializer: the ORT matmul ceiling. */
export function matMulModel(m: number, k: number, n: number, seed = 1): Uint8Array {
  const random = seededRandom(seed);
  const b = new Float32Array(k * n);
  for (let i = 0; i < b.length; i++) b[i] = random() - 0.5;
  return encodeModel({
    name: 'matmul',
    nodes: [{ opType: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }],
    initializers: [{ name: 'B', dims: [k, n], data: b }],
    inputs: [{ name: 'A', shape: [m, k] }],
    outputs: [{ name: 'Y', shape: [m, n] }],
  });
}
