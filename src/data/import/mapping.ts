/**
 * The mapping file of `harness import`: how one kind of real export maps onto the data
 * contract. JSON (or a .ts/.js module whose default export is the same object). Validation
 * reports one problem per wrong field, named by its path (`columns.temp_cell_max_c.unit`).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, jsonProblem, type Problem } from '../../errors.ts';
import { loadDefaultExport } from '../../module/index.ts';
import { DERIVED_FEATURES, EXTRA_COLUMN_PATTERN, REAL_OPERATIONAL_MODES, SENSORS, SEASONS, SYSTEM_ID_PATTERN, isOneOf, type MetadataMode, type Season, type Sensor } from '../schema.ts';
import { didYouMean } from '../suggest.ts';
import { patternProblems, resolveZone, type AmbiguousPolicy, type NonexistentPolicy, type Zone } from './timestamps.ts';
import { CONTRACT_UNIT, SENSOR_QUANTITY, unitDef, unitsOf, type Quantity } from './units.ts';

/** How several export columns combine into one value per row (missing cells skipped). */
export type Combine = 'max' | 'min' | 'mean';
export const COMBINES: readonly Combine[] = ['max', 'min', 'mean'];

/**
 * One contract sensor (or extra column) read from one export column, or combined across several
 * (`{ "max": [...] }`): each cell raw → (raw × scale + offset) in `unit` → contract unit, then
 * (aggregates) the max, min or mean of the cells that hold a reading.
 */
export interface ColumnMapping {
  /** The export column, or for an aggregate a label such as `max(U_01, …, U_12)` for messages. */
  readonly from: string;
  /** The export columns read: `[from]`, or an aggregate's list. */
  readonly sources: readonly string[];
  readonly combine?: Combine;
  /** Unit of the export's values (`''` for an extra column: no unit, no conversion). */
  readonly unit: string;
  /** Conversion from `unit` to the contract unit. */
  readonly factor: number;
  readonly unitOffset: number;
  readonly scale: number;
  readonly offset: number;
  /** Raw values (as written in the export, before any conversion) that mean "no reading". */
  readonly sentinels: readonly number[];
  /** Valid range in the contract unit; a value outside is dropped as out of range. */
  readonly range?: readonly [number, number];
}

export interface MetadataMapping {
  /** One of the five modes, or `unknown` when the export does not say how the plant ran. */
  readonly operational_mode?: MetadataMode;
  /** `auto`: from the month of the system's first timestamp (northern hemisphere). */
  readonly season: Season | 'auto';
  readonly chemistry?: string;
  readonly capacity_kwh?: number;
  readonly climate?: string;
}

export interface Mapping {
  readonly file: string;
  readonly delimiter: string;
  readonly decimal: '.' | ',';
  readonly timestamp: {
    readonly column: string;
    readonly format: string;
    /** `elapsed` timestamps count from this instant (epoch ms). */
    readonly origin?: number;
    readonly zone?: Zone;
    readonly ambiguous: AmbiguousPolicy;
    readonly nonexistent: NonexistentPolicy;
  };
  readonly system: {
    /** Export column holding the system (rack, bank) id; without it each input file is one system. */
    readonly column?: string;
    /** A fixed id for a file holding one system. */
    readonly id?: string;
    readonly prefix?: string;
    /** Split each system's series into windows of this many days, one system each. */
    readonly windowDays?: number;
    /** A window with fewer rows is a stub (see `trailing`); default: a last window spanning less than half a window is one. */
    readonly minRows?: number;
    /** What becomes of a stub: merged into the window before it (default), dropped, or kept as its own system. */
    readonly trailing: Trailing;
  };
  readonly currentSign: 'discharge_positive' | 'charge_positive';
  readonly columns: Readonly<Partial<Record<Sensor, ColumnMapping>>>;
  /** Columns outside the contract kept in the series (`string_current_1_a`: per-string currents, mode flags), numbers, no unit. */
  readonly extra: Readonly<Record<string, ColumnMapping>>;
  readonly metadata: MetadataMapping & { readonly systems: Readonly<Record<string, Partial<MetadataMapping>>> };
}

export type Trailing = 'merge' | 'drop' | 'keep';

