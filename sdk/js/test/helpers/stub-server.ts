// A scripted HTTP server on 127.0.0.1 for tests that need answers a real server will not give
// on demand (429s, dropped connections): it records every request and replies in order.
import { type IncomingHttpHeaders, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An answer to send, or "drop" to close the connection without one. */
export type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | "drop";

export class StubServer {
  readonly requests: RecordedRequest[] = [];
  readonly #replies: Reply[];
  readonly #server: Server;

  private constructor(replies: Reply[]) {
    this.#replies = [...replies];
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.requests.push({
          method: request.method ?? "",
          url: request.url ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        const reply = this.#replies.shift() ?? { status: 500, body: { success: false } };
        if (reply === "drop") {
          request.socket.destroy();
          return;
        }
        response.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
        response.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
      });
    });
  }

  static async start(replies: Reply[]): Promise<StubServer> {
    const stub = new StubServer(replies);
    await new Promise<void>((resolve) => stub.#server.listen(0, "127.0.0.1", resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => {
      this.#server.close((error) => {
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      });
    });
  }
}

export function ok(data: unknown, extra: Record<string, unknown> = {}): Reply {
  return { status: 200, body: { success: true, data, message: "ok", ...extra } };
}

export function failure(status: number, code: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "X-Request-ID": `req-${status}`, ...headers },
    body: { success: false, error: { code, message: `${code} from the stub` } },
  };
}
