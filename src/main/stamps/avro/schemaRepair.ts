/**
 * Lenient repair of writer schemas that real alert packets carry but the Avro spec (and so
 * avsc) rejects. We always decode with the writer schema alone, so field defaults (used only
 * when resolving against a reader schema) and names never change how bytes are read: every
 * repair here is safe for decoding. Each kind is a named, tested case.
 */

export type RepairKind =
  /** A union field's default does not match the union's FIRST branch (e.g. PGIR, ZTF 3.x: `["float","null"]` with default null). Dropped. */
  | 'union-default-mismatch'
  /** A non-union field's default does not match its type. Dropped. */
  | 'invalid-default'
  /** A record declares the same field name twice (WINTER 2024: `sgmag1`). The later ones are renamed `<name>__dup<k>`; the first keeps its name. */
  | 'duplicate-field-name'
  /** A type, namespace, field or enum-symbol name outside [A-Za-z_][A-Za-z0-9_]*. Invalid characters become '_'. */
  | 'invalid-name';

export interface SchemaRepair {
  kind: RepairKind;
  /** Dotted path of the record/field concerned. */
  where: string;
  detail: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sanitizeName(name: string): string {
  let out = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(out)) out = '_' + out;
  return out;
}

/** Sanitizes each dotted component of a (possibly qualified) name. */
function sanitizeFullName(name: string): string {
  return name
    .split('.')
    .map((part) => (NAME_RE.test(part) ? part : sanitizeName(part)))
    .join('.');
}

function isValidFullName(name: string): boolean {
  return name.split('.').every((p) => NAME_RE.test(p));
}

/** Does a JSON default fit the given (non-union) schema? Named references are looked up loosely. */
function defaultFits(value: Json, type: Json, named: Map<string, JsonObject>): boolean {
  if (typeof type === 'string') {
    switch (type) {
      case 'null':
        return value === null;
      case 'boolean':
        return typeof value === 'boolean';
      case 'int':
      case 'long':
        return typeof value === 'number' && Number.isInteger(value);
      case 'float':
      case 'double':
        return typeof value === 'number';
      case 'bytes':
      case 'string':
        return typeof value === 'string';
      default: {
        const def = named.get(type) ?? named.get(type.split('.').pop() ?? type);
        return def ? defaultFits(value, def, named) : true;
      }
    }
  }
  if (Array.isArray(type)) return type.length > 0 && defaultFits(value, type[0], named);
  if (!isObject(type)) return true;
  switch (type.type) {
    case 'record':
    case 'error':
    case 'map':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'enum':
      return typeof value === 'string' && Array.isArray(type.symbols) && type.symbols.includes(value);
    case 'fixed':
      return typeof value === 'string';
    default:
      return typeof type.type === 'string' ? defaultFits(value, type.type, named) : true;
  }
}

/**
 * Returns a repaired deep copy of the schema and the list of repairs made (empty if the schema
 * was already valid). Never throws on odd input: whatever it cannot understand it leaves alone
 * for avsc to judge.
 */
export function repairSchema(schema: unknown): { schema: unknown; repairs: SchemaRepair[] } {
  const repairs: SchemaRepair[] = [];
  const copy = JSON.parse(JSON.stringify(schema)) as Json;
  const named = new Map<string, JsonObject>();

  const walk = (node: Json, path: string): Json => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node) || isValidFullName(node)) return node;
      const fixed = sanitizeFullName(node);
      repairs.push({ kind: 'invalid-name', where: path, detail: `type reference '${node}' -> '${fixed}'` });
      return fixed;
    }
    if (Array.isArray(node)) return node.map((b, i) => walk(b, `${path}[${i}]`));
    if (!isObject(node)) return node;

    for (const key of ['name', 'namespace'] as const) {
      const v = node[key];
      if (typeof v === 'string' && v !== '' && !isValidFullName(v)) {
        const fixed = sanitizeFullName(v);
        repairs.push({ kind: 'invalid-name', where: path, detail: `${key} '${v}' -> '${fixed}'` });
        node[key] = fixed;
      }
    }
    // Named types are reported by their full name, anonymous ones by where they sit.
    const here =
      typeof node.name === 'string'
        ? typeof node.namespace === 'string' && node.namespace && !node.name.includes('.')
          ? `${node.namespace}.${node.name}`
          : node.name
        : path;
    if (typeof node.name === 'string' && ['record', 'error', 'enum', 'fixed'].includes(node.type as string)) {
      named.set(node.name, node);
      if (typeof node.namespace === 'string') named.set(`${node.namespace}.${node.name}`, node);
    }

    if (node.type === 'enum' && Array.isArray(node.symbols)) {
      node.symbols = node.symbols.map((s) => {
        if (typeof s !== 'string' || NAME_RE.test(s)) return s;
        const fixed = sanitizeName(s);
        repairs.push({ kind: 'invalid-name', where: here, detail: `enum symbol '${s}' -> '${fixed}'` });
        return fixed;
      });
    }
    if (node.type === 'array' && node.items !== undefined) node.items = walk(node.items, `${here}[]`);
    if (node.type === 'map' && node.values !== undefined) node.values = walk(node.values, `${here}{}`);
    if ((node.type === 'record' || node.type === 'error') && Array.isArray(node.fields)) {
      const seen = new Map<string, number>();
      for (const field of node.fields) {
        if (!isObject(field)) continue;
        if (typeof field.name === 'string') {
          let name = field.name;
          if (!NAME_RE.test(name)) {
            const fixed = sanitizeName(name);
            repairs.push({ kind: 'invalid-name', where: here, detail: `field '${name}' -> '${fixed}'` });
            name = fixed;
          }
          const k = (seen.get(name) ?? 0) + 1;
          seen.set(name, k);
          if (k > 1) {
            let renamed = `${name}__dup${k}`;
            while (seen.has(renamed)) renamed += '_';
            seen.set(renamed, 1);
            repairs.push({
              kind: 'duplicate-field-name',
              where: `${here}.${name}`,
              detail: `occurrence ${k} renamed '${renamed}'`,
            });
            name = renamed;
          }
          field.name = name;
        }
        const fieldPath = `${here}.${String(field.name)}`;
        field.type = walk(field.type, fieldPath);
        if (
          'default' in field &&
          field.default !== undefined &&
          !defaultFits(field.default, field.type, named)
        ) {
          const union = Array.isArray(field.type);
          repairs.push({
            kind: union ? 'union-default-mismatch' : 'invalid-default',
            where: fieldPath,
            detail: `default ${JSON.stringify(field.default)} dropped`,
          });
          delete field.default;
        }
      }
    }
    // A nested {"type": {...}} wrapper.
    if (isObject(node.type) || Array.isArray(node.type)) node.type = walk(node.type, here);
    return node;
  };

  return { schema: walk(copy, ''), repairs };
}
