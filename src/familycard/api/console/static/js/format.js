// Dates and amounts as Kazakhstan writes them: dd.mm.yyyy, times in Kazakhstan, tenge as
// "1 234 567,00 ₸". An amount comes from the API as an exact decimal (a JSON number of at most
// 15 significant digits, which String() gives back digit for digit); it is formatted from that
// text by Intl (which takes a decimal string exactly), never through arithmetic on a float.

import { lang } from './i18n.js';

export const ZONE = 'Asia/Almaty'; // one zone for the country (UTC+5) since March 2024, as the server's dates.py

const LOCALES = { kk: 'kk-KZ', ru: 'ru-KZ', en: 'ru-KZ' }; // English text, Kazakhstan's number style

/** "2026-12-07" -> "07.12.2026" (a date has no zone: its parts, as given). */
export function date(iso) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : String(iso);
}

/** "2026-03" -> "03.2026" (a month of income or of a payment). */
export function month(text) {
  const m = /^(\d{4})-(\d{2})$/.exec(text || '');
  return m ? `${m[2]}.${m[1]}` : String(text || '');
}

/** "07.12.2026" -> "2026-12-07", or null when it is not a real day. */
export function parseDate(text) {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(text || '');
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const timeParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An instant in Kazakhstan: "07.12.2026 16:24". */
export function dateTime(iso) {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return String(iso);
  const p = Object.fromEntries(timeParts.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

const dayParts = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** Today in Kazakhstan, "YYYY-MM-DD" (the API's "today"). */
export function today() {
  return dayParts.format(new Date());
}

/** Whole years from one ISO day to another (or to today). */
export function age(birthIso, untilIso) {
  if (!birthIso) return null;
  const [by, bm, bd] = birthIso.split('-').map(Number);
  const [uy, um, ud] = (untilIso || today()).split('-').map(Number);
  return uy - by - (um < bm || (um === bm && ud < bd) ? 1 : 0);
}

const moneyFormats = {};

/** 1234567 -> "1 234 567,00 ₸" (Intl's own spaces: narrow no-break in kk and ru). */
export function money(amount) {
  if (amount === null || amount === undefined) return '';
  const text = typeof amount === 'string' ? amount : String(amount);
  if (!/^-?\d+(\.\d+)?$/.test(text)) return text; // not a plain decimal: shown as it came
  const locale = LOCALES[lang()] || 'ru-KZ';
  moneyFormats[locale] = moneyFormats[locale] || new Intl.NumberFormat(locale, {
    style: 'currency', currency: 'KZT', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2,
  });
  return moneyFormats[locale].format(text);
}

/** The person's full name, as registered. */
export function fullName(c) {
  return [c.surname, c.givenName, c.patronymic].filter(Boolean).join(' ');
}
