/**
 * A small, safe HTML → plain text converter for feed content: no DOM, no script execution, linear regexes.
 * Good enough for search and tagging; it is not a sanitizer for rendering HTML.
 */

// Named entities seen in news feeds: all of Latin-1, typographic punctuation, Greek letters and common
// symbols. Unknown names are left as written rather than guessed.
const NAMED_ENTITIES: Readonly<Record<string, number>> = {
  quot: 34, amp: 38, apos: 39, lt: 60, gt: 62, nbsp: 160, iexcl: 161, cent: 162, pound: 163, curren: 164,
  yen: 165, brvbar: 166, sect: 167, uml: 168, copy: 169, ordf: 170, laquo: 171, not: 172, shy: 173, reg: 174,
  macr: 175, deg: 176, plusmn: 177, sup2: 178, sup3: 179, acute: 180, micro: 181, para: 182, middot: 183,
  cedil: 184, sup1: 185, ordm: 186, raquo: 187, frac14: 188, frac12: 189, frac34: 190, iquest: 191,
  Agrave: 192, Aacute: 193, Acirc: 194, Atilde: 195, Auml: 196, Aring: 197, AElig: 198, Ccedil: 199,
  Egrave: 200, Eacute: 201, Ecirc: 202, Euml: 203, Igrave: 204, Iacute: 205, Icirc: 206, Iuml: 207, ETH: 208,
  Ntilde: 209, Ograve: 210, Oacute: 211, Ocirc: 212, Otilde: 213, Ouml: 214, times: 215, Oslash: 216,
  Ugrave: 217, Uacute: 218, Ucirc: 219, Uuml: 220, Yacute: 221, THORN: 222, szlig: 223, agrave: 224,
  aacute: 225, acirc: 226, atilde: 227, auml: 228, aring: 229, aelig: 230, ccedil: 231, egrave: 232,
  eacute: 233, ecirc: 234, euml: 235, igrave: 236, iacute: 237, icirc: 238, iuml: 239, eth: 240, ntilde: 241,
  ograve: 242, oacute: 243, ocirc: 244, otilde: 245, ouml: 246, divide: 247, oslash: 248, ugrave: 249,
  uacute: 250, ucirc: 251, uuml: 252, yacute: 253, thorn: 254, yuml: 255,
  OElig: 338, oelig: 339, Scaron: 352, scaron: 353, Yuml: 376, fnof: 402, circ: 710, tilde: 732,
  Alpha: 913, Beta: 914, Gamma: 915, Delta: 916, Epsilon: 917, Zeta: 918, Eta: 919, Theta: 920, Iota: 921,
  Kappa: 922, Lambda: 923, Mu: 924, Nu: 925, Xi: 926, Omicron: 927, Pi: 928, Rho: 929, Sigma: 931, Tau: 932,
  Upsilon: 933, Phi: 934, Chi: 935, Psi: 936, Omega: 937, alpha: 945, beta: 946, gamma: 947, delta: 948,
  epsilon: 949, zeta: 950, eta: 951, theta: 952, iota: 953, kappa: 954, lambda: 955, mu: 956, nu: 957, xi: 958,
  omicron: 959, pi: 960, rho: 961, sigmaf: 962, sigma: 963, tau: 964, upsilon: 965, phi: 966, chi: 967,
  psi: 968, omega: 969, thetasym: 977, upsih: 978, piv: 982,
  ensp: 8194, emsp: 8195, thinsp: 8201, zwnj: 8204, zwj: 8205, lrm: 8206, rlm: 8207, ndash: 8211,
  mdash: 8212, horbar: 8213, lsquo: 8216, rsquo: 8217, sbquo: 8218, ldquo: 8220, rdquo: 8221, bdquo: 8222,
  dagger: 8224, Dagger: 8225, bull: 8226, hellip: 8230, permil: 8240, prime: 8242, Prime: 8243,
  lsaquo: 8249, rsaquo: 8250, oline: 8254, frasl: 8260, euro: 8364, image: 8465, weierp: 8472, real: 8476,
  trade: 8482, alefsym: 8501, larr: 8592, uarr: 8593, rarr: 8594, darr: 8595, harr: 8596, crarr: 8629,
  lArr: 8656, uArr: 8657, rArr: 8658, dArr: 8659, hArr: 8660, forall: 8704, part: 8706, exist: 8707,
  empty: 8709, nabla: 8711, isin: 8712, notin: 8713, ni: 8715, prod: 8719, sum: 8721, minus: 8722,
  lowast: 8727, radic: 8730, prop: 8733, infin: 8734, ang: 8736, and: 8743, or: 8744, cap: 8745, cup: 8746,
  int: 8747, there4: 8756, sim: 8764, cong: 8773, asymp: 8776, ne: 8800, equiv: 8801, le: 8804, ge: 8805,
  sub: 8834, sup: 8835, nsub: 8836, sube: 8838, supe: 8839, oplus: 8853, otimes: 8855, perp: 8869,
  sdot: 8901, lceil: 8968, rceil: 8969, lfloor: 8970, rfloor: 8971, lang: 9001, rang: 9002, loz: 9674,
  spades: 9824, clubs: 9827, hearts: 9829, diams: 9830, hyphen: 8208, dash: 8208, nbhy: 8209,
  period: 46, comma: 44, colon: 58, semi: 59, excl: 33, quest: 63, num: 35, dollar: 36, percnt: 37,
  lpar: 40, rpar: 41, ast: 42, plus: 43, sol: 47, bsol: 92, lsqb: 91, rsqb: 93, lcub: 123, rcub: 125,
  verbar: 124, vert: 124, grave: 96, Hat: 94, lowbar: 95, equals: 61, commat: 64, half: 189, check: 10003,
  cross: 10007, star: 9734, starf: 9733, phone: 9742, female: 9792, male: 9794, flat: 9837, sharp: 9839,
  numero: 8470, ell: 8467, copysr: 8471,
};

