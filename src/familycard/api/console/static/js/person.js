// A person's page, /people/<opaque id>: the family card and the drawn family graph first (the
// page is complete then: performance mark "familycard:person-complete"), then the
// entitlements as of a chosen day, with every condition ✓/✗ in the chosen language, and a
// printable explanation for the citizen in theirs.

import { ApiError, gql, mayAct } from './api.js';
import { answerForm, answered } from './actions.js';
import { clear, field, h, table } from './dom.js';
import { LANGS, lang, t, texts } from './i18n.js';
import { age, date, dateTime, fullName, month, money, parseDate, today } from './format.js';
import * as graphView from './graph.js';

export const NAME = 'person';
export const COMPLETE = 'familycard:person-complete';
export const RIGHTS_SHOWN = 'familycard:person-rights';
export const DATA = 'familycard:person-data';

const PERSON = 'id iin surname givenName patronymic birthDate sex alive deathDate addressId';
const TEXTS = 'kk ru en';
const GRAPH = `familyGraph(id: $id, hops: $hops) {
    root hops truncated
    nodes { id distance citizen { ${PERSON} } }
    edges { type from to since until }
  }`;

const CARD = `query PersonPage($id: ID!, $hops: Int!) {
  familyCard(id: $id) {
    person { ${PERSON} phone bankAccount citizenship source recordedAt
      facts(first: 100) { totalCount edges { node { type validFrom validTo disabilityGroup workCapacityLossPercent
        employerBin month amountKzt name benefit source recordedAt } } } }
    relations { relation since until source recordedAt citizen { ${PERSON} } }
    household { ${PERSON} }
    dependants { ${PERSON} }
    offers(first: 50) { totalCount edges { node { id status attempt number amountKzt periodicity event firstFoundOn
      offeredAt sentAt deadline answeredAt reason recipientIin subjectIin phone
      benefit { code title { ${TEXTS} } }
      history { kind at cause detail enteredBy } } } }
    assignments { id status periodicity amountKzt assignedOn endedOn endReason event subjectIin benefit { code title { ${TEXTS} } } }
    payments(first: 24) { totalCount edges { node { id orderId month amountKzt bankAccount status createdAt benefit { code title { ${TEXTS} } } } } }
  }
  ${GRAPH}
}`;

const GRAPH_ONLY = `query PersonGraph($id: ID!, $hops: Int!) { ${GRAPH} }`;

const RIGHTS = `query PersonRights($id: ID!, $asOf: Date) {
  familyCard(id: $id) {
    entitlements(asOf: $asOf) {
      benefit { code kind periodicity legalBasis title { ${TEXTS} }
                parameters(asOf: $asOf, amountOnly: true) { name value entries { key value } since reference } }
      entitled recipientIin subjectIin event amountKzt
      checks { id ok text { ${TEXTS} } }
      items { ${TEXTS} }
    }
  }
}`;

export function mount(main, params, ctx) {
  const view = {
    main, ctx, id: params.id, hops: 2, card: null, graph: null, error: '', notice: '',
    asOf: today(), rights: null, rightsError: '', printLang: lang(), cy: null,
  };
  load(view);
  return { relabel: () => { drawAll(view); } };
}

async function load(view) {
  view.main.setAttribute('aria-busy', 'true');
  try {
    const data = await gql(CARD, { id: view.id, hops: view.hops });
    performance.mark(DATA, { detail: { id: view.id } }); // the answer is here: the rest is drawing
    view.card = data.familyCard;
    view.graph = data.familyGraph;
    view.error = view.card ? '' : t('person.notFound');
  } catch (e) {
    view.error = e.message;
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') view.ctx.signedOut();
  }
  const focused = document.activeElement;
  await drawAll(view);
  view.main.removeAttribute('aria-busy');
  // a re-centre by keyboard removed the item that had focus: it goes to the new person's name
  if (!focused || focused === document.body || !focused.isConnected) {
    const name = view.main.querySelector('#person-name');
    if (name) name.focus({ preventScroll: true });
  }
  view.main.dataset.complete = view.id;
  performance.mark(COMPLETE, { detail: { id: view.id, people: view.graph ? view.graph.nodes.length : 0 } });
  if (view.card && !view.rights) loadRights(view);
}

