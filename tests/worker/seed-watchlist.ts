/** The watchlist and seed article shared by the worker tests (the seed text stays in /work/shared). */
import { readFileSync } from 'node:fs';
import type { Actor, RawArticle, Theme } from '../../core/types.ts';

export const SEED_ACTORS: Actor[] = [
  { id: 'white-helmets', name: 'White Helmets', type: 'group', aliases: ['Syria Civil Defence', 'Белые каски', 'الخوذ البيضاء'] },
  {
    id: 'russian-mod',
    name: 'Russian Defense Ministry',
    type: 'organization',
    aliases: ["Russia's Defense Ministry", 'Ministry of Defense', 'Defense Ministry', 'Russian Defence Ministry', 'Минобороны России'],
  },
  { id: 'jabhat-al-nusra', name: 'Jabhat al-Nusra', type: 'group', aliases: ['al-Nusra Front', 'Nusra Front'] },
  { id: 'cnn', name: 'CNN', type: 'media', aliases: [] },
  { id: 'nato', name: 'NATO', type: 'organization', aliases: ['НАТО', 'North Atlantic Treaty Organization'] },
  { id: 'unsc', name: 'UN Security Council', type: 'organization', aliases: ['Security Council', 'Совбез ООН'] },
  { id: 'france', name: 'France', type: 'place', aliases: ['Франция'] },
  { id: 'united-states', name: 'United States', type: 'place', aliases: ['USA', 'US', 'США'] },
  { id: 'syria', name: 'Syria', type: 'place', aliases: ['Сирия', 'سوريا'] },
];

export const STAGED_CHEMICAL_ATTACK: Theme = {
  id: 'staged-chemical-attack',
  name: 'staged chemical attack',
  query: '(chemical OR chlorine OR "poison gas" OR "toxic substances") AND (provocation OR staged OR fake OR staging)',
};

const SEED_PATH = new URL('../../../shared/fixtures/seed/white-helmets-idlib-2018.txt', import.meta.url);

/** The seed article: first line title, the rest body. */
export function seedArticle(overrides: Partial<RawArticle> = {}): RawArticle {
  const [title = '', ...rest] = readFileSync(SEED_PATH, 'utf8').split('\n');
  return {
    id: 'a'.repeat(32),
    url: 'https://example.org/news/white-helmets-idlib',
    canonicalUrl: 'https://example.org/news/white-helmets-idlib',
    feedId: 'f'.repeat(16),
    outletId: 'seed-outlet',
    guid: null,
    title: title.trim(),
    text: rest.join('\n').trim(),
    publishedAt: '2018-02-13T10:00:00.000Z',
    firstSeenAt: '2018-02-13T10:05:00.000Z',
    author: null,
    ...overrides,
  };
}
