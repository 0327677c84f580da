// What every resource shares: the transport, and unwrapping an answer's `data`.
import type { ApiRequest, Transport } from "../transport.js";

export abstract class Resource {
  protected readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  protected async data<T>(request: ApiRequest): Promise<T> {
    return (await this.transport.send<T>(request)).data;
  }
}

export function pathSegment(id: string): string {
  return encodeURIComponent(id);
}