async function loadRights(view) {
  const box = view.main.querySelector('#rights-list');
  if (box) box.setAttribute('aria-busy', 'true');
  // a day asked for while the last one's answer is on its way: only the latest answer is shown
  view.rightsAsked = (view.rightsAsked || 0) + 1;
  const asked = view.rightsAsked;
  let rights = null;
  let error = '';
  try {
    const data = await gql(RIGHTS, { id: view.id, asOf: view.asOf });
    rights = data.familyCard ? data.familyCard.entitlements : [];
  } catch (e) {
    error = e.message;
  }
  if (asked !== view.rightsAsked) return;
  view.rights = rights;
  view.rightsError = error;
  drawRights(view);
  drawPrint(view);
  performance.mark(RIGHTS_SHOWN, { detail: { id: view.id } });
}

async function drawAll(view) {
  const { main } = view;
  if (view.cy) view.cy.destroy();
  view.cy = null;
  clear(main);
  if (view.error || !view.card) {
    main.append(h('p', { class: 'error', role: 'alert' }, view.error || t('person.notFound')));
    return;
  }
  const p = view.card.person;
  main.append(
    h('div', { class: 'no-print' },
      h('h1', { id: 'person-name', tabindex: -1 }, fullName(p)),
      view.notice ? h('p', { class: 'status ok', role: 'status' }, view.notice) : null,
      personFacts(p),
      graphSection(view),
      h('div', { class: 'columns' }, relations(view), household(view)),
      factsTable(p),
      rightsSection(view),
      offers(view),
      assignments(view),
      payments(view)),
    h('section', { id: 'print-sheet', class: 'print-only', 'aria-hidden': 'true' }));
  drawRights(view);
  drawPrint(view);
  await drawGraph(view);
}

function personLink(view, c) {
  return h('a', {
    href: `${document.documentElement.dataset.root || ''}/people/${encodeURIComponent(c.id)}`,
    onclick: (e) => { e.preventDefault(); view.ctx.go(`/people/${encodeURIComponent(c.id)}`); },
  }, fullName(c));
}

function personFacts(p) {
  const row = (k, v) => [h('dt', {}, k), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)];
  return h('dl', { class: 'person', id: 'person-facts' },
    row(t('person.iin'), p.iin),
    row(t('person.birthDate'), `${date(p.birthDate)} (${t('graph.age', { n: age(p.birthDate, p.deathDate) })})`),
    row(t('person.sex'), t(`sex.${p.sex}`)),
    row(t('person.status'), p.alive ? t('person.alive') : `${t('person.dead')} ${date(p.deathDate)}`),
    row(t('person.address'), p.addressId),
    row(t('person.phone'), p.phone),
    row(t('person.account'), p.bankAccount),
    row(t('person.citizenship'), p.citizenship),
    row(t('person.source'), `${p.source}, ${dateTime(p.recordedAt)}`));
}

// --- the graph ---------------------------------------------------------------------------------

function graphSection(view) {
  const hops = h('select', {
    id: 'hops',
    onchange: async (e) => {
      const hops = Number(e.target.value);
      view.hops = hops;
      let graph = null;
      try {
        graph = (await gql(GRAPH_ONLY, { id: view.id, hops })).familyGraph;
      } catch (err) {
        view.main.querySelector('#graph-note').hidden = false;
        view.main.querySelector('#graph-note').textContent = err.message;
        return;
      }
      if (hops !== view.hops) return; // another number was chosen meanwhile: its answer draws
      view.graph = graph;
      await drawGraph(view);
    },
  }, [1, 2, 3].map((n) => h('option', { value: n, selected: n === view.hops }, String(n))));
  return h('section', { id: 'graph', 'aria-labelledby': 'graph-title' },
    h('h2', { id: 'graph-title' }, t('graph.title')),
    h('div', { class: 'graph-tools' }, field(t('graph.hopsLabel'), hops), graphView.legend()),
    h('p', { id: 'graph-note', class: 'note', role: 'note', hidden: true }),
    h('div', { class: 'graph-box' },
      h('div', { id: 'graph-canvas', class: 'graph-canvas', role: 'img', 'aria-label': t('graph.canvasLabel') }),
      h('div', { id: 'graph-list', class: 'graph-list' })));
}

