import { normalizeArabic } from '../arabic/normalize.js';
import { contentTerms } from '../arabic/tokens.js';

/**
 * Follow-up questions: «ومتى حدث ذلك؟», «وماذا عن الهند؟», «وماذا قال
 * بوتين؟» lean on the question before them. A follow-up is rewritten into a
 * question that stands on its own by carrying the previous question's
 * subject over; any other question is left exactly as it is.
 *
 * The rules only fire on forms that cannot stand alone (a pronoun or
 * demonstrative that points back, "what about X", a speech verb with no
 * subject or no topic, a question with no content word at all), because a
 * false carry-over on a self-contained question is worse than a missed
 * follow-up. The rewrite is a bag of the right words more than good Arabic:
 * retrieval reads it as terms and meaning.
 */

/** Which rule rewrote a follow-up. */
export type FollowUpRule =
  /** «وماذا عن الهند؟», "what about India?": X takes the place of the previous question's topic. */
  | 'what-about'
  /** «متى حدث ذلك؟», «ماذا قال عنها؟»: the pointing word is replaced by the previous subject. */
  | 'reference'
  /** «ماذا قال عن طالبان؟» (who said?), «وماذا قال بوتين؟» (about what?): the missing part is carried over. */
  | 'speech'
  /** «ولماذا؟», «وأين؟»: nothing of its own but a question word; the previous subject is asked again. */
  | 'bare';

export interface ResolvedQuestion {
  /** The question to answer: the rewrite, or the question unchanged. */
  question: string;
  /** Set when the previous question's subject was carried over. */
  rule?: FollowUpRule;
}

/** A word of a question: as written (punctuation around it removed) and normalized for matching. */
interface Token {
  raw: string;
  norm: string;
}

const words = (list: string) => new Set(list.trim().split(/\s+/));

// Arabic word lists, normalized (see normalizeArabic: أ/إ/آ → ا, ى → ي, ة → ه).

/** Question words that open a question («بماذا», «لمن» are one word in writing). */
const AR_QUESTION = words(
  'ما ماذا متي اين كيف لماذا لم كم من هل اي ايه ماهي ماهو بماذا لمن ممن بمن بكم باي لاي عما مما',
);
/** Words that may follow the question word and belong to it: «ما هو», «من هي», «ما الذي». */
const AR_QUESTION_TAIL = words('هو هي هم هما الذي التي الذين');
/** The words of «وماذا عن…», «وبالنسبة لـ…». */
const AR_ABOUT = words('عن بشان بخصوص حول بالنسبه');
/** Prepositions whose object is a question's topic. */
const AR_PREPOSITIONS = words('عن من في حول بشان بخصوص تجاه مع بين الي علي ضد نحو لدي ازاء');
/** Demonstratives; a lone one («متى حدث ذلك؟») points back. */
const AR_DEMONSTRATIVES = words('ذلك ذاك تلك هذا هذه هذان هاتان هولاء هؤلاء اولئك');
/** Nouns after which a demonstrative points at the present, not back: «هذا العام», «هذا البوت». */
const AR_DEICTIC_NOUNS = words('العام اليوم الشهر الاسبوع السنه الوقت الصباح المساء الليله العصر القرن الان البوت');
/** Relative pronouns (and their common misspellings): a pronoun after one refers inside the question («المدينة التي عقد فيها»). */
const AR_RELATIVES = words('الذي التي الذين اللذان اللتان اللذين اللتين اللاتي اللواتي اللائي اللذي اللتي');
/**
 * Content words a question may have besides a pointing word and still lean
 * on the one before («ماذا قال بوتين عنها؟»). With more, the pronoun most
 * likely points inside the question («جوائز فنية حصل عليها ثامر حسني على
 * الصعيد الأفريقي»: an indefinite noun takes a relative clause without «التي»).
 */
