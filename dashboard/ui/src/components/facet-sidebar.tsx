/**
 * Facet sidebar of the search page: the top values of each facet over the whole result set, each a button that
 * adds the value as a filter. Presentational: the page owns the data and the URL.
 */
import type { FacetValueView, SearchResponse } from '../../../api/schemas.ts';
import { formatCount } from '../format.ts';

/** A facet field as the API names it. */
export type FacetName = keyof NonNullable<SearchResponse['facets']>;

/** The search (and export) parameter a facet value filters on. */
export const FACET_PARAM: Record<FacetName, 'outlet' | 'lang' | 'country' | 'actor' | 'theme' | 'collection'> = {
  outlet: 'outlet',
  language: 'lang',
  country: 'country',
  actor: 'actor',
  theme: 'theme',
  tag: 'collection',
};

const TITLES: Record<FacetName, string> = {
  outlet: 'Outlets',
  language: 'Languages',
  country: 'Countries',
  actor: 'Actors',
  theme: 'Themes',
  tag: 'Collections',
};

const ORDER: FacetName[] = ['outlet', 'language', 'country', 'actor', 'theme', 'tag'];

interface FacetSidebarProps {
  facets: NonNullable<SearchResponse['facets']>;
  /** Values already filtered on, per facet: shown as selected, not clickable again. */
  active: Partial<Record<FacetName, readonly string[]>>;
  onSelect: (facet: FacetName, value: FacetValueView) => void;
}

export function FacetSidebar({ facets, active, onSelect }: FacetSidebarProps) {
  return (
    <aside aria-label="Refine results" data-testid="facets" style={{ display: 'flex', flexDirection: 'column', gap: '0.9rem' }}>
      {ORDER.map((name) => {
        const values = facets[name];
        if (!values || values.length === 0) return null;
        return (
          <section key={name} className="card" style={{ padding: '0.6rem 0.75rem' }} data-testid={`facet-${name}`}>
            <h2 style={{ fontSize: '0.95rem', margin: '0 0 0.35rem' }}>{TITLES[name]}</h2>
            <ul style={{ listStyle: 'none', padding: 0, margin: 0, display: 'grid', gap: '0.2rem' }}>
              {values.map((v) => {
                const selected = active[name]?.includes(v.value) ?? false;
                return (
                  <li key={v.value} style={{ display: 'flex', justifyContent: 'space-between', gap: '0.5rem' }}>
                    <button
                      type="button"
                      className="link-button"
                      style={{ textAlign: 'left', fontWeight: selected ? 700 : 400, padding: 0 }}
                      disabled={selected}
                      aria-pressed={selected}
                      title={selected ? 'Already filtered on' : `Only articles with ${v.label}`}
                      onClick={() => onSelect(name, v)}
                      data-testid="facet-value"
                      data-facet={name}
                      data-value={v.value}
                    >
                      {v.label}
                    </button>
                    <span className="muted num" data-testid="facet-count">
                      {formatCount(v.count)}
                    </span>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
