import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, enSingular } from './en';
import { zhCN, type MessageKey } from './zh-CN';

/**
 * A small typed dictionary: zh-CN.ts defines every key (Simplified Chinese is the default),
 * en.ts must translate each one (a missing key fails the type check). `{name}` placeholders are
 * filled from the second argument of t().
 */
export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
/** Forms for a count `n` of 1, where the language has them (Chinese has no plural). */
const SINGULAR: Record<Lang, Partial<Record<MessageKey, string>>> = { 'zh-CN': {}, en: enSingular };
const STORAGE_KEY = 'fenyong.lang';

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  readonly lang: Lang;
  setLang(lang: Lang): void;
  readonly t: Translate;
  /** The dictionary's name of an API code under `prefix` (`errorCode`, `eventType`…), null when it has none. */
  nameOf(prefix: string, code: string): string | null;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  const stored = localStorage.getItem(STORAGE_KEY);
  return stored === 'en' || stored === 'zh-CN' ? stored : 'zh-CN';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = DICTIONARIES[lang]['app.title'];
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dictionary = DICTIONARIES[lang];
    const singular = SINGULAR[lang];
    const t: Translate = (key, values) => {
      const text = (Number(values?.n) === 1 ? singular[key] : undefined) ?? dictionary[key] ?? key;
      return values ? text.replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match)) : text;
    };
    const has = (key: string): key is MessageKey => key in dictionary;
    const nameOf = (prefix: string, code: string): string | null => {
      const key = `${prefix}.${code}`;
      return has(key) ? t(key) : null;
    };
    return { lang, setLang, t, nameOf };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
