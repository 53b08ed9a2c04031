import { Workspace } from '../../main/catalog/workspace';

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
