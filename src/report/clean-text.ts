/**
 * Text from a run (a plugin's error message, a model or stratum name) made fit to show: a
 * plugin's `new Error('bad \x1b[31mred\x1b[0m \x00nul \x07bell')` recoloured the terminal, rang
 * its bell, and put raw control characters in the HTML page. Every reporter cleans such text the
 * same way, here; junit then also drops what XML 1.0 forbids.
 */

// CSI sequences (`ESC [ … final`), OSC sequences (`ESC ] … BEL|ST`) and two-byte escapes.
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

/** C0 controls but tab and newline, DEL, C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Removes ANSI escape sequences (colours, cursor moves, links) from `text`. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * `text` without ANSI escapes or control characters: tabs and newlines stay, and a carriage
 * return (`\r\n` or alone, which would overwrite a terminal line) becomes a newline.
 */
export function cleanText(text: string): string {
  return stripAnsi(text).replace(/\r\n?/g, '\n').replace(CONTROL, '');
}
