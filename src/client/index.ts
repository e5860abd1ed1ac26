export type { components, operations, paths } from '../../generated/openapi.js';
export {
  createGatehouseClient,
  type GatehouseClient,
  type GatehouseClientOptions,
  type GatehouseCredentials,
  type LoginAnswer,
  type SecondFactorProof,
} from './gatehouse-client.js';
export { SessionState } from './session-state.js';
