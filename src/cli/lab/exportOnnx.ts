/** `skysift export-onnx`: a model version as an ONNX file, for ONNX Runtime anywhere (Python, C++, ...). */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '../../main/worker/model/backends';
import { modelLibrary } from '../../main/worker/model/engineJobs';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../../main/worker/model/onnx/exportOnnx';
import { specOf } from '../../main/worker/model/registry';
import { writeFileAtomic } from '../../main/util/atomicWrite';
import { openWorkspaceArg, resolveVersion } from './common';

export async function exportOnnxCommand(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      workspace: { type: 'string', short: 'w' },
      model: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const ws = await openWorkspaceArg(values.workspace);
  const version = await resolveVersion(ws, values.model);
  const out = path.resolve(values.out ?? `${version}.onnx`);
  // Weights are read synchronously: use the plain CPU backend, which every machine has.
  await selectBackend('cpu');
  const { model, meta } = await modelLibrary().load(version);
  try {
    const spec = specOf(meta);
    const bytes = exportOnnx(model, spec);
    await writeFileAtomic(out, bytes);
    const [h, w] = spec.inputSize;
    console.log(`wrote ${out} (${(bytes.length / 1e6).toFixed(2)} MB, ONNX opset 13)`);
    console.log(
      `  input '${ONNX_INPUT}' float32 [N, ${h}, ${w}, ${spec.channels.length}] channels-last (${spec.channels.join(', ')}), ` +
        `'${spec.preprocessing}' preprocessing; output '${ONNX_OUTPUT}' float32 [N, 1]`,
    );
  } finally {
    model.dispose();
  }
}