const MAX_TERMS_WITH_POINTING = 2;
/** Longest X of «وماذا عن X؟» (default 4 words): a longer one is a question of its own. */
const MAX_ABOUT_WORDS = 4;
/** Longest name taken for a speaker («شي جين بينغ», default 3 words), and for X replacing one (2). */
const MAX_SPEAKER_WORDS = 3;
const MAX_NEW_SPEAKER_WORDS = 2;
/** Content words a «و» question with a speaker and no topic may have («وماذا قال بوتين؟», default 2). */
const MAX_SPEECH_CONTINUATION_TERMS = 2;
/** Content words of a «و» question too few to name a subject («وبأي مناسبة؟», default 1). */
const MAX_BARE_CONTINUATION_TERMS = 1;
/** Prepositions with an attached pronoun («عنها» = about it), and the preposition alone. */
const AR_PRONOUN_PREPOSITIONS = new Map<string, string>(
  [
    ['عن', 'عن', 'ه ها هم هما'],
    ['من', 'من', 'ه ها هم هما'],
    ['في', 'في', 'ه ها هم هما'],
    ['ل', 'لـ', 'ه ها هم هما'],
    ['ب', 'بـ', 'ه ها هم هما'],
    ['مع', 'مع', 'ه ها هم هما'],
    ['الي', 'إلى', 'ه ها هم هما'],
    ['علي', 'على', 'ه ها هم هما'],
    ['حول', 'حول', 'ه ها هم هما'],
    ['بشان', 'بشأن', 'ه ها هم هما'],
    ['تجاه', 'تجاه', 'ه ها هم هما'],
    ['ضد', 'ضد', 'ه ها هم هما'],
  ].flatMap(([base, written, suffixes]) =>
    [...words(suffixes)].map((s) => [`${base}${s}`, written] as [string, string]),
  ),
);
/** Verbs of saying: without a subject after them («ماذا قال عن…») someone named before is meant. */
const AR_SPEECH = words(`
  قال قالت يقول تقول ذكر ذكرت يذكر اكد اكدت اضاف اضافت صرح صرحت اعلن اعلنت اعرب اعربت اوضح اوضحت
  وصف وصفت اعتبر اعتبرت دعا دعت طالب طالبت علق علقت رد ردت قصد قصدت يقصد
  موقف راي رد تعليق تصريح تصريحات قول`);
/** Verbs that say only that something happened: «متى حدث ذلك؟» asks about the previous subject. */
const AR_GENERIC = words('حدث يحدث جري يجري حصل يحصل وقع يقع تم يتم كان كانت يكون تكون صار اصبح بلغ بلغت عقد عقدت');
/** First and second person: a question about the bot or the asker is never a follow-up. */
const AR_PERSONAL = words('انت انتم انتي انا نحن اسمك');

const EN_QUESTION = words('what who whom whose when where why how which');
const EN_AUXILIARIES = words('is are was were did does do has have had can could will would should the a an');
const EN_PREPOSITIONS = words('about of in on with between to for from regarding towards against at');
const EN_CONJUNCTIONS = words('and so but also then');
/** Pronouns that point back; "that", "there"… only as a last word ("who said that?"): elsewhere they may be relative or "there is". */
const EN_POINTING = words('it he she they him them');
const EN_POINTING_LAST = words('that this those these then there');
const EN_SPEECH = words('say said says think thinks thought position view stance');
const EN_GENERIC = words('happen happened happens take took place occur occurred be been');
const EN_PERSONAL = words('i me my we our us you your');

const ARABIC_LETTER = /\p{Script=Arabic}/u;
const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
/** A leading «و» or «ف» (and, so) with any diacritics on it. */
const CONJUNCTION_PREFIX = /^[وف][\u064B-\u065F\u0670]*/;

function tokenize(text: string): Token[] {
  return text
    .split(/\s+/)
    .map((word) => word.replace(EDGE_PUNCTUATION, ''))
    .filter(Boolean)
    .map((raw) => ({ raw, norm: normalizeArabic(raw) }));
}

function joined(tokens: Token[], mark: string): string {
  return `${tokens.map((t) => t.raw).join(' ')}${mark}`;
}

