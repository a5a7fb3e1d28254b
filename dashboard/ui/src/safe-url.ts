/** Article and feed URLs come from third-party feeds: only http(s) links are rendered as links. */

/** The URL if it is absolute http(s), else undefined (javascript:, data:, relative junk). */
export function safeHttpUrl(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
