/**
 * The SDK's errors. Every failure a call can end with is a StagDBError:
 *
 *     StagDBError                 code, message, status, requestId
 *     ├── ValidationError         VALIDATION_ERROR        400
 *     ├── UnauthorizedError       UNAUTHORIZED            401
 *     ├── NotFoundError           NOT_FOUND               404
 *     ├── ResourceBusyError       RESOURCE_BUSY           409
 *     ├── RateLimitedError        RATE_LIMITED            429  (+ retryAfter)
 *     ├── InsufficientResourcesError INSUFFICIENT_RESOURCES 507
 *     ├── ServerError             SERVER_ERROR            500
 *     └── ConnectionError         CONNECTION_ERROR        no answer (status 0)
 */

export interface ErrorDetails {
  code: string;
  message: string;
  status: number;
  requestId: string | undefined;
}

export class StagDBError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(details: ErrorDetails, options?: { cause?: unknown }) {
    super(details.message, options);
    this.name = new.target.name;
    this.code = details.code;
    this.status = details.status;
    this.requestId = details.requestId;
  }
}

export class ValidationError extends StagDBError {}
export class UnauthorizedError extends StagDBError {}
export class NotFoundError extends StagDBError {}
export class ResourceBusyError extends StagDBError {}
export class InsufficientResourcesError extends StagDBError {}
export class ServerError extends StagDBError {}

export class RateLimitedError extends StagDBError {
  /** Seconds until the used-up budget is refilled (the Retry-After header), when given. */
  readonly retryAfter: number | undefined;

  constructor(details: ErrorDetails, retryAfter: number | undefined) {
    super(details);
    this.retryAfter = retryAfter;
  }
}

/** No answer came: the connection failed or the request timed out. */
export class ConnectionError extends StagDBError {
  constructor(message: string, cause: unknown) {
    super({ code: "CONNECTION_ERROR", message, status: 0, requestId: undefined }, { cause });
  }
}

const byCode: Record<string, typeof StagDBError | undefined> = {
  VALIDATION_ERROR: ValidationError,
  UNAUTHORIZED: UnauthorizedError,
  NOT_FOUND: NotFoundError,
  RESOURCE_BUSY: ResourceBusyError,
  INSUFFICIENT_RESOURCES: InsufficientResourcesError,
  SERVER_ERROR: ServerError,
};

// For answers without the error envelope (a proxy's HTML page, say).
const codeByStatus: Record<number, string | undefined> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  404: "NOT_FOUND",
  405: "VALIDATION_ERROR",
  409: "RESOURCE_BUSY",
  429: "RATE_LIMITED",
  507: "INSUFFICIENT_RESOURCES",
};

export function codeForStatus(status: number): string {
  return codeByStatus[status] ?? (status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR");
}

/** The error for a failed answer, of the class its code names. */
export function errorFromAnswer(details: ErrorDetails, retryAfter: number | undefined): StagDBError {
  if (details.code === "RATE_LIMITED") {
    return new RateLimitedError(details, retryAfter);
  }
  const ErrorClass = byCode[details.code] ?? StagDBError;
  return new ErrorClass(details);
}
