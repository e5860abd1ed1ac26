import type { Operations } from './operation.js';

/** The seed's API-key routes: a fixed read and an echoing write. */
export function apikeyOperations(): Operations<'getApiKeyData' | 'createApiKeyItem'> {
  return {
    getApiKeyData: () => ({ status: 200, body: { data: ['item1', 'item2'] } }),
    createApiKeyItem: ({ body }) => ({ status: 200, body: { message: 'Item created', item: body } }),
  };
}
