/**
 * The compression codecs of Parquet pages, both ways: what the reader decompresses (every codec
 * Spark, Databricks/Delta, pyarrow and DuckDB write: SNAPPY, ZSTD, GZIP, BROTLI, LZ4, LZ4_RAW)
 * and what `harness generate --format parquet --compression …` writes.
 *
 * Each codec takes its fastest decoder measured in Node 20 (36.7 MB of pages, 16 KB each,
 * warm; snappy ratio 1.24, zstd 1.69, gzip 1.62):
 * - SNAPPY: hysnappy's WebAssembly decoder, 34 ms (hyparquet's JS one, used until it loads: 77 ms);
 * - ZSTD: zstd-wasm (the zstd C library as WebAssembly), 150 ms (fzstd, pure JS: 900 ms); it also
 *   compresses, so the writer can write ZSTD;
 * - GZIP, BROTLI: Node's zlib (native), gzip 100 ms;
 * - LZ4 (Hadoop's framing or a bare block, as parquet-mr and Arrow write it) and LZ4_RAW:
 *   hyparquet-compressors' JS decoders.
 *
 * Decoders load asynchronously and on demand: a reader calls {@link loadCodecsFor} with a file's
 * metadata before its pages, a writer {@link loadZstd} before writing ZSTD.
 */
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import type { Compressors, FileMetaData } from 'hyparquet';
import { snappyUncompress as snappyJs } from 'hyparquet/src/snappy.js';

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;
type Zstd = typeof import('@bokuweb/zstd-wasm');

/** The codecs `harness generate --format parquet` can write, by their flag name. */
export const PARQUET_COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'none'] as const;

/** A codec the writer can use (see {@link PARQUET_COMPRESSIONS}). */
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** The Parquet codec names of the flag's words. */
export const PARQUET_CODEC_OF: Readonly<Record<ParquetCompression, 'SNAPPY' | 'ZSTD' | 'GZIP' | 'UNCOMPRESSED'>> = {
  snappy: 'SNAPPY',
  zstd: 'ZSTD',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
};

/** zstd's level for writing: 3 is zstd's own default and Spark's; higher levels cost write time for a few %. */
const ZSTD_LEVEL = 3;
/** gzip's level for writing: zlib's default. */
const GZIP_LEVEL = 6;

/*
 * The decoders load on first need ({@link loadCodecs}), not with this module: together they cost
 * 70–170 ms of imports, which every command would pay at start-up (most never read ZSTD or LZ4).
 */
let zstd: Zstd | undefined;
let snappyWasm: Decompress | undefined;
let lz4: { readonly LZ4: Decompress; readonly LZ4_RAW: Decompress } | undefined;
const loading = new Map<string, Promise<void>>();

async function load(codec: string): Promise<void> {
  if (codec === 'ZSTD') {
    const mod = await import('@bokuweb/zstd-wasm');
    // A CommonJS package: its exports are the default export or named ones, depending on the loader (Node's, tsx's, vite's).
    const lib = ((mod as { default?: Zstd }).default?.init ? mod.default : mod) as Zstd;
    await lib.init();
    zstd = lib;
  } else if (codec === 'SNAPPY') {
    snappyWasm = (await import('hysnappy')).snappyUncompressor();
  } else if (codec === 'LZ4' || codec === 'LZ4_RAW') {
    const { decompressLz4, decompressLz4Raw } = await import('hyparquet-compressors');
    lz4 = { LZ4: decompressLz4, LZ4_RAW: decompressLz4Raw };
  }
}

/** Loads the decoders (or encoders) of `codecs` that need loading; each loads once per process. */
export async function loadCodecs(codecs: Iterable<string>): Promise<void> {
  const pending: Promise<void>[] = [];
  for (const codec of new Set(codecs)) {
    let p = loading.get(codec);
    if (!p) loading.set(codec, (p = load(codec).then(() => void ready.add(codec))));
    pending.push(p);
  }
  await Promise.all(pending);
}

/** The codecs whose decoders have loaded (those that need none are always ready). */
const ready = new Set<string>(['UNCOMPRESSED', 'GZIP', 'BROTLI']);

/** The codecs of a file's column chunks. */
const codecsOf = (metadata: FileMetaData): string[] => metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? 'UNCOMPRESSED'));

/** True when every codec of a file can be decompressed now, without waiting for {@link loadCodecsFor}. */
export function codecsReady(metadata: FileMetaData): boolean {
  return codecsOf(metadata).every((c) => ready.has(c));
}

