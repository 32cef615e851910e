/** @jsxRuntime automatic @jsxImportSource react */
import { Box, Text } from 'ink';

/** Leading colour codes, then the indentation they style. */
const INDENT = /^((?:\u001B\[[0-9;]*m)*)( +)/;

/**
 * Pre-formatted (chalk-coloured) lines, one `<Text>` each. A line's leading spaces become
 * padding, so a line wrapped at the terminal width keeps its indentation; with `truncate`, a
 * line is cut there instead, so that each takes one row.
 */
export function Lines({
  lines,
  marginTop = 0,
  truncate = false,
}: {
  readonly lines: readonly string[];
  readonly marginTop?: number;
  readonly truncate?: boolean;
}) {
  return (
    <Box flexDirection="column" marginTop={marginTop}>
      {lines.map((line, i) => {
        const m = INDENT.exec(line);
        const pad = m?.[2]?.length ?? 0;
        return (
          <Box key={i} paddingLeft={pad}>
            <Text wrap={truncate ? 'truncate-end' : 'wrap'}>
              {m ? (m[1] ?? '') + line.slice(m[0].length) : line}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
