/**
 * Importing a model folder into the library from its files alone (no engine): a Skysift version
 * (meta.json beside model.json, e.g. from another home) as it is, or a published TF.js layers
 * model whose feeding we know (by its folder name). Anything else is refused with what Skysift can
 * take. Workers load the weights later, when the version scores.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ModelLibrary, ModelMeta, StoredModelSpec } from './modelLibrary';

/** The published ZTF braai "d6_m7" VGG6 (Duev et al. 2019), as converted in ../shared/models. */
export const BRAAI_D6_M7_SPEC: StoredModelSpec = {
  id: 'braai-d6_m7',
  description: 'ZTF braai d6_m7 VGG6 real/bogus CNN (Duev et al. 2019), inference only',
  inputSize: [63, 63],
  channels: ['search', 'template', 'difference'],
  preprocessing: 'braai',
  maskedPixels:
    'masked pixels -> 0 before the row-wise L2 normalisation (braai turns NaN into 0); stamps smaller ' +
    'than 63x63 padded with 1e-9 at the high-index end',
};

/** Specs of the imported models we know, by folder name. */
export const KNOWN_IMPORTED_SPECS: Record<string, StoredModelSpec> = { 'braai-d6_m7': BRAAI_D6_M7_SPEC };

export async function importModelFolder(
  library: ModelLibrary,
  folder: string,
  version?: string,
): Promise<ModelMeta> {
  const abs = path.resolve(folder);
  if (!existsSync(path.join(abs, 'model.json')))
    throw new Error(
      `${abs}: no model.json here: choose the folder of a TF.js layers model or of a Skysift version`,
    );
  if (existsSync(path.join(abs, 'meta.json'))) return library.adoptFolder(abs);
  const base = path.basename(abs);
  const spec = KNOWN_IMPORTED_SPECS[base];
  if (!spec)
    throw new Error(
      `${abs}: Skysift does not know how to feed "${base}" (its input size, channels and preprocessing). ` +
        `It can import ${Object.keys(KNOWN_IMPORTED_SPECS).join(', ')} and Skysift versions (folders with meta.json).`,
    );
  return library.importFolder(abs, spec, version ?? base);
}
