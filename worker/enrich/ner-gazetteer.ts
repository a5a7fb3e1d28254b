/**
 * The built-in name lists behind English entity typing: places (world-countries, city-timezones, a curated list),
 * demonyms, given names (gazetteer/given-names.txt), well-known organizations and the cue words. Loaded once.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Country } from 'world-countries';
import { tokenize } from '../../core/query/tokenize.ts';

/** ASCII letters and digits in single-space-separated words: the tokenizer would only lowercase them. */
const PLAIN_ASCII_NAME = /^[A-Za-z0-9]+(?: [A-Za-z0-9]+)*$/;

/** The lookup key of a name: the query tokenizer's tokens joined by spaces ("U.S." -> "u s"). */
export function nameKey(name: string): string {
  // Most names are plain ASCII words; skipping the tokenizer for them keeps entity extraction fast.
  return PLAIN_ASCII_NAME.test(name) ? name.toLowerCase() : tokenize(name).join(' ');
}

const words = (s: string): Set<string> => new Set(s.split(/\s+/).filter(Boolean));

/*
 * Places beyond what world-countries carries: regions, US states, provinces, cities often in the news, conflict
 * geography. Pipe-separated to stay compact; normalized on first use. This list outranks given names ("Jordan").
 */
const EXTRA_PLACES = `Afghanistan|Albania|Algeria|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain|Bangladesh|
Belarus|Belgium|Bolivia|Bosnia|Brazil|Bulgaria|Burkina Faso|Cambodia|Cameroon|Canada|Chad|Chile|China|Colombia|Congo|
Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Egypt|Eritrea|Estonia|Ethiopia|Finland|France|Georgia|Germany|
Ghana|Greece|Guatemala|Haiti|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|Japan|Jordan|Kazakhstan|
Kenya|Kosovo|Kuwait|Kyrgyzstan|Latvia|Lebanon|Libya|Lithuania|Luxembourg|Mali|Mexico|Moldova|Mongolia|Montenegro|
Morocco|Mozambique|Myanmar|Nepal|Netherlands|New Zealand|Niger|Nigeria|North Korea|North Macedonia|Norway|Oman|
Pakistan|Palestine|Panama|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Russian Federation|Rwanda|
Saudi Arabia|Senegal|Serbia|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|South Sudan|Spain|
Sri Lanka|Sudan|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Tunisia|Turkey|Turkiye|Türkiye|
Turkmenistan|Uganda|Ukraine|United Arab Emirates|UAE|United Kingdom|UK|Britain|Great Britain|England|Scotland|Wales|
United States|United States of America|USA|US|U.S.|America|Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|
Zimbabwe|Europe|Asia|Africa|Middle East|Latin America|Balkans|Caucasus|Baltics|Scandinavia|Gulf|Arctic|
Kabul|Tirana|Algiers|Buenos Aires|Yerevan|Canberra|Vienna|Baku|Manama|Dhaka|Minsk|Brussels|Sarajevo|Brasilia|Sofia|
Ottawa|Santiago|Beijing|Bogota|Zagreb|Havana|Nicosia|Prague|Copenhagen|Cairo|Addis Ababa|Tallinn|Helsinki|Paris|
Tbilisi|Berlin|Athens|Budapest|New Delhi|Delhi|Jakarta|Tehran|Baghdad|Dublin|Jerusalem|Tel Aviv|Rome|Tokyo|Amman|
Astana|Nairobi|Pristina|Kuwait City|Bishkek|Riga|Beirut|Tripoli|Vilnius|Bamako|Mexico City|Chisinau|Rabat|Kathmandu|
Amsterdam|The Hague|Oslo|Muscat|Islamabad|Lima|Manila|Warsaw|Lisbon|Doha|Bucharest|Moscow|Riyadh|Belgrade|Seoul|
Pyongyang|Madrid|Stockholm|Bern|Geneva|Zurich|Damascus|Taipei|Dushanbe|Bangkok|Tunis|Ankara|Istanbul|Ashgabat|
Kampala|Kyiv|Kiev|Abu Dhabi|Dubai|London|Washington|Tashkent|Caracas|Hanoi|Sanaa|New York|Los Angeles|Chicago|
San Francisco|Shanghai|Hong Kong|Mumbai|Karachi|Lagos|Johannesburg|Cape Town|St Petersburg|Saint Petersburg|
Novosibirsk|Yekaterinburg|Kazan|Sochi|Sevastopol|Crimea|Donbas|Donbass|Donetsk|Luhansk|Lugansk|Kharkiv|Kharkov|
Odesa|Odessa|Mariupol|Kherson|Zaporizhzhia|Lviv|Dnipro|Bakhmut|Aleppo|Idlib|Homs|Hama|Raqqa|Deir ez-Zor|Douma|
Ghouta|Eastern Ghouta|Daraa|Latakia|Tartus|Saraqib|Khan Shaykhun|Afrin|Manbij|Kobani|Mosul|Basra|Erbil|Kirkuk|Fallujah|
Gaza|Gaza Strip|West Bank|Ramallah|Golan|Golan Heights|Sinai|Benghazi|Aden|Hodeidah|Kandahar|Herat|Mecca|Medina|
Chechnya|Grozny|Dagestan|Abkhazia|South Ossetia|Transnistria|Nagorno-Karabakh|Karabakh|Kashmir|Xinjiang|Tibet|Salisbury|
Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|Idaho|Illinois|Indiana|
Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|
Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|
South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|West Virginia|Wisconsin|Wyoming|Washington D.C.|
Washington DC|District of Columbia|Ontario|Quebec|British Columbia|Alberta|Manitoba|Saskatchewan|Nova Scotia|
New Brunswick|Newfoundland|Toronto|Montreal|Vancouver|New South Wales|NSW|Victoria|Queensland|South Australia|
Western Australia|Tasmania|Northern Territory|Sydney|Melbourne|Brisbane|Perth|Auckland|Wellington|Boston|Philadelphia|
Houston|Dallas|Atlanta|Miami|Seattle|Detroit|Denver|Phoenix|San Diego|Las Vegas|Baltimore|New Orleans|Brooklyn|
Manhattan|Queens|Bronx|Silicon Valley|Wuhan|Hubei|Guangzhou|Shenzhen|Chongqing|Macau|Macao|Osaka|Kyoto|Busan|
Milan|Naples|Turin|Venice|Florence|Lombardy|Tuscany|Sicily|Sardinia|Bavaria|Catalonia|Andalusia|Munich|Hamburg|
Frankfurt|Cologne|Barcelona|Valencia|Seville|Lyon|Marseille|Nice|Manchester|Birmingham|Liverpool|Glasgow|Edinburgh|
Belfast|Northern Ireland|Rotterdam|Antwerp|Krakow|Gdansk|St. Petersburg|Vladivostok|Murmansk|Kaliningrad|Volgograd|
Rostov|Samara|Omsk|Siberia|Urals|Lahore|Kolkata|Chennai|Bangalore|Bengaluru|Hyderabad|Yangon|Ho Chi Minh City|
Kuala Lumpur|Sao Paulo|São Paulo|Rio de Janeiro|Abuja|Kinshasa|Khartoum|Mogadishu|Alexandria|Jeddah|Tabriz|
Isfahan|Mashhad|Qom|Gulf of Mexico|Persian Gulf|Black Sea|Mediterranean|Red Sea|Baltic Sea|South China Sea|Pacific|
Atlantic|Indian Ocean|Strait of Hormuz|Korean Peninsula|Hong Kong Island|Kowloon|Antarctica|Oceania|North America|
South America|Central America|Southeast Asia|East Asia|Central Asia|South Asia|Western Europe|Eastern Europe|
Sub-Saharan Africa|North Africa|West Africa|East Africa|Horn of Africa|Sahel|Levant|Maghreb|Mainland China|
Pyeongchang|Nizhny Novgorod|Lantau|New Territories|Chapel Hill|Punjab|Sindh|Balochistan|Kurdistan|Anbar|Helmand`;

