// Runs graphql-http's server audits (GraphQL over HTTP conformance) against a running server
// and prints one JSON line per audit: {"id", "name", "status": "ok"|"warn"|"notice"|"error", "reason"}.
//
//   node audit.mjs <url> [bearer token]      (or the token in GRAPHQL_AUDIT_TOKEN)
//
// The token goes in an Authorization header on every request of the audit (a custom fetchFn):
// the audits themselves send none. tests/api/test_http.py runs this against a real uvicorn.
import { serverAudits } from 'graphql-http';

const [url, argToken] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs <url> [bearer token]');
  process.exit(2);
}
const token = argToken || process.env.GRAPHQL_AUDIT_TOKEN;

function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  let result;
  try {
    result = await audit.fn();
  } catch (e) {
    // an audit throws only on a fatal error (the server unreachable, say)
    result = { id: audit.id, name: audit.name, status: 'error', reason: `fatal: ${e && e.message}` };
  }
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    if (result.response) line.httpStatus = result.response.status;
  }
  console.log(JSON.stringify(line));
}
