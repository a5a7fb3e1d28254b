import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../worker/enrich/language.ts';

describe('detectLanguage', () => {
  it.each([
    ['Военные учения начались в Крыму', 'ru'],
    ['Белые каски готовят провокацию в Идлибе', 'ru'],
    ['Минобороны России сообщило о провокации', 'ru'],
    ['Війна в Україні триває третій рік', 'uk'],
    ['Зеленський провів переговори з союзниками', 'uk'],
    ['الخوذ البيضاء تستعد لهجوم كيميائي', 'ar'],
    ['مجلس الأمن يعقد جلسة طارئة بشأن سوريا', 'ar'],
    ['Le président français menace de frapper la Syrie', 'fr'],
    ['La France prête à frapper les sites chimiques', 'fr'],
    ['Der Sicherheitsrat tagt heute in New York', 'de'],
    ['Preparation of the provocation of the White Helmets is on the video', 'en'],
    ['کاخ سفید از حمله به سوریه خبر داد', 'fa'],
    ['俄罗斯国防部称白盔将发动化学攻击', 'zh'],
    ['ロシア国防省はホワイトヘルメットについて発表した', 'ja'],
  ])('%s -> %s', (title, expected) => {
    const guess = detectLanguage(title, '');
    expect(guess.language).toBe(expected);
    expect(guess.confidence).toBeGreaterThan(0);
    expect(guess.confidence).toBeLessThanOrEqual(1);
  });

  it('says "und" with zero confidence when there is nothing to go on', () => {
    expect(detectLanguage('', '')).toEqual({ language: 'und', confidence: 0 });
    expect(detectLanguage('12:30', '2018 — 500')).toEqual({ language: 'und', confidence: 0 });
  });

  it('is more confident about a paragraph than about a few words', () => {
    const short = detectLanguage('Russia warns', '');
    const long = detectLanguage(
      'Russia warns of a staged chemical attack in Idlib',
      'The Defense Ministry said on Tuesday that militants had brought cylinders of chlorine into the province ' +
        'and that film crews were rehearsing the aftermath of an attack with local residents.',
    );
    expect(long.language).toBe('en');
    expect(long.confidence).toBeGreaterThan(short.confidence);
  });

  it('uses the body when the title is in another script', () => {
    expect(detectLanguage('CNN', 'Военные учения начались в Крыму, сообщили в министерстве обороны').language).toBe('ru');
  });

  it.each([
    ['Путин провёл совещание с членами Совбеза', 'ru'],
    ['В Москве прошли переговоры по Сирии', 'ru'],
    ['Лавров: Запад готовит провокацию', 'ru'],
    ['Новости дня', 'ru'],
    ['Беларусь і Расія правялі сумесныя вучэнні ў Гродне', 'be'],
    ['Лукашэнка сустрэўся з паслом', 'be'],
    ['Вучић се састао са делегацијом у Београду', 'sr'],
    ['Српска влада усвојила нови закон о јавном реду', 'sr'],
    ['Україна отримала нову партію зброї', 'uk'],
  ])('keeps one-line Cyrillic titles apart: %s -> %s', (title, expected) => {
    const guess = detectLanguage(title, '');
    expect(guess.language).toBe(expected);
  });

  it('never calls a short Russian title Bulgarian', () => {
    for (const title of ['Россия и НАТО', 'Мир на грани', 'Сирия: новые удары', 'Как это было', 'Они готовят']) {
      expect(detectLanguage(title, '').language).not.toBe('bg');
    }
  });

  it('looks only at the start of a long text', () => {
    const english = 'The ministry said the talks would go on next week in Geneva. '.repeat(12);
    const russian = 'Министерство сообщило, что переговоры продолжатся на следующей неделе. '.repeat(200);
    expect(detectLanguage('Talks go on', `${english}${russian}`).language).toBe('en');
  });
});
