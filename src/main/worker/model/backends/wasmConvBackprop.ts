/**
 * Convolution gradients for the tfjs wasm backend, composed from kernels it already has.
 *
 * Why: tfjs-backend-wasm 4.x ships no `Conv2DBackpropFilter` (training any conv net throws), and its
 * `Conv2DBackpropInput` is a naive scalar loop. Both gradients are themselves convolutions, which
 * wasm runs through XNNPACK, so we rewrite them as Transpose / Reverse / PadV2 / Slice + Conv2D.
 *
 * The functions here work at the backend level (TensorInfo in, TensorInfo out), the way tfjs's own
 * composite kernels do: calling tf ops inside a kernel would register extra tensors with the engine.
 * Every intermediate is released with `backend.disposeData`.
 */
import {
  backend_util,
  engine,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  PadV2,
  registerKernel,
  Reshape,
  Reverse,
  Slice,
  Transpose,
  unregisterKernel,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** The part of BackendWasm we use (its class is not exported in a way that types cleanly). */
interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

type Pad4 = backend_util.ExplicitPadding;

function kernel(name: string): KernelFunc {
  const config = getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${name} kernel, needed to compose convolution gradients`);
  return config.kernelFunc;
}

/** Runs another wasm kernel; `attrs` is loosely typed because each kernel has its own attribute set. */
function run(
  name: string,
  backend: WasmBackendLike,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): TensorInfo {
  const out = kernel(name)({ inputs, backend: backend as never, attrs: attrs as NamedAttrMap });
  return out as TensorInfo;
}

/** Keeps a list of intermediates so that each kernel frees them in one place. */
class Scratch {
  private readonly infos: TensorInfo[] = [];
  constructor(private readonly backend: WasmBackendLike) {}
  keep(info: TensorInfo): TensorInfo {
    this.infos.push(info);
    return info;
  }
  release(): void {
    for (const info of this.infos) this.backend.disposeData(info.dataId);
    this.infos.length = 0;
  }
}

function convInfoOf(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: unknown,
  dimRoundingMode: unknown,
  dataFormat: unknown,
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat((dataFormat as 'NHWC' | 'NCHW') ?? 'NHWC');
  if (format !== 'channelsLast') throw new Error('wasm conv gradients support channels-last (NHWC) only');
  return backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    1,
    pad as 'same' | 'valid' | number | Pad4,
    dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    format,
  );
}

/**
 * dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-padTop, ow*s+kw-padLeft, ci] * dy[b,oh,ow,co].
 * Read with ci as the batch, b as the input channel and dy as a filter dilated by the forward
 * stride: that is a stride-1 convolution of x^T [Ci,H,W,B] with dy^T [OH,OW,B,Co], padded by the
 * forward top/left padding, whose first KH x KW outputs are the gradient.
 */
export function conv2DBackpropFilterViaConv(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
}): TensorInfo {
  const { x, dy } = args.inputs;
  const { backend, attrs } = args;
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = convInfoOf(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dimRoundingMode,
    attrs.dataFormat,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const scratch = new Scratch(backend);
  try {
    const xT = scratch.keep(run(Transpose, backend, { x }, { perm: [3, 1, 2, 0] })); // [Ci,H,W,B]
    const dyT = scratch.keep(run(Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] })); // [OH,OW,B,Co]
    // Bottom/right padding just large enough for KH x KW outputs (never negative: we crop instead).
    const bottom = Math.max(0, kh + (oh - 1) * sh - h - top);
    const right = Math.max(0, kw + (ow - 1) * sw - w - left);
    const padding: Pad4 = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    let grad = scratch.keep(
      run(
        Conv2D,
        backend,
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          pad: padding,
          dilations: [sh, sw],
          dataFormat: 'NHWC',
          dimRoundingMode: undefined,
        },
      ),
    ); // [Ci, >=KH, >=KW, Co]
    if (grad.shape[1] !== kh || grad.shape[2] !== kw) {
      const ci = grad.shape[0];
      const co = grad.shape[3];
      grad = scratch.keep(run(Slice, backend, { x: grad }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    }
    return run(Transpose, backend, { x: grad }, { perm: [1, 2, 0, 3] }); // [KH,KW,Ci,Co]
  } finally {
    scratch.release();
  }
}

/**
 * dx = "full" convolution of dy, dilated by the forward stride, with the filter rotated by 180
 * degrees and its in/out channels swapped. Padding: KH-1-padTop before; after, whatever makes the
 * output exactly H (cropping dy's dilated tail when that comes out negative).
 */
export function conv2DBackpropInputViaConv(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: WasmBackendLike;
  attrs: Record<string, unknown>;
}): TensorInfo {
  const { dy, filter } = args.inputs;
  const { backend, attrs } = args;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = convInfoOf(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.pad,
    attrs.dimRoundingMode,
    attrs.dataFormat,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: co, batchSize: b } = info;
  const scratch = new Scratch(backend);
  try {
    const flipped = scratch.keep(run(Reverse, backend, { x: filter }, { dims: [0, 1] }));
    const rotated = scratch.keep(run(Transpose, backend, { x: flipped }, { perm: [0, 1, 3, 2] })); // [KH,KW,Co,Ci]

    // Dilate dy: interleave (s-1) zeros after every row/column via reshape + pad + reshape.
    let dyDil = dy;
    let rows = oh;
    let cols = ow;
    if (sh > 1 || sw > 1) {
      const six = scratch.keep(run(Reshape, backend, { x: dy }, { shape: [b, oh, 1, ow, 1, co] }));
      const padded = scratch.keep(
        run(
          PadV2,
          backend,
          { x: six },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, sh - 1],
              [0, 0],
              [0, sw - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        ),
      );
      rows = oh * sh;
      cols = ow * sw;
      dyDil = scratch.keep(run(Reshape, backend, { x: padded }, { shape: [b, rows, cols, co] }));
    }
    // Output = rows + top + bottom - KH + 1 must equal H.
    let top = kh - 1 - info.padInfo.top;
    let bottom = h + kh - 1 - top - rows;
    let left = kw - 1 - info.padInfo.left;
    let right = w + kw - 1 - left - cols;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const r0 = Math.max(0, -top);
      const c0 = Math.max(0, -left);
      const size = [b, rows - r0 - Math.max(0, -bottom), cols - c0 - Math.max(0, -right), co];
      dyDil = scratch.keep(run(Slice, backend, { x: dyDil }, { begin: [0, r0, c0, 0], size }));
      top = Math.max(0, top);
      bottom = Math.max(0, bottom);
      left = Math.max(0, left);
      right = Math.max(0, right);
    }
    const padding: Pad4 = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    return run(
      Conv2D,
      backend,
      { x: dyDil, filter: rotated },
      {
        strides: [1, 1],
        pad: padding,
        dilations: [1, 1],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
  } finally {
    scratch.release();
  }
}

export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterViaConv as unknown as KernelFunc,
};

export const wasmConv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputViaConv as unknown as KernelFunc,
};

export interface WasmGradientKernelOptions {
  /** Replace wasm's own (naive loop) Conv2DBackpropInput with the conv-based one. Default true. */
  replaceBackpropInput?: boolean;
}

/**
 * Registers the missing/slow conv gradient kernels on the wasm backend. Idempotent; call before
 * training on wasm. Returns which kernels are now ours.
 */
let stockBackpropInput: KernelConfig | undefined;

export function registerWasmGradientKernels(options: WasmGradientKernelOptions = {}): string[] {
  const replaceInput = options.replaceBackpropInput ?? true;
  const ours: string[] = [];
  const install = (config: KernelConfig) => {
    const existing = getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) return;
    if (existing) {
      if (config.kernelName === Conv2DBackpropInput) stockBackpropInput = existing;
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  };
  install(wasmConv2DBackpropFilterConfig);
  ours.push(Conv2DBackpropFilter);
  if (replaceInput) {
    install(wasmConv2DBackpropInputConfig);
    ours.push(Conv2DBackpropInput);
  }
  return ours;
}

/** Puts wasm's stock Conv2DBackpropInput back (benchmarks compare the two). No-op if never replaced. */
export function restoreStockWasmBackpropInput(): void {
  if (!stockBackpropInput) return;
  if (getKernel(Conv2DBackpropInput, 'wasm')) unregisterKernel(Conv2DBackpropInput, 'wasm');
  registerKernel(stockBackpropInput);
  // tfjs runs kernel setup (cwrap of the wasm function) only for kernels present at backend init.
  const backend = engine().findBackend('wasm');
  if (backend) stockBackpropInput.setupFunc?.(backend);
}
