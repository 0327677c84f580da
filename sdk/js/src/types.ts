// The API's request and response shapes, named from the types generated out of openapi.yaml.
import type { components, operations } from "./generated/openapi.js";

type Schemas = components["schemas"];

export type Database = Schemas["Database"];
export type DatabaseType = Schemas["DatabaseType"];
export type DatabaseStatus = Schemas["DatabaseStatus"];
export type Connection = Schemas["Connection"];
export type Resources = Schemas["Resources"];
export type CreateDatabaseParams = Schemas["CreateDatabaseRequest"];
export type UpdateDatabaseParams = Schemas["UpdateDatabaseRequest"];
export type ResetParams = Schemas["ResetRequest"];
export type PromoteParams = Schemas["PromoteRequest"];
export type SchemaDiff = Schemas["SchemaDiff"];
export type DatabaseStats = Schemas["DatabaseStats"];
export type LogLine = Schemas["LogLine"];

export type Snapshot = Schemas["Snapshot"];
export type CreateSnapshotParams = Schemas["CreateSnapshotRequest"];
export type CreateBranchParams = Schemas["CreateBranchRequest"];

export type Webhook = Schemas["Webhook"];
export type CreatedWebhook = Schemas["CreatedWebhook"];
export type CreateWebhookParams = Schemas["CreateWebhookRequest"];
export type UpdateWebhookParams = Schemas["UpdateWebhookRequest"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type WebhookPayload = Schemas["WebhookPayload"];

export type Health = Schemas["Health"];
export type ErrorCode = Schemas["ErrorCode"];

type QueryOf<Operation extends keyof operations> = NonNullable<
  operations[Operation]["parameters"]["query"]
>;

/** Page size for list iterators (default 100); they walk every page whatever the size. */
export interface PageSize {
  limit?: number;
}

export type ListDatabasesParams = Omit<QueryOf<"listDatabases">, "page">;
export type SchemaDiffParams = QueryOf<"getSchemaDiff">;
export type LogsParams = QueryOf<"getDatabaseLogs">;
export interface DeleteParams {
  /** Also delete the branches that block the deletion, and every branch below them. */
  cascade?: boolean;
}
