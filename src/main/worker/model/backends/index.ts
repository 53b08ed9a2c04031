import './registerGradients';
export { selectBackend } from './selectBackend';
export {
  BACKEND_ORDER,
  TFJS_BACKEND_NAME,
  type BackendName,
  type BackendChoice,
  type BackendAttempt,
} from './types';
export { installNodeWebGpu } from './webgpuNode';
export { prepareWasmBackend, wasmBinaryFolder } from './wasmNode';
export {
  registerWasmGradientKernels,
  restoreStockWasmBackpropInput,
  conv2DBackpropFilterViaConv,
  conv2DBackpropInputViaConv,
} from './wasmConvBackprop';
