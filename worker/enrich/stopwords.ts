/**
 * Compact stopword lists (function words plus the filler verbs of news copy) for keyword extraction.
 * Lists are normalized with the query tokenizer on first use so they compare equal to article tokens.
 */
import { tokenize } from '../../core/query/tokenize.ts';

// Space-separated so each list stays readable and diffable; news fillers ("said", "according")
// are included because without corpus statistics they would otherwise top every article.
const RAW: Readonly<Record<string, string>> = {
  en: `a about above according across after again against ago all almost along already also although always am
    among an and another any anyone anything are around as at away back be became because become been before
    being below between both but by came can cannot could did do does doing done down during each either else
    even ever every few for from further get gets got had has have having he her here hers herself him himself
    his how however i if in including instead into is it its itself just last later least less like made make
    many may me might more most much must my myself near nearly neither never next no nor not now of off
    often on once one only onto or other others our ours ourselves out over own per perhaps rather really said
    same say says several she should since so some still such than that the their theirs them themselves then
    there these they this those though through thus to told too toward towards under until up upon us very via
    was we well were what whatever when where whether which while who whom whose why will with within without
    would yet you your yours yourself yourselves s t don didn doesn isn wasn aren weren won wouldn couldn
    shouldn ll ve re d m mr mrs ms just two three four five six seven eight nine ten first second third year
    years time day days week weeks month months today yesterday tomorrow people way thing things lot
    going make makes making take takes taken took give given gave see seen saw come comes coming went go goes
    know known want wanted use used using able around`,
  ru: `а без более больше будет будут бы был была были было быть в вам вас весь во вот все всего всех всё вы
    где да даже для до его ее её ей ему если есть еще ещё же за здесь и из или им их к как какая какие
    какой когда кто ли либо меня мне можно мой мы на над надо наш не него нее неё нет ни них но ну о об
    однако он она они оно от очень по под после потому при про с сам свой себе себя со так также такой там
    те тем то того тоже той только том ты у уже хотя чего чей чем что чтобы чье чья эта эти это этого этой
    этом этот я заявил заявила заявили сообщил сообщила сообщили сообщает говорится отметил отметила
    словам также который которая которые которых которого котором которой году года лет время сейчас теперь
    ранее между через около пока после более менее самом`,
  uk: `а але без би був була були було бути в вже від він вона вони воно все всі де для до є ж за з із і й
    їх її як яка які який коли крім ми на над не ні але нас нам них ну о об од однак по під після при про
    та так також там те тим то тобто того той тому ту у хоча це цей ця ці цього цьому чи що щоб як заявив
    заявила повідомив повідомила році року років`,
  fr: `a à afin ai aie ainsi alors après as au aucun aussi autre autres aux avait avant avec avoir ayant c ce
    ceci cela celle celles celui cependant ces cet cette chaque chez ci comme comment d dans de depuis des
    deux doit donc dont du elle elles en encore entre est et été être eu eux fait faire fois ici il ils j
    je jusqu l la le les leur leurs lors lorsque lui m ma mais me même mes moi mon n ne ni non nos notre
    nous on ont ou où par parce pas pendant peu peut plus plusieurs pour pourquoi qu quand que quel quelle
    quelles quels qui quoi s sa sans se selon ses si son sont sous sur t ta te tes toi ton tous tout toute
    toutes très tu un une vos votre vous y déclaré selon a-t-il année ans`,
  de: `aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bereits bin
    bis bist da dabei damit dann das dass dem den denn der des dessen die dies diese diesem diesen dieser
    dieses doch dort du durch ein eine einem einen einer eines er es etwa euch für gegen hat hatte hätte
    haben habe hier ich ihm ihn ihr ihre ihrem ihren ihrer im in ist ja jede jedem jeden jeder jedes jetzt
    kann kein keine können man mehr mein meine mit muss nach nicht noch nun nur ob oder ohne schon sehr sei
    seid sein seine seinem seinen seiner sich sie sind so soll sollen sondern sowie über um und uns unser
    unter viel vom von vor war waren warum was weil weiter welche welcher wenn wer werden wie wieder will
    wir wird wo wurde wurden zu zum zur zwar zwischen sagte sagt jahr jahre jahren`,
  es: `a al algo algunos ante antes así aunque bajo bien cada como con contra cual cuales cuando de del desde
    donde dos durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba estado
    estas este esto estos está están fue fueron ha había han hasta hay la las le les lo los más me mi mientras
    muy más nada ni no nos nosotros o otra otras otro otros para pero poco por porque que quien quienes qué
    se sea según ser si sido sin sino sobre son su sus también tan tanto te tiene tienen todo todos tras tu
    un una uno unos y ya yo dijo afirmó año años`,
  ar: `في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين اللذين ما لا لم لن إن ان أن او أو ثم قد كان
    كانت يكون تكون كما بعد قبل عند حتى بين كل بعض غير أي اي هو هي هم هن نحن انا أنا انت أنت لكن لكنه
    إلا الا وقد وفي ومن وعلى وهو وهي وان وأن فيه فيها منه منها عليه عليها به بها له لها لهم اليوم أمس
    حيث ايضا أيضا قال قالت وقال وقالت خلال عام منذ إذا اذا هناك هنا ضد نحو`,
};

