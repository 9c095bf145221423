// Looking ahead, for auditors and admins: the forward calendar (the rights that begin, end or
// change amount on each coming day, by the data in the store alone) and a what-if (today's dry
// run with dated parameters replaced: who gains, who loses, the cost before and after, and the
// legal reference of each value replaced). Each is computed by the server when asked.

import { gql } from './api.js';
import { clear, field, h, table } from './dom.js';
import { t, texts } from './i18n.js';
import { date, money, today } from './format.js';
import {
  PERSON, benefitSelect, compute, dayField, dayInput, dayOf, mountView, onSubmit, pager, personLink, resultBox,
} from './lists.js';

export const NAME = 'lookahead';
const PAGE = 50;
const MAX_DAYS = 366;

const FORECAST = `query Forecast($from: Date!, $days: Int!, $benefit: String, $first: Int, $after: String) {
  forecast(from: $from, days: $days, benefit: $benefit, first: $first, after: $after) {
    monthlyUntil monthlyRules
    changes {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { date change amountKzt benefit { code title { kk ru en } } citizen { ${PERSON} } subject { ${PERSON} } } }
    }
  }
}`;

const WHATIF = `query WhatIf($asOf: Date!, $set: [ParameterSetting!]!, $benefit: String, $first: Int, $after: String) {
  whatIf(asOf: $asOf, set: $set, benefit: $benefit, first: $first, after: $after) {
    __typename
    ... on InvalidInput { message field }
    ... on WhatIf {
      asOf
      settings { name value replacedReference }
      costs { benefit { code title { kk ru en } } periodicity gains losses amountChanges beforeKzt afterKzt differenceKzt }
      monthlyBeforeKzt monthlyAfterKzt oneOffBeforeKzt oneOffAfterKzt
      changes {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { change beforeKzt afterKzt benefit { code title { kk ru en } } citizen { ${PERSON} } subject { ${PERSON} } } }
      }
    }
  }
}`;

const DECIMAL = /^-?\d{1,15}(\.\d{1,6})?$/;

const freshForecast = () => ({ from: today(), days: 30, benefit: '', cursors: [null], page: 0, result: null, error: '', busy: false });
const freshWhatIf = () => ({
  asOf: today(), rows: [{ name: '', value: '' }], sent: null, benefit: '', cursors: [null], page: 0, result: null, error: '', busy: false,
});
const fc = freshForecast();
const wi = freshWhatIf();

export function forget() {
  Object.assign(fc, freshForecast());
  Object.assign(wi, freshWhatIf());
}

export function mount(main, params, ctx) {
  return mountView(main, ctx, draw);
}

function draw(view) {
  const { main } = view;
  clear(main);
  main.append(h('h1', {}, t('lookahead.title')), forecastSection(view), whatIfSection(view));
  showForecast(view);
  showWhatIf(view);
}

// --- the forward calendar -------------------------------------------------------------------------

function forecastSection(view) {
  const from = dayInput('from', fc.from);
  const days = h('input', { name: 'days', type: 'number', min: 1, max: MAX_DAYS, step: 1, required: true, value: String(fc.days) });
  const benefit = benefitSelect('benefit', fc.benefit, true);
  const error = h('p', { class: 'error', role: 'alert' });
  return h('section', { id: 'forecast', 'aria-labelledby': 'forecast-title' },
    h('h2', { id: 'forecast-title' }, t('forecast.title')),
    h('p', { class: 'hint' }, t('forecast.intro')),
    h('form', {
      class: 'row filters',
      onsubmit: onSubmit(error, () => {
        const n = Number(days.value);
        if (!Number.isInteger(n) || n < 1 || n > MAX_DAYS) throw new Error(t('forecast.badDays', { max: MAX_DAYS }));
        Object.assign(fc, { from: dayOf(from), days: n, benefit: benefit.value, cursors: [null], page: 0 });
      }, () => runForecast(view)),
    }, dayField(t('forecast.from'), from), field(t('forecast.days'), days), field(t('card.benefit'), benefit),
    h('button', { type: 'submit' }, t('forecast.submit'))),
    error,
    h('div', { id: 'forecast-result' }));
}

function runForecast(view) {
  const variables = { from: fc.from, days: fc.days, first: PAGE, after: fc.cursors[fc.page] };
  if (fc.benefit) variables.benefit = fc.benefit;
  return compute(fc, async () => (await gql(FORECAST, variables)).forecast, view.ctx, () => showForecast(view));
}

function showForecast(view) {
  const box = resultBox(view.main, '#forecast-result', fc);
  if (!box) return;
  const r = fc.result;
  if (!r) return;
  const c = r.changes;
  box.append(h('p', { class: 'count' }, t('forecast.count', { n: c.totalCount, from: date(fc.from), days: fc.days })));
  if (r.monthlyRules.length) {
    box.append(h('p', { class: 'note' }, t('forecast.monthly', { rules: r.monthlyRules.join(', '), until: date(r.monthlyUntil) })));
  }
  if (!c.edges.length) {
    box.append(h('p', { class: 'empty' }, t('forecast.none')));
    return;
  }
  box.append(table(null,
    [t('forecast.date'), t('forecast.change'), t('card.benefit'), t('rights.recipient'), t('rights.subject'), t('rights.amount')],
    c.edges.map(({ node: x }) => [date(x.date), t(`change.${x.change}`), texts(x.benefit.title), personLink(x.citizen, view.ctx.go),
      personLink(x.subject, view.ctx.go), x.amountKzt === null ? '—' : money(x.amountKzt)]),
    { id: 'forecast-table', class: 'rows' }),
  pager(fc, c, () => runForecast(view)));
}

