/**
 * Parquet page checksums: the CRC-32 of a page's bytes (after its header, as stored) that a
 * writer may put in the page header. Spark writes them (parquet-mr does by default); pyarrow
 * does with `write_page_checksum=True`. Checked wherever present, so that a byte the disk or a
 * copy flipped is a damaged file rather than a wrong number read silently. Loaded with the
 * Parquet readers, never by a CSV user.
 */
import * as zlib from 'node:zlib';
import type { FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';

/** zlib's CRC-32, in Node since 20.15 (an older Node reads the pages unchecked). */
const crc32: ((data: Uint8Array) => number) | undefined = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** What a mismatch is called, after `column NAME, row group N: `. */
export const CHECKSUM_MISMATCH = "a page's bytes do not match its checksum (CRC-32): the file is damaged";

/** True when the page header's `crc` is given and the page's bytes do not match it. */
export function checksumMismatch(page: Uint8Array, crc: number | undefined): boolean {
  return crc !== undefined && crc32 !== undefined && (crc32(page) | 0) !== (crc | 0);
}

/**
 * The first page of the file whose bytes do not match its checksum, as `column NAME, row group
 * N: …`, or undefined. For a reader that does not walk the pages itself (the scores reader). A
 * page header it cannot follow (a negative size, past the end of its chunk) ends the walk of
 * that chunk: the reader that follows says what is wrong with it.
 */
export function pageChecksumProblem(file: Uint8Array, metadata: FileMetaData): string | undefined {
  if (crc32 === undefined) return undefined;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  for (const [g, group] of metadata.row_groups.entries()) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) continue;
      const reader = { view, offset: Number(meta.dictionary_page_offset || meta.data_page_offset) };
      const end = Math.min(reader.offset + Number(meta.total_compressed_size), file.length);
      while (reader.offset < end) {
        let header: ReturnType<typeof parquetHeader>;
        try {
          header = parquetHeader(reader);
        } catch {
          break;
        }
        const size = header.compressed_page_size;
        if (!(size >= 0) || reader.offset + size > end) break;
        if (checksumMismatch(file.subarray(reader.offset, reader.offset + size), header.crc)) {
          return `column ${meta.path_in_schema.join('.')}, row group ${g + 1}: ${CHECKSUM_MISMATCH}`;
        }
        reader.offset += size;
      }
    }
  }
  return undefined;
}
