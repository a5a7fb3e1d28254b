/** Renders items as an RSS 2.0 document: the demo's synthetic feeds and the benchmark's corpus feeds. */

export interface RssItem {
  title: string;
  text: string;
  url: string;
  /** An invalid Date leaves the item without pubDate, as real feeds sometimes are. */
  publishedAt: Date;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function renderRss(title: string, link: string, items: readonly RssItem[]): string {
  const entries = items
    .map((i) => {
      const date = Number.isNaN(i.publishedAt.getTime()) ? '' : `<pubDate>${i.publishedAt.toUTCString()}</pubDate>`;
      return (
        `<item><title>${escapeXml(i.title)}</title><link>${escapeXml(i.url)}</link>` +
        `<guid isPermaLink="true">${escapeXml(i.url)}</guid>${date}` +
        `<description>${escapeXml(i.text)}</description></item>`
      );
    })
    .join('\n');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${escapeXml(title)}</title>` +
    `<link>${escapeXml(link)}</link><description>${escapeXml(title)}</description>\n${entries}\n</channel></rss>\n`
  );
}
