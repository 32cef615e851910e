import { describe, expect, it } from 'vitest';
import { describeRules, hostAllowed, hostRules, splitHost } from '../../../src/label/hosts.ts';

describe('the names the label server answers to', () => {
  it('on --port 80 takes the loopback names and its address without a port, as a browser sends them', () => {
    const rules = hostRules('192.168.1.5', 80, []);
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'localhost:80', '192.168.1.5'])
      expect(hostAllowed(rules, host), host).toBe(true);
    for (const host of ['localhost:8080', 'evil.example', 'evil.example:80', ''])
      expect(hostAllowed(rules, host), host).toBe(false);
  });

  it('reads IPv6 addresses, bracketed with a port or bare from --host and --allow-host', () => {
    expect(splitHost('[::1]:5173')).toEqual({ name: '[::1]', port: 5173 });
    expect(splitHost('fe80::1')).toEqual({ name: '[fe80::1]', port: undefined });
    const rules = hostRules('::1', 5173, ['fd00::7']);
    expect(hostAllowed(rules, '[::1]:5173')).toBe(true);
    expect(hostAllowed(rules, '[fd00::7]')).toBe(true);
    expect(hostAllowed(rules, '[fd00::7]:9')).toBe(true);
    expect(hostAllowed(rules, '[fd00::8]')).toBe(false);
    expect(describeRules(hostRules('127.0.0.1', 80, ['lab.example']))).toBe(
      '127.0.0.1:80 or 127.0.0.1, localhost:80 or localhost, [::1]:80 or [::1], lab.example (any port)',
    );
  });
});
