/**
 * Where JSON text first breaks the grammar, for the messages of V8 that give no offset
 * ("Unexpected token ''', ..."orters": ['plain']..." is not valid JSON", "Unexpected end of
 * JSON input"): without one, a JSON config's error was put at line 1 of the file. One pass over
 * the text, iterative (a deeply nested file cannot overflow the stack). A leaf module.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9a-fA-F]{4}$/;
const DIGIT = /[0-9]/;

/**
 * The offset of the first character of `text` that is not valid JSON where it stands
 * (`text.length` when the text ends too soon), or -1 when `text` is valid JSON.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const open: string[] = [];
  const skipSpace = () => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  /** Reads a string from its opening quote; false when it breaks (i is then where). */
  const string = (): boolean => {
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return true;
      }
      if (c < ' ') return false;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) {
          i++;
          return false;
        }
        if (e === 'u') {
          if (!HEX.test(text.slice(i + 2, i + 6))) {
            i += 2;
            while (i < text.length && /[0-9a-fA-F]/.test(text[i]!)) i++;
            return false;
          }
          i += 6;
          continue;
        }
        if (!ESCAPES.has(e)) {
          i++;
          return false;
        }
        i += 2;
        continue;
      }
      i++;
    }
    return false;
  };
  const digits = (): boolean => {
    if (!DIGIT.test(text[i] ?? '')) return false;
    while (DIGIT.test(text[i] ?? '')) i++;
    return true;
  };
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  const literal = (word: string): boolean => {
    for (const c of word) {
      if (text[i] !== c) return false;
      i++;
    }
    return true;
  };

  // A value is expected; then what may follow it, by the innermost open array or object.
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      open.push(c);
      i++;
      skipSpace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        open.pop();
        i++;
      } else if (c === '{') {
        if (!key()) return i;
        continue;
      } else continue;
    } else if (c === '"') {
      if (!string()) return i;
    } else if (c === '-' || (c !== undefined && DIGIT.test(c))) {
      if (!number()) return i;
    } else if (c === 't' || c === 'f' || c === 'n') {
      if (!literal(c === 't' ? 'true' : c === 'f' ? 'false' : 'null')) return i;
    } else return i;
    // After a value: close what it ends, then a comma leads to the next value.
    for (;;) {
      skipSpace();
      const inner = open.at(-1);
      if (inner === undefined) return i === text.length ? -1 : i;
      const close = inner === '{' ? '}' : ']';
      if (text[i] === close) {
        open.pop();
        i++;
        continue;
      }
      if (text[i] !== ',') return i;
      i++;
      if (inner === '{' && !key()) return i;
      break;
    }
  }

  /** Reads `"name" :` of an object's member; false when it breaks (i is then where). */
  function key(): boolean {
    skipSpace();
    if (text[i] !== '"' || !string()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  }
}