function token(raw: string): Token {
  return { raw, norm: normalizeArabic(raw) };
}

/** The question mark the asker used, to end the rewrite the same way. */
function questionMark(text: string): string {
  return /[?؟]\s*$/.test(text) ? (text.trim().endsWith('?') ? '?' : '؟') : '';
}

// --- Arabic ----------------------------------------------------------------

/**
 * Strips a leading conjunction: a lone «و»/«ف», or one written on a question
 * word («وماذا»), on a definite noun («والهند») or on «عن», «بالنسبة». A word that
 * merely starts with the letter («وزير») is left alone.
 */
function stripArabicConjunction(tokens: Token[]): { tokens: Token[]; continued: boolean } {
  const [first, ...rest] = tokens;
  if (!first) return { tokens, continued: false };
  if (first.norm === 'و' || first.norm === 'ف') return { tokens: rest, continued: true };
  const bare = first.norm.slice(1);
  if (
    /^[وف]/.test(first.norm) &&
    (AR_QUESTION.has(bare) || bare.startsWith('ال') || AR_ABOUT.has(bare) || AR_SPEECH.has(bare))
  ) {
    return { tokens: [token(first.raw.replace(CONJUNCTION_PREFIX, '')), ...rest], continued: true };
  }
  return { tokens, continued: false };
}

/** How many opening tokens are the question word: «ما», «ما هي», «من هو», «في أي». */
function arabicQuestionLength(tokens: Token[]): number {
  let n = 0;
  if (tokens.length > 1 && AR_PREPOSITIONS.has(tokens[0].norm) && tokens[1].norm === 'اي') n = 2;
  else if (tokens.length > 0 && AR_QUESTION.has(tokens[0].norm)) n = 1;
  if (n > 0 && tokens[n] && AR_QUESTION_TAIL.has(tokens[n].norm)) n++;
  return n;
}

/** The previous question without its conjunction and question word: what it is about. */
function arabicTopic(previous: Token[]): Token[] {
  const { tokens } = stripArabicConjunction(previous);
  return tokens.slice(arabicQuestionLength(tokens));
}

/**
 * Who speaks or holds a view in a question («ماذا قال شي عن…», «ما موقف
 * روسيا من…»): the name after a verb of saying, up to the next preposition.
 * Only a bare name counts (no «ال»): «الصين» may as well be the topic.
 */
function arabicSpeaker(tokens: Token[], start: number): { from: number; to: number } | undefined {
  const at = tokens.findIndex((t, i) => i >= start && AR_SPEECH.has(t.norm));
  if (at === -1) return undefined;
  let to = at + 1;
  while (to < tokens.length && !AR_PREPOSITIONS.has(tokens[to].norm) && !tokens[to].norm.startsWith('ال')) to++;
  const length = to - at - 1;
  return length >= 1 && length <= MAX_SPEAKER_WORDS ? { from: at + 1, to } : undefined;
}

/**
 * The previous question with X in place of its topic: the object of its last
 * preposition, or the last of several joined by «و» («بين الصين وروسيا» →
 * «بين الصين والهند»). Without a preposition, X is added to its subject.
 * A bare name («وماذا عن بوتين؟») takes the place of the previous speaker
 * when there is one: «ماذا قال شي عن أفغانستان؟» → «ماذا قال بوتين عن أفغانستان؟».
 */
function substituteArabic(previous: Token[], x: Token[]): Token[] {
  const { tokens } = stripArabicConjunction(previous);
  const start = arabicQuestionLength(tokens);
  const speaker = arabicSpeaker(tokens, start);
  if (speaker && x.length <= MAX_NEW_SPEAKER_WORDS && !x[0].norm.startsWith('ال')) {
    return [...tokens.slice(0, speaker.from), ...x, ...tokens.slice(speaker.to)];
  }
  let at = -1;
  for (let i = tokens.length - 2; i >= Math.max(start, 1); i--) {
    if (AR_PREPOSITIONS.has(tokens[i].norm)) {
      at = i;
      break;
    }
  }
  if (at === -1) return [...tokens, ...x];
  const object = tokens.slice(at + 1);
  const joinedAt = object.findIndex((t, i) => i > 0 && /^و\S/.test(t.norm));
  if (joinedAt > 0) {
    const [head, ...tail] = x;
    return [...tokens.slice(0, at + 1 + joinedAt), token(`و${head.raw}`), ...tail];
  }
  return [...tokens.slice(0, at + 1), ...x];
}

