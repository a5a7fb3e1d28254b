/**
 * Feed bytes → text: picks the charset from BOM, UTF-16/32 byte patterns, HTTP header, XML declaration and,
 * for undeclared legacy bytes, statistical detection (chardet); decodes with WHATWG TextDecoder.
 */
import chardet from 'chardet';
import { fixC1Controls } from './html-to-text.ts';

/** Result of charset detection. */
export interface DetectedEncoding {
  /**
   * The charset the document is read as, lower-case ("utf-8", "windows-1251", "gb18030", "us-ascii").
   * gb2312/gbk are reported as gb18030 (their superset, which is what we decode with).
   */
  encoding: string;
  /** Bytes of byte-order mark to skip. */
  bomLength: number;
  /** What was odd about the declared charset (lying, unknown, missing and guessed); empty when clean. */
  problems: string[];
}

// Labels we report under a name of our own: ASCII is decoded as windows-1252 (a superset), GB2312/GBK
// as GB18030 (their superset), so the report says what was declared while decoding stays lossless.
const REPORTED_NAME: Readonly<Record<string, string>> = {
  'us-ascii': 'us-ascii', ascii: 'us-ascii', 'iso-ir-6': 'us-ascii', 'ansi_x3.4-1968': 'us-ascii', 'iso646-us': 'us-ascii',
  'iso-8859-1': 'iso-8859-1', 'iso8859-1': 'iso-8859-1', latin1: 'iso-8859-1', 'l1': 'iso-8859-1',
  gb2312: 'gb18030', gbk: 'gb18030', 'x-gbk': 'gb18030', cp936: 'gb18030', gb18030: 'gb18030', 'csgb2312': 'gb18030',
  // Python codec aliases that real feeds (and feedparser's tests) use in declarations.
  u16: 'utf-16le', utf16: 'utf-16le', u32: 'utf-32', utf32: 'utf-32', u8: 'utf-8', utf8: 'utf-8',
  'utf-32': 'utf-32', 'utf-32le': 'utf-32le', 'utf-32be': 'utf-32be', ucs4: 'utf-32', 'ucs-4': 'utf-32',
  // Logical Hebrew: windows-1255 is the superset browsers and feedparser read ISO-8859-8 text with.
  'iso-8859-8': 'windows-1255',
};

/** What TextDecoder needs for a reported name that it spells differently. */
const DECODER_LABEL: Readonly<Record<string, string>> = {
  'us-ascii': 'windows-1252',
  'iso-8859-1': 'windows-1252',
};

/**
 * Canonical charset name for a label (quotes and case ignored), or null when no decoder knows it.
 * @example canonicalCharset("'GB2312'") === "gb18030"
 */