async function drawGraph(view) {
  const canvas = view.main.querySelector('#graph-canvas');
  const listBox = view.main.querySelector('#graph-list');
  const note = view.main.querySelector('#graph-note');
  if (!canvas || !view.graph) return;
  if (view.cy) view.cy.destroy();
  canvas.replaceChildren();
  note.hidden = !view.graph.truncated;
  note.textContent = view.graph.truncated ? t('graph.truncated', { n: view.graph.nodes.length }) : '';
  canvas.dataset.people = view.graph.nodes.length;
  view.cy = await graphView.draw(canvas, listBox, view.graph, (id) => view.ctx.go(`/people/${encodeURIComponent(id)}`));
}

// --- the card ----------------------------------------------------------------------------------

function relations(view) {
  const rows = view.card.relations.map((r) => [
    t(`relation.${r.relation}`), personLink(view, r.citizen), date(r.citizen.birthDate),
    date(r.since) || '—', date(r.until) || '—', r.source, dateTime(r.recordedAt)]);
  return h('section', { id: 'relations' }, h('h2', {}, t('card.relations')),
    rows.length ? table(null, [t('card.relation'), t('person.name'), t('person.birthDate'), t('card.since'), t('card.until'),
      t('card.source'), t('card.recorded')], rows) : h('p', { class: 'empty' }, t('card.none')));
}

function household(view) {
  const list = (items, id, title) => h('section', { id }, h('h2', {}, title),
    items.length ? h('ul', {}, items.map((c) => h('li', {}, personLink(view, c), ` · ${date(c.birthDate)}`,
      c.alive ? '' : ` · † ${date(c.deathDate)}`))) : h('p', { class: 'empty' }, t('card.none')));
  return h('div', {}, list(view.card.household, 'household', t('card.household')),
    list(view.card.dependants, 'dependants', t('card.dependants')));
}

function factDetail(f) {
  const bits = [];
  if (f.disabilityGroup) bits.push(t('fact.group', { g: f.disabilityGroup }));
  if (f.workCapacityLossPercent !== null && f.workCapacityLossPercent !== undefined) bits.push(`${f.workCapacityLossPercent} %`);
  if (f.employerBin) bits.push(t('fact.employer', { bin: f.employerBin }));
  if (f.month) bits.push(month(f.month));
  if (f.amountKzt !== null && f.amountKzt !== undefined) bits.push(money(f.amountKzt));
  if (f.name) bits.push(f.name);
  if (f.benefit) bits.push(f.benefit);
  return bits.join(' · ');
}

function factsTable(p) {
  const facts = p.facts.edges.map((e) => e.node);
  const rows = facts.map((f) => [t(`fact.${f.type}`), date(f.validFrom) || '—', date(f.validTo) || '—', factDetail(f),
    f.source, dateTime(f.recordedAt)]);
  return h('section', { id: 'facts' }, h('h2', {}, t('card.facts')),
    rows.length ? table(null, [t('fact.type'), t('card.from'), t('card.until'), t('fact.detail'), t('card.source'),
      t('card.recorded')], rows) : h('p', { class: 'empty' }, t('card.none')));
}

// --- entitlements ------------------------------------------------------------------------------