/** The last preposition of the previous question and what follows it («عن أفغانستان»), if it has one. */
function arabicComplement(previous: Token[]): Token[] | undefined {
  const topic = arabicTopic(previous);
  for (let i = topic.length - 2; i >= 1; i--) if (AR_PREPOSITIONS.has(topic[i].norm)) return topic.slice(i);
  return undefined;
}

/** The X of «ماذا عن X», «عن X», «بالنسبة لـX», «والهند؟». */
function arabicWhatAbout(tokens: Token[], continued: boolean, mark: string): Token[] | undefined {
  let rest = tokens;
  if (
    rest[0] &&
    (rest[0].norm === 'ماذا' || rest[0].norm === 'ما') &&
    rest[1]?.norm &&
    /^(عن|بشان|بخصوص|حول)$/.test(rest[1].norm)
  )
    rest = rest.slice(2);
  else if (continued && rest[0] && /^(عن|بشان|بخصوص)$/.test(rest[0].norm)) rest = rest.slice(1);
  else if (rest[0]?.norm === 'بالنسبه' && rest[1]) {
    const next = rest[1];
    if (next.norm === 'الي' || next.norm === 'ل' || next.norm === 'لـ') rest = rest.slice(2);
    else if (/^لل/.test(next.norm)) rest = [token(next.raw.replace(/^لل/, 'ال')), ...rest.slice(2)];
    else if (/^ل/.test(next.norm)) rest = [token(next.raw.replace(/^لـ?/, '')), ...rest.slice(2)];
    else return undefined;
  } else if (
    continued &&
    mark &&
    tokens.length <= MAX_ABOUT_WORDS &&
    tokens[0]?.norm.startsWith('ال') &&
    !AR_DEICTIC_NOUNS.has(tokens[0].norm) &&
    !hasQuestionWord(tokens)
  )
    return tokens;
  else return undefined;
  return rest.length > 0 && rest.length <= MAX_ABOUT_WORDS ? rest : undefined;
}

function hasQuestionWord(tokens: Token[]): boolean {
  return tokens.some((t) => AR_QUESTION.has(t.norm));
}

/**
 * Where a word points back: a lone demonstrative, a demonstrative before a
 * noun, or «عنها»-like. Honorifics («عليه السلام», «صلى الله عليه وسلم»)
 * point at no one.
 */
function arabicReference(tokens: Token[]): { at: number; kind: 'lone' | 'noun' | 'preposition' } | undefined {
  const firstRelative = tokens.findIndex((t) => AR_RELATIVES.has(t.norm));
  for (const [i, t] of tokens.entries()) {
    // «بذلك», «لذلك» point back as well; «كذلك» means "also".
    const bare = /^[بل]/.test(t.norm) && AR_DEMONSTRATIVES.has(t.norm.slice(1)) ? t.norm.slice(1) : t.norm;
    if (AR_DEMONSTRATIVES.has(bare)) {
      const next = tokens[i + 1];
      if (!next?.norm.startsWith('ال')) return { at: i, kind: 'lone' };
      const others = [...tokens.slice(0, i), ...tokens.slice(i + 2)];
      if (!AR_DEICTIC_NOUNS.has(next.norm) && arabicOwnTerms(others).length <= MAX_TERMS_WITH_POINTING)
        return { at: i, kind: 'noun' };
    }
    if (
      AR_PRONOUN_PREPOSITIONS.has(t.norm) &&
      (firstRelative === -1 || firstRelative > i) &&
      !isHonorific(tokens, i) &&
      arabicOwnTerms(tokens).length <= MAX_TERMS_WITH_POINTING
    )
      return { at: i, kind: 'preposition' };
  }
  return undefined;
}

