/**
 * The public API (src/index.ts, and bess-harness/vitest) is exactly what users need: every
 * exported name has a JSDoc comment, and every type its signatures mention is exported too, so
 * a user can name what a function takes and returns. Checked with the TypeScript compiler.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/run-harness.ts';

const ENTRIES = ['src/index.ts', 'src/vitest/index.ts'].map((f) => path.join(REPO_ROOT, f));
const program = ts.createProgram(ENTRIES, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  allowImportingTsExtensions: true,
  noEmit: true,
  jsx: ts.JsxEmit.ReactJSX,
  strict: true,
});
const checker = program.getTypeChecker();
const SRC = path.join(REPO_ROOT, 'src') + path.sep;

/** The exported symbols of an entry, aliases resolved to their declarations. */
function exportsOf(entry: string): Map<string, ts.Symbol> {
  const file = program.getSourceFile(entry)!;
  const out = new Map<string, ts.Symbol>();
  for (const s of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) {
    out.set(s.name, s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  }
  return out;
}

const exported = new Map<string, ts.Symbol>();
for (const e of ENTRIES) for (const [name, s] of exportsOf(e)) exported.set(name, s);
const exportedSymbols = new Set(exported.values());

/** Named types declared in src/ that a declaration's text refers to (its signature, its members). */
function referencedTypes(decl: ts.Node): ts.Symbol[] {
  const found: ts.Symbol[] = [];
  const visit = (n: ts.Node): void => {
    // A function's body is not its signature.
    if (
      (ts.isFunctionDeclaration(n) ||
        ts.isMethodDeclaration(n) ||
        ts.isArrowFunction(n) ||
        ts.isFunctionExpression(n)) &&
      n.body
    ) {
      n.parameters.forEach(visit);
      if (n.type) visit(n.type);
      n.typeParameters?.forEach(visit);
      return;
    }
    if (ts.isVariableDeclaration(n)) {
      if (n.type) visit(n.type);
      return;
    }
    if (ts.isTypeReferenceNode(n) || ts.isExpressionWithTypeArguments(n)) {
      const target = ts.isTypeReferenceNode(n) ? n.typeName : n.expression;
      let s = checker.getSymbolAtLocation(target);
      if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      const d = s?.declarations?.[0];
      if (
        s &&
        d &&
        d.getSourceFile().fileName.startsWith(SRC) &&
        !(s.flags & ts.SymbolFlags.TypeParameter)
      )
        found.push(s);
    }
    ts.forEachChild(n, visit);
  };
  visit(decl);
  return found;
}

describe('the public API', () => {
  it('exports every type its signatures mention', () => {
    const missing = new Map<string, string>();
    for (const [name, s] of exported) {
      for (const d of s.declarations ?? []) {
        for (const t of referencedTypes(d)) {
          if (!exportedSymbols.has(t))
            missing.set(
              t.name,
              `${name} → ${t.name} (${path.relative(REPO_ROOT, t.declarations![0]!.getSourceFile().fileName)})`,
            );
        }
      }
    }
    expect([...missing.values()].sort()).toEqual([]);
  });

  it('documents every name it exports with a JSDoc comment', () => {
    const undocumented = [...exported]
      .filter(([, s]) =>
        (s.declarations ?? []).every(
          (d) =>
            ts.getJSDocCommentsAndTags(d).length === 0 &&
            ts.getJSDocCommentsAndTags(d.parent?.parent ?? d).length === 0,
        ),
      )
      .map(([n]) => n);
    expect(undocumented.sort()).toEqual([]);
  });

  it('exposes no internals of the run (grading, the expect API factory)', () => {
    for (const internal of ['gradeAssertions', 'createExpectApi', 'isOneOf'])
      expect(exported.has(internal), internal).toBe(false);
  });
});