/** Loads what a file's codecs need before its pages are read. */
export function loadCodecsFor(metadata: FileMetaData): Promise<void> {
  return loadCodecs(codecsOf(metadata));
}

/** Loads the zstd WebAssembly module (to write ZSTD). */
export const loadZstd = (): Promise<void> => loadCodecs(['ZSTD']);

/**
 * A page's bytes decompressed to its header's `size`. Throws on an unknown codec (LZO, which no
 * current writer uses), on corrupt data, and when the result is not `size` bytes.
 */
export function decompressParquetPage(bytes: Uint8Array, size: number, codec: string): Uint8Array {
  let out: Uint8Array;
  switch (codec) {
    case 'UNCOMPRESSED':
      out = bytes;
      break;
    case 'SNAPPY':
      // The stream starts with its length: checked, as the WebAssembly decoder trusts it.
      if (snappyLength(bytes) !== size) throw new Error(`a SNAPPY page of ${snappyLength(bytes)} bytes, its header says ${size}`);
      if (snappyWasm) out = snappyWasm(bytes, size);
      else snappyJs(bytes, (out = new Uint8Array(size)));
      break;
    case 'ZSTD':
      if (!zstd) throw new Error('a ZSTD page before loadCodecs() (a bug of the harness)');
      // The size is known from the page header: used when a frame does not say it (zstd-jni's streams).
      try {
        out = zstd.decompress(bytes, { defaultHeapSize: size });
      } catch (err) {
        // zstd-wasm says "Failed to compress" for a decompression error: say what happened.
        throw new Error(`a ZSTD page that does not decompress (${err instanceof Error ? err.message.replace('Failed to compress with', 'zstd error') : String(err)})`);
      }
      break;
    case 'GZIP':
      out = gunzipSync(bytes);
      break;
    case 'BROTLI':
      out = brotliDecompressSync(bytes);
      break;
    case 'LZ4':
    case 'LZ4_RAW':
      if (!lz4) throw new Error(`a ${codec} page before loadCodecs() (a bug of the harness)`);
      out = lz4[codec](bytes, size);
      break;
    default:
      throw new Error(`unsupported compression codec ${codec}`);
  }
  if (out.length !== size) throw new Error(`a ${codec} page decompressed to ${out.length} bytes, its header says ${size}`);
  return out;
}

/** {@link decompressParquetPage} as hyparquet's `compressors` option, for the files read with its own readers (scores, imports). */
export const PARQUET_DECOMPRESSORS: Compressors = Object.fromEntries(
  ['SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW'].map((c) => [c, (b: Uint8Array, n: number) => decompressParquetPage(b, n, c)]),
);

/** What hyparquet-writer needs to write `compression`: its codec name and a compressor for it. */
export function parquetCompressors(compression: ParquetCompression): {
  readonly codec: 'SNAPPY' | 'ZSTD' | 'GZIP' | 'UNCOMPRESSED';
  readonly compressors: Readonly<Record<string, (input: Uint8Array) => Uint8Array>>;
} {
  const codec = PARQUET_CODEC_OF[compression];
  if (codec === 'ZSTD') {
    const lib = zstd;
    if (!lib) throw new Error('writing ZSTD before loadZstd() (a bug of the harness)');
    return { codec, compressors: { ZSTD: (input) => lib.compress(input, ZSTD_LEVEL) } };
  }
  // gzip's header holds no time when zlib writes it (mtime 0): the same page, the same bytes.
  if (codec === 'GZIP') return { codec, compressors: { GZIP: (input) => new Uint8Array(gzipSync(input, { level: GZIP_LEVEL })) } };
  return { codec, compressors: {} };
}

/** The uncompressed length a snappy stream starts with (a varint), or -1 when it is cut short. */
function snappyLength(bytes: Uint8Array): number {
  let v = 0;
  for (let i = 0, shift = 0; i < 5 && i < bytes.length; i++, shift += 7) {
    const b = bytes[i]!;
    v += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return v;
  }
  return -1;
}

/**
 * The codec of every column chunk the harness writes unless told otherwise: none. A series'
 * pages are dictionary indices of a few bits, which SNAPPY shrinks only 1.24× (the default fleet:
 * 23.9 MB against 18.8 MB, still 5.8× smaller than its CSV), while decompressing them (a copy into
 * WebAssembly memory and one out, then the garbage) was a fifth of loading the fleet: the
 * uncompressed pages are decoded in place, straight from the file's bytes.
 */
export const DEFAULT_PARQUET_COMPRESSION: ParquetCompression = 'none';