function isHonorific(tokens: Token[], i: number): boolean {
  return tokens[i + 1]?.norm === 'السلام' || tokens[i - 1]?.norm === 'الله' || tokens[i + 1]?.norm === 'وسلم';
}

/** Content words of the question's own, besides question words, pointing words and verbs of happening. */
function arabicOwnTerms(tokens: Token[]): string[] {
  return contentTerms(
    tokens
      .filter((t) => !AR_GENERIC.has(t.norm) && !AR_PRONOUN_PREPOSITIONS.has(t.norm) && !AR_SPEECH.has(t.norm))
      .map((t) => t.raw)
      .join(' '),
  );
}

function resolveArabic(question: string, previous: string): ResolvedQuestion {
  const mark = questionMark(question);
  const stripped = stripArabicConjunction(tokenize(question));
  const { tokens, continued } = stripped;
  const before = tokenize(previous);
  if (tokens.length === 0 || before.length === 0 || tokens.some((t) => AR_PERSONAL.has(t.norm))) return { question };
  const topic = arabicTopic(before);
  if (topic.length === 0) return { question };

  const x = arabicWhatAbout(tokens, continued, mark);
  if (x) return { question: joined(substituteArabic(before, x), mark), rule: 'what-about' };

  const reference = arabicReference(tokens);
  if (reference) {
    const { at, kind } = reference;
    // «أين قال ذلك؟» + «قال بيسكوف…»: one «قال» is enough.
    const carried = new Set(topic.map((t) => t.norm));
    const head = tokens
      .slice(0, at)
      .filter((t) => !AR_GENERIC.has(t.norm) && (AR_QUESTION.has(t.norm) || !carried.has(t.norm)));
    const tail = tokens.slice(at + 1);
    const replaced =
      kind === 'lone'
        ? [...head, ...topic, ...tail]
        : kind === 'noun'
          ? [...head, ...tail, ...topic]
          : [...head, token(AR_PRONOUN_PREPOSITIONS.get(tokens[at].norm) ?? ''), ...topic, ...tail];
    return { question: joined(replaced, mark), rule: 'reference' };
  }

  const speech = tokens.findIndex((t) => AR_SPEECH.has(t.norm));
  if (speech >= 0) {
    const next = tokens[speech + 1];
    // «ماذا قال عن طالبان؟»: the one who spoke is the previous subject (unless a relative clause says who).
    const relative = tokens.findIndex((t) => AR_RELATIVES.has(t.norm));
    if ((!next || AR_PREPOSITIONS.has(next.norm)) && (relative === -1 || relative > speech)) {
      const subject = topic.filter((t) => !AR_SPEECH.has(t.norm));
      return {
        question: joined([...tokens.slice(0, speech + 1), ...subject, ...tokens.slice(speech + 1)], mark),
        rule: 'speech',
      };
    }
    // «وماذا قال بوتين؟», «وما موقف الصين؟»: said about what? About the previous topic.
    const hasComplement = tokens.slice(speech + 1).some((t) => AR_PREPOSITIONS.has(t.norm));
    if (continued && !hasComplement && arabicOwnTerms(tokens).length <= MAX_SPEECH_CONTINUATION_TERMS) {
      return { question: joined([...tokens, ...(arabicComplement(before) ?? topic)], mark), rule: 'speech' };
    }
  }

  const questionLength = arabicQuestionLength(tokens);
  const own = arabicOwnTerms(tokens);
  if ((questionLength > 0 || continued) && own.length === 0) {
    const asked = tokens.slice(0, Math.max(questionLength, 1)).filter((t) => !AR_GENERIC.has(t.norm));
    return { question: joined([...asked, ...topic], mark), rule: 'bare' };
  }
  // «وبأي مناسبة؟»: a continuation whose one word names no subject of its own.
  if (
    continued &&
    questionLength > 0 &&
    own.length <= MAX_BARE_CONTINUATION_TERMS &&
    !tokens.some((t) => AR_PREPOSITIONS.has(t.norm))
  ) {
    return { question: joined([...tokens, ...topic], mark), rule: 'bare' };
  }
  return { question };
}

