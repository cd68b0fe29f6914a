// TypeScript definitions for Analysis Sandbox analyses.
//
// These follow the product spec's "TypeScript Definitions" section: the whole interface is here,
// because later releases fill it in. Each member says in its doc comment whether it is
// **Available now** in the sandbox or **Planned** (calling a planned member today fails with a
// TypeError such as "ctx.duckdb is undefined"). docs/js-api.md describes the behaviour of the
// available members in detail.
//
// Use from a plain JavaScript analysis with JSDoc, e.g. in an editor with type checking:
//
//     /// <reference path="../analysis-sandbox.d.ts" />
//     /** @type {Analysis} */
//     export default {
//         title: "Hello",
//         parameters: { name: { type: "string", default: "world" } },
//         run(ctx, params) { ctx.log("hi"); return { greeting: `Hello, ${params.name ?? "world"}` }; },
//     };
//
// Deliberate widenings of the spec text, each compatible with it:
// - `run` may also return the object directly (the sandbox awaits a promise when there is one).
// - `Buffer` is an alias of `Uint8Array`: the sandbox has no Node.js Buffer; bytes are Uint8Arrays.
// - SQLDataSource.stream returns an AsyncIterableIterator (usable in `for await`), and execute /
//   insert resolve with `{ rowsAffected }` instead of nothing.

/** Bytes. The sandbox represents binary data as Uint8Array (there is no Node.js Buffer). */
type Buffer = Uint8Array;

// Analysis Definition
/**
 * The default export of an analysis module: `export default { title, run(ctx, params) { ... } }`.
 * Available now: `title`, `run` (both required). `parameters`, `dependencies` and `schedule`
 * are accepted and not yet used (Planned: the catalog, forms, datasources and the scheduler read them).
 */
interface Analysis {
    /** Available now. Required; a string. */
    title: string;
    /** Planned (scheduler). Accepted and ignored today. */
    schedule?: {
        /** Standard 5-field cron expression, or a macro such as `@daily`. */
        cron: string;
        /** IANA time zone name; defaults to UTC. */
        timezone?: string;
        enabled?: boolean;
        shouldRun?: (ctx: Context) => Promise<boolean>;
    };
    /** Planned: a run will see only the datasources and analyses declared here. Ignored today. */
    dependencies?: {
        datasources?: string[];
        analyses?: string[];
    };
    /**
     * Planned: defaults are not applied and params are not validated yet, so read every
     * parameter as `params.x ?? default` in `run`.
     */
    parameters?: Record<string, Parameter>;
    /**
     * Available now. Called once per run with `this` set to the analysis. Must return (or
     * resolve to) a plain object, not an array; its JSON form must fit in the result size
     * limit (10 MiB by default). JSON rules: `undefined`, functions and symbols are dropped
     * (null in arrays), `Date` becomes an ISO-8601 UTC string, `BigInt` a decimal string,
     * `Uint8Array` a base64 string, `NaN`/`Infinity` null.
     */
    run: (ctx: Context, params: any) => Promise<object> | object;
}

// Parameter Types
/** Metadata of one parameter. Planned: forms, defaults and validation use it (not applied yet). */
interface Parameter {
    type: 'string' | 'number' | 'boolean' | 'date' | 'select' | 'multiselect';
    required?: boolean;
    /**
     * Used for scheduled runs and as the form's initial value. For `date` parameters the special
     * values `today`, `yesterday`, `last_week`, `last_month`, `current_month`, `week_start` and
     * `week_end` resolve in the schedule's time zone (Planned).
     */
    default?: any;
    description?: string;
    /** A fixed list, or a function the backend runs to build the list (Planned). */
    options?: SelectOption[] | ((ctx: Context, params: any) => Promise<SelectOption[]>);
    min?: number;
    max?: number;
    pattern?: string;
}

interface SelectOption {
    value: string | number;
    label: string;
}

// Context API
/** The `ctx` argument of `run`. */
interface Context {
    /**
     * Datasource access by name, only for the datasources the analysis declares in
     * `dependencies.datasources` (docs/datasources.md); any other name throws a ReferenceError
     * naming it. Available for `sqlite`, `postgres` and `mysql` (MySQL/MariaDB) datasources; other types are planned.
     */
    datasource: {
        [name: string]: DataSource;
    };

