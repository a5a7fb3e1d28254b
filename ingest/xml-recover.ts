/**
 * Makes feed XML well-formed enough for a strict parser, recording each repair: one linear tokenizer pass
 * that escapes stray `&` and `<`, rewrites HTML named entities, drops control characters and DOCTYPEs,
 * closes an incomplete CDATA and a truncated tail. It also canonicalizes namespace prefixes and turns inline
 * markup inside text constructs into CDATA, so the tree parser downstream sees one spelling of each element.
 */
import { namedEntity } from './html-to-text.ts';

/** Options for the rewrite pass. */
export interface RecoverOptions {
  /**
   * Maps a namespaced element name to the spelling the parser should see, given the namespace URI its
   * prefix resolves to (null when undeclared or no namespace). Return the qualified name unchanged to keep it.
   */
  renameElement?: (qname: string, local: string, uri: string | null) => string;
  /**
   * Elements (after renaming) whose child markup is captured as CDATA text, e.g. Atom `content` with
   * type="xhtml" or RSS `description` with naked HTML. Such elements get a `nm:markup="1"` attribute.
   */
  captureMarkup?: (name: string) => boolean;
}

/** The rewritten document and what had to be repaired (empty when the input was well-formed). */
export interface RecoverResult {
  xml: string;
  problems: string[];
}

const XML_PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
// XML 1.0 forbids these characters anywhere, even as character references.
const ILLEGAL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

