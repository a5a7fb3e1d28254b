/**
 * Deterministic ids. An article's id is derived from its canonical URL, so the same story fetched twice,
 * from two feeds of one outlet, or replayed after a crash, always lands on the same key.
 */
import { createHash } from 'node:crypto';

/** Query parameters that identify a campaign or a click, never the article. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'dclid', 'msclkid', 'mc_cid', 'mc_eid', 'igshid', 'yclid', '_ga', 'ref', 'ref_src',
  'cmpid', 'cmp', 'ito', 'ns_mchannel', 'ns_source', 'ns_campaign', 'ns_linkname', 'ns_fee', 'ocid',
  'rss', 'from', 'feed', 'spm', 'share', 'smid', 'xtor',
]);

function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

/**
 * Canonical form of an article URL: lowercase scheme and host, no default port, no fragment,
 * no tracking parameters, remaining parameters sorted, no trailing slash on non-root paths.
 * Returns the input unchanged (trimmed) when it is not an absolute http(s) URL.
 */
export function normalizeUrl(raw: string): string {
  const trimmed = raw.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return trimmed;
  url.hash = '';
  url.hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  if ((url.protocol === 'http:' && url.port === '80') || (url.protocol === 'https:' && url.port === '443')) {
    url.port = '';
  }
  const kept = [...url.searchParams.entries()].filter(([k]) => !isTrackingParam(k));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1 && url.pathname.endsWith('/')) url.pathname = url.pathname.replace(/\/+$/, '');
  return url.toString();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Article id: first 32 hex chars (128 bits) of sha256 of the canonical URL. */
export function articleId(canonicalUrl: string): string {
  return sha256Hex(canonicalUrl).slice(0, 32);
}

/** Feed id: first 16 hex chars of sha256 of the normalized feed URL. */
export function feedId(feedUrl: string): string {
  return sha256Hex(normalizeUrl(feedUrl)).slice(0, 16);
}

/** Slug from a display name: "White Helmets" -> "white-helmets"; non-Latin names fall back to a hash. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || `x-${sha256Hex(name).slice(0, 10)}`;
}
