/**
 * Which survey wrote a packet, from its top-level schema (full name, e.g. 'ztf.alert',
 * 'pgir.alert', 'winter.alert', 'atlas.alert', 'topLevelRecord') and its top-level field names.
 * Field names win over names: Spark-rewritten packets (fink, ALeRCE) rename the schema
 * 'topLevelRecord' but keep the fields.
 */
export function detectSurvey(schemaName: string, fields: string[]): string {
  const has = (f: string) => fields.includes(f);
  const ns = schemaName.toLowerCase().split('.');
  if (has('diaSource') || has('diaSourceId') || ns.includes('lsst')) return 'rubin';
  if (has('cutout_science') || ns.includes('winter')) return 'winter';
  if (ns.includes('pgir')) return 'pgir';
  if (ns.includes('atlas')) return 'atlas';
  if (ns.includes('ztf')) return 'ztf';
  if (has('candidate') && (has('cutoutScience') || has('prv_candidates'))) return 'ztf';
  return 'unknown';
}

/** Full name of a parsed top-level schema (namespace + name). */
export function schemaFullName(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return '';
  const s = schema as { name?: unknown; namespace?: unknown };
  const name = typeof s.name === 'string' ? s.name : '';
  if (name.includes('.') || typeof s.namespace !== 'string' || !s.namespace) return name;
  return `${s.namespace}.${name}`;
}

export function topLevelFields(schema: unknown): string[] {
  const s = schema as { fields?: unknown };
  if (!Array.isArray(s?.fields)) return [];
  return s.fields
    .map((f) => (f as { name?: unknown })?.name)
    .filter((n): n is string => typeof n === 'string');
}