const TOP = ['delimiter', 'decimal', 'timestamp', 'system', 'current_sign', 'columns', 'extra', 'metadata', '$schema', 'description'] as const;
const TS_KEYS = ['column', 'format', 'origin', 'timezone', 'ambiguous', 'nonexistent'] as const;
const SYSTEM_KEYS = ['column', 'id', 'prefix', 'window_days', 'min_rows', 'trailing'] as const;
const COLUMN_KEYS = ['from', 'max', 'min', 'mean', 'unit', 'scale', 'offset', 'sentinel', 'range'] as const;
const EXTRA_KEYS = ['from', 'max', 'min', 'mean', 'scale', 'offset', 'sentinel', 'range'] as const;
const TRAILING: readonly Trailing[] = ['merge', 'drop', 'keep'];
/** An elapsed-time origin: ISO 8601 with a zone (`Z` or an offset), so it names one instant. */
const ORIGIN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const META_KEYS = ['operational_mode', 'season', 'chemistry', 'capacity_kwh', 'climate', 'systems'] as const;
const AMBIGUOUS: readonly AmbiguousPolicy[] = ['infer', 'earlier', 'later', 'drop'];
const NONEXISTENT: readonly NonexistentPolicy[] = ['drop', 'shift'];
const SIGNS = ['discharge_positive', 'charge_positive'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** Validates a parsed mapping object; throws one HarnessError listing every problem, each as `file: field: message`. */
export function validateMapping(raw: unknown, file: string): Mapping {
  const problems: Problem[] = [];
  const bad = (field: string, message: string): void => void problems.push({ file, line: 0, column: 0, message: `${field}: ${message}` });
  const unknownKeys = (o: Obj, known: readonly string[], where: string): void => {
    for (const k of Object.keys(o)) if (!known.includes(k)) bad(where ? `${where}.${k}` : k, `unknown field${didYouMean(k, known)} (expected ${known.filter((x) => !x.startsWith('$')).join(', ')})`);
  };
  const str = (o: Obj, key: string, where: string, required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined) {
      if (required) bad(`${where}${key}`, 'required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      bad(`${where}${key}`, `must be a non-empty string, found ${show(v)}`);
      return undefined;
    }
    return v;
  };
  const oneOf = <T extends string>(o: Obj, key: string, where: string, values: readonly T[], dflt: T): T => {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v === 'string' && isOneOf(values, v)) return v;
    bad(`${where}${key}`, `must be one of ${values.join(', ')}, found ${show(v)}${typeof v === 'string' ? didYouMean(v, values) : ''}`);
    return dflt;
  };
  const num = (o: Obj, key: string, where: string, dflt: number, check?: (n: number) => string | undefined): number => {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      bad(`${where}${key}`, `must be a number, found ${show(v)}`);
      return dflt;
    }
    const why = check?.(v);
    if (why) bad(`${where}${key}`, why);
    return v;
  };

  if (!isObj(raw)) {
    throw new HarnessError('E_MAPPING', `invalid mapping ${file}: expected an object with timestamp, columns and metadata, found ${Array.isArray(raw) ? 'an array' : show(raw)}`, [
      { file, line: 0, column: 0, message: 'not an object' },
    ]);
  }
  unknownKeys(raw, TOP, '');

  const delimiter = raw['delimiter'] === undefined ? ',' : raw['delimiter'];
  if (delimiter !== ',' && delimiter !== ';' && delimiter !== '\t' && delimiter !== '|') bad('delimiter', `must be one of "," ";" "\\t" "|", found ${show(delimiter)}`);
  const decimal = oneOf(raw, 'decimal', '', ['.', ','] as const, '.');
  if (decimal === ',' && delimiter === ',') bad('decimal', 'a decimal comma needs another delimiter (use "delimiter": ";")');

  // timestamp
  let timestamp: Mapping['timestamp'] = { column: '', format: 'iso', ambiguous: 'infer', nonexistent: 'drop' };
  const ts = raw['timestamp'];
  if (ts === undefined) bad('timestamp', 'required: { "column": …, "format": … }');
  else if (!isObj(ts)) bad('timestamp', `must be an object, found ${show(ts)}`);
  else {
    unknownKeys(ts, TS_KEYS, 'timestamp');
    const column = str(ts, 'column', 'timestamp.', true) ?? '';
    const format = str(ts, 'format', 'timestamp.', false) ?? 'iso';
    for (const p of patternProblems(format)) bad('timestamp.format', `${show(format)}: ${p} (use iso, epoch_s, epoch_ms, elapsed or a pattern such as "DD.MM.YYYY HH:mm:ss")`);
    const originText = str(ts, 'origin', 'timestamp.', format === 'elapsed');
    let origin: number | undefined;
    if (originText !== undefined) {
      if (format !== 'elapsed') bad('timestamp.origin', `only with format "elapsed" (times relative to the origin), found format ${show(format)}`);
      else if (!ORIGIN.test(originText) || !Number.isFinite(Date.parse(originText))) bad('timestamp.origin', `${show(originText)} must be an ISO 8601 instant with Z or an offset, such as "2024-01-01T00:00:00Z"`);
      else origin = Date.parse(originText);
    }
    const tzName = str(ts, 'timezone', 'timestamp.', false);
    let zone: Zone | undefined;
    if (tzName !== undefined && format === 'elapsed') {
      bad('timestamp.timezone', 'not with format "elapsed": the origin carries its own offset');
    } else if (tzName !== undefined) {
      zone = resolveZone(tzName);
      if (!zone) bad('timestamp.timezone', `unknown time zone ${show(tzName)} (use an IANA name such as "Europe/Berlin", "UTC" or a fixed offset such as "+01:00")`);
    } else if (format !== 'iso' && format !== 'elapsed' && !format.startsWith('epoch_') && patternProblems(format).length === 0) {
      bad('timestamp.timezone', `required with the format ${show(format)}, which has no UTC offset (an IANA name such as "Europe/Berlin", or "UTC")`);
    }
    timestamp = {
      column,
      format,
      ...(origin !== undefined ? { origin } : {}),
      ...(zone ? { zone } : {}),
      ambiguous: oneOf(ts, 'ambiguous', 'timestamp.', AMBIGUOUS, 'infer'),
      nonexistent: oneOf(ts, 'nonexistent', 'timestamp.', NONEXISTENT, 'drop'),
    };
  }

  // system
  let system: Mapping['system'] = { trailing: 'merge' };
  const sys = raw['system'];
  if (sys !== undefined && !isObj(sys)) bad('system', `must be an object, found ${show(sys)}`);
  else if (sys !== undefined) {
    unknownKeys(sys, SYSTEM_KEYS, 'system');
    const column = str(sys, 'column', 'system.', false);
    const id = str(sys, 'id', 'system.', false);
    const prefix = str(sys, 'prefix', 'system.', false);
    if (column !== undefined && id !== undefined) bad('system', 'give either column (one file holds several systems) or id (a file is one system), not both');
    if (id !== undefined && !SYSTEM_ID_PATTERN.test(id)) bad('system.id', `${show(id)} is not a safe system id (${SYSTEM_ID_PATTERN.source})`);
    if (prefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(prefix)) bad('system.prefix', `${show(prefix)} must start with a letter or digit and hold only letters, digits, _ . - (at most 64)`);
    const windowDays = num(sys, 'window_days', 'system.', NaN, (n) => (n > 0 ? undefined : `must be > 0, found ${n}`));
    const minRows = num(sys, 'min_rows', 'system.', NaN, (n) => (Number.isInteger(n) && n >= 1 ? undefined : `must be a whole number ≥ 1, found ${n}`));
    const trailing = oneOf(sys, 'trailing', 'system.', TRAILING, 'merge');
    if (!Number.isFinite(windowDays) && (sys['min_rows'] !== undefined || sys['trailing'] !== undefined)) bad('system', 'min_rows and trailing need window_days (they say what becomes of a short last window)');
    system = {
      ...(column ? { column } : {}),
      ...(id ? { id } : {}),
      ...(prefix ? { prefix } : {}),
      ...(Number.isFinite(windowDays) ? { windowDays } : {}),
      ...(Number.isFinite(minRows) ? { minRows } : {}),
      trailing,
    };
  }

  const currentSign = oneOf(raw, 'current_sign', '', SIGNS, 'discharge_positive');

  /**
   * One column spec: an export column name, or an object with `from` (one column) or one of
   * max / min / mean (a list of columns), plus conversions. `quantity` undefined: an extra
   * column, which has no unit.
   */
  const readColumn = (v: unknown, where: string, quantity: Quantity | undefined): ColumnMapping | undefined => {
    const keys = quantity ? COLUMN_KEYS : EXTRA_KEYS;
    const spec: Obj | undefined = typeof v === 'string' ? { from: v } : isObj(v) ? v : undefined;
    if (!spec) {
      bad(where, `must be an export column name or { ${keys.map((k) => `"${k}"`).join(', ')} }, found ${show(v)}`);
      return undefined;
    }
    unknownKeys(spec, keys, where);
    const given = (['from', ...COMBINES] as const).filter((k) => spec[k] !== undefined);
    let from = '';
    let sources: string[] = [];
    let combine: Combine | undefined;
    if (given.length === 0) bad(`${where}.from`, 'required (one export column; or max, min or mean: a list of columns combined per row)');
    else if (given.length > 1) bad(where, `give one of from, max, min, mean, found ${given.join(' and ')}`);
    else if (given[0] === 'from') {
      from = str(spec, 'from', `${where}.`, true) ?? '';
      sources = [from];
    } else {
      combine = given[0]!;
      const list = spec[combine];
      if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== 'string' || c === '')) {
        bad(`${where}.${combine}`, `must be a non-empty list of export column names, found ${show(list)}`);
      } else {
        sources = list as string[];
        const dup = sources.find((c, i) => sources.indexOf(c) !== i);
        if (dup !== undefined) bad(`${where}.${combine}`, `lists ${show(dup)} twice`);
        from = `${combine}(${sources.length > 3 ? `${sources[0]}, …, ${sources[sources.length - 1]}` : sources.join(', ')})`;
      }
    }
    let unit = '';
    let def: ReturnType<typeof unitDef>;
    if (quantity) {
      const u = spec['unit'] === undefined ? CONTRACT_UNIT[quantity] : spec['unit'];
      def = typeof u === 'string' ? unitDef(u) : undefined;
      if (!def || def.quantity !== quantity) {
        bad(`${where}.unit`, `${show(u)} is not a unit of ${quantity} (expected one of ${unitsOf(quantity).join(', ')})${typeof u === 'string' ? didYouMean(u, unitsOf(quantity)) : ''}`);
      }
      unit = typeof u === 'string' ? u : '';
    }
    const scale = num(spec, 'scale', `${where}.`, 1, (n) => (n === 0 ? 'must not be 0' : undefined));
    const offset = num(spec, 'offset', `${where}.`, 0);
    const s = spec['sentinel'];
    const sentinels = s === undefined ? [] : Array.isArray(s) ? s : [s];
    if (sentinels.some((x) => typeof x !== 'number' || !Number.isFinite(x))) bad(`${where}.sentinel`, `must be a number or a list of numbers (raw values as written in the export), found ${show(s)}`);
    const r = spec['range'];
    let range: [number, number] | undefined;
    if (r !== undefined) {
      const inUnit = quantity ? `in ${CONTRACT_UNIT[quantity]}` : 'after scale and offset';
      if (!Array.isArray(r) || r.length !== 2 || r.some((x) => typeof x !== 'number') || (r[0] as number) > (r[1] as number)) bad(`${where}.range`, `must be [min, max] ${inUnit}, found ${show(r)}`);
      else range = [r[0] as number, r[1] as number];
    }
    return {
      from,
      sources,
      ...(combine ? { combine } : {}),
      unit,
      factor: def?.factor ?? 1,
      unitOffset: def?.offset ?? 0,
      scale,
      offset,
      sentinels: sentinels.filter((x): x is number => typeof x === 'number'),
      ...(range ? { range } : {}),
    };
  };

  // columns
  const columns: Partial<Record<Sensor, ColumnMapping>> = {};
  const cols = raw['columns'];
  if (cols === undefined) bad('columns', `required: { "<sensor>": "<export column>" | { "from", "unit", … } } with sensors from ${SENSORS.join(', ')}`);
  else if (!isObj(cols)) bad('columns', `must be an object, found ${show(cols)}`);
  else {
    if (Object.keys(cols).length === 0) bad('columns', 'maps no sensor: name at least one');
    for (const [sensor, v] of Object.entries(cols)) {
      const where = `columns.${sensor}`;
      if (!isOneOf(SENSORS, sensor)) {
        bad(where, `unknown sensor${didYouMean(sensor, SENSORS)} (expected ${SENSORS.join(', ')}; a column outside the contract goes under extra)`);
        continue;
      }
      const c = readColumn(v, where, SENSOR_QUANTITY[sensor]);
      if (c) columns[sensor] = c;
    }
  }

  // extra: sensors outside the contract, kept under a snake_case name
  const extra: Record<string, ColumnMapping> = {};
  const ex = raw['extra'];
  if (ex !== undefined && !isObj(ex)) bad('extra', `must be an object { "<snake_case name>": "<export column>" }, found ${show(ex)}`);
  else if (ex) {
    for (const [name, v] of Object.entries(ex)) {
      const where = `extra.${name}`;
      if (!EXTRA_COLUMN_PATTERN.test(name)) bad(where, `${show(name)} must be a lowercase snake_case name (${EXTRA_COLUMN_PATTERN.source}), such as string_current_1_a`);
      else if (isOneOf(SENSORS, name)) bad(where, `${name} is a contract sensor: map it under columns`);
      else if (name === 'timestamp' || isOneOf(DERIVED_FEATURES, name)) bad(where, `${name} is reserved (the timestamp or a derived feature)`);
      const c = readColumn(v, where, undefined);
      if (c) extra[name] = c;
    }
  }

  // A column is read once per output, except that aggregates may share columns (max and min of the same cells).
  const froms = new Map<string, string>();
  for (const [field, c] of [...Object.entries(columns).map(([k, c]) => [`columns.${k}`, c] as const), ...Object.entries(extra).map(([k, c]) => [`extra.${k}`, c] as const)]) {
    const at = c.combine ? `${field}.${c.combine}` : `${field}.from`;
    for (const col of c.sources) {
      if (col === timestamp.column) bad(at, `${show(col)} is the timestamp column`);
      if (col === system.column) bad(at, `${show(col)} is the system column`);
      if (c.combine) continue;
      const other = froms.get(col);
      if (other !== undefined) bad(at, `${show(col)} is already mapped to ${other}`);
      froms.set(col, field.replace(/^columns\./, ''));
    }
  }

  // metadata
  const meta = raw['metadata'];
  const readMeta = (o: Obj, where: string, top: boolean): Partial<MetadataMapping> => {
    unknownKeys(o, top ? META_KEYS : META_KEYS.filter((k) => k !== 'systems'), where);
    const mode = o['operational_mode'];
    let operational_mode: MetadataMode | undefined;
    if (mode !== undefined) {
      if (typeof mode === 'string' && isOneOf(REAL_OPERATIONAL_MODES, mode)) operational_mode = mode;
      else bad(`${where}.operational_mode`, `must be one of ${REAL_OPERATIONAL_MODES.join(', ')}, found ${show(mode)}${typeof mode === 'string' ? didYouMean(mode, REAL_OPERATIONAL_MODES) : ''}`);
    }
    const seasonRaw = o['season'];
    let season: Season | 'auto' | undefined;
    if (seasonRaw !== undefined) {
      if (typeof seasonRaw === 'string' && (seasonRaw === 'auto' || isOneOf(SEASONS, seasonRaw))) season = seasonRaw;
      else bad(`${where}.season`, `must be auto or one of ${SEASONS.join(', ')}, found ${show(seasonRaw)}`);
    }
    const chemistry = str(o, 'chemistry', `${where}.`, false);
    const climate = str(o, 'climate', `${where}.`, false);
    const cap = num(o, 'capacity_kwh', `${where}.`, NaN, (n) => (n > 0 ? undefined : `must be > 0, found ${n}`));
    for (const [k, v] of [['chemistry', chemistry], ['climate', climate]] as const) {
      if (v !== undefined && /[,"\r\n]/.test(v)) bad(`${where}.${k}`, `must not hold a comma, a quote or a line break, found ${show(v)}`);
    }
    return {
      ...(operational_mode ? { operational_mode } : {}),
      ...(season ? { season } : {}),
      ...(chemistry ? { chemistry } : {}),
      ...(climate ? { climate } : {}),
      ...(Number.isFinite(cap) && cap > 0 ? { capacity_kwh: cap } : {}),
    };
  };
  let metadata: Mapping['metadata'] = { season: 'auto', systems: {} };
  if (meta === undefined) bad('metadata', `required: { "operational_mode": one of ${REAL_OPERATIONAL_MODES.join(', ')} } (season is derived from the first timestamp unless given)`);
  else if (!isObj(meta)) bad('metadata', `must be an object, found ${show(meta)}`);
  else {
    const top = readMeta(meta, 'metadata', true);
    const systems: Record<string, Partial<MetadataMapping>> = {};
    const per = meta['systems'];
    if (per !== undefined && !isObj(per)) bad('metadata.systems', `must be an object keyed by system id, found ${show(per)}`);
    else if (per) {
      for (const [id, v] of Object.entries(per)) {
        if (!isObj(v)) bad(`metadata.systems.${id}`, `must be an object, found ${show(v)}`);
        else systems[id] = readMeta(v, `metadata.systems.${id}`, false);
      }
    }
    if (!top.operational_mode) {
      const missing = problems.some((p) => p.message.startsWith('metadata.operational_mode'));
      if (!missing && Object.keys(systems).length === 0) bad('metadata.operational_mode', `required (one of ${REAL_OPERATIONAL_MODES.join(', ')}; unknown when the export does not say), here or per system under metadata.systems`);
    }
    metadata = { season: 'auto', ...top, systems };
  }

  if (problems.length > 0) {
    throw new HarnessError('E_MAPPING', `invalid mapping ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`, problems);
  }
  return { file, delimiter: delimiter as string, decimal, timestamp, system, currentSign, columns, extra, metadata };
}

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** Reads and validates a mapping file: `.json`, or a `.ts`/`.js` module (any flavour) whose default export is the mapping. */
export async function loadMapping(file: string): Promise<Mapping> {
  const abs = path.resolve(file);
  const ext = path.extname(abs).toLowerCase();
  let raw: unknown;
  if (MODULE_EXTENSIONS.has(ext)) {
    raw = await loadDefaultExport(abs, { what: 'mapping' });
    if (raw === undefined) throw new HarnessError('E_MAPPING', `mapping ${abs}: the module has no default export`, [{ file: abs, line: 0, column: 0, message: 'no default export' }]);
  } else {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(err)})`;
      throw new HarnessError('E_MAPPING', `mapping ${abs}: ${why}`, [{ file: abs, line: 1, column: 0, message: why }]);
    }
    // A byte order mark (Windows editors write one) is skipped, and columns count after it, as
    // for a JSON config: every position below is one in the text JSON.parse read.
    text = text.replace(/^\uFEFF/, '');
    try {
      raw = JSON.parse(text);
    } catch (err) {
      const problem = jsonProblem(abs, text, err);
      throw new HarnessError('E_MAPPING', `mapping ${abs}: ${problem.message}`, [problem]);
    }
    // JSON.parse keeps the last of two equal keys: a copied line whose key was not edited mapped
    // voltage_v to the second column, dropped the first, and the import went on with exit 0.
    const duplicates = duplicateKeys(text).map((d) => ({ file: abs, line: d.line, column: d.column, message: `${d.path}: duplicate key (first on line ${d.firstLine}): JSON keeps only the last, so the first would be ignored` }));
    if (duplicates.length > 0) {
      throw new HarnessError('E_MAPPING', `invalid mapping ${abs}: ${duplicates.length} problem${duplicates.length === 1 ? '' : 's'}`, duplicates);
    }
  }
  return validateMapping(raw, abs);
}

/** Every key of valid JSON `text` that repeats one of its object's keys, with its path and where both are. */
function duplicateKeys(text: string): { path: string; line: number; column: number; firstLine: number }[] {
  const out: { path: string; line: number; column: number; firstLine: number }[] = [];
  // One frame per open object or array: the keys seen (with their line) and the current key or index.
  const stack: { keys?: Map<string, number>; at: string }[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
    } else if (c === '{') stack.push({ keys: new Map(), at: '' });
    else if (c === '[') stack.push({ at: '0' });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top && !top.keys) top.at = String(Number(top.at) + 1);
    } else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      let j = i + 1;
      while (/\s/.test(text[j] ?? '')) j++;
      const top = stack.at(-1);
      if (text[j] !== ':' || !top?.keys) continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      top.at = key;
      const first = top.keys.get(key);
      const path = stack.map((f) => (f.keys ? f.at : `[${f.at}]`)).join('.').replace(/\.\[/g, '[');
      if (first !== undefined) out.push({ path, line, column: start - lineStart + 1, firstLine: first });
      else top.keys.set(key, line);
    }
  }
  return out;
}
