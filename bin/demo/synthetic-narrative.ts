/**
 * Synthetic feeds for the demo: invented outlets carrying one invented narrative wave — "the White Helmets
 * are staging a chemical attack" — in English, Russian, Arabic and French, with copies across outlets hours
 * after the origin, debunks, and everyday background news. Written for this project (no third-party text),
 * deterministic (seeded), so the demo's charts are the same on every machine.
 */
import { seededRandom } from '../../core/seeded-random.ts';

export interface SyntheticOutlet {
  id: string;
  name: string;
  language: string;
  country: string;
  tags: string[];
}

export interface SyntheticItem {
  outletId: string;
  title: string;
  text: string;
  url: string;
  publishedAt: Date;
}

export const SYNTHETIC_OUTLETS: SyntheticOutlet[] = [
  { id: 'demo-state-wire', name: 'State Wire (demo)', language: 'en', country: 'RU', tags: ['state-affiliated', 'demo'] },
  { id: 'demo-state-wire-ru', name: 'Гослента (demo)', language: 'ru', country: 'RU', tags: ['state-affiliated', 'demo'] },
  { id: 'demo-proxy-blog', name: 'Independent Truth Blog (demo)', language: 'en', country: 'CY', tags: ['proxy', 'demo'] },
  { id: 'demo-arabic-news', name: 'أخبار المنطقة (demo)', language: 'ar', country: 'SY', tags: ['state-affiliated', 'demo'] },
  { id: 'demo-gazette', name: 'La Gazette (demo)', language: 'fr', country: 'FR', tags: ['mainstream', 'demo'] },
  { id: 'demo-factcheck', name: 'Fact Desk (demo)', language: 'en', country: 'GB', tags: ['fact-checker', 'demo'] },
];

const TOWNS = ['Saraqib', 'Idlib', 'Khan Shaykhun', 'Douma', 'Jisr al-Shughur', 'Maarat al-Numan'];

const CLAIM_EN = [
  (town: string) => ({
    title: `White Helmets preparing staged chlorine provocation in ${town}, Russian Defense Ministry says`,
    text:
      `The Russian Defense Ministry said on Tuesday that members of the White Helmets and Jabhat al-Nusra had ` +
      `brought cylinders of chlorine to ${town} in Idlib province to stage a chemical attack and blame the ` +
      `Syrian government. According to the ministry, a foreign television crew had arrived to film the ` +
      `provocation. Western governments, including the United States and France, have threatened strikes ` +
      `if chemical weapons are used.`,
  }),
  (town: string) => ({
    title: `Militants and White Helmets plan fake chemical attack near ${town} — military sources`,
    text:
      `Militants of Jabhat al-Nusra together with the White Helmets are planning to fake a chemical attack ` +
      `near ${town}, sources in the Russian Center for Reconciliation said. Toxic substances were delivered ` +
      `in unmarked cylinders. The staged footage is meant for a session of the UN Security Council, the ` +
      `sources claimed, adding that NATO countries would use it as a pretext.`,
  }),
  (town: string) => ({
    title: `Militants bring toxic substances to ${town} to stage provocation, ministry says`,
    text:
      `Terrorists in ${town} have received several cylinders of toxic substances and are preparing a staged ` +
      `chemical attack to be filmed and shown abroad, the Russian Defense Ministry said, without naming the ` +
      `groups involved. The ministry urged the UN Security Council not to rush to conclusions.`,
  }),
];

/** Ordinary coverage of the White Helmets that is not part of the narrative: the series must diverge. */
const RESCUE_EN = [
  (town: string) => ({
    title: `White Helmets pull survivors from rubble after air strikes on ${town}`,
    text:
      `Rescue workers of the White Helmets searched through collapsed buildings in ${town} on Sunday after ` +
      `overnight air strikes. Local doctors said dozens of people were treated for injuries.`,
  }),
];

const CLAIM_RU = [
  (town: string) => ({
    title: `«Белые каски» готовят провокацию с применением хлора в ${town === 'Douma' ? 'Думе' : 'Идлибе'}`,
    text:
      `Боевики «Джебхат ан-Нусры» и активисты «Белых касок» доставили баллоны с хлором для инсценировки ` +
      `химической атаки, сообщили в Минобороны России. По данным ведомства, провокация призвана обвинить ` +
      `правительство Сирии. Представители «Белых касок» отказались от комментариев.`,
  }),
];

const CLAIM_AR = [
  () => ({
    title: 'الخوذ البيضاء تحضر لمسرحية كيماوية جديدة في إدلب',
    text:
      'قالت وزارة الدفاع الروسية إن عناصر من الخوذ البيضاء وجبهة النصرة نقلوا أسطوانات من الكلور إلى ريف ' +
      'إدلب من أجل فبركة هجوم كيماوي واتهام الحكومة السورية. وأضافت أن طاقماً تلفزيونياً أجنبياً وصل لتصوير المسرحية.',
  }),
];

