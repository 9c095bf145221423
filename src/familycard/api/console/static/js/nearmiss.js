// Near misses: people one missing or blocking record away from a right on a day (a student
// fact, a contribution month, income just above the line, no phone or account, a re-examination
// due), filtered by what is missing and by benefit, paged; each person links to their page.
// Computed by the server when asked (a sweep's order of work): on "Show", never on opening.

import { gql } from './api.js';
import { clear, field, h, table } from './dom.js';
import { t, texts } from './i18n.js';
import { date, today } from './format.js';
import {
  PERSON, benefitSelect, compute, dayField, dayInput, dayOf, mountView, onSubmit, pager, personLink, resultBox, tOr,
} from './lists.js';

export const NAME = 'nearmiss';
export const KINDS = ['STUDENT_FACT', 'CONTRIBUTION_MONTH', 'INCOME_ABOVE_LINE', 'PHONE', 'BANK_ACCOUNT', 'REEXAMINATION_DUE'];
const PAGE = 50;

const QUERY = `query NearMisses($asOf: Date!, $missing: NearMissKind, $benefit: String, $first: Int, $after: String) {
  nearMisses(asOf: $asOf, missing: $missing, benefit: $benefit, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { missing missingText detail benefit { code title { kk ru en } } citizen { ${PERSON} } subject { ${PERSON} } } }
  }
}`;

const fresh = () => ({ asOf: today(), missing: '', benefit: '', cursors: [null], page: 0, result: null, error: '', busy: false });
const state = fresh();

export function forget() {
  Object.assign(state, fresh());
}

export function mount(main, params, ctx) {
  return mountView(main, ctx, draw);
}

function draw(view) {
  const { main } = view;
  clear(main);
  const asOf = dayInput('asOf', state.asOf);
  const missing = h('select', { name: 'missing' }, h('option', { value: '' }, t('nearmiss.anyKind')),
    KINDS.map((k) => h('option', { value: k, selected: k === state.missing }, t(`missing.${k}`))));
  const benefit = benefitSelect('benefit', state.benefit, false);
  const error = h('p', { class: 'error', role: 'alert' });
  main.append(
    h('h1', {}, t('nearmiss.title')),
    h('p', { class: 'hint' }, t('nearmiss.intro')),
    h('form', {
      class: 'row filters',
      onsubmit: onSubmit(error, () => {
        Object.assign(state, { asOf: dayOf(asOf), missing: missing.value, benefit: benefit.value, cursors: [null], page: 0 });
      }, () => run(view)),
    }, dayField(t('rights.asOf'), asOf), field(t('nearmiss.kind'), missing), field(t('card.benefit'), benefit),
    h('button', { type: 'submit' }, t('worklist.filter'))),
    error,
    h('section', { id: 'nearmisses', 'aria-label': t('nearmiss.title') }));
  show(view);
}

function run(view) {
  const variables = { asOf: state.asOf, first: PAGE, after: state.cursors[state.page] };
  if (state.missing) variables.missing = state.missing;
  if (state.benefit) variables.benefit = state.benefit;
  return compute(state, async () => (await gql(QUERY, variables)).nearMisses, view.ctx, () => show(view));
}

function show(view) {
  const box = resultBox(view.main, '#nearmisses', state);
  if (!box) return;
  const r = state.result;
  if (!r) {
    box.append(h('p', { class: 'empty' }, t('lookahead.ask')));
    return;
  }
  box.append(h('p', { class: 'count' }, t('nearmiss.count', { n: r.totalCount, date: date(state.asOf) })));
  if (!r.edges.length) {
    box.append(h('p', { class: 'empty' }, t('nearmiss.none')));
    return;
  }
  box.append(table(null,
    [t('card.benefit'), t('task.citizen'), t('rights.subject'), t('nearmiss.kind'), t('task.detail')],
    r.edges.map(({ node: m }) => [texts(m.benefit.title), personLink(m.citizen, view.ctx.go), personLink(m.subject, view.ctx.go),
      h('span', { title: m.missingText }, tOr(`missing.${m.missing}`, m.missingText)), m.detail]),
    { id: 'nearmiss-table', class: 'rows' }),
  pager(state, r, () => run(view)));
}
