// Find a person: by whole IIN, or by surname + given name (+ birth date), as the API allows
// (no partial names: the search is not a way to list people). Paged; every person shown is in
// the access log (the API logs them).

import { ApiError, gql } from './api.js';
import { clear, field, h, table } from './dom.js';
import { t } from './i18n.js';
import { date, fullName, parseDate } from './format.js';
import { mountView, pager } from './lists.js';

export const NAME = 'search';
const PAGE = 20;

const QUERY = `query Search($iin: String, $surname: String, $givenName: String, $birthDate: Date, $first: Int, $after: String) {
  searchPeople(iin: $iin, surname: $surname, givenName: $givenName, birthDate: $birthDate, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id iin surname givenName patronymic birthDate sex alive deathDate addressId } }
  }
}`;

// Kept while the tab lives, so that "back" from a person shows the same results (in memory
// only: a search for a name never goes into a URL or storage).
const state = { form: { iin: '', surname: '', givenName: '', birth: '' }, cursors: [null], page: 0, result: null, error: '' };

export function mount(main, params, ctx) {
  return mountView(main, ctx, draw);
}

function draw(view) {
  const { main } = view;
  clear(main);
  const f = state.form;
  const iin = h('input', { name: 'iin', inputmode: 'numeric', autocomplete: 'off', maxlength: 12, value: f.iin });
  const surname = h('input', { name: 'surname', autocomplete: 'off', maxlength: 100, value: f.surname });
  const given = h('input', { name: 'givenName', autocomplete: 'off', maxlength: 100, value: f.givenName });
  const birth = h('input', { name: 'birthDate', autocomplete: 'off', maxlength: 10, placeholder: t('date.placeholder'), value: f.birth });
  const form = h('form', {
    class: 'search', role: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      Object.assign(state.form, { iin: iin.value.trim(), surname: surname.value.trim(), givenName: given.value.trim(), birth: birth.value.trim() });
      state.cursors = [null];
      state.page = 0;
      run(view);
    },
  },
  h('h1', {}, t('search.title')),
  h('p', { class: 'hint' }, t('search.intro')),
  h('div', { class: 'row' },
    field(t('search.iin'), iin, t('search.iinHint')),
    h('span', { class: 'or' }, t('search.or')),
    field(t('search.surname'), surname),
    field(t('search.givenName'), given),
    field(t('search.birthDate'), birth, t('date.hint'))),
  h('button', { type: 'submit' }, t('search.submit')));
  main.append(form, h('section', { id: 'results', 'aria-label': t('search.results') }));
  show(view);
}

function variables() {
  const f = state.form;
  if (f.iin) {
    if (!/^\d{12}$/.test(f.iin)) throw new Error(t('search.badIin', { value: f.iin }));
    return { iin: f.iin };
  }
  if (!f.surname || !f.givenName) throw new Error(t('search.needNames'));
  const out = { surname: f.surname, givenName: f.givenName };
  if (f.birth) {
    const iso = parseDate(f.birth);
    if (!iso) throw new Error(t('date.bad', { value: f.birth }));
    out.birthDate = iso;
  }
  return out;
}

async function run(view) {
  state.error = '';
  let vars;
  try {
    vars = variables();
  } catch (e) {
    state.result = null;
    state.error = e.message;
    show(view);
    return;
  }
  const results = view.main.querySelector('#results');
  if (results) results.setAttribute('aria-busy', 'true');
  try {
    const data = await gql(QUERY, { ...vars, first: PAGE, after: state.cursors[state.page] });
    state.result = data.searchPeople;
  } catch (e) {
    state.result = null;
    state.error = e instanceof ApiError && e.code === 'FORBIDDEN' ? t('error.forbidden', { message: e.message }) : e.message;
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') view.ctx.signedOut();
  }
  show(view);
}

function show(view) {
  const results = view.main.querySelector('#results');
  if (!results) return;
  clear(results);
  results.removeAttribute('aria-busy');
  if (state.error) {
    results.append(h('p', { class: 'error', role: 'alert' }, state.error));
    return;
  }
  const r = state.result;
  if (!r) return;
  if (!r.edges.length) {
    results.append(h('p', { class: 'empty' }, t('search.none')));
    return;
  }
  const rows = r.edges.map(({ node: c }) => [
    h('a', {
      href: `${document.documentElement.dataset.root || ''}/people/${encodeURIComponent(c.id)}`, class: 'person-link',
      onclick: (e) => { e.preventDefault(); view.ctx.go(`/people/${encodeURIComponent(c.id)}`); },
    }, fullName(c)),
    c.iin, date(c.birthDate), t(`sex.${c.sex}`), c.alive ? t('person.alive') : `† ${date(c.deathDate)}`, c.addressId || '—',
  ]);
  results.append(
    h('p', { class: 'count' }, t('search.found', { n: r.totalCount })),
    table(null, [t('person.name'), t('person.iin'), t('person.birthDate'), t('person.sex'), t('person.status'), t('person.address')], rows,
      { class: 'results' }),
    pager(state, r, () => run(view)));
}

/** Drop what the search showed (on signing out: no one's data stays in the tab). */
export function forget() {
  Object.assign(state, { form: { iin: '', surname: '', givenName: '', birth: '' }, cursors: [null], page: 0, result: null, error: '' });
}
