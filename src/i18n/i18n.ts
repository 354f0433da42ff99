import { fileURLToPath } from 'node:url';
import { I18n, type I18nFlavor } from '@grammyjs/i18n';
import type { Context } from 'grammy';

/**
 * Everything the program says on its own, in Fluent files (locales/*.ftl):
 * the whole interface in Arabic (the default) and English, and, for a
 * question in a language the model cannot read, one explanation in a few
 * more languages. Quotes are never translated. Fluent isolates each
 * placeable with Unicode isolation marks (FSI … PDI), so a Latin name or a
 * number inside Arabic text, or the reverse, keeps its order.
 */
export const DEFAULT_LOCALE = 'ar';

/** Languages the whole interface is written in. */
export const UI_LOCALES = ['ar', 'en'] as const;
export type UiLocale = (typeof UI_LOCALES)[number];

/** The language of the unsupported-language explanation when the asker's has none. */
const FALLBACK_EXPLANATION_LOCALE = 'en';

/** The interface language for a Telegram `language_code` ("en-GB" → "en"); Arabic for any other. */
export function uiLocale(languageCode: string | undefined): UiLocale {
  const base = languageCode?.toLowerCase().split(/[-_]/)[0];
  return (UI_LOCALES as readonly string[]).includes(base ?? '') ? (base as UiLocale) : DEFAULT_LOCALE;
}

export type TranslatedContext = Context & I18nFlavor;

export const i18n = new I18n<TranslatedContext>({
  defaultLocale: DEFAULT_LOCALE,
  directory: fileURLToPath(new URL('./locales', import.meta.url)),
  localeNegotiator: (ctx) => uiLocale(ctx.from?.language_code),
});

/** A text in a given language. */
export function t(locale: string, key: string, variables?: Record<string, string | number>): string {
  return i18n.t(locale, key, variables);
}

/**
 * The reply to a question in a language the model cannot read: in the
 * reader's own language (their Telegram's, `reader`) when there is a
 * translation, else in the question's, else in English. A reader whose
 * Telegram is in Arabic is told in Arabic, never in a third language.
 */
export function unsupportedLanguageText(language: string, reader?: string): string {
  const readerBase = reader?.toLowerCase().split(/[-_]/)[0];
  const locale = [readerBase, language].find((l) => l && i18n.locales.includes(l)) ?? FALLBACK_EXPLANATION_LOCALE;
  return t(locale, 'unsupported-language');
}
