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
  viewerNow = null;
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

// Who the server takes the token to be ({ role, subject }, the role in lower case as the
// README names it), asked once after signing in and once on a load with a kept token: an API
// key names no role the page could read, and a page that guessed showed an auditor or a
// frontend forms the server then refused. Kept in memory only: a reload asks again.
let viewerNow = null;

/** Ask the server who the token is; an ApiError (UNAUTHENTICATED for a token it refuses). */
export async function whoAmI() {
  const data = await gql('query Viewer { viewer { role subject } }');
  viewerNow = { role: String(data.viewer.role).toLowerCase(), subject: data.viewer.subject };
  return viewerNow;
}

/** The signed-in caller as the server said, or null before it has. */
export function viewer() {
  return viewerNow;
}

/** Whether the signed-in role may close tasks and record answers (caseworker, admin), as the
 *  server said: unknown is no (the forms appear once the server has answered). */
export function mayAct() {
  return viewerNow !== null && ['caseworker', 'admin'].includes(viewerNow.role);
}

/** Whether the signed-in role is staff (caseworker, auditor, admin): near misses and findings. */
export function isStaff() {
  return viewerNow !== null && ['caseworker', 'auditor', 'admin'].includes(viewerNow.role);
}

/** Whether the signed-in role audits (auditor, admin): the forward calendar and the what-if. */
export function mayAudit() {
  return viewerNow !== null && ['auditor', 'admin'].includes(viewerNow.role);
}