    /**
     * The project's persistent DuckDB database (docs/duckdb.md). No file or network access from
     * SQL; uncommitted work is rolled back when the run ends.
     */
    duckdb: {
        /** Available now. Runs SQL (several statements allowed) without returning rows. */
        exec: (sql: string) => Promise<void>;
        /** Available now. Rows as objects (types per docs/duckdb.md); `$1`/`?` parameters; at most 10 MB. */
        query: (sql: string, params?: any[]) => Promise<any[]>;
        /**
         * Available now (server runs). Streams the query's rows from a declared SQL datasource into
         * `tableName` (`CREATE OR REPLACE`), types per docs/duckdb.md; resolves to { table, rows }.
         */
        load: (datasource: string, sql: string, tableName: string) => Promise<{ table: string; rows: number }>;
        /**
         * Available now (server runs). Writes a DuckDB table into `destination` of a declared
         * datasource with allow_writes = true (created when missing); resolves to { table, rows }.
         */
        export: (tableName: string, datasource: string, destination: string) => Promise<{ table: string; rows: number }>;
        /**
         * Available now. Runs the frame's plan, then DuckDB scans it through the Arrow C stream
         * interface into `tableName` (`name` or `schema.name`): mode 'overwrite' (default) replaces
         * the table, 'append' inserts by column name (creating the table when missing).
         * `partition` is accepted and ignored. Same connection and transaction as exec().
         */
        saveDataFrame: (df: DataFrame, tableName: string, options?: SaveOptions) => Promise<void>;
        /**
         * Available now (an addition to the spec). The query's result as a DataFrame, through
         * Arrow (no rows in JS, no 10 MB limit: the run's DataFrame memory budget applies).
         */
        queryFrame: (sql: string) => Promise<DataFrame>;
        /** Available now. Names of the project's tables. */
        tables: () => Promise<string[]>;
        /** Available now. Columns, row count and approximate size of one table. */
        describe: (tableName: string) => Promise<TableInfo>;
    };

    /**
     * Available now. Key-value state of the analysis (checkpoints, small values). Values are
     * copied in and out and must have a JSON form (`Date`, `BigInt`, `Uint8Array` keep their
     * type). On the server it persists across runs and retries (Planned); `analysis-sandbox run`
     * starts each run with it empty.
     */
    metadata: {
        /** Available now. A copy of the stored value, or `undefined`. */
        get: (key: string) => any;
        /** Available now. Throws TypeError for `undefined`, functions, symbols and circular values. */
        set: (key: string, value: any) => void;
        /** Available now. */
        has: (key: string) => boolean;
        /** Available now. (Returns true when the key was there.) */
        delete: (key: string) => void;
        /** Available now. All keys, sorted. */
        list: () => string[];
    };

    /**
     * Available now (docs/dataframes.md). A Polars DataFrame from an array of row objects, an
     * object of column arrays ({ a: [1, 2] }) or another DataFrame. Column types are inferred
     * (integers -> int64, other numbers -> float64, strings, booleans, Dates -> datetime[ms]).
     */
    DataFrame: (data: any[] | Record<string, any[]> | DataFrame) => DataFrame;
    /** Available now. The same functions as the globals col() and lit(). */
    col: (name: string) => ColumnExpr;
    lit: (value: any, dtype?: string) => ColumnExpr;

    /**
     * Available in jobs (server runs; not in `analysis-sandbox run`). Runs another analysis of
     * the project, which must be declared in `dependencies.analyses`, inline: a fresh runtime,
     * the caller's deadline and stop, the callee's own datasources. Resolves to
     * `{ success, result, error, run_id }` (a callee that failed resolves with success false);
     * rejects for an undeclared or unknown analysis, a cycle (the error names the chain) or a
     * depth over 10. The nested run is recorded in the run history with its parent. See docs/jobs.md.
     */
    runAnalysis: (analysisId: string, params?: any) => Promise<any>;

    /**
     * Available now. One `info` entry in the run's log, with a UTC timestamp; arguments are
     * joined by spaces (strings as they are, other values in a compact inspect form). Past the
     * log limits (10,000 entries, 1 MiB by default) the log ends with a truncation marker and
     * later entries are dropped. (Returns true when the entry was kept, false once truncated.)
     */
    log: (...args: any[]) => void;
    /** Available now. Like `log`, at level `error`. */
    error: (...args: any[]) => void;
    /**
     * Available now. Resolves after `ms` milliseconds (a finite number >= 0, else TypeError).
     * Sleeps overlap under Promise.all; they do not extend the run's time limit.
     */
    sleep: (ms: number) => Promise<void>;
    /**
     * Available now. True once the run was cancelled or passed its time limit. Check it between
     * units of work; the sandbox interrupts the script soon after in any case.
     */
    shouldStop: () => boolean;

