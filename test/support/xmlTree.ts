/**
 * A small, strict XML reader for the files we write (VOTable), with which the tests read them back:
 * elements, attributes, text, comments, CDATA and the five predefined entities plus character
 * references. It refuses DOCTYPEs
 * (no entity expansion, so no "billion laughs") and anything not well-formed, with the line.
 * Not a general XML library: no namespaces beyond keeping the xmlns attributes as written.
 */
import { isXmlChar } from '../../src/main/export/votable';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (character data between its children), entities decoded. */
  text: string;
  line: number;
}

export class XmlError extends Error {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super(`line ${line}: ${problem}`);
    this.name = 'XmlError';
  }
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(input: string): XmlElement {
  // XML end-of-line handling: CRLF and lone CR read as LF (a CR we wrote is escaped as &#xD;).
  const src = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let i = 0;
  let line = 1;
  const fail = (problem: string): never => {
    throw new XmlError(line, problem);
  };
  const advance = (to: number) => {
    for (; i < to; i++) if (src.charCodeAt(i) === 10) line++;
  };
  /** Decode entities in text that starts on the current line; errors name the entity's own line. */
  const decode = (raw: string): string =>
    raw.replace(/&([^;&<\s]*);?/g, (m, body: string, offset: number) => {
      const at = (problem: string): never => {
        throw new XmlError(line + (raw.slice(0, offset).match(/\n/g)?.length ?? 0), problem);
      };
      if (!m.endsWith(';')) at(`"&" not starting an entity (write &amp;)`);
      if (body in ENTITIES) return ENTITIES[body];
      const ref = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(body);
      if (!ref) return at(`unknown entity &${body};`);
      const cp = ref[1] ? parseInt(ref[1], 16) : parseInt(ref[2], 10);
      if (!isXmlChar(cp)) at(`character reference &${body}; is not an XML character`);
      return String.fromCodePoint(cp);
    });
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (!m) fail(`expected a name at "${src.slice(i, i + 10)}"`);
    advance(i + m![0].length);
    return m![0];
  };
  const skipSpace = () => {
    while (i < src.length && /\s/.test(src[i])) advance(i + 1);
  };
  const skipMisc = (allowDecl: boolean) => {
    for (;;) {
      skipSpace();
      if (src.startsWith('<?', i)) {
        if (!allowDecl && src.startsWith('<?xml ', i)) fail('XML declaration not at the start');
        const end = src.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        advance(end + 2);
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        advance(end + 3);
      } else if (src.startsWith('<!DOCTYPE', i)) {
        fail('DOCTYPE declarations are not accepted');
      } else return;
      allowDecl = false;
    }
  };

  const element = (): XmlElement => {
    const startLine = line;
    if (src[i] !== '<') fail('expected an element');
    advance(i + 1);
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '', line: startLine };
    for (;;) {
      const before = i;
      skipSpace();
      if (src.startsWith('/>', i)) {
        advance(i + 2);
        return el;
      }
      if (src[i] === '>') {
        advance(i + 1);
        break;
      }
      if (i === before) fail(`expected whitespace, ">" or "/>" in <${el.name}>`);
      const attr = name();
      skipSpace();
      if (src[i] !== '=') fail(`attribute ${attr} of <${el.name}> has no value`);
      advance(i + 1);
      skipSpace();
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`attribute ${attr} of <${el.name}> is not quoted`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) fail(`attribute ${attr} of <${el.name}> is never closed`);
      const raw = src.slice(i + 1, end);
      if (raw.includes('<')) fail(`"<" in attribute ${attr} of <${el.name}>`);
      if (attr in el.attrs) fail(`attribute ${attr} repeated in <${el.name}>`);
      // Attribute-value normalisation: literal tab/newline read as a space; &#xA; etc. survive.
      el.attrs[attr] = decode(raw.replace(/[\t\n]/g, ' '));
      advance(end + 1);
    }
    for (;;) {
      const lt = src.indexOf('<', i);
      if (lt < 0) fail(`<${el.name}> (line ${startLine}) is never closed`);
      const raw = src.slice(i, lt);
      if (raw.includes(']]>')) fail('"]]>" in text');
      el.text += decode(raw);
      advance(lt);
      if (src.startsWith('</', i)) {
        advance(i + 2);
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}> (opened on line ${startLine})`);
        skipSpace();
        if (src[i] !== '>') fail(`expected ">" after </${closing}`);
        advance(i + 1);
        return el;
      }
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        advance(end + 3);
      } else if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i + 9);
        if (end < 0) fail('unterminated CDATA section');
        el.text += src.slice(i + 9, end);
        advance(end + 3);
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        advance(end + 2);
      } else {
        el.children.push(element());
      }
    }
  };

  for (const ch of src) {
    const cp = ch.codePointAt(0)!;
    if (!isXmlChar(cp)) throw new XmlError(0, `U+${cp.toString(16).toUpperCase()} is not allowed in XML`);
  }
  skipMisc(true);
  if (i >= src.length) fail('no root element');
  const root = element();
  skipMisc(false);
  if (i < src.length) fail('content after the root element');
  return root;
}
