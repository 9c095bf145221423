// The console's shell: sign-in, the header (views, language, sign out) and the router. Each
// view is a module with mount(container, params) returning { relabel() } for a language switch.

import * as api from './api.js';
import { clear, field, h } from './dom.js';
import * as findings from './findings.js';
import { LANGS, lang, onLangChange, setLang, t } from './i18n.js';
import * as lookahead from './lookahead.js';
import * as nearmiss from './nearmiss.js';
import * as person from './person.js';
import * as search from './search.js';
import * as worklist from './worklist.js';

const app = document.getElementById('app');
let current = null;
let renders = 0; // a render that awaited the server gives way to any later one

/** The view for a path under the app's root: [module, params]. */
function route(pathname) {
  const path = pathname.slice(api.root.length) || '/';
  const m = /^\/people\/([A-Za-z0-9_-]{1,400})$/.exec(path);
  if (m) return [person, { id: m[1] }];
  if (path === '/worklist') return [worklist, {}];
  if (path === '/nearmiss') return [nearmiss, {}];
  if (path === '/findings') return [findings, {}];
  if (path === '/lookahead') return [lookahead, {}];
  return [search, {}];
}

/** Open a path of the console (pushState: the back button and a copied link work). */
export function go(path) {
  history.pushState({}, '', api.root + path);
  render();
}

function signInForm(message) {
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', {
    // POST, should the script ever not stop the submission: the token never goes into a URL
    // (and the CSP's form-action 'none' stops the submission anyway)
    class: 'signin', method: 'post',
    onsubmit: async (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      api.signIn(value);
      input.value = '';
      // the server says at once whether it takes the token (and whose it is), not at the first search
      const refused = await identify();
      if (refused) {
        api.signOut(); // not confirmed: not kept
        status.textContent = refused;
        input.focus();
        return;
      }
      render();
    },
  },
  h('h1', {}, t('app.title')),
  h('p', {}, t('signin.intro')),
  field(t('signin.token'), input, t('signin.hint')),
  h('button', { type: 'submit' }, t('signin.submit')),
  status);
  return form;
}

/** The role in the page's language; one this page has no name for (a newer server's) as the server says it. */
function roleName(role) {
  const key = `role.${role}`;
  const name = t(key);
  return name === key ? role : name;
}

function languageSelect() {
  const select = h('select', { id: 'lang', onchange: (e) => setLang(e.target.value) },
    LANGS.map((l) => h('option', { value: l, selected: l === lang() }, t(`lang.${l}`))));
  return h('div', { class: 'lang' }, h('label', { for: 'lang' }, t('lang.label')), select);
}

function header(active) {
  const link = (path, key) => h('a', {
    href: api.root + path, 'aria-current': active === key ? 'page' : null,
    onclick: (e) => { e.preventDefault(); go(path); },
  }, t(`nav.${key}`));
  const who = api.viewer();
  return h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main').focus(); } },
      t('nav.skip')),
    h('a', { class: 'brand', href: `${api.root}/`, onclick: (e) => { e.preventDefault(); go('/'); } }, t('app.title')),
    // the views a role may use, as the server said who the token is (it refuses the others anyway)
    h('nav', { 'aria-label': t('nav.label') }, link('/search', 'search'), link('/worklist', 'worklist'),
      api.isStaff() ? [link('/nearmiss', 'nearmiss'), link('/findings', 'findings')] : null,
      api.mayAudit() ? link('/lookahead', 'lookahead') : null),
    who ? h('span', { class: 'role', id: 'role', title: who.subject }, t('signin.as', { role: roleName(who.role) })) : null,
    languageSelect(),
    h('button', {
      type: 'button', id: 'signout', class: 'secondary',
      onclick: () => { signOut(); history.pushState({}, '', `${api.root}/`); render(); },
    }, t('signin.out')));
}

/** Forget the token and whatever the views kept of what they showed. */
function signOut() {
  api.signOut();
  search.forget();
  worklist.forget();
  nearmiss.forget();
  findings.forget();
  lookahead.forget();
}

/** Ask the server who the kept token is: null once it said, else what to tell the user (the
 *  token is forgotten when the server refuses it). */
async function identify() {
  try {
    await api.whoAmI();
    return null;
  } catch (err) {
    if (err.code === 'UNAUTHENTICATED' || err.status === 401) {
      signOut();
      return t('signin.refused');
    }
    return t('signin.unreachable', { error: err.message });
  }
}

async function render(message) {
  const n = ++renders;
  document.documentElement.lang = lang();
  document.title = t('app.title');
  clear(app);
  current = null;
  if (!api.token()) {
    app.append(h('header', { class: 'top' }, h('span', { class: 'brand' }, t('app.title')), languageSelect()),
      h('main', { id: 'main' }, signInForm(message)));
    app.querySelector('input[type=password]').focus();
    return;
  }
  if (!api.viewer()) {
    // a load with a kept token: who it is first (its role decides which forms there are)
    app.append(h('main', { id: 'main' }, h('p', { class: 'loading' }, t('loading'))));
    const refused = await identify();
    if (n !== renders) return;
    if (refused || !api.viewer()) {
      if (api.token()) {
        // the server could not be asked (not a refusal): say so, and let the user try again
        clear(app);
        app.append(h('main', { id: 'main' }, h('p', { class: 'error', role: 'alert' }, refused),
          h('button', { type: 'button', onclick: () => render() }, t('retry')),
          h('button', { type: 'button', id: 'signout', class: 'secondary', onclick: () => { signOut(); render(); } },
            t('signin.out'))));
        return;
      }
      render(t('signin.expired')); // the kept token was refused: expired or revoked since
      return;
    }
    clear(app);
  }
  const [view, params] = route(location.pathname);
  const main = h('main', { id: 'main', tabindex: -1 });
  app.append(header(view.NAME), main);
  // the server refused the token mid-session (expired, revoked): sign in again, told why
  current = view.mount(main, params, { go, signedOut: () => { signOut(); render(t('signin.expired')); } });
}

onLangChange(() => {
  // the shell is rebuilt; the view keeps its data and relabels itself (no second read logged)
  document.documentElement.lang = lang();
  document.title = t('app.title');
  if (!current) {
    render();
    return;
  }
  const main = document.getElementById('main');
  const [view] = route(location.pathname);
  app.replaceChild(header(view.NAME), app.firstChild);
  current.relabel(main);
});

window.addEventListener('popstate', () => render());
render();