    /** Planned. Data utilities. */
    utils: {
        compress: (data: any, format: 'gzip' | 'brotli' | 'zstd') => Buffer;
        decompress: (data: Buffer, format: 'gzip' | 'brotli' | 'zstd') => any;
        hash: (data: any, algorithm: 'sha256' | 'md5' | 'sha512') => string;
        parseExcel: (buffer: Buffer, sheet?: string) => any[][];
        parseCSV: (text: string, options?: CSVOptions) => any[];
    };
}

// DataSource Types (all Planned)
/**
 * PostgreSQL, MySQL/MariaDB and SQLite: available (docs/datasources.md). ClickHouse: planned.
 * Read-only unless the datasource's config says `allow_writes = true` (enforced by the database).
 */
interface SQLDataSource {
    /** Available. One statement; `$1...` (PostgreSQL) or `?` (SQLite) parameters bound on the server. */
    query: (sql: string, params?: any[]) => Promise<any[]>;
    /** Available. Batches of `batchSize` rows (default 1000) from a server-side cursor. */
    stream: (sql: string, params?: any[], batchSize?: number) => AsyncIterableIterator<any[]>;
    /** Available; needs allow_writes. Resolves with `{ rowsAffected }` (the spec says void). */
    execute?: (sql: string, params?: any[]) => Promise<{ rowsAffected: number }>;
    /** Available; needs allow_writes. Rows are objects, one property per column. */
    insert?: (table: string, data: any[]) => Promise<{ rowsAffected: number }>;
}

/** Planned. S3, GCS, Azure Blob. */
interface S3DataSource {
    list: (prefix: string, options?: S3ListOptions) => Promise<S3Object[]>;
    get: (key: string) => Promise<Buffer>;
    put: (key: string, data: Buffer | string, metadata?: any) => Promise<void>;
    delete: (key: string) => Promise<void>;
    getSignedUrl: (key: string, expiry?: number) => Promise<string>;
    stream: (key: string, options: S3StreamOptions) => Promise<void>;
    multipartUpload: (key: string, parts: Buffer[]) => Promise<void>;
}

/** Planned. */
interface RESTDataSource {
    get: (endpoint: string, params?: any) => Promise<any>;
    post: (endpoint: string, body: any, params?: any) => Promise<any>;
    put: (endpoint: string, body: any, params?: any) => Promise<any>;
    delete: (endpoint: string, params?: any) => Promise<any>;
    paginate: (endpoint: string, options: PaginateOptions) => Promise<any[]>;
}

/** Planned. */
interface OpenAPIDataSource {
    operations: Record<string, (...args: any[]) => Promise<any>>;
    call: (path: string, options: OpenAPICallOptions) => Promise<any>;
}

/** Planned. */
interface SOAPDataSource {
    call: (operation: string, params: any) => Promise<any>;
}

/** Planned. */
interface GraphQLDataSource {
    query: (options: GraphQLQueryOptions) => Promise<any>;
    mutate: (options: GraphQLMutationOptions) => Promise<any>;
}

// Helper Types
interface S3Object {
    key: string;
    size: number;
    lastModified: Date;
    etag: string;
}

interface S3StreamOptions {
    decompress?: 'gzip' | 'zip' | '7z' | 'tar' | 'bz2';
    format?: 'csv' | 'excel' | 'json' | 'parquet';
    onChunk: (data: any) => Promise<void>;
}

interface S3ListOptions {
    maxKeys?: number;
    delimiter?: string;
    continuationToken?: string;
}

interface PaginateOptions {
    pageParam?: string;
    limitParam?: string;
    limit?: number;
    dataPath?: string;
    nextPagePath?: string;
}

interface SaveOptions {
    mode?: 'overwrite' | 'append';
    partition?: string[];
}

interface TableInfo {
    name: string;
    columns: ColumnInfo[];
    rowCount: number;
    sizeBytes: number;
}

interface ColumnInfo {
    name: string;
    type: string;
    nullable: boolean;
}

