/**
 * The plugin call a worker thread is in, written by the worker into memory it shares with the
 * pool's thread, where the pool's watchdog reads it (pool.ts). A worker stuck in a synchronous
 * loop cannot send a message, so the watchdog must know the call before it starts.
 *
 * Why shared memory rather than a message per call: a worker announced each call's start and end
 * with two messages, and the pool armed and cleared a timer for each. At 30k systems that was
 * 120k messages, 7–11 % of a scoring worker's CPU (profiled). Writing the board costs a few
 * stores; the pool looks at it four times a second.
 *
 * Layout (Int32 words, then bytes): a sequence number, odd while the worker writes the call; 1
 * while a call is under way, else 0; the call's timeout in ms; the length of its description;
 * the length of the name of the plugin whose call it is (0: no one plugin's); then the
 * description, UTF-8, cut at WHAT_BYTES, and the name, cut at WHO_BYTES.
 */
const SEQ = 0;
const ACTIVE = 1;
const TIMEOUT = 2;
const LENGTH = 3;
const WHO_LENGTH = 4;
const WORDS = 5;
const WHAT_BYTES = 240;
const WHO_BYTES = 128;

/** The bytes of a board's shared memory. */
export const CALL_BOARD_BYTES = WORDS * 4 + WHAT_BYTES + WHO_BYTES;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A call the board shows, as the pool reads it. */
export interface PostedCall {
  /** Changes with every call, so a reader can tell a new call from the one it saw before. */
  readonly seq: number;
  readonly what: string;
  readonly timeoutMs: number;
  /** The plugin whose call it is (its name), when it is one plugin's. */
  readonly who?: string;
}

export class CallBoard {
  private readonly words: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly whoBytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    if (buffer.byteLength < CALL_BOARD_BYTES)
      throw new RangeError(`a call board needs ${CALL_BOARD_BYTES} bytes`);
    this.words = new Int32Array(buffer, 0, WORDS);
    this.bytes = new Uint8Array(buffer, WORDS * 4, WHAT_BYTES);
    this.whoBytes = new Uint8Array(buffer, WORDS * 4 + WHAT_BYTES, WHO_BYTES);
  }

  /** The worker: a call starts (`what`, e.g. `score(sys-0042)`, its timeout, and whose call it is). */
  start(what: string, timeoutMs: number, who?: string): void {
    Atomics.add(this.words, SEQ, 1); // odd: a reader seeing it skips this look
    const { written } = encoder.encodeInto(what, this.bytes);
    this.words[LENGTH] = written;
    // A name cut short names no plugin: no culprit rather than the wrong one.
    const name = who === undefined ? undefined : encoder.encodeInto(who, this.whoBytes);
    this.words[WHO_LENGTH] = name && name.read === who!.length ? name.written : 0;
    this.words[TIMEOUT] = Math.min(Math.max(0, Math.round(timeoutMs)), 0x7fffffff);
    Atomics.store(this.words, ACTIVE, 1);
    Atomics.add(this.words, SEQ, 1); // even again: the call is whole
  }

  /** The worker: the call ended (returned, threw or timed out in its own thread). */
  end(): void {
    Atomics.store(this.words, ACTIVE, 0);
  }

  /** The pool: the call under way, or null when there is none or it is being written. */
  read(): PostedCall | null {
    const seq = Atomics.load(this.words, SEQ);
    if (seq % 2 !== 0 || Atomics.load(this.words, ACTIVE) === 0) return null;
    const timeoutMs = this.words[TIMEOUT] as number;
    const length = Math.min(this.words[LENGTH] as number, WHAT_BYTES);
    const what = decoder.decode(this.bytes.slice(0, length));
    const whoLength = Math.min(this.words[WHO_LENGTH] as number, WHO_BYTES);
    const who = whoLength > 0 ? decoder.decode(this.whoBytes.slice(0, whoLength)) : undefined;
    // Written again while read: the next look reads the new call.
    if (Atomics.load(this.words, SEQ) !== seq) return null;
    return who === undefined ? { seq, what, timeoutMs } : { seq, what, timeoutMs, who };
  }
}
