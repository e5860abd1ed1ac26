// The sign-in page: plain DOM and fetch against the service's own API, on the same origin.
// The session cookie is HttpOnly, so this script never sees it. It keeps the session's CSRF
// token in memory only; after a reload, GET /me/session answers it again.
// admin.js adds the admin console and passkeys.js the passkeys; all are classic scripts sharing
// these few globals.

// `afterConfirm`: the sensitive action a stale session was refused, retried once the password is confirmed.
// `hasTotp`: the account has TOTP, so sudo mode wants a code with the password (or a passkey alone).
const page = { csrfToken: undefined, user: undefined, afterConfirm: undefined, hasTotp: false, recoveryMode: false };
const $ = (id) => document.getElementById(id);

/** Calls the API; a non-2xx answer throws an Error carrying the envelope's readable message. */
async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && page.csrfToken) headers['X-CSRF-Token'] = page.csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const details = (data?.error?.details ?? []).map((d) => `${d.path.split('/').pop()} ${d.message}`);
    const message = [data?.error?.message ?? `The service answered ${response.status}`, ...details].join(': ');
    throw Object.assign(new Error(message), { status: response.status, type: data?.error?.type });
  }
  return data;
}

function say(message, kind = 'info') {
  const status = $('status');
  status.textContent = message;
  status.className = kind;
}

/** Runs an action from a button or form, showing its error, and ending the page's session on a 401. */
async function attempt(action) {
  try {
    await action();
  } catch (error) {
    if (error.status === 401) return showSignIn('Your session has ended; please sign in again.');
    say(error.message, 'error');
  }
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function actionButton(label, accessibleName, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = label;
  if (accessibleName !== label) b.setAttribute('aria-label', accessibleName);
  b.addEventListener('click', () => attempt(onClick));
  return b;
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
    const label = session.current ? 'Sign out here' : 'End';
    row.insertCell().append(
      actionButton(label, `${label}: session started ${when(session.created_at)}`, async () => {
        await api('DELETE', `/me/sessions/${encodeURIComponent(session.id)}`);
        if (session.current) return showSignIn('Signed out.');
        await showSessions();
      }),
    );
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
    row.insertCell().append(
      actionButton('Revoke', `Revoke: ${key.name}`, async () => {
        await api('DELETE', `/api-keys/${encodeURIComponent(key.id)}`);
        $('new-key-secret').hidden = true;
        await showKeys();
      }),
    );
  }
}

async function showSignedIn(session) {
  page.csrfToken = session.csrf_token;
  page.user = session.user;
  const { message } = await api('GET', '/dashboard');
  $('greeting').textContent = message;
  $('sign-in').hidden = true;
  $('signed-in').hidden = false;
  await Promise.all([showSessions(), showKeys(), showSecondFactors(), showPasskeys()]);
  // Admins get the console; everyone else never sees it, and the API would refuse them anyway.
  if (session.user.role === 'admin') await showAdmin();
  else hideAdmin();
}

function showSignIn(message) {
  page.csrfToken = undefined;
  page.user = undefined;
  hideConfirmPassword();
  $('sign-in-code').hidden = true;
  $('totp-enrol').hidden = true;
  $('recovery-codes-shown').hidden = true;
  $('signed-in').hidden = true;
  $('new-key-secret').hidden = true;
  hideAdmin();
  $('sign-in').hidden = false;
  say(message ?? '');
}

$('sign-in').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const login = await api('POST', '/login', { username: form.get('username'), password: form.get('password') });
    event.target.reset();
    say('');
    if (login.mfa_required) return showCodeStep(login.csrf_token, login.methods);
    await showSignedIn({ user: login.user, csrf_token: login.csrf_token });
    $('greeting').focus();
  } catch (error) {
    say(error.message, 'error');
  }
});

// Two-step sign-in: the password was right and the account has a second factor. The cookie now
// holds a pending sign-in that only its second step accepts (a code, or a passkey: passkeys.js),
// with this CSRF token.
function showCodeStep(csrfToken, methods) {
  page.csrfToken = csrfToken;
  const codes = methods.includes('totp');
  setRecoveryMode(false);
  $('sign-in-code-fields').hidden = !codes;
  $('sign-in-code-input').required = codes;
  $('sign-in-code-passkey').hidden = !methods.includes('passkey');
  $('sign-in').hidden = true;
  $('sign-in-code').hidden = false;
  (codes ? $('sign-in-code-input') : $('sign-in-code-passkey')).focus();
}

/** The second step done (with a code or a passkey): the full session's page. */
async function finishTwoStep(login) {
  $('sign-in-code').reset();
  $('sign-in-code').hidden = true;
  say('');
  await showSignedIn({ user: login.user, csrf_token: login.csrf_token });
  $('greeting').focus();
}

function setRecoveryMode(on) {
  page.recoveryMode = on;
  $('sign-in-code-label').textContent = on ? 'Recovery code' : 'Code from your authenticator app';
  $('sign-in-code-recovery').textContent = on ? 'Use the authenticator app' : 'Use a recovery code';
  $('sign-in-code-input').inputMode = on ? 'text' : 'numeric';
  $('sign-in-code-input').value = '';
}

$('sign-in-code-recovery').addEventListener('click', () => {
  setRecoveryMode(!page.recoveryMode);
  $('sign-in-code-input').focus();
});