/*
 * First-level subdivisions that news text writes after a town ("Irving, Texas", "Kanata, Ontario"): US states,
 * Canadian provinces and territories, Australian states, the UK's nations, Italian regions, German states and the
 * larger Spanish communities. Only this position makes them places: "Hesse" or "Lazio" alone may be a person or a club.
 */
const REGIONS = `Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|Idaho|
Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|
Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|
Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|
West Virginia|Wisconsin|Wyoming|D.C.|DC|Washington D.C.|District of Columbia|Puerto Rico|Guam|Ontario|Quebec|
British Columbia|Alberta|Manitoba|Saskatchewan|Nova Scotia|New Brunswick|Newfoundland|Newfoundland and Labrador|
Prince Edward Island|Yukon|Nunavut|Northwest Territories|New South Wales|NSW|Victoria|Queensland|South Australia|
Western Australia|Tasmania|Northern Territory|Australian Capital Territory|England|Scotland|Wales|Northern Ireland|
Tuscany|Lombardy|Piedmont|Liguria|Veneto|Lazio|Campania|Apulia|Puglia|Calabria|Sicily|Sardinia|Emilia-Romagna|
Umbria|Marche|Abruzzo|Molise|Basilicata|Friuli-Venezia Giulia|Trentino-Alto Adige|Aosta Valley|Bavaria|
Baden-Württemberg|Saxony|Lower Saxony|Hesse|Thuringia|Brandenburg|North Rhine-Westphalia|Rhineland-Palatinate|
Schleswig-Holstein|Mecklenburg-Vorpommern|Saxony-Anhalt|Catalonia|Andalusia|Galicia|Basque Country|Castile and León|
Valencian Community|Aragon|Canary Islands|Balearic Islands`;