// --- English ---------------------------------------------------------------

function englishTopic(previous: Token[]): Token[] {
  if (previous.some((t) => ARABIC_LETTER.test(t.raw))) return arabicTopic(previous);
  let i = 0;
  while (previous[i] && (EN_CONJUNCTIONS.has(previous[i].norm) || EN_QUESTION.has(previous[i].norm))) i++;
  while (previous[i] && EN_AUXILIARIES.has(previous[i].norm)) i++;
  return previous.slice(i);
}

function substituteEnglish(previous: Token[], x: Token[]): Token[] {
  if (previous.some((t) => ARABIC_LETTER.test(t.raw))) return substituteArabic(previous, x);
  for (let i = previous.length - 2; i >= 1; i--) {
    if (EN_PREPOSITIONS.has(previous[i].norm)) return [...previous.slice(0, i + 1), ...x];
  }
  return [...previous, ...x];
}

function resolveEnglish(question: string, previous: string): ResolvedQuestion {
  const mark = questionMark(question);
  let tokens = tokenize(question);
  const before = tokenize(previous);
  let continued = false;
  while (tokens[0] && EN_CONJUNCTIONS.has(tokens[0].norm)) {
    tokens = tokens.slice(1);
    continued = true;
  }
  if (tokens.length === 0 || tokens.some((t) => EN_PERSONAL.has(t.norm))) return { question };
  const topic = englishTopic(before);
  if (topic.length === 0) return { question };

  if (
    /^(what|how)$/.test(tokens[0].norm) &&
    tokens[1]?.norm === 'about' &&
    tokens.length > 2 &&
    tokens.length - 2 <= MAX_ABOUT_WORDS
  )
    return { question: joined(substituteEnglish(before, tokens.slice(2)), mark), rule: 'what-about' };

  const pointing = tokens.findIndex(
    (t, i) => EN_POINTING.has(t.norm) || (EN_POINTING_LAST.has(t.norm) && i === tokens.length - 1),
  );
  if (pointing >= 0) {
    const kept = tokens.filter(
      (t, i) =>
        !EN_POINTING.has(t.norm) &&
        !(EN_POINTING_LAST.has(t.norm) && i === tokens.length - 1) &&
        !EN_GENERIC.has(t.norm),
    );
    return { question: joined([...kept, ...topic], mark), rule: 'reference' };
  }

  const own = contentTerms(
    tokens
      .filter((t) => !EN_GENERIC.has(t.norm) && !EN_SPEECH.has(t.norm))
      .map((t) => t.raw)
      .join(' '),
  );
  if ((EN_QUESTION.has(tokens[0].norm) || continued) && own.length === 0)
    return { question: joined([...tokens.filter((t) => !EN_GENERIC.has(t.norm)), ...topic], mark), rule: 'bare' };
  return { question };
}

/**
 * The question to answer, given the one asked before it in the same chat:
 * a follow-up rewritten with the previous subject, any other question
 * unchanged (the same string). `previous` should be what was answered last,
 * itself resolved, so that a chain of follow-ups keeps its subject.
 */
export function resolveFollowUpQuestion(question: string, previous: string | undefined): ResolvedQuestion {
  if (!previous?.trim() || !question.trim()) return { question };
  return ARABIC_LETTER.test(question) ? resolveArabic(question, previous) : resolveEnglish(question, previous);
}

/** The rewritten question, or `question` itself when it stands on its own. */
export function resolveFollowUp(question: string, previous: string | undefined): string {
  return resolveFollowUpQuestion(question, previous).question;
}