/** Names that HTML decodes even without a trailing semicolon (the legacy Latin-1 set). */
const LEGACY_NO_SEMICOLON = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg']);

// windows-1252 bytes 0x80–0x9F. Spelled out because Node 20's TextDecoder('windows-1252') decodes these
// bytes as latin-1 C1 controls. 0 marks the five bytes that are undefined in windows-1252.
const CP1252_C1 = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * Replaces C1 control characters (U+0080–U+009F) with the windows-1252 characters they almost always are
 * ("don\u0092t" is "don’t" after a latin-1 round trip). Undefined positions are kept.
 */
export function fixC1Controls(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => {
    const cp = CP1252_C1[c.charCodeAt(0) - 0x80];
    return cp ? String.fromCharCode(cp) : c;
  });
}

function fromCodePoint(cp: number): string {
  // Invalid or surrogate code points are replaced, as the HTML spec does, instead of throwing.
  if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
  // Windows-1252 C1 range: "&#150;" in feeds means an en dash, not a control character.
  if (cp >= 0x80 && cp <= 0x9f) return fixC1Controls(String.fromCharCode(cp));
  return String.fromCodePoint(cp);
}

/** Decodes HTML character references: numeric (&#233; &#xE9;) and the named ones in the table above. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,9}|[A-Za-z][A-Za-z0-9]{1,31})(;?)/g, (whole, ref: string, semi: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return fromCodePoint(cp);
    }
    const cp = NAMED_ENTITIES[ref];
    if (cp === undefined) return whole;
    if (!semi && !LEGACY_NO_SEMICOLON.has(ref)) return whole;
    return String.fromCodePoint(cp);
  });
}

/** Collapses every run of whitespace (incl. NBSP) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

const DROPPED_ELEMENTS = /<(script|style|noscript|template|iframe|object|svg|math|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
// Elements that start a new line or paragraph in rendered text.
const BLOCK_TAG =
  /<\/?(p|div|section|article|aside|header|footer|main|nav|blockquote|pre|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tfoot|tr|figure|figcaption|hr|address|details|summary)\b[^>]*>/gi;

/**
 * Converts an HTML fragment to plain text: drops script/style (and similar) with their content,
 * turns block elements and <br> into line breaks, removes the other tags, decodes entities, and
 * normalizes whitespace (single spaces inside lines, at most one blank line between paragraphs).
 * Plain text input passes through unchanged apart from whitespace and entities.
 */
export function htmlToText(html: string): string {
  let s = html.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  s = s.replace(/<!--[\s\S]*?(-->|$)/g, ' ');
  s = s.replace(DROPPED_ELEMENTS, ' ');
  // An unclosed <script> or <style> would otherwise leak its code into the text.
  s = s.replace(/<(script|style)\b[\s\S]*$/i, ' ');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<td\b[^>]*>|<th\b[^>]*>/gi, ' ');
  s = s.replace(BLOCK_TAG, '\n\n');
  // Only things that look like tags are removed, so "a < b and c > d" survives.
  s = s.replace(/<\/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?\/?>/g, '');
  s = s.replace(/<![A-Za-z][^>]*>/g, '');
  s = decodeEntities(s);
  s = fixC1Controls(s);
  const lines = s.split(/\r?\n|\r/).map((line) => collapseWhitespace(line));
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A feed title as plain one-line text: tags removed, entities decoded, whitespace collapsed. */
export function cleanTitle(raw: string): string {
  return collapseWhitespace(htmlToText(raw));
}
