/**
 * libxml2 for the JUnit XML checks, from npm: `libxml2-wasm` is libxml2 compiled to WebAssembly,
 * so the schema validation and XPath queries are the ones `xmllint --schema` / `xmllint --xpath`
 * run, with libxml2's own messages, and no Debian package is needed.
 */
import { readFileSync } from 'node:fs';
import { XmlDocument, XmlLibError, XsdValidator } from 'libxml2-wasm';

/** One libxml2 diagnostic, as xmllint prints it: `file:line: message`. */
function describeErrors(err: unknown): string {
  if (!(err instanceof XmlLibError)) throw err;
  return err.details.map((d) => `${d.file ?? '-'}:${d.line}: ${d.message.trimEnd()}`).join('\n');
}

/** Parses `xml`; a document that is not well-formed throws with libxml2's messages. */
function parse(xml: string, fileName: string): XmlDocument {
  try {
    return XmlDocument.fromString(xml, { url: fileName });
  } catch (err) {
    throw new Error(`${fileName} is not well-formed XML:\n${describeErrors(err)}`);
  }
}

/**
 * libxml2's complaints about `xml` against the XSD at `xsdPath`: an empty array when it is
 * well-formed and valid, else one `file:line: message` per problem (what `xmllint --noout
 * --schema` prints). A document that is not well-formed gives its parse errors.
 */
export function schemaErrors(xml: string, xsdPath: string, fileName = 'junit.xml'): string[] {
  const schema = XmlDocument.fromString(readFileSync(xsdPath, 'utf8'), { url: xsdPath });
  let doc: XmlDocument | undefined;
  let validator: XsdValidator | undefined;
  try {
    validator = XsdValidator.fromDoc(schema);
    try {
      doc = XmlDocument.fromString(xml, { url: fileName });
    } catch (err) {
      return describeErrors(err).split('\n');
    }
    try {
      validator.validate(doc);
      return [];
    } catch (err) {
      return describeErrors(err).split('\n');
    }
  } finally {
    doc?.dispose();
    validator?.dispose();
    schema.dispose();
  }
}

/** Throws, with libxml2's messages, unless `xml` is valid against the XSD at `xsdPath`. */
export function assertSchemaValid(xml: string, xsdPath: string, fileName = 'junit.xml'): void {
  const errors = schemaErrors(xml, xsdPath, fileName);
  if (errors.length > 0)
    throw new Error(`${fileName} fails to validate against ${xsdPath}:\n${errors.join('\n')}`);
}

/** A parsed document to ask XPath 1.0 questions of (libxml2's evaluator, as `xmllint --xpath`). */
export interface XPathDocument {
  /** The value of an expression that yields a number, e.g. `count(//testcase)`. */
  number(expr: string): number;
  /** The value of an expression that yields a string, e.g. `string(//testsuite/@name)`. */
  string(expr: string): string;
  /** Frees the document. */
  dispose(): void;
}

/** Parses `xml` (it must be well-formed) for XPath queries; dispose it when done. */
export function xpathDocument(xml: string, fileName = 'junit.xml'): XPathDocument {
  const doc = parse(xml, fileName);
  const evaluate = (expr: string, type: 'number' | 'string'): number | string => {
    const value = doc.eval(expr);
    if (typeof value !== type)
      throw new Error(
        `XPath ${expr} gave a ${Array.isArray(value) ? 'node set' : typeof value}, not a ${type}`,
      );
    return value as number | string;
  };
  return {
    number: (expr) => evaluate(expr, 'number') as number,
    string: (expr) => evaluate(expr, 'string') as string,
    dispose: () => doc.dispose(),
  };
}
