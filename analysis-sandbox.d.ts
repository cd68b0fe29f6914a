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
        /** Planned (SQL datasources issue). */
        load: (datasource: string, sql: string, tableName: string) => Promise<void>;
        /** Planned (SQL datasources issue). */
        export: (tableName: string, datasource: string, destination: string) => Promise<void>;
        /** Planned (Polars issue). */
        saveDataFrame: (df: DataFrame, tableName: string, options?: SaveOptions) => Promise<void>;
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

    /** Planned. A Polars DataFrame from an array of row objects. */
    DataFrame: (data: any[]) => DataFrame;

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

/** Planned. A Polars DataFrame. */
interface DataFrame {
    filter: (predicate: (row: any) => boolean) => DataFrame;
    select: (...columns: string[]) => DataFrame;
    groupBy: (...columns: string[]) => GroupedDataFrame;
    join: (other: DataFrame, on: string | string[]) => DataFrame;
    sort: (column: string, ascending?: boolean) => DataFrame;
    withColumn: (name: string, expr: any) => DataFrame;
    drop: (...columns: string[]) => DataFrame;
    limit: (n: number) => DataFrame;
    collect: () => any[];
}

/** Planned. */
interface GroupedDataFrame {
    agg: (aggregations: Record<string, string | AggregateExpr>) => DataFrame;
    count: () => DataFrame;
}

// Column expressions for Polars (Planned)
declare function col(name: string): ColumnExpr;
declare function lit(value: any): LiteralExpr;

interface ColumnExpr {
    sum(): AggregateExpr;
    mean(): AggregateExpr;
    count(): AggregateExpr;
    min(): AggregateExpr;
    max(): AggregateExpr;
    nUnique(): AggregateExpr;
}

interface LiteralExpr {
    // Literal expressions for constants
}

interface AggregateExpr {
    // Aggregate expressions for group operations
}

type DataSource = SQLDataSource | S3DataSource | RESTDataSource |
                   OpenAPIDataSource | SOAPDataSource | GraphQLDataSource;
