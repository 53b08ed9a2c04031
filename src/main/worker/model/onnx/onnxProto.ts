/**
 * The ONNX messages we write (field numbers from onnx/onnx.proto, IR version 7 / opset 13):
 * ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto (with TypeProto.Tensor and
 * TensorShapeProto), AttributeProto, OperatorSetIdProto, StringStringEntryProto. Tensors are
 * stored as raw_data (little-endian float32 / int64), which is what every ONNX runtime expects.
 */
import { ProtoWriter } from './protobuf';

export const ONNX_IR_VERSION = 7; // the IR version that goes with opset 13
export const ONNX_OPSET = 13;

/** TensorProto.DataType values we use. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values we use. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export type AttrValue = number | string | number[] | { float: number } | { floats: number[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Integers are INT, arrays INTS; `{ float: x }` / `{ floats: [...] }` for float attributes. */
  attributes?: Record<string, AttrValue>;
}

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface OnnxValueInfo {
  name: string;
  /** A string is a symbolic dimension (e.g. 'N' for the batch). */
  shape: (number | string)[];
  elemType?: number;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModelOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
  opset?: number;
}

function writeAttribute(w: ProtoWriter, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'string') {
    w.rawBytes(4, new TextEncoder().encode(value)).int(20, AttrType.STRING);
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`ONNX attribute ${name}: ${value} is not an integer`);
    w.int(3, value).int(20, AttrType.INT);
  } else if (Array.isArray(value)) {
    w.packedInts(8, value).int(20, AttrType.INTS);
  } else if ('float' in value) {
    w.float(2, value.float).int(20, AttrType.FLOAT);
  } else {
    w.packedFloats(7, value.floats).int(20, AttrType.FLOATS);
  }
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [k, v] of Object.entries(node.attributes ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.data.length)
    throw new Error(`ONNX tensor ${t.name}: dims ${t.dims} hold ${count} values, data has ${t.data.length}`);
  w.packedInts(1, t.dims);
  w.int(2, t.data instanceof Float32Array ? DataType.FLOAT : DataType.INT64);
  w.string(8, t.name);
  // raw_data is little-endian; typed arrays are in platform order, little-endian on x64 and arm64.
  w.rawBytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType ?? DataType.FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}

function writeGraph(w: ProtoWriter, g: OnnxGraph): void {
  for (const n of g.nodes) w.message(1, (m) => writeNode(m, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (m) => writeTensor(m, t));
  if (g.docString) w.string(10, g.docString);
  for (const i of g.inputs) w.message(11, (m) => writeValueInfo(m, i));
  for (const o of g.outputs) w.message(12, (m) => writeValueInfo(m, o));
}

/** Serialises a ModelProto holding `graph` (default domain, opset 13). */
export function encodeModel(graph: OnnxGraph, opts: OnnxModelOptions = {}): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, ONNX_IR_VERSION);
  w.string(2, opts.producerName ?? 'skysift');
  if (opts.producerVersion) w.string(3, opts.producerVersion);
  if (opts.docString) w.string(6, opts.docString);
  w.message(7, (m) => writeGraph(m, graph));
  w.message(8, (m) => m.string(1, '').int(2, opts.opset ?? ONNX_OPSET));
  for (const [key, value] of Object.entries(opts.metadata ?? {})) {
    w.message(14, (m) => m.string(1, key).string(2, value));
  }
  return w.finish();
}
