/**
 * Frames of the process protocol (docs/process-protocol.md): a 4-byte little-endian header
 * length, a UTF-8 JSON header with a `type`, then `payload_bytes` bytes of payload.
 */

/** The longest header either side accepts. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** One message: its JSON header and its payload (empty when it has none). */
export interface Frame {
  readonly header: { readonly type: string } & Record<string, unknown>;
  readonly payload: Uint8Array;
}

/** A frame as bytes; `payload_bytes` is set from the payload. */
export function encodeFrame(header: Record<string, unknown>, payload?: Uint8Array): Buffer {
  const head = encodeFrameHead(header, payload?.length ?? 0);
  return payload && payload.length > 0 ? Buffer.concat([head, payload]) : head;
}

/**
 * The length and header of a frame whose payload of `payloadBytes` bytes follows (written
 * separately, in as many pieces as it comes in); `payload_bytes` is set when it is above 0.
 */
export function encodeFrameHead(header: Record<string, unknown>, payloadBytes: number): Buffer {
  const json = Buffer.from(
    JSON.stringify(payloadBytes > 0 ? { ...header, payload_bytes: payloadBytes } : header),
    'utf8',
  );
  const head = Buffer.alloc(4 + json.length);
  head.writeUInt32LE(json.length, 0);
  json.copy(head, 4);
  return head;
}

/** Bytes on the model's stdout that are not a frame. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/**
 * Reads frames from a byte stream that arrives in chunks of any size: `push` each chunk, and
 * every complete frame comes back. Garbage throws a ProtocolError.
 *
 * Chunks are kept as they come until the frame they belong to is complete (`needed` says how many
 * bytes that takes): a pipe delivers 64 KiB at a time, and joining every chunk to all the bytes
 * before it copied a frame's bytes again per chunk. An 80 MB model state took 28 s to read.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Bytes the next frame needs before it can be read: its length, its header, then its payload. */
  private needed = 4;

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    if (this.length < this.needed) return [];
    let buffered = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const frames: Frame[] = [];
    for (;;) {
      const next = readFrame(buffered);
      if (typeof next === 'number') {
        this.needed = next;
        break;
      }
      frames.push(next.frame);
      buffered = buffered.subarray(next.end);
    }
    this.chunks = buffered.length > 0 ? [buffered] : [];
    this.length = buffered.length;
    return frames;
  }
}

/** The first frame of `buffered` and where it ends, or how many bytes it needs when they are not all there. */
function readFrame(buffered: Buffer): { frame: Frame; end: number } | number {
  if (buffered.length < 4) return 4;
  const n = buffered.readUInt32LE(0);
  if (n === 0 || n > MAX_HEADER_BYTES)
    throw new ProtocolError(
      `a frame header of ${n} bytes (the first bytes were ${JSON.stringify(buffered.subarray(0, 16).toString('latin1'))}): the model wrote something else than frames to stdout`,
    );
  if (buffered.length < 4 + n) return 4 + n;
  let header: unknown;
  try {
    header = JSON.parse(buffered.subarray(4, 4 + n).toString('utf8'));
  } catch {
    throw new ProtocolError(
      `a frame header that is not JSON: ${JSON.stringify(buffered.subarray(4, Math.min(4 + n, 84)).toString('utf8'))}`,
    );
  }
  if (
    typeof header !== 'object' ||
    header === null ||
    typeof (header as { type?: unknown }).type !== 'string'
  ) {
    throw new ProtocolError(
      `a frame header without a "type": ${JSON.stringify(header).slice(0, 80)}`,
    );
  }
  const p = (header as { payload_bytes?: unknown }).payload_bytes;
  const payloadBytes = p === undefined ? 0 : Number(p);
  if (!Number.isInteger(payloadBytes) || payloadBytes < 0)
    throw new ProtocolError(`a frame with payload_bytes ${JSON.stringify(p)}`);
  const end = 4 + n + payloadBytes;
  if (buffered.length < end) return end;
  return {
    frame: {
      header: header as Frame['header'],
      payload: new Uint8Array(buffered.subarray(4 + n, end)),
    },
    end,
  };
}
