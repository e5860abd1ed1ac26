// The sign-in page: plain DOM and fetch against the service's own API, on the same origin.
// The session cookie is HttpOnly, so this script never sees it; it keeps only the CSRF token,
// which unsafe requests made with the cookie must carry.

const CSRF_KEY = 'gatehouse.csrf';
const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const csrf = sessionStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok)
    throw Object.assign(new Error(data?.error?.message ?? `HTTP ${response.status}`), { status: response.status });
  return data;
}

function say(message) {
  $('status').textContent = message;
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function button(row, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => onClick().catch((error) => say(error.message)));
  row.insertCell().append(b);
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : 'never');

async function showSessions() {
  const { data } = await api('GET', '/me/sessions');
  const body = $('sessions');
  body.replaceChildren();
  for (const session of data) {
    const row = body.insertRow();
    row.dataset.sessionId = session.id;
    cell(row, when(session.created_at));
    cell(row, when(session.last_seen_at));
    cell(row, `${session.ip ?? '?'} ${session.current ? '(this browser)' : ''}`);
    button(row, session.current ? 'Sign out here' : 'End', async () => {
      await api('DELETE', `/me/sessions/${encodeURIComponent(session.id)}`);
      if (session.current) return showSignIn('Signed out.');
      await showSessions();
    });
  }
}

async function showKeys() {
  const { data } = await api('GET', '/api-keys');
  const body = $('keys');
  body.replaceChildren();
  for (const key of data) {
    const row = body.insertRow();
    row.dataset.keyId = key.id;
    cell(row, key.name);
    cell(row, `${key.prefix}…`);
    cell(row, key.permissions.join(', '));
    cell(row, when(key.last_used_at));
    button(row, 'Revoke', async () => {
      await api('DELETE', `/api-keys/${encodeURIComponent(key.id)}`);
      $('new-key-secret').hidden = true;
      await showKeys();
    });
  }
}

async function showSignedIn() {
  const { message } = await api('GET', '/dashboard');
  $('greeting').textContent = message;
  $('sign-in').hidden = true;
  $('signed-in').hidden = false;
  await Promise.all([showSessions(), showKeys()]);
}

function showSignIn(message) {
  sessionStorage.removeItem(CSRF_KEY);
  $('signed-in').hidden = true;
  $('new-key-secret').hidden = true;
  $('sign-in').hidden = false;
  say(message ?? '');
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const { csrf_token } = await api('POST', '/login', {
      username: form.get('username'),
      password: form.get('password'),
    });
    sessionStorage.setItem(CSRF_KEY, csrf_token);
    event.target.reset();
    say('');
    await showSignedIn();
  } catch (error) {
    say(error.message);
  }
});

$('new-key').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const permissions = ['read', 'write'].filter((p) => form.get(p) === 'on');
  try {
    const created = await api('POST', '/api-keys', { name: form.get('name'), permissions });
    $('secret').textContent = created.key;
    $('new-key-secret').hidden = false;
    event.target.reset();
    await showKeys();
  } catch (error) {
    say(error.message);
  }
});

$('sign-out').addEventListener('click', async () => {
  await api('POST', '/logout').catch(() => undefined);
  showSignIn('Signed out.');
});

// A session may still be live from before a reload; without its CSRF token, sign in again.
(async () => {
  if (!sessionStorage.getItem(CSRF_KEY)) return showSignIn();
  try {
    await showSignedIn();
  } catch {
    showSignIn();
  }
})();