function rightsSection(view) {
  const asOf = h('input', { id: 'as-of', autocomplete: 'off', maxlength: 10, value: date(view.asOf) });
  const error = h('p', { class: 'error', role: 'alert' });
  const printLang = h('select', {
    id: 'print-lang', onchange: (e) => { view.printLang = e.target.value; drawPrint(view); },
  }, LANGS.map((l) => h('option', { value: l, selected: l === view.printLang }, t(`lang.${l}`))));
  return h('section', { id: 'rights' },
    h('h2', {}, t('rights.title')),
    h('form', {
      class: 'row',
      onsubmit: (e) => {
        e.preventDefault();
        const iso = parseDate(asOf.value);
        if (!iso) {
          error.textContent = t('date.bad', { value: asOf.value });
          return;
        }
        error.textContent = '';
        view.asOf = iso;
        loadRights(view);
      },
    }, field(t('rights.asOf'), asOf, t('date.hint')), h('button', { type: 'submit' }, t('rights.show')),
    field(t('rights.printLang'), printLang),
    h('button', { type: 'button', class: 'secondary', id: 'print', onclick: () => window.print() }, t('rights.print'))),
    error,
    h('div', { id: 'rights-list' }, h('p', { class: 'loading' }, t('loading'))));
}

function sortRights(rights) {
  return [...rights].sort((a, b) => Number(b.entitled) - Number(a.entitled));
}

