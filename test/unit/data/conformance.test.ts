/**
 * The TypeScript loader against the shared conformance fixture (test/fixtures/conformance/), whose
 * expected.json files the Python loader is held to as well (python/tests/test_conformance.py). A
 * change to a loader rule or message fails here until make-expected.ts is run again, and then in
 * pytest until the Python side says the same.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCase } from '../../fixtures/conformance/run-case.ts';

const root = path.resolve(import.meta.dirname, '../../fixtures/conformance');
const cases = readdirSync(root).filter((n) => statSync(path.join(root, n)).isDirectory()).sort();

describe('conformance fixture', () => {
  it('has the cases both loaders are held to', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });
  it.each(cases)('%s: the loader gives expected.json', async (name) => {
    const dir = path.join(root, name);
    const expected: unknown = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8'));
    // Through JSON, as make-expected wrote it: optional fields absent, NaN as null.
    expect(JSON.parse(JSON.stringify(await runCase(dir)))).toEqual(expected);
  });
});
