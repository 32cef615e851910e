/**
 * The names the label server answers to (the Host header), and the origins a POST may come from.
 * A page on another site that resolves its own name to this server's address (DNS rebinding)
 * sends its own name in Host: the protection is the NAME, not the port. So an allowed name is
 * taken with or without a port, as a reverse proxy or `--port 80` sends it:
 * - the loopback names and the address the server is bound to: with the server's port, or with
 *   none when that is 80 (a browser leaves the default port out);
 * - an `--allow-host NAME`: with any port or none (a proxy in front decides the port);
 *   `--allow-host NAME:PORT`: with that port, or none when it is 80 or 443.
 */

/** One allowed name: lower case, an IPv6 address in brackets. */
interface HostRule {
  readonly name: string;
  /** The ports taken with it; 'any' for every port. */
  readonly ports: 'any' | readonly number[];
  /** Whether a Host without a port is taken. */
  readonly bare: boolean;
}

/** `name` and `port` of a Host header value or an `--allow-host` value; undefined when it is neither. */
export function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  const v = value.trim().toLowerCase();
  // A bare IPv6 address (`::1`, from --host or --allow-host) has no port.
  if (/^[0-9a-f]*:[0-9a-f:.]*:[0-9a-f:.]*$/.test(v)) return { name: `[${v}]`, port: undefined };
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]/\s@]+)(?::(\d{1,5}))?$/.exec(v);
  if (!m) return undefined;
  return { name: m[1] as string, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The rules of a server bound to `host` on `port`, with the `--allow-host` values `extra`. */
export function hostRules(host: string, port: number, extra: readonly string[]): HostRule[] {
  const own = (name: string): HostRule => ({ name, ports: [port], bare: port === 80 });
  const rules = ['127.0.0.1', 'localhost', '[::1]'].map(own);
  const bound = splitHost(host);
  if (host !== '0.0.0.0' && host !== '::' && bound !== undefined)
    if (!rules.some((r) => r.name === bound.name)) rules.push(own(bound.name));
  for (const value of extra) {
    const e = splitHost(value);
    if (e === undefined) continue;
    rules.push(
      e.port === undefined
        ? { name: e.name, ports: 'any', bare: true }
        : { name: e.name, ports: [e.port], bare: e.port === 80 || e.port === 443 },
    );
  }
  return rules;
}

/** True when the Host header value `value` names this server by `rules`. */
export function hostAllowed(rules: readonly HostRule[], value: string): boolean {
  const h = splitHost(value);
  if (h === undefined) return false;
  return rules.some(
    (r) =>
      r.name === h.name &&
      (h.port === undefined ? r.bare : r.ports === 'any' || r.ports.includes(h.port)),
  );
}

/**
 * True when a POST's Origin header `origin` is a page of this server: http or https (a TLS proxy
 * in front) and one of its names by `rules`. A form or script of another site sends its own.
 */
export function originAllowed(rules: readonly HostRule[], origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && hostAllowed(rules, url.host);
}

/** The rules in words, for the message of a refused request. */
export function describeRules(rules: readonly HostRule[]): string {
  return rules
    .map((r) => {
      if (r.ports === 'any') return `${r.name} (any port)`;
      const ports = r.ports.map((p) => `${r.name}:${p}`).join(', ');
      return r.bare ? `${ports} or ${r.name}` : ports;
    })
    .join(', ');
}
