// Passkeys on the sign-in page, with the browser's own WebAuthn JSON helpers and no library:
// the service's options go through PublicKeyCredential.parse*OptionsFromJSON, the credential
// comes back through toJSON(). A classic script beside app.js, sharing its globals.

const passkeysSupported = () =>
  typeof PublicKeyCredential === 'function' &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
  typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function';

/** The browser's own refusals (the user cancelled, no passkey here) in words, not DOMException names. */
function ceremonyError(error, what) {
  if (error instanceof DOMException) return new Error(`${what} did not complete (${error.name}).`);
  return error;
}

async function showPasskeys() {
  const { data } = await api('GET', '/me/passkeys');
  const body = $('passkeys');
  body.replaceChildren();
  for (const passkey of data) {
    const row = body.insertRow();
    row.dataset.passkeyId = passkey.id;
    cell(row, passkey.name);
    cell(row, when(passkey.created_at));
    cell(row, when(passkey.last_used_at));
    row.insertCell().append(
      actionButton('Delete', `Delete passkey: ${passkey.name}`, () =>
        withRecentPassword(async () => {
          await api('DELETE', `/me/passkeys/${encodeURIComponent(passkey.id)}`);
          await showPasskeys();
        }),
      ),
    );
  }
}

$('new-passkey').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = new FormData(event.target).get('name');
  attempt(() =>
    withRecentPassword(async () => {
      if (!passkeysSupported()) return say('This browser cannot create passkeys.', 'error');
      const { challenge_id, options } = await api('POST', '/me/passkeys/options');
      const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
      const credential = await navigator.credentials.create({ publicKey }).catch((error) => {
        throw ceremonyError(error, 'Creating the passkey');
      });
      await api('POST', '/me/passkeys', { challenge_id, name, credential: credential.toJSON() });
      event.target.reset();
      say(`Passkey "${name}" added: you can sign in with it alone.`);
      await showPasskeys();
    }),
  );
});

/** Asks the browser for an assertion of the options `path` answers; the challenge id and the credential's JSON. */
async function passkeyAssertion(path, what) {
  if (!passkeysSupported()) throw new Error('This browser cannot use passkeys.');
  const { challenge_id, options } = await api('POST', path);
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
  const credential = await navigator.credentials.get({ publicKey }).catch((error) => {
    throw ceremonyError(error, what);
  });
  return { challenge_id, credential: credential.toJSON() };
}

// The second step of a two-step sign-in with one of the user's passkeys instead of a code.
$('sign-in-code-passkey').addEventListener('click', async () => {
  try {
    const proof = await passkeyAssertion('/login/second-factor/passkey/options', 'Signing in with a passkey');
    await finishTwoStep(await api('POST', '/login/second-factor/passkey', proof));
  } catch (error) {
    // Not authenticated: the pending sign-in ran out (5 minutes); start again with the password.
    if (error.status === 401 && error.message !== 'Invalid passkey') return showSignIn('Please sign in again.');
    say(error.status === 401 ? 'That passkey was not accepted.' : error.message, 'error');
  }
});

// Sudo mode with a passkey instead of the password and a code.
$('confirm-passkey').addEventListener('click', () =>
  attempt(async () => {
    const proof = await passkeyAssertion('/me/session/confirm/passkey/options', 'Confirming with a passkey');
    try {
      await api('POST', '/me/session/confirm/passkey', proof);
    } catch (error) {
      if (error.status === 401 && error.message === 'Invalid passkey')
        return say('That passkey was not accepted.', 'error');
      throw error;
    }
    await runAfterConfirm();
  }),
);

$('passkey-sign-in').addEventListener('click', async () => {
  try {
    if (!passkeysSupported()) return say('This browser cannot use passkeys.', 'error');
    const { challenge_id, options } = await api('POST', '/login/passkey/options');
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
    const credential = await navigator.credentials.get({ publicKey }).catch((error) => {
      throw ceremonyError(error, 'Signing in with a passkey');
    });
    const login = await api('POST', '/login/passkey', { challenge_id, credential: credential.toJSON() });
    $('sign-in').reset();
    say('');
    await showSignedIn({ user: login.user, csrf_token: login.csrf_token });
    $('greeting').focus();
  } catch (error) {
    say(error.message, 'error');
  }
});
