import type { Lang } from '../explain/messages.ts';

/**
 * A command's `--lang` value as a language (`zh` is taken for `zh-CN`), or null after telling
 * stderr what it takes, `fallback` first as the default.
 */
export function readLang(value: string, fallback: Lang): Lang | null {
  if (value === 'en') return 'en';
  if (value === 'zh-CN' || value === 'zh') return 'zh-CN';
  const other: Lang = fallback === 'en' ? 'zh-CN' : 'en';
  process.stderr.write(`fenyong: --lang ${value}: use ${fallback} (the default) or ${other}\n`);
  return null;
}
