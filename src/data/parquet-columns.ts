/**
 * Flat Parquet columns straight into Float64Arrays, page by page, with hyparquet's own page
 * decoders (headers, decompression, levels, PLAIN, dictionary, delta) but without its row
 * assembly: `parquetRead` assembles every column into a JS array through the general
 * nested-data (Dremel) algorithm, which was most of the time of reading a series (profiled:
 * ~30 % in assembleLists alone, then the arrays of boxed numbers and nulls to copy again). A
 * series file is flat (a timestamp and one number column per sensor), so a null is just a
 * definition level below the maximum, and a value lands in its row directly.
 *
 * Reads DATA_PAGE (v1, as Spark writes) and DATA_PAGE_V2 (hyparquet-writer), every encoding
 * hyparquet decodes; the codecs hyparquet decompresses by itself (SNAPPY, UNCOMPRESSED): any
 * other throws, and the caller reports the file as unreadable.
 */
import type { DecodedArray, FileMetaData, SchemaElement } from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getSchemaPath } from 'hyparquet/src/schema.js';

/** How a column's stored numbers become the Float64 values of the series. */
export type ColumnScale =
  /** The number as stored (DOUBLE, FLOAT, INT32, INT64). */
  | { readonly kind: 'number' }
  /** An INT64 timestamp in `perMs` units per millisecond, as epoch ms. */
  | { readonly kind: 'timestamp'; readonly perMs: number };

/**
 * Reads the top-level primitive column `name` of every row group of a Parquet file into a
 * Float64Array of `num_rows` values, NaN for a null.
 */
export function readFlatColumn(buffer: ArrayBuffer, metadata: FileMetaData, name: string, scale: ColumnScale): Float64Array {
  const out = new Float64Array(Number(metadata.num_rows));
  const schemaPath = getSchemaPath(metadata.schema, [name]);
  const element = schemaPath[schemaPath.length - 1]?.element as SchemaElement;
  const maxDef = element.repetition_type === 'REQUIRED' ? 0 : 1;
  const view = new DataView(buffer);
  let row = 0;
  for (const group of metadata.row_groups) {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name)?.meta_data;
    if (!chunk) throw new Error(`column ${name} has no chunk in a row group`);
    const decoder: ColumnDecoder = {
      pathInSchema: [name],
      type: chunk.type,
      element,
      schemaPath,
      codec: chunk.codec,
      parsers: undefined as never, // only convert() reads parsers, and this reader does its own conversion
    };
    // As hyparquet does: a 0 dictionary offset (some writers) means none.
    const reader = { view, offset: Number(chunk.dictionary_page_offset || chunk.data_page_offset) };
    const end = row + Number(group.num_rows);
    let dictionary: DecodedArray | undefined;
    while (row < end) {
      const header = parquetHeader(reader);
      const bytes = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
      reader.offset += header.compressed_page_size;
      if (header.type === 'DICTIONARY_PAGE') {
        const page = decompressPage(bytes, header.uncompressed_page_size, chunk.codec, undefined);
        const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
        dictionary = readPlain(pageReader, chunk.type, header.dictionary_page_header?.num_values ?? 0, element.type_length);
        continue;
      }
      let levels: number[] | undefined;
      let data: DecodedArray;
      let rows: number;
      let encoding: string;
      if (header.type === 'DATA_PAGE_V2' && header.data_page_header_v2) {
        ({ definitionLevels: levels, dataPage: data } = readDataPageV2(bytes, header, decoder));
        rows = header.data_page_header_v2.num_rows;
        encoding = header.data_page_header_v2.encoding;
      } else if (header.type === 'DATA_PAGE' && header.data_page_header) {
        const page = decompressPage(bytes, header.uncompressed_page_size, chunk.codec, undefined);
        ({ definitionLevels: levels, dataPage: data } = readDataPage(page, header.data_page_header, decoder));
        rows = header.data_page_header.num_values;
        encoding = header.data_page_header.encoding;
      } else {
        continue; // an index page, or another page a reader may skip
      }
      const dict = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY' ? dictionary : undefined;
      if ((encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY') && !dict) throw new Error(`column ${name}: a dictionary-encoded page without a dictionary`);
      // hyparquet gives no levels (an empty array) for a page without nulls.
      fill(out, row, rows, maxDef && levels?.length ? levels : undefined, maxDef, data, dict, scale);
      row += rows;
    }
  }
  return out;
}

/** Writes one page's `rows` values from `row` on: the k-th non-null value at the k-th row whose level is the maximum. */
function fill(
  out: Float64Array,
  row: number,
  rows: number,
  levels: readonly number[] | undefined,
  maxDef: number,
  data: DecodedArray,
  dict: DecodedArray | undefined,
  scale: ColumnScale,
): void {
  const perMs = scale.kind === 'timestamp' ? scale.perMs : 1;
  const value = (k: number): number => {
    const v = dict ? dict[data[k] as number] : data[k];
    return typeof v === 'bigint' ? Number(v) / perMs : (v as number);
  };
  // The common case: Float64 values, no dictionary or a Float64 one, no nulls or few.
  const plain = data instanceof Float64Array && !dict;
  const fromDict = dict instanceof Float64Array;
  let k = 0;
  for (let i = 0; i < rows; i++) {
    if (levels !== undefined && levels[i] !== maxDef) {
      out[row + i] = NaN;
      continue;
    }
    out[row + i] = plain ? (data[k] as number) : fromDict ? (dict[data[k] as number] as number) : value(k);
    k++;
  }
}