/**
 * Words every news story uses whatever it is about ("reported", "residents", "information"). They stay
 * searchable and may still be keywords, but count for less: a crude stand-in for IDF until corpus
 * statistics exist.
 */
const RAW_GENERIC: Readonly<Record<string, string>> = {
  en: `report reports reported reporting information possible local resident residents official officials
    government country countries city state group groups part case cases number video videos photo photos
    footage news media statement statements source sources side sides place places area areas region world
    international national public member members issue issues situation data point fact facts moment event
    events process result results level support call calls called concept condition conditions participation
    presence available sudden strange serious whole full large small high low major various certain recent
    following special particular real main current former late early carried provided received confirmed
    stated noted added believe become begin continue held hold ready including included important
    another thereby officially already often moment moments experts expert one ones start started
    able necessary likely times concluded explained stressed emphasized announced declared insisted`,
  ru: `сообщение сообщения информация информации данные данным данных время ситуация ситуации вопрос вопросы
    страна страны стране город города человек люди людей часть случае случай ряд ряда место места также
    сторона стороны мнению словам заявление заявления видео фото источник источники`,
};

let cache: Map<string, ReadonlySet<string>> | undefined;
let genericCache: Map<string, ReadonlySet<string>> | undefined;

function compile(raw: Readonly<Record<string, string>>): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  const all = new Set<string>();
  for (const [lang, words] of Object.entries(raw)) {
    const set = new Set<string>();
    for (const word of words.split(/\s+/)) {
      // Normalizing through the same tokenizer as the text folds case and diacritics identically.
      for (const token of tokenize(word)) {
        set.add(token);
        all.add(token);
      }
    }
    out.set(lang, set);
  }
  out.set('*', all);
  return out;
}

function lists(): Map<string, ReadonlySet<string>> {
  cache ??= compile(RAW);
  return cache;
}

/** Languages that have a stopword list. */
export const STOPWORD_LANGUAGES: readonly string[] = Object.keys(RAW);

/**
 * Stopwords for an ISO 639-1 language, always including English (English function words turn up in
 * quotes and names everywhere). Unknown or "und" languages get the union of every list.
 */
export function stopwordsFor(language: string): (token: string) => boolean {
  const l = lists();
  const own = l.get(language);
  const en = l.get('en') ?? new Set<string>();
  if (!own) {
    const all = l.get('*') ?? en;
    return (token) => all.has(token);
  }
  return (token) => own.has(token) || en.has(token);
}

/**
 * Generic news vocabulary for a language (plus English), used to down-weight rather than drop words.
 * Unknown languages get every list.
 */
export function genericWordsFor(language: string): (token: string) => boolean {
  genericCache ??= compile(RAW_GENERIC);
  const own = genericCache.get(language) ?? genericCache.get('*') ?? new Set<string>();
  const en = genericCache.get('en') ?? new Set<string>();
  return (token) => own.has(token) || en.has(token);
}