const DEBUNK_EN = [
  (town: string) => ({
    title: `No evidence for claims of a staged chemical attack in ${town}`,
    text:
      `Claims by the Russian Defense Ministry that the White Helmets were preparing a staged chemical attack ` +
      `in ${town} were repeated by several outlets within hours, but none offered evidence. The same ` +
      `allegation has appeared before previous chemical attacks documented by the OPCW.`,
  }),
];

const DEBUNK_FR = [
  (town: string) => ({
    title: `Syrie : les accusations de « mise en scène » chimique à ${town} ne reposent sur aucune preuve`,
    text:
      `Le ministère russe de la Défense affirme que les Casques blancs préparent une attaque chimique mise en ` +
      `scène à ${town}. Aucune preuve n'a été apportée. La France et les États-Unis ont rappelé leurs lignes ` +
      `rouges sur les armes chimiques.`,
  }),
];

const BACKGROUND_EN = [
  'Central bank holds interest rates steady as inflation eases',
  'Storm brings heavy snow and flight cancellations across the region',
  'Football: league leaders held to a draw in late drama',
  'Parliament debates new budget amid protests over pensions',
  'Tech companies report strong quarterly earnings',
  'Health officials urge vaccination ahead of flu season peak',
  'Oil prices rise after production cuts are extended',
  'Museum reopens after two-year renovation',
];

const BACKGROUND_TEXT =
  'Officials said the decision followed weeks of consultation. Analysts expect further announcements ' +
  'in the coming days, while critics called for more transparency.';

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

/** Every synthetic item, ordered by date: two narrative waves (Feb and Apr 2018) over daily background news. */
export function generateSyntheticItems(seed = 2018): SyntheticItem[] {
  const random = seededRandom(seed);
  const items: SyntheticItem[] = [];
  const add = (outletId: string, title: string, text: string, at: Date, n: number): void => {
    const host = `${outletId}.example`;
    const name = slug(title) || 'article';
    items.push({ outletId, title, text, url: `https://${host}/2018/${name}-${n}`, publishedAt: at });
  };
  const start = Date.UTC(2018, 1, 1);
  let n = 0;
  for (let day = 0; day < 89; day++) {
    const dayStart = start + day * 86_400_000;
    for (const outlet of ['demo-state-wire', 'demo-gazette', 'demo-factcheck']) {
      if (random() < 0.6) {
        const title = BACKGROUND_EN[Math.floor(random() * BACKGROUND_EN.length)]!;
        add(outlet, title, BACKGROUND_TEXT, new Date(dayStart + Math.floor(random() * 20) * 3_600_000), ++n);
      }
    }
  }
  // Rescue reporting on the White Helmets runs through the whole period, independent of the narrative.
  for (let day = 0; day < 89; day += 1 + Math.floor(random() * 6)) {
    const town = TOWNS[Math.floor(random() * TOWNS.length)]!;
    const story = RESCUE_EN[0]!(town);
    add(random() < 0.5 ? 'demo-gazette' : 'demo-factcheck', story.title, story.text, new Date(start + day * 86_400_000 + 11 * 3_600_000), ++n);
  }
  // Two waves: around the real-world dates the seed article and the Douma attack belong to.
  const waves = [
    { from: Date.UTC(2018, 1, 9), days: 10, peak: 4 },
    { from: Date.UTC(2018, 3, 3), days: 12, peak: 5 },
  ];
  for (const wave of waves) {
    for (let d = 0; d < wave.days; d++) {
      // Intensity rises to the peak day and fades after it.
      const intensity = Math.max(1, Math.round(4 - Math.abs(d - wave.peak) * 0.7));
      for (let k = 0; k < intensity; k++) {
        const town = TOWNS[Math.floor(random() * TOWNS.length)]!;
        const origin = new Date(wave.from + d * 86_400_000 + Math.floor(random() * 10) * 3_600_000);
        const claim = CLAIM_EN[Math.floor(random() * CLAIM_EN.length)]!(town);
        add('demo-state-wire', claim.title, claim.text, origin, ++n);
        // The proxy copies the origin verbatim a few hours later; Russian and Arabic versions follow.
        const hours = (h: number): Date => new Date(origin.getTime() + h * 3_600_000);
        if (random() < 0.8) add('demo-proxy-blog', claim.title, claim.text, hours(2 + Math.floor(random() * 6)), ++n);
        if (random() < 0.7) {
          const ru = CLAIM_RU[0]!(town);
          add('demo-state-wire-ru', ru.title, ru.text, hours(1 + Math.floor(random() * 3)), ++n);
        }
        if (random() < 0.5) {
          const ar = CLAIM_AR[0]!();
          add('demo-arabic-news', ar.title, ar.text, hours(5 + Math.floor(random() * 12)), ++n);
        }
        if (random() < 0.35) {
          const deb = DEBUNK_EN[0]!(town);
          add('demo-factcheck', deb.title, deb.text, hours(24 + Math.floor(random() * 24)), ++n);
        }
        if (random() < 0.3) {
          const fr = DEBUNK_FR[0]!(town);
          add('demo-gazette', fr.title, fr.text, hours(12 + Math.floor(random() * 24)), ++n);
        }
      }
    }
  }
  return items.sort((a, b) => a.publishedAt.getTime() - b.publishedAt.getTime());
}
