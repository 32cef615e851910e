/**
 * The labeling app's HTTP server, on node:http: the page (HTML, JS, CSS from ./page/), uPlot's
 * browser build and stylesheet from node_modules (nothing from a CDN), and the JSON API of
 * ./api.ts. It binds to 127.0.0.1 unless told otherwise.
 *
 * Hardening, since a browser on the same machine visits other sites too:
 * - a request whose Host is not one of this server's names is refused (DNS rebinding), on any
 *   address it is bound to: loopback names, the bound address, and `--allow-host` names, with
 *   or without a port (see hosts.ts);
 * - a POST must be `application/json` from one of those names (a cross-site form cannot send that
 *   without a CORS preflight, which this server never grants), bodies are capped at 256 KiB;
 * - a Content-Security-Policy allows only this origin's scripts, so data can never run as code.
 * Any failure of one request is answered (4xx for the client's mistakes, 500 with the message
 * for bad data on disk) and never stops the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.ts';
import { handleApi, type ApiContext } from './api.ts';
import { describeRules, hostAllowed, hostRules, originAllowed } from './hosts.ts';
import { LabelStore } from './store.ts';
import type { TimelineIndex } from './timelines.ts';

const MAX_BODY_BYTES = 256 * 1024;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // uPlot sizes its elements with inline styles
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

/** The page's files and uPlot's browser build, read once at start. */
async function loadStatic(): Promise<Map<string, StaticFile>> {
  const page = (f: string): string => fileURLToPath(new URL(`./page/${f}`, import.meta.url));
  const require = createRequire(import.meta.url);
  const vendor = (f: string): string => {
    try {
      return require.resolve(`uplot/dist/${f}`);
    } catch {
      throw new HarnessError(
        'E_LABEL',
        `harness label: the package "uplot" is not installed; run npm install`,
      );
    }
  };
  const files: [string, string, string][] = [
    ['/', page('index.html'), 'text/html; charset=utf-8'],
    ['/app.js', page('app.js'), 'text/javascript; charset=utf-8'],
    ['/app.css', page('app.css'), 'text/css; charset=utf-8'],
    ['/vendor/uPlot.iife.min.js', vendor('uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
    ['/vendor/uPlot.min.css', vendor('uPlot.min.css'), 'text/css; charset=utf-8'],
  ];
  const out = new Map<string, StaticFile>();
  for (const [route, file, type] of files) out.set(route, { type, body: await readFile(file) });
  return out;
}

export interface LabelServerOptions {
  readonly dataDir: string;
  readonly host?: string;
  /** More Host header names to answer to, as `name` or `name:port` (`--allow-host`). */
  readonly allowHosts?: readonly string[];
  /** 0 = any free port. */
  readonly port?: number;
  /** Score timelines to show beside the series (`--results`, read by readTimelines). */
  readonly timelines?: TimelineIndex;
}

export interface LabelServer {
  readonly url: string;
  readonly server: Server;
  readonly store: LabelStore;
  /**
   * Stops accepting requests, waits for the requests being answered (a label save finishes and
   * its reply is sent), then closes every connection.
   */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  head = false,
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': CSP,
  });
  res.end(head ? undefined : body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, head = false): void =>
  send(
    res,
    status,
    'application/json; charset=utf-8',
    typeof value === 'string' ? value : JSON.stringify(value),
    head,
  );

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      // Strict: toString('utf8') would turn a byte that is not UTF-8 (a script sending Latin-1)
      // into U+FFFD, and the label would be saved with its notes silently changed.
      try {
        resolve(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpError(400, 'the body is not UTF-8: send the label as UTF-8 JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** Node's own error for a file system call: it names the call, the path and the errno code. */
function isFileSystemError(
  err: unknown,
): err is NodeJS.ErrnoException & { syscall: string; path: string; code: string } {
  if (!(err instanceof Error)) return false;
  const { code, syscall, path } = err as NodeJS.ErrnoException;
  return typeof code === 'string' && typeof syscall === 'string' && typeof path === 'string';
}

export async function startLabelServer(opts: LabelServerOptions): Promise<LabelServer> {
  const host = opts.host ?? '127.0.0.1';
  const files = await loadStatic();
  const store = new LabelStore(opts.dataDir);
  const ctx: ApiContext = {
    dataDir: store.dataDir,
    store,
    ...(opts.timelines ? { timelines: opts.timelines } : {}),
  };
  let port = 0;
  // The replies being written: close() waits for them before it closes the connections, or a
  // save that reached the file would be reported to the browser as not saved. A request still
  // sending its body is not waited for (a slow client would hold the stop up); it is refused
  // once the server is stopping, so nothing is saved without the browser being told.
  let stopping = false;
  const answering = new Set<Promise<void>>();
  const answer = (res: ServerResponse): void => {
    const done = new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
    });
    answering.add(done);
    void done.then(() => answering.delete(done));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const rules = hostRules(host, port, opts.allowHosts ?? []);
    if (!hostAllowed(rules, req.headers.host ?? '')) {
      throw new HttpError(
        421,
        `this server answers only to ${describeRules(rules)} (add a name with --allow-host)`,
      );
    }
    let pathname: string;
    let query: URLSearchParams;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      pathname = url.pathname;
      query = url.searchParams;
    } catch {
      throw new HttpError(400, 'bad request URL');
    }
    const file = files.get(pathname === '/index.html' ? '/' : pathname);
    if (file) {
      if (method !== 'GET' && !head)
        throw new HttpError(405, `${method} not allowed on ${pathname}`);
      answer(res);
      send(res, 200, file.type, file.body, head);
      return;
    }
    let body: unknown;
    if (method === 'POST') {
      const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json')
        throw new HttpError(415, 'send the label as JSON (Content-Type: application/json)');
      const origin = req.headers.origin;
      if (origin !== undefined && !originAllowed(rules, origin))
        throw new HttpError(403, `cross-origin request from ${origin} refused`);
      const text = await readBody(req);
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new HttpError(
          400,
          `the body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    } else {
      req.resume();
    }
    if (stopping)
      throw new HttpError(503, 'the server is stopping: the request was not carried out');
    answer(res);
    const r = await handleApi(ctx, method, pathname, body, query);
    if (!r) throw new HttpError(404, `nothing at ${pathname}`);
    if (r.binary) send(res, r.status, 'application/octet-stream', r.body as Buffer, head);
    else sendJson(res, r.status, r.raw ? (r.body as string) : r.body, head);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message });
      } else if (err instanceof HarnessError) {
        // Bad data on disk (a broken labels file or series file): say what and where.
        sendJson(res, 500, {
          error: err.message,
          problems: err.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`),
        });
      } else if (isFileSystemError(err)) {
        // The machine saying no (a full disk, a file made read-only meanwhile): one line naming
        // the file, not a crash report.
        const message = `cannot ${err.syscall} ${err.path}: ${err.code}`;
        process.stderr.write(`harness label: ${req.method} ${req.url}: ${message}\n`);
        sendJson(res, 500, { error: message });
      } else {
        process.stderr.write(
          `harness label: internal error on ${req.method} ${req.url}:\n${err instanceof Error ? err.stack : String(err)}\n`,
        );
        sendJson(res, 500, {
          error: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        err.code === 'EADDRINUSE'
          ? new HarnessError(
              'E_ARGS',
              `harness label: port ${opts.port ?? 0} on ${host} is in use; pick another with --port (0 = any free port)`,
            )
          : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND'
            ? new HarnessError('E_ARGS', `harness label: cannot listen on ${host} (${err.code})`)
            : err,
      );
    };
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':')
    ? `[${host}]`
    : host === '0.0.0.0'
      ? '127.0.0.1'
      : host === '::'
        ? '[::1]'
        : host;
  const url = `http://${urlHost}:${port}/`;

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    store,
    close() {
      closing ??= (async () => {
        stopping = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        while (answering.size > 0) await Promise.all(answering);
        await store.idle();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