/*
 * Organizations that carry no cue word but are named constantly in international news: platforms, companies, news
 * agencies, international bodies, armed groups. Kept generic (no name was added for one test document).
 */
const KNOWN_ORGS = `Google|Facebook|Meta|Twitter|YouTube|Instagram|WhatsApp|Telegram|TikTok|Apple|Microsoft|Amazon|
Netflix|Tesla|Uber|Huawei|Samsung|Sony|IBM|Intel|Nvidia|OpenAI|Wikipedia|Wikileaks|Reuters|Bloomberg|
Associated Press|AFP|BBC|CNN|Fox News|RT|Sputnik|TASS|Interfax|Xinhua|Yonhap|KCNA|Al Jazeera|Al Arabiya|NATO|UN|
United Nations|EU|European Union|European Commission|WHO|IMF|World Bank|OPEC|ASEAN|African Union|Arab League|FIFA|
UEFA|IOC|NASA|FBI|CIA|NSA|KGB|FSB|GRU|SVR|Pentagon|Kremlin|Congress|Senate|Hamas|Hezbollah|Taliban|ISIS|ISIL|
Islamic State|Daesh|Al-Qaeda|al-Qaeda|Boko Haram|al-Shabaab|Red Cross|Red Crescent|Amnesty International|
Human Rights Watch|Greenpeace|Interpol|Europol|Gazprom|Rosneft|Lukoil|Aeroflot|Boeing|Airbus|Lockheed Martin|Pfizer|
Moderna|AstraZeneca|BioNTech|Walmart|Coca-Cola|PepsiCo|Toyota|Volkswagen|BMW|Shell|BP|Exxon|ExxonMobil|Chevron|
Goldman Sachs|JPMorgan|Citigroup|HSBC|Barclays|Deutsche Bank|Nestle|Unilever|Siemens|Bayer|Alibaba|Tencent|Baidu|
ByteDance|Xiaomi|Sinopec|PetroChina|Aramco|Wagner Group|Médecins Sans Frontières|
Doctors Without Borders|OSCE|OPCW|UNESCO|UNICEF|UNHCR|UNRWA|WTO|G7|G20|BRICS`;

/** Words that make a candidate an organization wherever they stand in it. */
export const ORG_CUES = words(`ministry council party army agency organization organisation department committee forces
  force center centre institute institution university college school academy bank union commission court office
  service services corporation company group association foundation federation parliament assembly government police
  guard guards front brigade brigades movement network television tv radio command navy airforce fund alliance
  coalition league board bureau authority administration embassy church club inc ltd llc corp co plc gmbh fc cooperative municipality
  council councils conference secretariat ministries agencies consortium syndicate trust society institutes labs
  laboratory laboratories airlines airways railways systems technologies industries holdings enterprises partners
  studios records publishing broadcasting media press news program programme museum museums gallery galleries library
  hospital zoo instituto istituto institut universidad universidade università université universität universiteit
  colegio escuela liceo lycée hochschule`);

/** Last words of events, works and prizes: MISC as in CoNLL ("World Cup", "Google Science Fair"). */
export const MISC_TAILS = words(`cup fair festival games olympics championship championships tournament prize award
  awards summit war revolution expo exhibition biennale marathon grand-prix`);

/** Words that make a candidate an organization only as its last word ("Toronto Star", "Neo Democrats"). */
export const ORG_TAILS = words(`times post tribune journal herald gazette star mail globe sun observer chronicle
  telegraph guardian magazine daily weekly review independent express mirror standard examiner inquirer democrats
  republicans socialists liberals conservatives greens communists nationalists team squad united`);