function numericRefs(chars: string): string {
  let out = '';
  for (const ch of chars) out += `&#${ch.codePointAt(0)};`;
  return out;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface OpenElement {
  /** Name as emitted. */
  name: string;
  /** Index in `out` of the start tag. */
  startIndex: number;
  /** Namespace declarations in scope (inherited copy-on-write). */
  ns: Map<string, string>;
  /** Capturing child markup as text. */
  capture: boolean;
  /** A child element was seen while capturing. */
  hadMarkup: boolean;
}

const NAME = /[A-Za-z_][\w:.\-]*/y;
const ATTR = /\s*([^\s=>\/<"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"'<]+)))?/y;
const TAG_END = /\s*(\/?)>/y;
const END_TAG = /<\/([A-Za-z_][\w:.\-]*)\s*>/y;

/**
 * Rewrites `text` (a decoded XML document) into well-formed XML. Never throws; the result parses with a
 * strict XML parser unless the document has no root element at all.
 */
export function recoverXml(text: string, options: RecoverOptions = {}): RecoverResult {
  const problems = new Set<string>();
  const out: string[] = [];
  const stack: OpenElement[] = [];
  let rootClosed = false;
  let rootSeen = false;
  const rootNs = new Map<string, string>();

  let src = text;
  if (ILLEGAL_CHARS.test(src)) {
    problems.add('control characters removed');
    src = src.replace(ILLEGAL_CHARS, '');
  }

  const fixReferences = (s: string): string =>
    s.replace(/&(#[0-9]{1,10};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,40};)?/g, (whole, ref: string | undefined) => {
      if (!ref) {
        problems.add('unescaped & escaped');
        return '&amp;';
      }
      if (ref.startsWith('#')) {
        const cp = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2, -1), 16) : Number.parseInt(ref.slice(1, -1), 10);
        if (ref[1] === 'X') {
          problems.add('uppercase hexadecimal character reference');
          return isXmlChar(cp) ? `&#x${ref.slice(2)}` : '&#xFFFD;';
        }
        if (isXmlChar(cp)) return whole;
        problems.add('invalid character reference replaced');
        return '&#xFFFD;';
      }
      const name = ref.slice(0, -1);
      if (XML_PREDEFINED.has(name)) return whole;
      const chars = namedEntity(name);
      if (chars !== null) {
        problems.add('HTML named entity without DTD');
        return numericRefs(chars);
      }
      problems.add('undefined entity escaped');
      return `&amp;${ref}`;
    });

  const top = (): OpenElement | undefined => stack[stack.length - 1];
  const capturing = (): OpenElement | undefined => stack.find((e) => e.capture);

  const closeTop = (): void => {
    const el = stack.pop();
    if (!el) return;
    out.push(`</${el.name}>`);
    if (el.capture && el.hadMarkup) {
      // Inner markup becomes one CDATA section; nested CDATA is unwrapped to escaped text first.
      const inner = out
        .splice(el.startIndex + 1)
        .slice(0, -1)
        .join('')
        .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, t: string) => escapeText(t));
      const startTag = out[el.startIndex]!;
      out[el.startIndex] = startTag.replace(/(\/?)>$/, ' nm:markup="1">');
      out.push(`<![CDATA[${inner.replace(/\]\]>/g, ']]]]><![CDATA[>')}]]>`, `</${el.name}>`);
    }
    if (stack.length === 0) rootClosed = true;
  };

  let i = 0;
  const n = src.length;
  while (i < n) {
    const lt = src.indexOf('<', i);
    if (lt !== i) {
      const end = lt === -1 ? n : lt;
      const chunk = src.slice(i, end);
      i = end;
      if (stack.length === 0) {
        if (chunk.trim() !== '') problems.add(rootClosed ? 'text after the root element ignored' : 'text before the root element ignored');
        continue;
      }
      out.push(fixReferences(chunk).replace(/]]>/g, ']]&gt;'));
      continue;
    }
    if (src.startsWith('<![CDATA[', i)) {
      const close = src.indexOf(']]>', i + 9);
      const body = close === -1 ? src.slice(i + 9) : src.slice(i + 9, close);
      if (close === -1) problems.add('incomplete CDATA section closed');
      i = close === -1 ? n : close + 3;
      if (stack.length === 0) continue;
      out.push(`<![CDATA[${body}]]>`);
      continue;
    }
    if (src.startsWith('<!--', i)) {
      const close = src.indexOf('-->', i + 4);
      if (close === -1) {
        problems.add('unterminated comment dropped');
        break;
      }
      // "--" inside a comment is an XML error; a space between the dashes keeps the text.
      out.push(`<!--${src.slice(i + 4, close).replace(/--/g, '- -').replace(/-$/, '- ')}-->`);
      i = close + 3;
      continue;
    }
    if (src.startsWith('<?', i)) {
      const close = src.indexOf('?>', i + 2);
      if (close === -1) {
        problems.add('unterminated processing instruction dropped');
        break;
      }
      // The XML declaration is only legal at the very start.
      const pi = src.slice(i, close + 2);
      if (!/^<\?xml\s/i.test(pi) || out.length === 0) out.push(pi);
      i = close + 2;
      continue;
    }
    if (/^<!DOCTYPE/i.test(src.slice(i, i + 9))) {
      // Dropped always: the internal subset is where billion-laughs and external-entity payloads live, and
      // a feed needs nothing from a DTD (HTML entities are handled by the table instead).
      let j = i + 9;
      let inSubset = false;
      for (; j < n; j++) {
        const c = src[j];
        if (c === '[') inSubset = true;
        else if (c === ']') inSubset = false;
        else if (c === '>' && !inSubset) break;
      }
      // Not a problem in itself (it is well-formed); references to its entities are reported as undefined.
      i = j + 1;
      continue;
    }
    if (src.startsWith('<!', i)) {
      const close = src.indexOf('>', i);
      problems.add('unknown markup declaration dropped');
      i = close === -1 ? n : close + 1;
      continue;
    }
    if (src.startsWith('</', i)) {
      END_TAG.lastIndex = i;
      const m = END_TAG.exec(src);
      if (!m) {
        if (src.indexOf('>', i) === -1) {
          problems.add('truncated document');
          break;
        }
        problems.add('stray < escaped');
        if (stack.length > 0) out.push('&lt;');
        i += 1;
        continue;
      }
      i = END_TAG.lastIndex;
      const raw = m[1]!;
      const t = top();
      const candidates = new Set([raw]);
      if (t) {
        candidates.add(renamed(raw, t.ns));
        candidates.add(xhtmlLocal(raw, t.ns));
      }
      let idx = -1;
      for (let k = stack.length - 1; k >= 0; k--) {
        if (candidates.has(stack[k]!.name)) {
          idx = k;
          break;
        }
      }
      if (idx === -1) {
        problems.add(`unmatched </${raw}> dropped`);
        continue;
      }
      if (idx !== stack.length - 1) problems.add('mismatched tags closed');
      while (stack.length > idx + 1) closeTop();
      closeTop();
      continue;
    }
    // A start tag, or a stray "<".
    NAME.lastIndex = i + 1;
    const nameMatch = NAME.exec(src);
    if (!nameMatch) {
      problems.add('stray < escaped');
      if (stack.length > 0) out.push('&lt;');
      i += 1;
      continue;
    }
    let j = NAME.lastIndex;
    const attrs: Array<[string, string]> = [];
    let selfClosing = false;
    let complete = false;
    for (;;) {
      TAG_END.lastIndex = j;
      const endMatch = TAG_END.exec(src);
      if (endMatch) {
        selfClosing = endMatch[1] === '/';
        j = TAG_END.lastIndex;
        complete = true;
        break;
      }
      ATTR.lastIndex = j;
      const a = ATTR.exec(src);
      if (!a || ATTR.lastIndex === j) break;
      j = ATTR.lastIndex;
      const value = a[2] ?? a[3] ?? a[4];
      if (value === undefined || a[4] !== undefined) problems.add('unquoted or valueless attribute');
      if (attrs.some(([k]) => k === a[1])) {
        problems.add('duplicate attribute dropped');
        continue;
      }
      attrs.push([a[1]!, value ?? a[1]!]);
    }
    if (!complete) {
      if (src.indexOf('>', j) === -1) {
        problems.add('truncated document');
        break;
      }
      problems.add('stray < escaped');
      if (stack.length > 0) out.push('&lt;');
      i += 1;
      continue;
    }
    i = j;
    if (rootClosed) {
      problems.add('content after the root element ignored');
      break;
    }
    const parent = top();
    let ns = parent ? parent.ns : rootNs;
    const declared = attrs.filter(([k]) => k === 'xmlns' || k.startsWith('xmlns:'));
    if (declared.length > 0) {
      ns = new Map(ns);
      for (const [k, v] of declared) ns.set(k === 'xmlns' ? '' : k.slice(6), v);
    }
    const rawName = nameMatch[0];
    const cap = capturing();
    let name: string;
    if (cap) {
      cap.hadMarkup = true;
      name = xhtmlLocal(rawName, ns);
    } else {
      name = renamed(rawName, ns);
    }
    const attrText = attrs.map(([k, v]) => ` ${k}="${fixReferences(v.replace(/</g, '&lt;').replace(/"/g, '&quot;'))}"`).join('');
    const startIndex = out.length;
    out.push(`<${name}${attrText}${selfClosing ? '/' : ''}>`);
    rootSeen = true;
    if (selfClosing) {
      if (stack.length === 0) rootClosed = true;
      continue;
    }
    stack.push({ name, startIndex, ns, capture: !cap && !!options.captureMarkup?.(name), hadMarkup: false });
  }

  if (stack.length > 0) {
    problems.add(`truncated document: ${stack.length} unclosed element(s) closed`);
    while (stack.length > 0) closeTop();
  }
  if (!rootSeen) problems.add('no root element');
  return { xml: out.join(''), problems: [...problems] };

  /** Inside captured markup only XHTML prefixes are dropped, so it reads as plain HTML. */
  function xhtmlLocal(qname: string, ns: Map<string, string>): string {
    const colon = qname.indexOf(':');
    return colon > 0 && ns.get(qname.slice(0, colon)) === XHTML_NS ? qname.slice(colon + 1) : qname;
  }

  function renamed(qname: string, ns: Map<string, string>): string {
    if (!options.renameElement) return qname;
    const colon = qname.indexOf(':');
    const prefix = colon > 0 ? qname.slice(0, colon) : '';
    const local = colon > 0 ? qname.slice(colon + 1) : qname;
    return options.renameElement(qname, local, ns.get(prefix) ?? null);
  }
}