$('sign-in-code').addEventListener('submit', async (event) => {
  event.preventDefault();
  const value = String(new FormData(event.target).get('code')).trim();
  try {
    await finishTwoStep(
      await api('POST', '/login/totp', page.recoveryMode ? { recovery_code: value } : { code: value }),
    );
  } catch (error) {
    // Not authenticated: the pending sign-in ran out (5 minutes); start again with the password.
    if (error.status === 401 && error.message !== 'Invalid code') return showSignIn('Please sign in again.');
    $('sign-in-code-input').select();
    say(error.status === 401 ? 'That code is not correct.' : error.message, 'error');
  }
});

async function showSecondFactors() {
  const factors = await api('GET', '/me/second-factors');
  page.hasTotp = factors.totp;
  $('totp-status').textContent = factors.totp
    ? `On: signing in asks for a code. Recovery codes left: ${factors.recovery_codes_remaining}.`
    : 'Off: your password alone signs you in.';
  $('totp-start').hidden = factors.totp;
  // Sudo mode with a code needs TOTP; with passkeys, one of them confirms alone.
  $('confirm-code-field').hidden = !factors.totp;
  $('confirm-code-input').required = factors.totp;
  $('confirm-passkey').hidden = factors.passkeys === 0;
}

$('totp-start').addEventListener('click', () =>
  attempt(() =>
    withRecentPassword(async () => {
      const enrolment = await api('POST', '/me/totp');
      $('totp-secret').textContent = enrolment.secret;
      $('totp-uri').textContent = enrolment.uri;
      $('recovery-codes-shown').hidden = true;
      $('totp-enrol').hidden = false;
      $('totp-confirm-code').focus();
    }),
  ),
);

$('totp-enrol').addEventListener('submit', (event) => {
  event.preventDefault();
  const code = new FormData(event.target).get('code');
  attempt(async () => {
    const { recovery_codes: codes } = await api('POST', '/me/totp/confirm', { code });
    event.target.reset();
    $('totp-enrol').hidden = true;
    $('recovery-codes').replaceChildren(
      ...codes.map((c) => Object.assign(document.createElement('li'), { textContent: c })),
    );
    $('recovery-codes-shown').hidden = false;
    say('Two-step sign-in is on.');
    await showSecondFactors();
  });
});

// Sudo mode: a session signed in (or confirmed) more than 10 minutes ago must confirm its
// password before a sensitive action; the service says so with a 403 authorization_error.
function hideConfirmPassword() {
  page.afterConfirm = undefined;
  $('confirm-password').reset();
  $('confirm-password').hidden = true;
}

/** Runs a sensitive action; when the service wants the password confirmed first, asks for it and keeps the action. */
async function withRecentPassword(action) {
  try {
    await action();
  } catch (error) {
    if (error.status !== 403 || error.type !== 'authorization_error') throw error;
    page.afterConfirm = action;
    $('confirm-password').hidden = false;
    $('confirm-password-input').focus();
  }
}

$('confirm-password').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const password = form.get('password');
  const code = String(form.get('code') ?? '').trim();
  attempt(async () => {
    try {
      await api('POST', '/me/session/confirm', page.hasTotp ? { password, code } : { password });
    } catch (error) {
      // The session is still signed in (an ended one answers "Not authenticated"): let the user retry.
      if (error.status === 401 && error.message === 'Invalid code') return say('That code is not correct.', 'error');
      if (error.status === 401 && error.message === 'Invalid credentials') {
        $('confirm-password-input').select();
        return say('That password is not correct.', 'error');
      }
      throw error;
    }
    await runAfterConfirm();
  });
});

/** Sudo mode is open again: the action that was refused runs now. */
async function runAfterConfirm() {
  const action = page.afterConfirm;
  hideConfirmPassword();
  say('');
  await action?.();
}

$('confirm-password-cancel').addEventListener('click', hideConfirmPassword);

$('new-key').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const permissions = ['read', 'write'].filter((p) => form.get(p) === 'on');
  attempt(() =>
    withRecentPassword(async () => {
      const created = await api('POST', '/api-keys', { name: form.get('name'), permissions });
      $('secret').textContent = created.key;
      $('new-key-secret').hidden = false;
      event.target.reset();
      await showKeys();
    }),
  );
});

$('change-password').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const revokeApiKeys = form.get('revoke_api_keys') === 'on';
  attempt(async () => {
    await api('POST', '/me/password', {
      current_password: form.get('current_password'),
      new_password: form.get('new_password'),
      revoke_api_keys: revokeApiKeys,
    });
    event.target.reset();
    $('new-key-secret').hidden = true;
    say(`Password changed; your other sessions are signed out${revokeApiKeys ? ' and your API keys revoked' : ''}.`);
    await Promise.all([showSessions(), showKeys()]);
  });
});

$('sign-out').addEventListener('click', async () => {
  await api('POST', '/logout').catch(() => undefined);
  showSignIn('Signed out.');
});

// After a reload the cookie may still name a live session: ask it for its CSRF token again.
document.addEventListener('DOMContentLoaded', async () => {
  try {
    await showSignedIn(await api('GET', '/me/session'));
  } catch {
    showSignIn();
  }
});
