/**
 * A small, safe HTML → plain text converter for feed content: no DOM, no script execution, linear regexes.
 * Good enough for search and tagging; it is not a sanitizer for rendering HTML.
 */
import { decodeHTML, decodeHTMLStrict } from 'entities';

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

/**
 * Decodes HTML character references with the full HTML5 named-entity table (the `entities` package):
 * numeric (&#233; &#xE9;, with &#150; read as windows-1252 as browsers do), named (&hellip; &NotNestedGreaterGreater;),
 * and the legacy names browsers accept without a semicolon (&amp &nbsp &copy).
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return decodeHTML(text);
}

/**
 * The character(s) an HTML named entity stands for, or null when the name is unknown.
 * @example namedEntity('hellip') === '\u2026'
 */
export function namedEntity(name: string): string | null {
  const ref = `&${name};`;
  const decoded = decodeHTMLStrict(ref);
  return decoded === ref ? null : decoded;
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