function rightArticle(r, l) {
  const title = texts(r.benefit.title, l);
  const facts = [];
  if (r.amountKzt !== null && r.amountKzt !== undefined) facts.push([t('rights.amount', {}, l), money(r.amountKzt)]);
  if (r.recipientIin) facts.push([t('rights.recipient', {}, l), r.recipientIin]);
  if (r.subjectIin) facts.push([t('rights.subject', {}, l), r.subjectIin]);
  if (r.event) facts.push([t('rights.event', {}, l), date(r.event)]);
  facts.push([t('rights.basis', {}, l), r.benefit.legalBasis]);
  return h('article', { class: `right ${r.entitled ? 'yes' : 'no'}`, dataset: { code: r.benefit.code } },
    h('h3', {}, h('span', { class: 'mark', 'aria-hidden': 'true' }, r.entitled ? '✓' : '✗'), ' ', title, ' — ',
      h('span', { class: 'verdict' }, r.entitled ? t('rights.yes', {}, l) : t('rights.no', {}, l))),
    h('dl', { class: 'inline' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('ul', { class: 'checks' }, r.checks.map((c) => h('li', { class: c.ok ? 'ok' : 'fail', dataset: { check: c.id } },
      h('span', { class: 'mark' }, c.ok ? '✓' : '✗'), ' ',
      h('span', { class: 'sr-only' }, c.ok ? t('rights.holds', {}, l) : t('rights.fails', {}, l)), texts(c.text, l)))),
    r.items.length ? h('ul', { class: 'items' }, r.items.map((i) => h('li', {}, texts(i, l)))) : null,
    amountParameters(r, l));
}

// The parameters the amount used, each with its value on the day and the law that set it.
function amountParameters(r, l) {
  const params = r.entitled && r.amountKzt !== null && r.amountKzt !== undefined ? r.benefit.parameters || [] : [];
  if (!params.length) return null;
  const value = (p) => (p.value !== null ? p.value : p.entries.map((e) => `${e.key}: ${e.value}`).join(', '));
  return h('ul', { class: 'params', 'aria-label': t('rights.params', {}, l) }, params.map((p) => h('li',
    { dataset: { param: p.name } }, `${p.name} = ${value(p)} (${t('rights.since', { date: date(p.since) }, l)}): `,
    h('cite', {}, p.reference))));
}

function drawRights(view) {
  const box = view.main.querySelector('#rights-list');
  if (!box) return;
  box.removeAttribute('aria-busy');
  if (view.rightsError) {
    box.replaceChildren(h('p', { class: 'error', role: 'alert' }, view.rightsError));
    return;
  }
  if (!view.rights) return;
  box.replaceChildren(
    h('p', { class: 'count' }, t('rights.summary', { date: date(view.asOf), yes: view.rights.filter((r) => r.entitled).length,
      n: view.rights.length })),
    ...(view.rights.length ? sortRights(view.rights).map((r) => rightArticle(r, lang())) : [h('p', { class: 'empty' }, t('rights.none'))]));
}

function drawPrint(view) {
  const sheet = view.main.querySelector('#print-sheet');
  if (!sheet || !view.card) return;
  const l = view.printLang;
  const p = view.card.person;
  sheet.setAttribute('lang', l);
  sheet.replaceChildren(
    h('h1', {}, t('print.title', {}, l)),
    h('p', {}, t('print.for', { name: fullName(p), iin: p.iin, date: date(view.asOf) }, l)),
    h('p', {}, t('print.intro', {}, l)),
    ...(view.rights ? sortRights(view.rights).map((r) => rightArticle(r, l)) : []),
    h('p', { class: 'footer' }, t('print.footer', { date: date(today()) }, l)));
}

// --- offers, assignments, payments -------------------------------------------------------------

function historyTable(events) {
  return table(null, [t('history.kind'), t('history.at'), t('history.cause'), t('history.detail')], events.map((ev) => [
    t(`event.${ev.kind}`), dateTime(ev.at),
    ev.enteredBy ? h('span', { class: 'staff' }, t('history.staff', { who: ev.enteredBy }), ' — ', ev.cause) : ev.cause,
    ev.detail || '']), { class: 'history' });
}

function offers(view) {
  const items = view.card.offers.edges.map((e) => e.node);
  return h('section', { id: 'offers' }, h('h2', {}, t('card.offers', { n: view.card.offers.totalCount })),
    items.length ? items.map((o) => h('article', { class: 'offer', dataset: { offer: o.id, status: o.status } },
      h('h3', {}, texts(o.benefit.title), ' — ', h('span', { class: 'status-tag' }, t(`offer.${o.status}`))),
      h('dl', { class: 'inline' },
        o.amountKzt !== null ? [h('dt', {}, t('rights.amount')), h('dd', {}, money(o.amountKzt))] : null,
        [h('dt', {}, t('offer.attempt')), h('dd', {}, String(o.attempt))],
        [h('dt', {}, t('offer.found')), h('dd', {}, date(o.firstFoundOn))],
        o.sentAt ? [h('dt', {}, t('offer.sent')), h('dd', {}, dateTime(o.sentAt))] : null,
        o.deadline ? [h('dt', {}, t('offer.deadline')), h('dd', {}, dateTime(o.deadline))] : null,
        o.answeredAt ? [h('dt', {}, t('offer.answered')), h('dd', {}, dateTime(o.answeredAt))] : null,
        [h('dt', {}, t('person.phone')), h('dd', {}, o.phone || '—')],
        o.reason ? [h('dt', {}, t('offer.reason')), h('dd', {}, o.reason)] : null),
      historyTable(o.history),
      o.status === 'OPEN' && mayAct() ? answerForm(o.id, (r) => {
        view.notice = answered(r);
        view.rights = null;
        load(view);
      }) : null))
      : h('p', { class: 'empty' }, t('card.none')));
}

function assignments(view) {
  const rows = view.card.assignments.map((a) => [texts(a.benefit.title), t(`assignment.${a.status}`), t(`periodicity.${a.periodicity}`),
    money(a.amountKzt), date(a.assignedOn), date(a.endedOn) || '—', a.endReason || '']);
  return h('section', { id: 'assignments' }, h('h2', {}, t('card.assignments')),
    rows.length ? table(null, [t('card.benefit'), t('card.status'), t('card.periodicity'), t('rights.amount'), t('card.assignedOn'),
      t('card.endedOn'), t('card.endReason')], rows) : h('p', { class: 'empty' }, t('card.none')));
}

function payments(view) {
  const rows = view.card.payments.edges.map(({ node: p }) => [month(p.month), texts(p.benefit.title), money(p.amountKzt), p.bankAccount || '—',
    t(`payment.${p.status}`), dateTime(p.createdAt), p.orderId]);
  return h('section', { id: 'payments' }, h('h2', {}, t('card.payments', { n: view.card.payments.totalCount })),
    rows.length ? table(null, [t('card.month'), t('card.benefit'), t('rights.amount'), t('person.account'), t('card.status'),
      t('card.created'), t('card.order')], rows) : h('p', { class: 'empty' }, t('card.none')));
}
