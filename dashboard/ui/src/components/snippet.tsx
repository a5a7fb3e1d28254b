/**
 * Renders a search snippet. The store already escapes the text and adds <mark>, but the UI does not trust
 * that: DOMPurify keeps only <mark> (no attributes), so a planted tag in an article can never run.
 */
import DOMPurify from 'dompurify';
import { useMemo } from 'react';

/** Sanitized HTML with only `<mark>` elements and no attributes. */
export function sanitizeSnippet(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [], KEEP_CONTENT: true });
}

export function Snippet({ html }: { html: string }) {
  const clean = useMemo(() => sanitizeSnippet(html), [html]);
  return <p className="snippet" data-testid="snippet" dangerouslySetInnerHTML={{ __html: clean }} />;
}
