// The GraphQL API, called with the token the user typed. The token lives in this tab's
// sessionStorage only: never in a URL (nothing puts it in one), never in localStorage (it would
// outlive the tab), never logged; signing out removes it.

const KEY = 'familycard.token';

/** The app's root path (behind a proxy's prefix), as the server wrote it into the page. */
export const root = document.documentElement.dataset.root || '';

export function token() {
  return sessionStorage.getItem(KEY);
}

export function signIn(value) {
  sessionStorage.setItem(KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** Run a query; its data, or an ApiError naming what the server said (the first error's code). */
export async function gql(query, variables) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let response;
  try {
    response = await fetch(`${root}/graphql`, {
      method: 'POST', headers, body: JSON.stringify({ query, variables: variables || {} }),
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    throw new ApiError(String(e.message || e), 'NETWORK', 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new ApiError(`HTTP ${response.status}`, 'HTTP', response.status);
  }
  const errors = (body && body.errors) || [];
  if (errors.length) {
    const code = (errors[0].extensions && errors[0].extensions.code) || (response.status === 401 ? 'UNAUTHENTICATED' : 'ERROR');
    throw new ApiError(errors.map((e) => e.message).join('; '), code, response.status);
  }
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, 'HTTP', response.status);
  return body.data;
}

/** The role a JWT names (read, not verified: the server verifies; only to label the page).
 *  An API key carries none: null. */
export function tokenRole(value) {
  const parts = (value || '').split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const role = JSON.parse(json).role;
    return typeof role === 'string' ? role : null;
  } catch (e) {
    return null;
  }
}

/** Whether the signed-in role may close tasks and record answers (caseworker, admin). Known for a
 *  JWT; an API key names no role here: then the forms are shown and the server decides. */
export function mayAct() {
  return !['auditor', 'frontend'].includes(tokenRole(token()));
}