/** Last words that make a candidate a place (CoNLL puts facilities with LOC). */
export const LOC_TAILS = words(`stadium arena station mosque square street st road avenue ave boulevard bridge airport
  park island islands river mountain mountains mount lake valley county province region strait sea ocean bay peninsula
  desert plains palace tower cathedral basilica temple canal coast heights hills beach harbour harbor port prefecture
  springs falls hotel
  oblast governorate district territory territories state crossing checkpoint camp`);

/** First words that make a candidate a place ("Lake Victoria", "Mount Kenya", "Masjid al-Haram"). */
export const LOC_HEADS = words('mount mt lake fort cape masjid');

/** First words that make a candidate MISC: named military and police operations ("Operation Desert Storm"). */
export const MISC_HEADS = words('operation');

/** Lowercase nouns for works: the name after them is a title, MISC ("the film Easy Rider", "the album Thriller"). */
export const WORK_NOUNS = words(`film movie documentary book novel memoir album song single series sitcom show play opera
  musical poem painting sculpture game`);

/** Words after which "of"/"for" continues the name ("Ministry of Defense", "University of Texas"). */
export const OF_HEADS = new Set([
  ...ORG_CUES,
  ...LOC_TAILS,
  ...words(`republic kingdom emirate city municipality gulf isle cape museum house state states people peoples
    daughters sons friends caliphate federation hall`),
]);

/** Titles that precede a person's name; they are stripped from the entity text. */
export const PERSON_TITLES = words(`president minister general mr mrs ms miss dr secretary prime major colonel lieutenant
  captain sergeant gen lt col capt sgt sen senator rep representative king queen prince princess pope chancellor
  ambassador spokesman spokeswoman spokesperson professor prof sir dame sheikh judge governor mayor admiral marshal
  commander chairman chairwoman deputy vice foreign defense defence interior justice emir crown`);
/** Title words that count only when a real title follows ("Foreign Minister", "Prime Minister"). */
export const TITLE_MODIFIERS = words('prime deputy vice foreign defense defence interior crown justice');

/** Lowercase role nouns that introduce a person's name ("captain Harry Kane", "researcher Mu Li"). */
export const ROLE_NOUNS = words(`captain coach manager striker defender midfielder goalkeeper player players referee
  researcher scientist professor doctor author writer novelist poet journalist reporter editor publisher columnist
  photographer artist painter actor actress singer songwriter singer-songwriter musician rapper designer director
  producer curator founder co-founder creator ceo chairman chief head leader spokesman spokeswoman spokesperson
  official officials lawyer attorney judge prosecutor senator governor mayor councillor councilor member politician
  candidate veteran activist campaigner analyst economist expert student teacher resident citizen father mother son
  daughter wife husband brother sister girlfriend boyfriend victim suspect minister president commander general
  colonel officer soldier diplomat ambassador envoy negotiator blogger user host presenter anchor owner investor
  priest imam rabbi bishop pastor cleric monk nun saint emperor empress pope dictator`);

/** Verbs after a name that mark a person when nothing else typed it ("Hahn said"). */
export const SPEECH_VERBS = words('said says told added explained stated noted wrote argued asked replied recalled insisted');

/** Months, weekdays and relative days: capitalized but never entities. */
export const CALENDAR_WORDS = words(`january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mon tue
  tues wed thu thurs fri sat yesterday today tomorrow tonight`);

/** Caption and byline labels ("Image: ...", "Source: ...") that end a name run when followed by a colon. */
export const CAPTION_WORDS = words('image images photo photos picture source sources video file credit caption related map');

/** Lowercase words allowed between two proper nouns inside one name; of/for only after an {@link OF_HEADS} word. */
export const NAME_ADPOSITIONS = words('of for at de del der du des di da van von');
/** Adpositions that need an OF_HEADS word before them ("Carlo De Benedetti of Italy" stays two names). */
export const HEADED_ADPOSITIONS = words('of for at');
/** "at" continues a name only after these ("University of North Carolina at Greensboro"). */
export const AT_HEADS = words('university college campus');

// world-countries and city-timezones are CommonJS data; require gives the arrays themselves.
const require = createRequire(import.meta.url);

interface City {
  city: string;
  city_ascii: string;
  pop: number;
}

/** Cities under this population are left out: small-town names collide with surnames and common words. */
const MIN_CITY_POPULATION = 15_000;
/** City names that are also ordinary capitalized words in news text. */
const CITY_STOP = words('man temple moss mobile reading bath split nice of deal mesa union enterprise independence');

