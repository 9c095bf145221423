// The worklist: caseworkers' tasks (no phone, invalid phone, SMS refused, no valid account…),
// oldest first, filtered by reason, status and address, paged; a task is closed with a note, and
// an answer the citizen gave in person is recorded for the task's offer.

import { ApiError, gql, mayAct } from './api.js';
import { answerForm, answered, closeForm } from './actions.js';
import { clear, field, h } from './dom.js';
import { t, texts } from './i18n.js';
import { dateTime, fullName, date, money } from './format.js';
import { pager } from './lists.js';

export const NAME = 'worklist';
export const REASONS = ['NO_PHONE', 'INVALID_PHONE', 'SMS_FAILED', 'NO_ACCOUNT', 'INVALID_ACCOUNT', 'SHARED_PHONE', 'WITHDRAWN', 'ENDED'];
const PAGE = 20;

const QUERY = `query Worklist($filter: TaskFilter, $first: Int, $after: String) {
  worklist(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id reason reasonText { kk ru en } detail status createdAt closedAt closedBy note
      benefit { code title { kk ru en } }
      citizen { id iin surname givenName patronymic birthDate addressId phone }
      offer { id status amountKzt deadline }
    } }
  }
}`;

const BENEFITS = 'query Benefits { benefits { code kind title { kk ru en } } }';

const state = { reason: '', status: 'OPEN', address: '', benefit: '', cursors: [null], page: 0, result: null, error: '', notice: '' };
let benefits = []; // the public catalogue, for the filter: read once

export function forget() {
  Object.assign(state, { reason: '', status: 'OPEN', address: '', benefit: '', cursors: [null], page: 0, result: null, error: '', notice: '' });
}

export function mount(main, params, ctx) {
  const view = { main, ctx };
  draw(view);
  run(view);
  if (!benefits.length) {
    gql(BENEFITS).then((data) => {
      benefits = data.benefits.filter((b) => b.kind === 'BENEFIT');
      const select = main.querySelector('select[name=benefit]');
      if (select) select.append(...benefitOptions()); // in place: what the user typed meanwhile stays
    }).catch(() => {}); // the filter then offers "any benefit" only; the list itself says what failed
  }
  return { relabel: () => { draw(view); show(view); } };
}

function benefitOptions() {
  return benefits.map((b) => h('option', { value: b.code, selected: b.code === state.benefit }, texts(b.title)));
}

function draw(view) {
  const { main } = view;
  clear(main);
  const reason = h('select', { name: 'reason' }, h('option', { value: '' }, t('task.anyReason')),
    REASONS.map((r) => h('option', { value: r, selected: r === state.reason }, t(`reason.${r}`))));
  const status = h('select', { name: 'status' },
    ['OPEN', 'CLOSED'].map((s) => h('option', { value: s, selected: s === state.status }, t(`taskStatus.${s}`))));
  const address = h('input', { name: 'addressId', autocomplete: 'off', maxlength: 64, value: state.address });
  const benefit = h('select', { name: 'benefit' }, h('option', { value: '' }, t('task.anyBenefit')), benefitOptions());
  main.append(
    h('h1', {}, t('worklist.title')),
    h('form', {
      class: 'row filters',
      onsubmit: (e) => {
        e.preventDefault();
        Object.assign(state, {
          notice: '', reason: reason.value, status: status.value, address: address.value.trim(), benefit: benefit.value,
          cursors: [null], page: 0,
        });
        run(view);
      },
    }, field(t('task.reason'), reason), field(t('task.status'), status), field(t('card.benefit'), benefit),
    field(t('person.address'), address),
    h('button', { type: 'submit' }, t('worklist.filter'))),
    h('section', { id: 'tasks', 'aria-label': t('worklist.title') }));
  show(view);
}

async function run(view) {
  const busy = view.main.querySelector('#tasks');
  if (busy) busy.setAttribute('aria-busy', 'true');
  const filter = { status: state.status };
  if (state.reason) filter.reason = state.reason;
  if (state.address) filter.addressId = state.address;
  if (state.benefit) filter.benefit = state.benefit;
  try {
    state.result = (await gql(QUERY, { filter, first: PAGE, after: state.cursors[state.page] })).worklist;
    state.error = '';
  } catch (e) {
    state.result = null;
    state.error = e instanceof ApiError && e.code === 'FORBIDDEN' ? t('error.forbidden', { message: e.message }) : e.message;
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') view.ctx.signedOut();
  }
  show(view);
}

function taskArticle(view, task) {
  const c = task.citizen;
  const root = document.documentElement.dataset.root || '';
  const done = (message) => {
    state.notice = message;
    run(view);
  };
  return h('article', { class: 'task', dataset: { task: task.id, reason: task.reason, status: task.status, address: (c && c.addressId) || '' } },
    h('h2', {}, texts(task.reasonText), ' — ', texts(task.benefit.title)),
    h('dl', { class: 'inline' },
      h('dt', {}, t('task.created')), h('dd', {}, dateTime(task.createdAt)),
      h('dt', {}, t('task.citizen')), h('dd', {}, c ? [h('a', {
        href: `${root}/people/${encodeURIComponent(c.id)}`,
        onclick: (e) => { e.preventDefault(); view.ctx.go(`/people/${encodeURIComponent(c.id)}`); },
      }, fullName(c)), ` · ${c.iin} · ${date(c.birthDate)}`] : '—'),
      h('dt', {}, t('person.address')), h('dd', {}, (c && c.addressId) || '—'),
      h('dt', {}, t('person.phone')), h('dd', {}, (c && c.phone) || '—'),
      task.detail ? [h('dt', {}, t('task.detail')), h('dd', {}, task.detail)] : null,
      task.offer ? [h('dt', {}, t('task.offer')), h('dd', {}, t(`offer.${task.offer.status}`),
        task.offer.amountKzt !== null ? ` · ${money(task.offer.amountKzt)}` : '')] : null,
      task.status === 'CLOSED' ? [h('dt', {}, t('task.closedBy')), h('dd', {}, `${task.closedBy || ''} · ${dateTime(task.closedAt)}`),
        h('dt', {}, t('task.note')), h('dd', {}, task.note || '')] : null),
    task.status === 'OPEN' && mayAct() ? h('div', { class: 'actions' },
      task.offer && task.offer.status === 'OPEN' ? answerForm(task.offer.id, (r) => done(answered(r))) : null,
      closeForm(task.id, () => done(t('task.closed')))) : null);
}

function show(view) {
  const box = view.main.querySelector('#tasks');
  if (!box) return;
  clear(box);
  box.removeAttribute('aria-busy');
  if (state.notice) box.append(h('p', { class: 'status ok', role: 'status', id: 'notice' }, state.notice));
  if (state.error) {
    box.append(h('p', { class: 'error', role: 'alert' }, state.error));
    return;
  }
  const r = state.result;
  if (!r) {
    box.append(h('p', { class: 'loading' }, t('loading')));
    return;
  }
  box.append(h('p', { class: 'count' }, t('worklist.count', { n: r.totalCount })));
  if (!r.edges.length) box.append(h('p', { class: 'empty' }, t('worklist.none')));
  for (const { node } of r.edges) box.append(taskArticle(view, node));
  box.append(pager(state, r, () => run(view)));
}
