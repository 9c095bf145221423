// The interface in Kazakh, Russian and English (static/i18n/<lang>.json: the same keys in each,
// a test holds them to it). The choice is remembered in this browser (localStorage: it is no
// secret); the first visit follows the browser's language. Texts from the API (a benefit's
// title, a condition's why) come in all three (`Texts`) and are picked the same way.

import en from '../i18n/en.json' with { type: 'json' };
import kk from '../i18n/kk.json' with { type: 'json' };
import ru from '../i18n/ru.json' with { type: 'json' };

export const LANGS = ['kk', 'ru', 'en'];
const TABLES = { kk, ru, en };
const KEY = 'familycard.lang';
const listeners = [];

function initial() {
  const kept = localStorage.getItem(KEY);
  if (LANGS.includes(kept)) return kept;
  const browser = (navigator.language || '').slice(0, 2).toLowerCase();
  return LANGS.includes(browser) ? browser : 'kk';
}

let current = initial();

export function lang() {
  return current;
}

export function setLang(value) {
  if (!LANGS.includes(value) || value === current) return;
  current = value;
  localStorage.setItem(KEY, value);
  for (const fn of listeners) fn(value);
}

export function onLangChange(fn) {
  listeners.push(fn);
}

/** The text for `key` in `language` (the current one by default), {name}s filled from params. */
export function t(key, params, language) {
  const table = TABLES[language || current];
  const text = key in table ? table[key] : (key in en ? en[key] : key);
  return text.replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
}

/** A `Texts` object's text in `language` (the current one by default). */
export function texts(value, language) {
  if (!value) return '';
  return value[language || current] || value.en || '';
}
