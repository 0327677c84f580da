// stagdb-js: the official client for the StagDB REST API.
export { StagDB } from "./client.js";
export type { StagDBOptions } from "./config.js";
export {
  ConnectionError,
  InsufficientResourcesError,
  NotFoundError,
  RateLimitedError,
  ResourceBusyError,
  ServerError,
  StagDBError,
  UnauthorizedError,
  ValidationError,
} from "./errors.js";
export type { WirePagination as Pagination } from "./pagination.js";
export { Branches } from "./resources/branches.js";
export { Databases } from "./resources/databases.js";
export { Snapshots } from "./resources/snapshots.js";
export { Webhooks } from "./resources/webhooks.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
export {
  WEBHOOK_TOLERANCE_SECONDS,
  type WebhookHeaders,
  WebhookVerificationError,
  verifyWebhook,
} from "./webhook.js";
export type { components, operations, paths } from "./generated/openapi.js";
