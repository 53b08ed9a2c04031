/**
 * Night-qualified candidate ids (`<k>:<id>`, k the night's index in a version's list of nights):
 * how a split spanning several nights names its candidates. Plain ids with one night. Shared by
 * the training that writes splits and the comparison that reads them back from meta.json.
 */
export function qualifyId(nightCount: number, k: number, id: string): string {
  return nightCount > 1 ? `${k}:${id}` : id;
}

export function unqualifyId(nightCount: number, qualified: string): { night: number; id: string } {
  if (nightCount <= 1) return { night: 0, id: qualified };
  const cut = qualified.indexOf(':');
  return { night: Number(qualified.slice(0, cut)), id: qualified.slice(cut + 1) };
}
