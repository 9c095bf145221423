// Data-quality findings: contradictions between registries a caseworker should clear (two open
// marriages, a benefit paid after death, a possible duplicate person…), as of a day, filtered by
// kind, paged; each with its persons (links to their pages), and why the kind matters and what
// record clears it. Computed by the server when asked: on "Show", never on opening.

import { gql } from './api.js';
import { clear, field, h } from './dom.js';
import { t } from './i18n.js';
import { date, today } from './format.js';
import {
  PERSON, compute, dayField, dayInput, dayOf, failure, mountView, onSubmit, pager, personLink, resultBox, tOr,
} from './lists.js';

export const NAME = 'findings';
const PAGE = 50;

const KINDS = 'query FindingKinds { findingKinds { code title why clears } }';
const QUERY = `query Findings($asOf: Date!, $kind: String, $first: Int, $after: String) {
  findings(asOf: $asOf, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { kind title detail citizens { ${PERSON} } } }
  }
}`;

const fresh = () => ({ asOf: today(), kind: '', cursors: [null], page: 0, result: null, error: '', busy: false });
const state = fresh();
let kinds = null; // the kinds, as the server documents them: asked once a page load

export function forget() {
  Object.assign(state, fresh());
  kinds = null;
}

export function mount(main, params, ctx) {
  const handle = mountView(main, ctx, draw);
  const { view } = handle;
  if (!kinds) {
    gql(KINDS).then((data) => {
      kinds = data.findingKinds;
      draw(view);
    }).catch((e) => {
      state.error = failure(e, ctx);
      show(view);
    });
  }
  return handle;
}

function title(code, fallback) {
  return tOr(`finding.${code}`, fallback);
}

function draw(view) {
  const { main } = view;
  clear(main);
  const asOf = dayInput('asOf', state.asOf);
  const kind = h('select', { name: 'kind' }, h('option', { value: '' }, t('findings.anyKind')),
    (kinds || []).map((k) => h('option', { value: k.code, selected: k.code === state.kind }, title(k.code, k.title))));
  const error = h('p', { class: 'error', role: 'alert' });
  main.append(
    h('h1', {}, t('findings.title')),
    h('p', { class: 'hint' }, t('findings.intro')),
    h('form', {
      class: 'row filters',
      onsubmit: onSubmit(error, () => {
        Object.assign(state, { asOf: dayOf(asOf), kind: kind.value, cursors: [null], page: 0 });
      }, () => run(view)),
    }, dayField(t('rights.asOf'), asOf), field(t('findings.kind'), kind), h('button', { type: 'submit' }, t('worklist.filter'))),
    error,
    h('section', { id: 'findings', 'aria-label': t('findings.title') }));
  show(view);
}

function run(view) {
  const variables = { asOf: state.asOf, first: PAGE, after: state.cursors[state.page] };
  if (state.kind) variables.kind = state.kind;
  return compute(state, async () => (await gql(QUERY, variables)).findings, view.ctx, () => show(view));
}

function findingArticle(view, f) {
  const k = (kinds || []).find((x) => x.code === f.kind);
  return h('article', { class: 'task finding', dataset: { kind: f.kind } },
    h('h2', {}, title(f.kind, f.title)),
    h('dl', { class: 'inline' },
      h('dt', {}, t('findings.persons')),
      h('dd', {}, f.citizens.length ? h('ul', { class: 'persons' }, f.citizens.map((c) => h('li', {}, personLink(c, view.ctx.go)))) : '—'),
      h('dt', {}, t('task.detail')), h('dd', {}, f.detail),
      k ? [h('dt', {}, t('findings.why')), h('dd', {}, k.why), h('dt', {}, t('findings.clears')), h('dd', {}, k.clears)] : null));
}

function show(view) {
  const box = resultBox(view.main, '#findings', state);
  if (!box) return;
  const r = state.result;
  if (!r) {
    box.append(h('p', { class: 'empty' }, t('lookahead.ask')));
    return;
  }
  box.append(h('p', { class: 'count' }, t('findings.count', { n: r.totalCount, date: date(state.asOf) })));
  if (!r.edges.length) {
    box.append(h('p', { class: 'empty' }, t('findings.none')));
    return;
  }
  for (const { node } of r.edges) box.append(findingArticle(view, node));
  box.append(pager(state, r, () => run(view)));
}
