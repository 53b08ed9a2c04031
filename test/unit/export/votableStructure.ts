/**
 * A structural check of a VOTable 1.4 document against what the IVOA VOTable 1.4 XML Schema
 * (VOTable-1.4.xsd) requires. NOT the official XSD: no XSD validator is installed here (and the
 * schema file itself is not vendored), so this restates the schema's rules for the elements a
 * TABLEDATA table uses: root element, namespace and version; each element's allowed children in
 * the schema's order (as a regular expression over child names, transcribed from the content
 * models); allowed and required attributes with their enumerations and patterns (dataType,
 * ucdType, arrayDEF, Timeorigin, yesno...); xs:ID uniqueness and IDREF targets. On top, rules of
 * the VOTable document (REC 1.4) that the XSD cannot express: one TD per FIELD in every TR, char
 * without arraysize is one character, values parse per datatype, char is ASCII, nrows matches.
 */
import { parseXml, type XmlElement } from '../../support/xmlTree';

const NS = 'http://www.ivoa.net/xml/VOTable/v1.3';

const DATATYPES = [
  'boolean',
  'bit',
  'unsignedByte',
  'short',
  'int',
  'long',
  'char',
  'unicodeChar',
  'float',
  'double',
  'floatComplex',
  'doubleComplex',
];

/** Content models, from the XSD, over space-terminated child names. */
const CHILDREN: Record<string, RegExp | 'any'> = {
  VOTABLE: /^(DESCRIPTION )?(DEFINITIONS )?((COOSYS|TIMESYS|GROUP|PARAM|INFO) )*(RESOURCE )+(INFO )*$/,
  RESOURCE: /^(DESCRIPTION )?(INFO )*((COOSYS|TIMESYS|GROUP|PARAM) )*((LINK )*(TABLE|RESOURCE) (INFO )*)*$/,
  TABLE: /^(DESCRIPTION )?(INFO )*((FIELD|PARAM|GROUP) )+(LINK )*(DATA )?(INFO )*$/,
  FIELD: /^(DESCRIPTION )?(VALUES )?(LINK )*$/,
  PARAM: /^(DESCRIPTION )?(VALUES )?(LINK )*$/,
  GROUP: /^(DESCRIPTION )?((FIELDref|PARAMref|PARAM|GROUP) )*$/,
  VALUES: /^(MIN )?(MAX )?(OPTION )*$/,
  OPTION: /^(OPTION )*$/,
  DATA: /^(TABLEDATA|BINARY|BINARY2|FITS) (INFO )*$/,
  TABLEDATA: /^(TR )*$/,
  TR: /^(TD )+$/,
  BINARY: /^STREAM $/,
  BINARY2: /^STREAM $/,
  FITS: /^STREAM $/,
  DESCRIPTION: 'any',
  DEFINITIONS: /^((COOSYS|TIMESYS|PARAM) )*$/,
  TD: /^$/,
  INFO: /^$/,
  COOSYS: /^$/,
  TIMESYS: /^$/,
  LINK: /^$/,
  MIN: /^$/,
  MAX: /^$/,
  FIELDref: /^$/,
  PARAMref: /^$/,
  STREAM: /^$/,
};

