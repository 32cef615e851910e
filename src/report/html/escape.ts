/**
 * Escaping for the HTML report: every string that comes from a run (model names, messages,
 * file paths, plugin errors) goes through one of these before it reaches the page.
 */
import { cleanText } from '../clean-text.ts';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text as HTML, safe both between tags and inside a double- or single-quoted attribute; without
 * the ANSI escapes and control characters a plugin's message may carry (clean-text.ts).
 */
export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A value as JSON that can sit inside `<script type="application/json">`: `<`, `>` and `&` become
 * `\u003c`-style escapes (so neither `</script>` nor `<!--` can end or confuse the block), and so do
 * U+2028/U+2029. `JSON.parse` of the element's text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * JavaScript source made safe to inline in a `<script>` element: a `</script` or `<!--` inside
 * it (in a string or a regex) would end the element or switch the parser into its escaped state.
 * `<\/script` and `<\x21--` mean the same inside JS strings, templates and regexes (unicode ones too).
 */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');
}