interface CSVOptions {
    delimiter?: string;
    headers?: boolean;
    skipRows?: number;
    encoding?: string;
}

interface OpenAPICallOptions {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    pathParams?: Record<string, any>;
    queryParams?: Record<string, any>;
    body?: any;
    headers?: Record<string, string>;
}

interface GraphQLQueryOptions {
    query: string;
    variables?: Record<string, any>;
}

interface GraphQLMutationOptions {
    mutation: string;
    variables?: Record<string, any>;
}

/**
 * Available now (docs/dataframes.md). A Polars DataFrame: immutable; every method adds a step
 * to a lazy plan that runs as one Polars query when a result is needed (collect, toJSON,
 * height, filter with a callback, saveDataFrame). Wider than the spec's interface: methods
 * also take expressions, arrays of names and options objects.
 */
interface DataFrame {
    /** An expression (col("amount").gt(100)) or a row callback (row.get("amount"), row.amount). */
    filter: (predicate: ColumnExpr | ((row: any, index: number) => boolean)) => DataFrame;
    select: (...columns: (string | ColumnExpr | (string | ColumnExpr)[])[]) => DataFrame;
    groupBy: (...columns: (string | ColumnExpr | (string | ColumnExpr)[])[]) => GroupedDataFrame;
    /** how: 'inner' (default) | 'left' | 'right' | 'full' | 'outer' | 'semi' | 'anti'. */
    join: ((other: DataFrame, on: string | string[], options?: JoinOptions) => DataFrame) &
          ((other: DataFrame, options: JoinOptions) => DataFrame);
    /** `ascending` defaults to true (so sort("score", true) is ascending). */
    sort: (column: string | ColumnExpr | (string | ColumnExpr)[],
           ascending?: boolean | boolean[] | { descending?: boolean | boolean[]; nullsLast?: boolean | boolean[] }) => DataFrame;
    /** `expr` may be a plain value (a literal). */
    withColumn: (name: string, expr: any) => DataFrame;
    withColumns: (...exprs: (ColumnExpr | Record<string, any>)[]) => DataFrame;
    drop: (...columns: (string | string[])[]) => DataFrame;
    rename: (mapping: Record<string, string>) => DataFrame;
    limit: (n: number) => DataFrame;
    /** First n rows (default 5). */
    head: (n?: number) => DataFrame;
    /** Rows from offset (negative: from the end). */
    slice: (offset: number, length?: number) => DataFrame;
    unique: (...columns: (string | string[] | { keep?: 'first' | 'last' | 'none' | 'any' })[]) => DataFrame;
    /** Rows as plain objects (types as ctx.duckdb.query's, docs/duckdb.md). */
    collect: () => any[];
    toJSON: () => any[];
    toArray: () => any[];
    /** Resolved without running the plan. */
    readonly columns: string[];
    readonly schema: Record<string, string>;
    readonly width: number;
    /** Runs the plan. */
    readonly height: number;
}

interface JoinOptions {
    on?: string | string[];
    leftOn?: string | string[];
    rightOn?: string | string[];
    how?: 'inner' | 'left' | 'right' | 'full' | 'outer' | 'semi' | 'anti';
    /** For clashing right columns; default '_right'. */
    suffix?: string;
}

/** Available now. */
interface GroupedDataFrame {
    /**
     * { out: expression } or { out: 'sum' | 'mean' | 'avg' | 'min' | 'max' | 'median' | 'std' | 'var' |
     * 'first' | 'last' | 'count' | 'nUnique' | 'len' } (of column `out`, or 'sum(column)');
     * or expressions: agg(col("a").sum().alias("total"), ...).
     */
    agg: ((aggregations: Record<string, string | AggregateExpr>) => DataFrame) & ((...exprs: AggregateExpr[]) => DataFrame);
    /** Rows per group, in a column `count`. */
    count: () => DataFrame;
}

// Column expressions for Polars (Available now; globals inside run(), also ctx.col / ctx.lit).
declare function col(name: string): ColumnExpr;
/** A literal; `dtype` casts it: lit("2024-01-31", "date"). */
declare function lit(value: any, dtype?: string): LiteralExpr;

type ExprInput = ColumnExpr | string | number | boolean | bigint | Date | null;

/**
 * Available now. JavaScript has no operator overloading: write col("a").mul(0.4).add(col("b")),
 * not col("a") * 0.4 + col("b") (which throws a TypeError saying so).
 */