type AttrRule = { required?: boolean; pattern?: RegExp; values?: string[] };
const token = { pattern: /^\S(.*\S)?$|^$/ };
const ucd = { pattern: /^[A-Za-z0-9_.:;-]*$/ };
const id = { pattern: /^[A-Za-z_][A-Za-z0-9_.-]*$/ };
const fieldAttrs: Record<string, AttrRule> = {
  ID: id,
  unit: token,
  datatype: { required: true, values: DATATYPES },
  precision: { pattern: /^[EF]?[0-9][0-9]*$/ },
  width: { pattern: /^[1-9][0-9]*$/ },
  xtype: token,
  ref: id,
  name: { required: true, ...token },
  ucd,
  utype: {},
  arraysize: { pattern: /^([0-9]+x)*[0-9]*[*]?$/ },
  type: { values: ['hidden', 'no_query', 'trigger', 'location'] },
};
const ATTRS: Record<string, Record<string, AttrRule>> = {
  VOTABLE: { ID: id, version: { values: ['1.3', '1.4'] } },
  RESOURCE: { name: token, ID: id, utype: {}, type: { values: ['results', 'meta'] } },
  TABLE: { ID: id, name: token, ref: id, ucd, utype: {}, nrows: { pattern: /^[0-9]+$/ } },
  FIELD: fieldAttrs,
  PARAM: { ...fieldAttrs, value: { required: true } },
  INFO: {
    ID: id,
    name: { required: true, ...token },
    value: { required: true },
    unit: token,
    xtype: token,
    ref: id,
    ucd,
    utype: {},
  },
  COOSYS: {
    ID: { required: true, ...id },
    equinox: { pattern: /^[JB]?[0-9]+([.][0-9]*)?$/ },
    epoch: { pattern: /^[JB]?[0-9]+([.][0-9]*)?$/ },
    system: {
      values: [
        'eq_FK4',
        'eq_FK5',
        'ICRS',
        'ecl_FK4',
        'ecl_FK5',
        'galactic',
        'supergalactic',
        'xy',
        'barycentric',
        'geo_app',
      ],
    },
  },
  TIMESYS: {
    ID: { required: true, ...id },
    timeorigin: { pattern: /^([+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|(JD|MJD)-origin)$/ },
    timescale: { required: true, ...token },
    refposition: { required: true, ...token },
  },
  DATA: {},
  TABLEDATA: {},
  TR: { ID: id },
  TD: { encoding: { values: ['gzip', 'base64', 'dynamic', 'none'] } },
  DESCRIPTION: {},
  GROUP: { ID: id, name: token, ref: id, ucd, utype: {} },
  LINK: {},
  VALUES: {},
};

const INT = /^[+-]?[0-9]+$|^0x[0-9A-Fa-f]+$/;
const FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$|^NaN$|^[+-]?Inf(inity)?$/;

function valueProblem(text: string, datatype: string, arraysize: string | undefined): string | null {
  if (datatype === 'char') {
    if (![...text].every((c) => c.charCodeAt(0) < 0x80)) return 'char value is not ASCII (use unicodeChar)';
    if (arraysize === undefined && text.length > 1) return 'char without arraysize holds one character';
    return null;
  }
  if (datatype === 'unicodeChar') return null;
  const t = text.trim();
  if (t === '') return null; // empty TD: null
  if (arraysize !== undefined) return null; // arrays: not checked here
  if (['short', 'int', 'long', 'unsignedByte'].includes(datatype))
    return INT.test(t) ? null : `"${t}" is not ${datatype}`;
  if (['float', 'double'].includes(datatype)) return FLOAT.test(t) ? null : `"${t}" is not ${datatype}`;
  if (datatype === 'boolean')
    return /^(true|false|t|f|1|0|\?|T|F)$/i.test(t) ? null : `"${t}" is not boolean`;
  return null;
}

/** Problems found (empty: the document passes). */
export function checkVoTable(text: string): string[] {
  const problems: string[] = [];
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    return [`not well-formed XML: ${(e as Error).message}`];
  }
  if (root.name !== 'VOTABLE') problems.push(`root is <${root.name}>, not <VOTABLE>`);
  if (root.attrs.xmlns !== NS) problems.push(`root namespace is ${root.attrs.xmlns ?? 'missing'}, not ${NS}`);
  if (root.attrs.version !== '1.4') problems.push(`version is ${root.attrs.version ?? 'missing'}, not 1.4`);

  const ids = new Map<string, string>();
  const refs: { ref: string; where: string }[] = [];
  const walk = (el: XmlElement) => {
    const where = `<${el.name}> on line ${el.line}`;
    const model = CHILDREN[el.name];
    if (!model) {
      problems.push(`${where}: element not in the VOTable schema`);
      return;
    }
    if (model === 'any') return;
    const seq = el.children.map((c) => `${c.name} `).join('');
    if (!model.test(seq)) problems.push(`${where}: children "${seq.trim()}" not allowed by the schema`);
    const rules = ATTRS[el.name] ?? {};
    for (const [name, value] of Object.entries(el.attrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:') || name.startsWith('xsi:')) continue;
      const rule = rules[name];
      if (!rule) {
        problems.push(`${where}: attribute ${name} not allowed`);
        continue;
      }
      if (rule.values && !rule.values.includes(value))
        problems.push(`${where}: ${name}="${value}" not one of ${rule.values.join('|')}`);
      if (rule.pattern && !rule.pattern.test(value))
        problems.push(`${where}: ${name}="${value}" does not match ${rule.pattern}`);
    }
    for (const [name, rule] of Object.entries(rules))
      if (rule.required && !(name in el.attrs)) problems.push(`${where}: required attribute ${name} missing`);
    if (el.attrs.ID) {
      if (ids.has(el.attrs.ID))
        problems.push(`${where}: ID "${el.attrs.ID}" already used by ${ids.get(el.attrs.ID)}`);
      ids.set(el.attrs.ID, where);
    }
    if (el.attrs.ref) refs.push({ ref: el.attrs.ref, where });
    if (el.name === 'TABLE') checkTable(el, problems);
    el.children.forEach(walk);
  };
  walk(root);
  for (const r of refs)
    if (!ids.has(r.ref)) problems.push(`${r.where}: ref "${r.ref}" names no ID in the document`);
  return problems;
}

function checkTable(table: XmlElement, problems: string[]) {
  const fields = table.children.filter((c) => c.name === 'FIELD');
  const tabledata = table.children
    .find((c) => c.name === 'DATA')
    ?.children.find((c) => c.name === 'TABLEDATA');
  const trs = tabledata?.children.filter((c) => c.name === 'TR') ?? [];
  if (table.attrs.nrows !== undefined && Number(table.attrs.nrows) !== trs.length)
    problems.push(`<TABLE> line ${table.line}: nrows=${table.attrs.nrows} but ${trs.length} TR`);
  for (const tr of trs) {
    const tds = tr.children.filter((c) => c.name === 'TD');
    if (tds.length !== fields.length) {
      problems.push(`<TR> on line ${tr.line}: ${tds.length} TD for ${fields.length} FIELD`);
      continue;
    }
    tds.forEach((td, i) => {
      const f = fields[i].attrs;
      const p = valueProblem(td.text, f.datatype, f.arraysize);
      if (p) problems.push(`<TR> on line ${tr.line}, FIELD ${f.name}: ${p}`);
    });
  }
}
