import { Workspace } from '../../main/catalog/workspace';
import { modelLibrary } from '../../main/worker/model/engineJobs';
import { shippedModelDir } from '../../main/util/resources';

export async function openWorkspaceArg(dir: string | undefined, create = false): Promise<Workspace> {
  if (!dir) throw new Error('--workspace <dir> is required');
  return Workspace.open(dir, { create });
}

export function fmt(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(digits);
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(2)}%`;
}

/**
 * The model version a command works on: `--model <version>`, `--model default` (the shipped
 * default model, copied into this workspace's registry), or the workspace's active model.
 */
export async function resolveVersion(ws: Workspace, model: string | undefined): Promise<string> {
  const version =
    model === 'default'
      ? (await modelLibrary().adoptFolder(shippedModelDir())).version
      : (model ?? ws.settings.activeModel);
  if (!version) throw new Error('no --model given and the workspace has no active model');
  return version;
}