interface ColumnExpr {
    add(other: ExprInput): ColumnExpr; plus(other: ExprInput): ColumnExpr;
    sub(other: ExprInput): ColumnExpr; minus(other: ExprInput): ColumnExpr;
    mul(other: ExprInput): ColumnExpr; multiply(other: ExprInput): ColumnExpr; multiplyBy(other: ExprInput): ColumnExpr;
    /** True division (float result). */
    div(other: ExprInput): ColumnExpr; divide(other: ExprInput): ColumnExpr; divideBy(other: ExprInput): ColumnExpr;
    /** Floored modulo (sign of the divisor). */
    mod(other: ExprInput): ColumnExpr; modulo(other: ExprInput): ColumnExpr; rem(other: ExprInput): ColumnExpr;
    neg(): ColumnExpr;
    eq(other: ExprInput): ColumnExpr; equals(other: ExprInput): ColumnExpr;
    neq(other: ExprInput): ColumnExpr; notEquals(other: ExprInput): ColumnExpr;
    lt(other: ExprInput): ColumnExpr; lessThan(other: ExprInput): ColumnExpr;
    lte(other: ExprInput): ColumnExpr; ltEq(other: ExprInput): ColumnExpr; lessThanEquals(other: ExprInput): ColumnExpr;
    gt(other: ExprInput): ColumnExpr; greaterThan(other: ExprInput): ColumnExpr;
    gte(other: ExprInput): ColumnExpr; gtEq(other: ExprInput): ColumnExpr; greaterThanEquals(other: ExprInput): ColumnExpr;
    and(...others: ExprInput[]): ColumnExpr;
    or(...others: ExprInput[]): ColumnExpr;
    not(): ColumnExpr;
    alias(name: string): ColumnExpr; as(name: string): ColumnExpr;
    /** dtype: 'int64' | 'float64' | 'string' | 'bool' | 'date' | 'datetime[ms]' | ...; strict defaults to true. */
    cast(dtype: string, strict?: boolean): ColumnExpr;
    isNull(): ColumnExpr;
    isNotNull(): ColumnExpr;
    fillNull(value: ExprInput): ColumnExpr;
    /** Literal text, or a regular expression (a RegExp, or { literal: false }). */
    contains(pattern: string | RegExp, options?: { literal?: boolean }): ColumnExpr;
    startsWith(prefix: ExprInput): ColumnExpr;
    endsWith(suffix: ExprInput): ColumnExpr;
    lower(): ColumnExpr; toLowerCase(): ColumnExpr;
    upper(): ColumnExpr; toUpperCase(): ColumnExpr;
    /** Characters. */
    len(): ColumnExpr; lengths(): ColumnExpr;
    lenBytes(): ColumnExpr;
    year(): ColumnExpr; quarter(): ColumnExpr; month(): ColumnExpr; week(): ColumnExpr;
    /** Monday = 1. */
    weekday(): ColumnExpr;
    day(): ColumnExpr; ordinalDay(): ColumnExpr; hour(): ColumnExpr; minute(): ColumnExpr;
    second(): ColumnExpr; millisecond(): ColumnExpr; date(): ColumnExpr;
    /** every: '1d', '1w', '1mo', '1q', '1y', '1h', '15m', ... */
    truncate(every: string): ColumnExpr;
    /** Polars-style namespaces: col("s").str.contains("x"), col("d").dt.year(). */
    readonly str: ColumnExpr;
    readonly dt: ColumnExpr;
    sum(): AggregateExpr;
    mean(): AggregateExpr; avg(): AggregateExpr;
    /** Non-null values. */
    count(): AggregateExpr;
    min(): AggregateExpr;
    max(): AggregateExpr;
    nUnique(): AggregateExpr;
    median(): AggregateExpr;
    std(ddof?: number): AggregateExpr;
    var(ddof?: number): AggregateExpr;
    first(): AggregateExpr;
    last(): AggregateExpr;
}

/** Available now: a literal is an expression like any other. */
interface LiteralExpr extends ColumnExpr {}

/** Available now: aggregations are expressions too (alias them, combine them). */
interface AggregateExpr extends ColumnExpr {}

type DataSource = SQLDataSource | S3DataSource | RESTDataSource |
                   OpenAPIDataSource | SOAPDataSource | GraphQLDataSource;
