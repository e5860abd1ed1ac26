import type { Operations } from './operation.js';

/** The seed's Basic routes: a greeting for any user, and one for admins only. */
export function basicOperations(): Operations<'getBasicProfile' | 'getBasicAdmin'> {
  return {
    getBasicProfile: (_input, context) => ({
      status: 200,
      body: { message: `Welcome ${context.principal.user.username}!` },
    }),
    getBasicAdmin: () => ({ status: 200, body: { message: "You're in the admin zone." } }),
  };
}