// --- what-if --------------------------------------------------------------------------------------

function settingRow(view, row, i) {
  const name = h('input', { name: `name-${i}`, autocomplete: 'off', maxlength: 200, spellcheck: 'false', value: row.name,
    placeholder: 'large_family_mci[5]', oninput: (e) => { row.name = e.target.value; } });
  const value = h('input', { name: `value-${i}`, autocomplete: 'off', maxlength: 24, inputmode: 'decimal', value: row.value,
    oninput: (e) => { row.value = e.target.value; } });
  return h('div', { class: 'row setting', dataset: { row: String(i) } },
    field(t('whatif.name'), name, i === 0 ? t('whatif.nameHint') : null), field(t('whatif.value'), value),
    wi.rows.length > 1 ? h('button', {
      type: 'button', class: 'secondary', onclick: () => { wi.rows.splice(i, 1); draw(view); },
    }, t('whatif.remove')) : null);
}

function whatIfSection(view) {
  const asOf = dayInput('asOf', wi.asOf);
  const benefit = benefitSelect('benefit', wi.benefit, true);
  const error = h('p', { class: 'error', role: 'alert' });
  return h('section', { id: 'whatif', 'aria-labelledby': 'whatif-title' },
    h('h2', { id: 'whatif-title' }, t('whatif.title')),
    h('p', { class: 'hint' }, t('whatif.intro')),
    h('form', {
      onsubmit: onSubmit(error, () => {
        const set = wi.rows.map((r) => ({ name: r.name.trim(), value: r.value.trim().replace(',', '.') }));
        const bad = set.find((s) => !s.name || !DECIMAL.test(s.value));
        if (bad) throw new Error(bad.name ? t('whatif.badValue', { name: bad.name, value: bad.value }) : t('whatif.needName'));
        Object.assign(wi, { asOf: dayOf(asOf), sent: set, benefit: benefit.value, cursors: [null], page: 0 });
      }, () => runWhatIf(view)),
    },
    h('div', { class: 'row filters' }, dayField(t('rights.asOf'), asOf), field(t('card.benefit'), benefit)),
    h('fieldset', {}, h('legend', {}, t('whatif.settings')), wi.rows.map((r, i) => settingRow(view, r, i)),
      h('button', { type: 'button', class: 'secondary', id: 'whatif-add', onclick: () => { wi.rows.push({ name: '', value: '' }); draw(view); } },
        t('whatif.add'))),
    h('p', {}, h('button', { type: 'submit' }, t('whatif.submit')))),
    error,
    h('div', { id: 'whatif-result' }));
}

function runWhatIf(view) {
  // a value goes as the text typed: the API reads it as an exact decimal (no float between)
  const variables = { asOf: wi.asOf, set: wi.sent, first: PAGE, after: wi.cursors[wi.page] };
  if (wi.benefit) variables.benefit = wi.benefit;
  return compute(wi, async () => {
    const r = (await gql(WHATIF, variables)).whatIf;
    if (r.__typename !== 'WhatIf') throw new Error(r.message); // InvalidInput: its message, as a failure's
    return r;
  }, view.ctx, () => showWhatIf(view));
}

function showWhatIf(view) {
  const box = resultBox(view.main, '#whatif-result', wi);
  if (!box) return;
  const r = wi.result;
  if (!r) return;
  box.append(
    h('ul', { class: 'settings', id: 'whatif-settings' }, r.settings.map((s) => h('li', {},
      h('code', {}, s.name), ` = ${s.value}`,
      s.replacedReference ? ` — ${t('whatif.replacing', { reference: s.replacedReference })}` : ''))),
    r.costs.length ? table(t('whatif.summary', { date: date(r.asOf) }),
      [t('card.benefit'), t('card.periodicity'), t('whatif.gains'), t('whatif.losses'), t('whatif.amounts'),
        t('whatif.before'), t('whatif.after'), t('whatif.difference')],
      r.costs.map((c) => [texts(c.benefit.title), t(`periodicity.${c.periodicity}`), String(c.gains), String(c.losses),
        String(c.amountChanges), money(c.beforeKzt), money(c.afterKzt), money(c.differenceKzt)]),
      { id: 'whatif-costs', class: 'rows' }) : h('p', { class: 'empty' }, t('whatif.noChange')),
    h('dl', { class: 'inline', id: 'whatif-totals' },
      h('dt', {}, t('whatif.monthly')), h('dd', {}, `${money(r.monthlyBeforeKzt)} → ${money(r.monthlyAfterKzt)}`),
      h('dt', {}, t('whatif.oneOff')), h('dd', {}, `${money(r.oneOffBeforeKzt)} → ${money(r.oneOffAfterKzt)}`)));
  const c = r.changes;
  if (!c.edges.length) return;
  box.append(h('h3', {}, t('whatif.changes', { n: c.totalCount })),
    table(null, [t('card.benefit'), t('rights.recipient'), t('rights.subject'), t('forecast.change'), t('whatif.before'), t('whatif.after')],
      c.edges.map(({ node: x }) => [texts(x.benefit.title), personLink(x.citizen, view.ctx.go), personLink(x.subject, view.ctx.go),
        t(`whatifChange.${x.change}`), x.beforeKzt === null ? '—' : money(x.beforeKzt), x.afterKzt === null ? '—' : money(x.afterKzt)]),
      { id: 'whatif-changes', class: 'rows' }),
    pager(wi, c, () => runWhatIf(view)));
}
