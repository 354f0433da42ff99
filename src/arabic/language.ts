import { franc } from 'franc-min';

/** Letters by script, for the scripts whose language the script alone tells. */
const SCRIPTS: { language: string; letters: RegExp }[] = [
  { language: 'ar', letters: /\p{Script=Arabic}/u },
  { language: 'ru', letters: /\p{Script=Cyrillic}/u },
  { language: 'zh', letters: /\p{Script=Han}/u },
  { language: 'ja', letters: /[\p{Script=Hiragana}\p{Script=Katakana}]/u },
  { language: 'ko', letters: /\p{Script=Hangul}/u },
  { language: 'he', letters: /\p{Script=Hebrew}/u },
  { language: 'el', letters: /\p{Script=Greek}/u },
  { language: 'hi', letters: /\p{Script=Devanagari}/u },
];

/** Languages in Latin script told apart by franc (ISO 639-3 → 639-1); English when unsure. */
const LATIN: Record<string, string> = {
  eng: 'en',
  fra: 'fr',
  spa: 'es',
  deu: 'de',
  ita: 'it',
  por: 'pt',
  tur: 'tr',
  nld: 'nl',
  ind: 'id',
};

/**
 * Question and function words of the Latin-script languages. A question is
 * a few words long, too short for trigram statistics alone ("How do I bake
 * sourdough bread?" reads as Dutch to them); its function words tell first.
 */
const FUNCTION_WORDS: Record<string, Set<string>> = Object.fromEntries(
  Object.entries({
    en: 'the a an of in on to is are was were what who whom which when where why how do does did i you he she it we they this that about with and or',
    fr: 'le la les un une des du de est sont quel quelle quels qui que quoi quand où pourquoi comment et ou je tu il elle nous vous ils sur dans avec',
    es: 'el la los las un una unos de del es son qué quién cuál cuándo dónde por cómo y o yo tú él ella en con sobre para',
    de: 'der die das ein eine den dem des ist sind was wer wie wann wo warum und oder ich du er sie es wir ihr mit über für von zu',
    it: 'il lo la gli le un una di del della è sono che chi cosa quale quando dove perché come e o io tu lui lei noi voi con su per',
    pt: 'o a os as um uma de do da é são que quem qual quando onde porque como e ou eu tu ele ela nós com sobre para em',
    tr: 'bir ve ile bu şu ne kim neden nasıl nerede zaman mı mi mu mü ben sen o biz siz onlar için gibi',
    nl: 'de het een van is zijn wat wie welke wanneer waar waarom hoe en of ik jij hij zij wij met over voor',
    id: 'yang dan di ke dari ini itu apa siapa kapan mana mengapa bagaimana adalah dengan untuk saya kamu dia kami',
  }).map(([language, words]) => [language, new Set(words.split(' '))]),
);

/** Below this many letters, trigram statistics guess at random ("Putin Taiwan" reads as Turkish). */
const MIN_TRIGRAM_LETTERS = 30;

/** The Latin-script language whose function words a text uses most, if any. */
function byFunctionWords(text: string): string | undefined {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let best: string | undefined;
  let bestCount = 0;
  for (const [language, set] of Object.entries(FUNCTION_WORDS)) {
    const count = words.filter((w) => set.has(w)).length;
    if (count > bestCount) [best, bestCount] = [language, count];
  }
  return best;
}

/**
 * The language a short text (a question) is written in, as an ISO 639-1
 * code: by the script most of its words are in, and for Latin script by
 * its function words, else franc's trigram model, else English. Undefined when the text has no letters (only
 * digits or punctuation). A question mostly in Arabic script is "ar", and so is one in Arabic script that names
 * people or things in Latin letters («من رسم Mona Lisa؟», «ماذا قال Elon Musk عن Tesla؟»): its Latin words count
 * only when they hold a Latin-script language's function words («ما هي capital of Iceland؟» is English).
 */
export function writtenLanguage(text: string): string | undefined {
  const words = text.match(/\p{L}[\p{L}\p{M}]*/gu) ?? [];
  if (words.length === 0) return undefined;
  const counts = new Map<string, number>();
  const latinWords: string[] = [];
  for (const word of words) {
    const script = SCRIPTS.find((s) => s.letters.test(word[0]));
    if (script) counts.set(script.language, (counts.get(script.language) ?? 0) + 1);
    else if (/\p{Script=Latin}/u.test(word[0])) latinWords.push(word);
  }
  const [top, topCount] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  if (topCount > 0 && (topCount >= latinWords.length || !byFunctionWords(latinWords.join(' ')))) return top;
  const letters = latinWords.join('').length;
  const trigrams = letters >= MIN_TRIGRAM_LETTERS ? LATIN[franc(text, { only: Object.keys(LATIN) })] : undefined;
  return byFunctionWords(text) ?? trigrams ?? 'en';
}
