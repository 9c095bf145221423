// What the look-ahead views share: a day field, the benefit catalogue for a filter, a person
// as a link to their page, a pager over a connection, and an error in the page's words; and the
// round of a view computed by the server when asked: mount, submit, "computing…", the result.

import { ApiError, gql, root } from './api.js';
import { clear, field, h } from './dom.js';
import { t, texts } from './i18n.js';
import { date, fullName, parseDate } from './format.js';

const BENEFITS = 'query Benefits { benefits { code kind title { kk ru en } } }';
let catalogue = null; // the public catalogue: read once a page load

/** The benefits (not the notices) for a filter, asked once. */
export function benefits() {
  if (!catalogue) catalogue = gql(BENEFITS).then((data) => data.benefits).catch(() => { catalogue = null; return []; });
  return catalogue;
}

/** A <select name=…> of "any benefit" then the catalogue's, filled in place when it comes. */
export function benefitSelect(name, selected, withNotices) {
  const select = h('select', { name }, h('option', { value: '' }, t('task.anyBenefit')));
  benefits().then((list) => select.append(...list.filter((b) => withNotices || b.kind === 'BENEFIT')
    .map((b) => h('option', { value: b.code, selected: b.code === selected }, texts(b.title)))));
  return select;
}

/** A day typed as dd.mm.yyyy: the input and its labelled field. */
export function dayInput(name, iso) {
  return h('input', { name, autocomplete: 'off', maxlength: 10, placeholder: t('date.placeholder'), value: date(iso) });
}

export function dayField(label, input) {
  return field(label, input, t('date.hint'));
}

/** The ISO day of a day input, or an Error saying what is wrong with it. */
export function dayOf(input) {
  const iso = parseDate(input.value);
  if (!iso) throw new Error(t('date.bad', { value: input.value }));
  return iso;
}

/** A person as a link to their page (name, IIN as the role sees it); '—' for none. */
export function personLink(c, go) {
  if (!c) return '—';
  const path = `/people/${encodeURIComponent(c.id)}`;
  return [h('a', { href: root + path, onclick: (e) => { e.preventDefault(); go(path); } }, fullName(c)), ` · ${c.iin}`];
}

/** Previous / page n / next over a connection; `state.cursors[page]` is each page's `after`. */
export function pager(state, conn, run) {
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    h('button', { type: 'button', class: 'secondary', disabled: state.page === 0, onclick: () => { state.page -= 1; run(); } },
      t('pager.prev')),
    h('span', {}, t('pager.page', { n: state.page + 1 })),
    h('button', {
      type: 'button', class: 'secondary', disabled: !conn.pageInfo.hasNextPage,
      onclick: () => { state.cursors[state.page + 1] = conn.pageInfo.endCursor; state.page += 1; run(); },
    }, t('pager.next')));
}

/** What to show for a failed request; signs out when the server no longer takes the token. */
export function failure(e, ctx) {
  if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') ctx.signedOut();
  if (e instanceof ApiError && e.code === 'FORBIDDEN') return t('error.forbidden', { message: e.message });
  if (e instanceof ApiError && (e.code === 'TIMEOUT' || e.status === 504)) return t('lookahead.timeout');
  if (e instanceof ApiError && (e.code === 'BUSY' || e.status === 503)) return t('lookahead.busy');
  return e.message;
}

/** The fields every person in these views shows. */
export const PERSON = 'id iin surname givenName patronymic birthDate';

/** The page's text for `key`, or `fallback` (the server's words) when the page has none. */
export function tOr(key, fallback) {
  const text = t(key);
  return text === key ? fallback : text;
}

/** A view's mount: `draw(view)` now and again on a language switch; `view` for what else the view asks. */
export function mountView(main, ctx, draw) {
  const view = { main, ctx };
  draw(view);
  return { view, relabel: () => draw(view) };
}

/** A filter form's submit: `read()` takes the form into the view's state (an Error names a bad value, shown
 *  in `error`, and nothing is asked), then `run()`. */
export function onSubmit(error, read, run) {
  return (e) => {
    e.preventDefault();
    error.textContent = '';
    try {
      read();
    } catch (err) {
      error.textContent = err.message;
      return;
    }
    run();
  };
}

/** Ask the server for `state.result` (`ask()`), showing "computing…" meanwhile and the failure in the page's
 *  words; `show()` draws the state before and after. */
export async function compute(state, ask, ctx, show) {
  state.busy = true;
  show();
  try {
    state.result = await ask();
    state.error = '';
  } catch (e) {
    state.result = null;
    state.error = failure(e, ctx);
  }
  state.busy = false;
  show();
}

/** The box `selector` emptied, with "computing…" or the error when `state` has one (then null: nothing more to
 *  draw), else the box for the result; null when the view is gone. */
export function resultBox(main, selector, state) {
  const box = main.querySelector(selector);
  if (!box) return null;
  clear(box);
  if (state.busy) {
    box.setAttribute('aria-busy', 'true');
    box.append(h('p', { class: 'loading' }, t('lookahead.computing')));
    return null;
  }
  box.removeAttribute('aria-busy');
  if (state.error) {
    box.append(h('p', { class: 'error', role: 'alert' }, state.error));
    return null;
  }
  return box;
}
