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