export interface BuiltInGazetteer {
  /** Curated places: countries, capitals, regions and the list above. Outrank given names. */
  places: Set<string>;
  /** Country names (world-countries common and official names, long alternative spellings, "UK", "US"). */
  countries: Set<string>;
  /** First-level subdivisions (US states, provinces, ...): with countries, what may follow "Town, ". */
  regions: Set<string>;
  /** Cities (population >= 15,000) from city-timezones (MIT; Natural Earth populated places, public domain). */
  cities: Set<string>;
  demonyms: Set<string>;
  orgs: Set<string>;
  /** Given names, lowercase single words. */
  givenNames: Set<string>;
}

function countryPlaceNames(countries: readonly Country[]): string[] {
  const names: string[] = [];
  for (const c of countries) {
    names.push(c.name.common, c.name.official, ...c.capital);
    // Two-letter codes (AL, BE, AS) are ordinary words; keep "USA", "UAE" and the spelled-out forms.
    for (const alt of c.altSpellings) if (alt.length >= 3) names.push(alt);
  }
  return names;
}

/** English demonyms ("Syrian", "Afghans"): MISC as in CoNLL, since they qualify rather than name a place. */
function demonyms(countries: readonly Country[]): string[] {
  const out: string[] = [];
  for (const c of countries) {
    const d = c.demonyms['eng'];
    if (!d) continue;
    for (const form of new Set([d.m, d.f])) {
      out.push(form);
      out.push(/(?:ese|ss|sh|ch|s)$/.test(form) ? form : `${form}s`);
    }
  }
  return out;
}

function readGivenNames(): Set<string> {
  const file = new URL('./gazetteer/given-names.txt', import.meta.url);
  const out = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const name = line.trim();
    if (name && !name.startsWith('#')) out.add(name.toLowerCase());
  }
  return out;
}

const keys = (names: Iterable<string>): Set<string> => {
  const out = new Set<string>();
  for (const n of names) {
    const k = nameKey(n.trim());
    if (k) out.add(k);
  }
  return out;
};

/** Followers of religions, as nouns and adjectives: MISC like demonyms (CoNLL-2003 "Muslim", "Catholic"). */
const RELIGIOUS_GROUPS = `Muslim Muslims Christian Christians Jew Jews Jewish Catholic Catholics Protestant Protestants Hindu
Hindus Buddhist Buddhists Sikh Sikhs Sunni Sunnis Shia Shiite Shiites Evangelical Evangelicals Orthodox Mormon Mormons`;

let builtIn: BuiltInGazetteer | undefined;

/** The built-in lists, loaded and normalized on first use (~30 ms, mostly the city JSON). */
export function builtInGazetteer(): BuiltInGazetteer {
  if (builtIn) return builtIn;
  const countries = require('world-countries') as readonly Country[];
  const cityMap = require('city-timezones/data/cityMap.json') as readonly City[];
  const places = keys([...countryPlaceNames(countries), ...EXTRA_PLACES.split('|')]);
  // Alternative spellings that are adjectives in English text ("Saudi officials", "Thai food").
  for (const adjective of ['saudi', 'thai', 'togolese']) places.delete(adjective);
  const countryNames = keys([
    ...countries.flatMap((c) => [c.name.common, c.name.official, ...c.altSpellings.filter((a) => a.length >= 3)]),
    ...'UK|U.K.|US|U.S.|USA|U.S.A.|Britain|Great Britain|United Kingdom|United States|America|Russia|Korea|Czech Republic'.split('|'),
  ]);
  const cities = new Set<string>();
  for (const c of cityMap) {
    if (c.pop < MIN_CITY_POPULATION) continue;
    for (const name of [c.city, c.city_ascii]) {
      const k = nameKey(name);
      if (k && !CITY_STOP.has(k) && !places.has(k)) cities.add(k);
    }
  }
  builtIn = {
    places,
    countries: countryNames,
    regions: keys(REGIONS.split('|')),
    cities,
    demonyms: keys([...demonyms(countries), 'European', 'Europeans', 'Arab', 'Arabs', 'Kurdish', 'Kurds', 'Western', 'English', 'Scottish', 'Welsh', 'Flemish', 'Catalan', 'Basque', 'Palestinian', 'Palestinians', 'Saudi', 'Saudis', ...RELIGIOUS_GROUPS.split(/\s+/)]),
    orgs: keys(KNOWN_ORGS.split('|')),
    givenNames: readGivenNames(),
  };
  return builtIn;
}
