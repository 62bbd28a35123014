/**
 * A stand-in for the X-Ray daemon: a UDP socket on 127.0.0.1 that keeps every segment document
 * the X-Ray SDK sends it, as sent (the raw datagram) and parsed. Point the SDK at `address`.
 *
 * A datagram is `{"format":"json","version":1}` and a newline, then one segment or subsegment
 * document. In Lambda mode the SDK never sends the facade segment, only subsegments, each on its
 * own as it closes (its parent, the handler's subsegment or the facade, named by `parent_id`).
 */
import { createSocket, type Socket } from 'node:dgram';

const HEADER = '{"format":"json","version":1}\n';

/** The fields of a segment document the tests read (X-Ray segment documents hold more). */
export interface SegmentDocument {
  id: string;
  trace_id: string;
  name: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  aws?: Record<string, unknown>;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: { exceptions?: { message?: string; type?: string }[] };
  subsegments?: SegmentDocument[];
}

export interface Datagram {
  raw: string;
  document: SegmentDocument;
}

function isSegmentDocument(value: unknown): value is SegmentDocument {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.trace_id === 'string' && typeof v.name === 'string';
}

/** A document and every subsegment inside it (a subsegment closed before its parent is sent on its own). */
export function flatten(document: SegmentDocument): SegmentDocument[] {
  return [document, ...(document.subsegments ?? []).flatMap(flatten)];
}

export class XRayDaemon {
  readonly datagrams: Datagram[] = [];
  /** Datagrams that were not segment documents (kept so that a test can show there were none). */
  readonly malformed: string[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
  ) {
    socket.on('message', (message) => this.receive(message.toString('utf8')));
  }

  static async start(): Promise<XRayDaemon> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // A run sends hundreds of datagrams in bursts; a larger buffer keeps the kernel from dropping them.
    socket.setRecvBufferSize(8 * 1024 * 1024);
    const { address, port } = socket.address();
    return new XRayDaemon(socket, `${address}:${port}`);
  }

  /** Every document received, and every subsegment inside one. */
  documents(): SegmentDocument[] {
    return this.datagrams.flatMap((d) => flatten(d.document));
  }

  /** The documents of one trace. */
  documentsOf(traceId: string): SegmentDocument[] {
    return this.documents().filter((d) => d.trace_id === traceId);
  }

  /** The raw datagrams of one trace, as sent. */
  rawOf(traceId: string): string[] {
    return this.datagrams.filter((d) => d.document.trace_id === traceId).map((d) => d.raw);
  }

  /** Waits until no datagram has come for `quietMs` (the SDK sends from callbacks, after the work). */
  async settle(quietMs = 150, maxMs = 10_000): Promise<void> {
    const started = Date.now();
    let seen = -1;
    while (seen !== this.datagrams.length + this.malformed.length && Date.now() - started < maxMs) {
      seen = this.datagrams.length + this.malformed.length;
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private receive(raw: string): void {
    if (!raw.startsWith(HEADER)) {
      this.malformed.push(raw);
      return;
    }
    let document: unknown;
    try {
      document = JSON.parse(raw.slice(HEADER.length));
    } catch {
      this.malformed.push(raw);
      return;
    }
    if (isSegmentDocument(document)) this.datagrams.push({ raw, document });
    else this.malformed.push(raw);
  }
}