export function canonicalCharset(label: string | null | undefined): string | null {
  if (!label) return null;
  const l = label.trim().replace(/^["']+|["']+$/g, '').trim().toLowerCase();
  if (!l) return null;
  // As written first, then with Python-style underscores ("utf_32", "iso_8859_1") as dashes.
  for (const candidate of [l, l.replace(/_/g, '-')]) {
    const named = REPORTED_NAME[candidate];
    if (named) return named;
    try {
      const enc = new TextDecoder(candidate).encoding;
      // WHATWG maps some labels to the "replacement" decoder (iso-2022-kr, hz-gb-2312...): unusable.
      if (enc !== 'replacement') return enc;
    } catch {
      // Unknown label: try the next spelling.
    }
  }
  return null;
}

/** The `charset` parameter of a Content-Type header, as written (may be quoted, may be bogus). */
export function charsetFromContentType(contentType: string | null): string | null {
  if (!contentType) return null;
  const m = /;\s*charset\s*=\s*("[^"]*"|'[^']*'|[^;\s]+)/i.exec(contentType);
  return m?.[1]?.replace(/^["']|["']$/g, '') ?? null;
}

/** The `encoding` pseudo-attribute of the XML declaration (ASCII-compatible documents only). */
export function charsetFromXmlDeclaration(bytes: Uint8Array): string | null {
  // The declaration is ASCII in every ASCII-compatible charset, so latin1 is safe for sniffing it.
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const m = /^\s*<\?xml\b[^>]*?\bencoding\s*=\s*(["'])([^"']*)\1/.exec(head);
  return m?.[2] ?? null;
}

function isAscii(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b > 0x7f) return false;
  return true;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function isUnicodeName(name: string): boolean {
  return name.startsWith('utf-');
}

/** Byte-order marks and the UTF-16/32 shapes of "<?" (XML 1.0 appendix F). */
function sniffUnicode(b: Uint8Array): { encoding: string; bomLength: number } | null {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', bomLength: 4 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { encoding: 'utf-32be', bomLength: 4 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x3c) return { encoding: 'utf-32be', bomLength: 0 };
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', bomLength: 0 };
  if (b[0] === 0 && b[1] === 0x3c && b[2] === 0 && b[3] === 0x3f) return { encoding: 'utf-16be', bomLength: 0 };
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0x3f && b[3] === 0) return { encoding: 'utf-16le', bomLength: 0 };
  return null;
}

const TEXT_TYPE = /^\s*text\//i;

/** chardet's answer mapped to a decoder we have; null when it has no confident guess. */
function guessCharset(bytes: Uint8Array): string | null {
  const [best] = chardet.analyse(bytes);
  if (!best || best.confidence < 10) return null;
  return canonicalCharset(best.name);
}

/**
 * Picks the charset. Order: BOM and UTF-16/32 byte patterns; then, for bytes that are valid UTF-8 and not
 * pure ASCII, UTF-8 (valid UTF-8 wins over a lying label); then the HTTP charset, then the XML declaration
 * (ASCII-compatible ones only: a UTF-16 label on bytes without UTF-16 shape is a lie); then chardet;
 * then windows-1252. Pure ASCII bytes take the declared name, since every ASCII-compatible decoder agrees,
 * and `text/*` without a charset is reported as us-ascii as RFC 3023 says (harmless for ASCII bytes).
 */
export function detectEncoding(bytes: Uint8Array, contentType: string | null): DetectedEncoding {
  const problems: string[] = [];
  const unicode = sniffUnicode(bytes);
  if (unicode) return { ...unicode, problems };

  const headerLabel = charsetFromContentType(contentType);
  const declLabel = charsetFromXmlDeclaration(bytes);
  const fromHeader = canonicalCharset(headerLabel);
  const fromDecl = canonicalCharset(declLabel);
  if (headerLabel && !fromHeader) problems.push(`unknown charset "${headerLabel}" in Content-Type`);
  if (declLabel && !fromDecl) problems.push(`unknown encoding "${declLabel}" in XML declaration`);
  const declared = [fromHeader, fromDecl].find((e): e is string => !!e && !isUnicodeName(e)) ?? null;

  if (isAscii(bytes)) {
    if (!fromHeader && contentType && TEXT_TYPE.test(contentType) && !/^\s*text\/(plain|html)\b/i.test(contentType)) {
      return { encoding: 'us-ascii', bomLength: 0, problems };
    }
    return { encoding: declared ?? 'utf-8', bomLength: 0, problems };
  }
  if (isValidUtf8(bytes)) {
    if (declared && declared !== 'utf-8') problems.push(`declared charset ${declared} but the bytes are UTF-8`);
    return { encoding: 'utf-8', bomLength: 0, problems };
  }
  if (declared) return { encoding: declared, bomLength: 0, problems };
  const guessed = guessCharset(bytes);
  if (fromHeader || fromDecl) problems.push('declared charset is UTF-16/32 or UTF-8 but the bytes are not');
  problems.push(`no usable charset declared; detected ${guessed ?? 'nothing, read as windows-1252'}`);
  return { encoding: guessed ?? 'windows-1252', bomLength: 0, problems };
}

function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    parts.push(cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\uFFFD');
  }
  return parts.join('');
}

/** Decodes bytes (BOM already skipped) with a name returned by `detectEncoding` or `canonicalCharset`. */
export function decodeBytes(bytes: Uint8Array, encoding: string): string {
  if (encoding === 'utf-32le') return decodeUtf32(bytes, true);
  if (encoding === 'utf-32be' || encoding === 'utf-32') return decodeUtf32(bytes, false);
  const label = DECODER_LABEL[encoding] ?? encoding;
  const text = new TextDecoder(label).decode(bytes);
  // Node's windows-1252 decoder leaves 0x80–0x9F as C1 controls; real feeds mean curly quotes there.
  return label === 'windows-1252' ? fixC1Controls(text) : text;
}
