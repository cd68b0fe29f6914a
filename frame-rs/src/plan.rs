//! The JSON plan: a list of ops applied to an input frame, with an expression tree.
//! The format is documented in README.md ("Plan format"); keep the two in step.
//!
//! Every op is checked against the schema of its input before it is added, so errors name the
//! op (`plan.ops[2] (filter)`), the problem and the value (`unknown column 'x'; available: a, b`).

use polars::prelude::*;
use serde_json::{Map, Value};

use crate::dtype::parse_dtype;
use crate::error::{Error, Result};

/// Build and run `plan_json` over `inputs` (input 0 is the main input).
pub fn execute(inputs: &[&DataFrame], plan_json: &str) -> Result<DataFrame> {
    let lf = build(inputs, plan_json)?.0;
    lf.collect().map_err(|e| Error::from(e).context("executing plan"))
}

/// The schema `plan_json` would produce over `inputs`, without running it (every op is checked
/// exactly as `execute` checks it).
pub fn schema(inputs: &[&DataFrame], plan_json: &str) -> Result<SchemaRef> {
    Ok(build(inputs, plan_json)?.1)
}

fn build(inputs: &[&DataFrame], plan_json: &str) -> Result<(LazyFrame, SchemaRef)> {
    if inputs.is_empty() {
        return Err(Error::invalid("a plan needs at least one input frame"));
    }
    let plan: Value =
        serde_json::from_str(plan_json).map_err(|e| Error::plan(format!("plan is not valid JSON: {e}")))?;
    if !plan.is_object() {
        return Err(Error::plan(format!(
            "plan must be a JSON object like {{\"ops\": [...]}}, got {}",
            kind(&plan)
        )));
    }
    if let Some(v) = plan.get("version")
        && v.as_u64() != Some(1)
    {
        return Err(Error::plan(format!("unsupported plan version {v}; this build understands version 1")));
    }
    build_pipeline(&plan, "plan", inputs, true)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        format!("{}...", &s[..s.char_indices().nth(77).map(|(i, _)| i).unwrap_or(s.len())])
    } else {
        s
    }
}

/// A pipeline is `{"input": n, "ops": [...]}` (input defaults to 0 at the top level).
fn build_pipeline(v: &Value, path: &str, inputs: &[&DataFrame], top: bool) -> Result<(LazyFrame, SchemaRef)> {
    let obj =
        v.as_object().ok_or_else(|| Error::plan(format!("{path}: expected an object, got {}", kind(v))))?;
    let input = match obj.get("input") {
        None if top => 0,
        None => return Err(Error::plan(format!("{path}: missing \"input\" (index of the input frame)"))),
        Some(i) => i.as_u64().ok_or_else(|| {
            Error::plan(format!("{path}.input: expected a non-negative integer, got {}", short(i)))
        })? as usize,
    };
    let df = inputs.get(input).ok_or_else(|| {
        Error::plan(format!(
            "{path}.input: input {input} does not exist; {} input frame(s) were given",
            inputs.len()
        ))
    })?;
    let mut lf = (*df).clone().lazy();
    let mut schema: SchemaRef = df.schema().clone();
    let ops = match obj.get("ops") {
        None => &Vec::new(),
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Error::plan(format!("{path}.ops: expected an array, got {}", kind(other))));
        }
    };
    for (i, op) in ops.iter().enumerate() {
        let opath = format!("{path}.ops[{i}]");
        let name = op.get("op").and_then(Value::as_str).ok_or_else(|| {
            Error::plan(format!("{opath}: expected an object with a string \"op\", got {}", short(op)))
        })?;
        let ctx = format!("{opath} ({name})");
        lf = apply_op(lf, &schema, name, op.as_object().unwrap(), &ctx, inputs)?;
        // Resolve the schema now: type errors surface here, attributed to the op.
        schema = lf.collect_schema().map_err(|e| Error::from(e).context(&ctx))?;
    }
    Ok((lf, schema))
}

const OPS: &str =
    "filter, select, with_columns, drop, rename, group_by_agg, join, sort, limit, head, slice, unique";

fn apply_op(
    lf: LazyFrame,
    schema: &Schema,
    name: &str,
    op: &Map<String, Value>,
    ctx: &str,
    inputs: &[&DataFrame],
) -> Result<LazyFrame> {
    let ex = |key: &str| -> Result<Expr> {
        let v = op.get(key).ok_or_else(|| Error::plan(format!("{ctx}: missing \"{key}\"")))?;
        expr(v, &format!("{ctx}.{key}"), schema)
    };
    let ex_list = |key: &str, names_ok: bool| -> Result<Vec<Expr>> {
        let list = req_array(op, key, ctx)?;
        list.iter()
            .enumerate()
            .map(|(i, v)| {
                let p = format!("{ctx}.{key}[{i}]");
                match v {
                    Value::String(s) if names_ok => column(s, &p, schema),
                    _ => expr(v, &p, schema),
                }
            })
            .collect()
    };
    Ok(match name {
        "filter" => lf.filter(ex("predicate")?),
        "select" => lf.select(ex_list("exprs", true)?),
        "with_columns" => lf.with_columns(ex_list("exprs", false)?),
        "drop" => {
            let names = names_list(op, "columns", ctx, schema)?;
            lf.drop(by_name(names, true, false))
        }
        "rename" => {
            let m = op.get("mapping").and_then(Value::as_object).ok_or_else(|| {
                Error::plan(format!("{ctx}: missing \"mapping\" (object of old -> new names)"))
            })?;
            let mut old = Vec::new();
            let mut new = Vec::new();
            for (k, v) in m {
                check_column(k, &format!("{ctx}.mapping"), schema)?;
                let n = v.as_str().ok_or_else(|| {
                    Error::plan(format!(
                        "{ctx}.mapping.{k}: expected the new name as a string, got {}",
                        short(v)
                    ))
                })?;
                old.push(k.clone());
                new.push(n.to_string());
            }
            lf.rename(old, new, true)
        }
        "group_by_agg" => {
            let by = ex_list("by", true)?;
            let aggs = ex_list("aggs", false)?;
            let stable = opt_bool(op, "maintain_order", ctx)?.unwrap_or(true);
            if stable { lf.group_by_stable(by).agg(aggs) } else { lf.group_by(by).agg(aggs) }
        }
        "join" => join(lf, schema, op, ctx, inputs)?,
        "sort" => {
            let by = ex_list("by", true)?;
            if by.is_empty() {
                return Err(Error::plan(format!("{ctx}.by: sort needs at least one column")));
            }
            let descending = bool_or_list(op, "descending", by.len(), ctx)?;
            let nulls_last = bool_or_list(op, "nulls_last", by.len(), ctx)?;
            let opts = SortMultipleOptions::default()
                .with_order_descending_multi(descending)
                .with_nulls_last_multi(nulls_last)
                .with_maintain_order(true);
            lf.sort_by_exprs(by, opts)
        }
        "limit" | "head" => {
            let n = req_u64(op, "n", ctx)?;
            lf.limit(n.min(IdxSize::MAX as u64) as IdxSize)
        }
        "slice" => {
            let offset = op
                .get("offset")
                .map(|v| {
                    v.as_i64().ok_or_else(|| {
                        Error::plan(format!("{ctx}.offset: expected an integer, got {}", short(v)))
                    })
                })
                .transpose()?
                .unwrap_or(0);
            let len = req_u64(op, "length", ctx)?;
            lf.slice(offset, len.min(IdxSize::MAX as u64) as IdxSize)
        }
        "unique" => {
            let subset = match op.get("subset") {
                None | Some(Value::Null) => None,
                Some(_) => Some(by_name(names_list(op, "subset", ctx, schema)?, true, false)),
            };
            let keep = match op.get("keep").and_then(Value::as_str).unwrap_or("first") {
                "first" => UniqueKeepStrategy::First,
                "last" => UniqueKeepStrategy::Last,
                "none" => UniqueKeepStrategy::None,
                "any" => UniqueKeepStrategy::Any,
                other => {
                    return Err(Error::plan(format!(
                        "{ctx}.keep: unknown value '{other}'; expected first, last, none or any"
                    )));
                }
            };
            lf.unique_stable(subset, keep)
        }
        other => return Err(Error::plan(format!("{ctx}: unknown op '{other}'; expected one of: {OPS}"))),
    })
}

fn join(
    lf: LazyFrame,
    schema: &Schema,
    op: &Map<String, Value>,
    ctx: &str,
    inputs: &[&DataFrame],
) -> Result<LazyFrame> {
    let right_v = op.get("right").ok_or_else(|| {
        Error::plan(format!("{ctx}: missing \"right\" (an input index, or {{\"input\": n, \"ops\": [...]}})"))
    })?;
    let rpath = format!("{ctx}.right");
    let (right, rschema) = match right_v {
        Value::Number(_) => {
            let wrapped = serde_json::json!({ "input": right_v });
            build_pipeline(&wrapped, &rpath, inputs, false)?
        }
        _ => build_pipeline(right_v, &rpath, inputs, false)?,
    };
    let how_s = op.get("how").and_then(Value::as_str).unwrap_or("inner");
    let how = match how_s {
        "inner" => JoinType::Inner,
        "left" => JoinType::Left,
        "right" => JoinType::Right,
        "full" | "outer" => JoinType::Full,
        "semi" => JoinType::Semi,
        "anti" => JoinType::Anti,
        "cross" => {
            // Needs Polars' `cross_join` feature, which this build leaves out (docs/frame-rs.md).
            return Err(Error::plan(format!(
                "{ctx}.how: cross joins are not supported; expected inner, left, right, full (or outer), semi or anti"
            )));
        }
        other => {
            return Err(Error::plan(format!(
                "{ctx}.how: unknown join type '{other}'; expected inner, left, right, full (or outer), semi or anti"
            )));
        }
    };
    let (left_on, right_on): (Vec<String>, Vec<String>) = if op.contains_key("on") {
        let on = str_list(op, "on", ctx)?;
        (on.clone(), on)
    } else if op.contains_key("left_on") || op.contains_key("right_on") {
        (str_list(op, "left_on", ctx)?, str_list(op, "right_on", ctx)?)
    } else {
        return Err(Error::plan(format!("{ctx}: missing \"on\" (or \"left_on\" and \"right_on\")")));
    };
    if left_on.len() != right_on.len() {
        return Err(Error::plan(format!(
            "{ctx}: left_on has {} column(s) but right_on has {}; they must pair up",
            left_on.len(),
            right_on.len()
        )));
    }
    if left_on.is_empty() {
        return Err(Error::plan(format!("{ctx}: join needs at least one key column")));
    }
    for k in &left_on {
        check_column_in(k, ctx, schema, "join key", "left input")?;
    }
    for k in &right_on {
        check_column_in(k, ctx, &rschema, "join key", "right input")?;
    }
    let suffix = match op.get("suffix") {
        None => "_right".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(Error::plan(format!("{ctx}.suffix: expected a string, got {}", short(other))));
        }
    };
    let mut args = JoinArgs::new(how.clone()).with_suffix(Some(suffix.into()));
    if let Some(c) = opt_bool(op, "coalesce", ctx)? {
        args = args.with_coalesce(if c { JoinCoalesce::CoalesceColumns } else { JoinCoalesce::KeepColumns });
    }
    // Deterministic row order, like a JS programmer expects from a join.
    args.maintain_order = match how {
        JoinType::Right => MaintainOrderJoin::Right,
        JoinType::Full => MaintainOrderJoin::LeftRight,
        _ => MaintainOrderJoin::Left,
    };
    let l: Vec<Expr> = left_on.iter().map(|s| Expr::Column(s.as_str().into())).collect();
    let r: Vec<Expr> = right_on.iter().map(|s| Expr::Column(s.as_str().into())).collect();
    Ok(lf.join(right, l, r, args))
}

// ---------------------------------------------------------------------------------------------
// small readers

fn req_array<'a>(op: &'a Map<String, Value>, key: &str, ctx: &str) -> Result<&'a Vec<Value>> {
    match op.get(key) {
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(Error::plan(format!("{ctx}.{key}: expected an array, got {}", kind(other)))),
        None => Err(Error::plan(format!("{ctx}: missing \"{key}\""))),
    }
}

fn req_u64(op: &Map<String, Value>, key: &str, ctx: &str) -> Result<u64> {
    match op.get(key) {
        Some(v) => v.as_u64().ok_or_else(|| {
            Error::plan(format!("{ctx}.{key}: expected a non-negative integer, got {}", short(v)))
        }),
        None => Err(Error::plan(format!("{ctx}: missing \"{key}\""))),
    }
}

fn opt_bool(op: &Map<String, Value>, key: &str, ctx: &str) -> Result<Option<bool>> {
    match op.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(Error::plan(format!("{ctx}.{key}: expected true or false, got {}", short(other)))),
    }
}

fn bool_or_list(op: &Map<String, Value>, key: &str, n: usize, ctx: &str) -> Result<Vec<bool>> {
    match op.get(key) {
        None | Some(Value::Null) => Ok(vec![false; n]),
        Some(Value::Bool(b)) => Ok(vec![*b; n]),
        Some(Value::Array(a)) if a.len() == n => a
            .iter()
            .map(|v| {
                v.as_bool()
                    .ok_or_else(|| Error::plan(format!("{ctx}.{key}: expected booleans, got {}", short(v))))
            })
            .collect(),
        Some(other) => Err(Error::plan(format!(
            "{ctx}.{key}: expected a boolean or an array of {n} booleans, got {}",
            short(other)
        ))),
    }
}

fn str_list(op: &Map<String, Value>, key: &str, ctx: &str) -> Result<Vec<String>> {
    match op.get(key) {
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Error::plan(format!(
                        "{ctx}.{key}[{i}]: expected a column name (string), got {}",
                        short(v)
                    ))
                })
            })
            .collect(),
        Some(other) => Err(Error::plan(format!(
            "{ctx}.{key}: expected a column name or an array of names, got {}",
            kind(other)
        ))),
        None => Err(Error::plan(format!("{ctx}: missing \"{key}\""))),
    }
}

fn names_list(op: &Map<String, Value>, key: &str, ctx: &str, schema: &Schema) -> Result<Vec<String>> {
    let names = str_list(op, key, ctx)?;
    for n in &names {
        check_column(n, &format!("{ctx}.{key}"), schema)?;
    }
    Ok(names)
}

fn available(schema: &Schema) -> String {
    const MAX: usize = 40;
    let names: Vec<&str> = schema.iter_names().map(|n| n.as_str()).collect();
    if names.is_empty() {
        return "(none)".into();
    }
    let mut s = names.iter().take(MAX).copied().collect::<Vec<_>>().join(", ");
    if names.len() > MAX {
        s.push_str(&format!(", ... ({} more)", names.len() - MAX));
    }
    s
}

fn check_column(name: &str, path: &str, schema: &Schema) -> Result<()> {
    if schema.contains(name) {
        Ok(())
    } else {
        Err(Error::column(format!("{path}: unknown column '{name}'; available: {}", available(schema))))
    }
}

fn check_column_in(name: &str, path: &str, schema: &Schema, what: &str, side: &str) -> Result<()> {
    if schema.contains(name) {
        Ok(())
    } else {
        Err(Error::column(format!(
            "{path}: unknown {what} column '{name}' in the {side}; available: {}",
            available(schema)
        )))
    }
}

fn column(name: &str, path: &str, schema: &Schema) -> Result<Expr> {
    check_column(name, path, schema)?;
    // Expr::Column, not col(): col() treats "*" and "^...$" as patterns.
    Ok(Expr::Column(name.into()))
}

// ---------------------------------------------------------------------------------------------
// expressions

const FNS: &str = "+, -, *, /, %, ==, !=, <, <=, >, >=, and, or, not, neg, alias, cast, is_null, \
is_not_null, fill_null, if, sum, mean, count, len, min, max, n_unique, median, std, var, first, last, \
str.contains, str.starts_with, str.ends_with, str.to_lowercase, str.to_uppercase, str.len_chars, \
str.len_bytes, dt.year, dt.quarter, dt.month, dt.week, dt.weekday, dt.day, dt.ordinal_day, dt.hour, \
dt.minute, dt.second, dt.millisecond, dt.date, dt.truncate";

fn literal(v: &Value, path: &str) -> Result<Expr> {
    Ok(match v {
        Value::Null => lit(Null {}),
        Value::Bool(b) => lit(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                lit(i)
            } else if let Some(u) = n.as_u64() {
                lit(u)
            } else {
                lit(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => lit(s.as_str()),
        other => {
            return Err(Error::plan(format!(
                "{path}: a literal must be null, a boolean, a number or a string, got {}",
                kind(other)
            )));
        }
    })
}

/// Parse an expression node: `{"col": name}`, `{"lit": v, "dtype"?: t}`,
/// `{"fn": name, "args": [...], ...options}`, or a bare null/boolean/number (a literal).
pub fn expr(v: &Value, path: &str, schema: &Schema) -> Result<Expr> {
    let obj = match v {
        Value::Object(o) => o,
        Value::Null | Value::Bool(_) | Value::Number(_) => return literal(v, path),
        Value::String(s) => {
            return Err(Error::plan(format!(
                "{path}: bare string \"{s}\" is ambiguous here; write {{\"col\": \"{s}\"}} for a column or {{\"lit\": \"{s}\"}} for a string"
            )));
        }
        Value::Array(_) => {
            return Err(Error::plan(format!("{path}: expected an expression object, got an array")));
        }
    };
    if let Some(c) = obj.get("col") {
        let name = c.as_str().ok_or_else(|| {
            Error::plan(format!("{path}.col: expected a column name (string), got {}", short(c)))
        })?;
        return column(name, path, schema);
    }
    if let Some(l) = obj.get("lit") {
        let e = literal(l, &format!("{path}.lit"))?;
        return match obj.get("dtype") {
            None => Ok(e),
            Some(Value::String(t)) => {
                Ok(e.strict_cast(parse_dtype(t).map_err(|e| e.context(format!("{path}.dtype")))?))
            }
            Some(other) => {
                Err(Error::plan(format!("{path}.dtype: expected a dtype name, got {}", short(other))))
            }
        };
    }
    let f = match obj.get("fn") {
        Some(Value::String(f)) => f.as_str(),
        _ => {
            return Err(Error::plan(format!(
                "{path}: expected {{\"col\": ...}}, {{\"lit\": ...}} or {{\"fn\": ..., \"args\": [...]}}, got {}",
                short(v)
            )));
        }
    };
    let fpath = format!("{path} ({f})");
    let raw_args: &[Value] = match obj.get("args") {
        None => &[],
        Some(Value::Array(a)) => a,
        Some(other) => {
            return Err(Error::plan(format!("{fpath}.args: expected an array, got {}", kind(other))));
        }
    };
    let mut args = raw_args
        .iter()
        .enumerate()
        .map(|(i, a)| expr(a, &format!("{path}.args[{i}]"), schema))
        .collect::<Result<Vec<Expr>>>()?;
    let arity = |want: usize| -> Result<()> {
        if raw_args.len() == want {
            Ok(())
        } else {
            Err(Error::plan(format!(
                "{fpath}: takes {want} argument{}, got {}",
                if want == 1 { "" } else { "s" },
                raw_args.len()
            )))
        }
    };
    let opt_str = |key: &str| -> Result<Option<&str>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => {
                Err(Error::plan(format!("{fpath}.{key}: expected a string, got {}", short(other))))
            }
        }
    };
    let opt_flag = |key: &str, default: bool| -> Result<bool> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => {
                Err(Error::plan(format!("{fpath}.{key}: expected true or false, got {}", short(other))))
            }
        }
    };

    macro_rules! unary {
        ($body:expr) => {{
            arity(1)?;
            let a = args.pop().unwrap();
            #[allow(clippy::redundant_closure_call)]
            ($body)(a)
        }};
    }

    let binop = |op: Operator, args: &mut Vec<Expr>| -> Result<Expr> {
        arity(2)?;
        let r = args.pop().unwrap();
        let l = args.pop().unwrap();
        Ok(binary_expr(l, op, r))
    };

    // Polars checks these argument types only while executing ("`year` operation not supported
    // for dtype `f64`"); check them here so the error names the op and the argument.
    if let Some(want) = arg_requirement(f)
        && let (Some(first), Some(raw)) = (args.first(), raw_args.first())
    {
        check_arg_type(want, first, raw, &fpath, schema)?;
    }

    let e = match f {
        "+" => binop(Operator::Plus, &mut args)?,
        "-" if raw_args.len() == 1 => lit(0i64) - args.pop().unwrap(),
        "-" => binop(Operator::Minus, &mut args)?,
        "*" => binop(Operator::Multiply, &mut args)?,
        "/" => binop(Operator::TrueDivide, &mut args)?,
        "%" => binop(Operator::Modulus, &mut args)?,
        "==" => binop(Operator::Eq, &mut args)?,
        "!=" => binop(Operator::NotEq, &mut args)?,
        "<" => binop(Operator::Lt, &mut args)?,
        "<=" => binop(Operator::LtEq, &mut args)?,
        ">" => binop(Operator::Gt, &mut args)?,
        ">=" => binop(Operator::GtEq, &mut args)?,
        "and" | "or" => {
            if args.len() < 2 {
                return Err(Error::plan(format!("{fpath}: takes at least 2 arguments, got {}", args.len())));
            }
            let op = if f == "and" { Operator::And } else { Operator::Or };
            let mut it = args.into_iter();
            let first = it.next().unwrap();
            it.fold(first, |acc, x| binary_expr(acc, op, x))
        }
        "not" => unary!(|a: Expr| a.not()),
        "neg" => unary!(|a: Expr| lit(0i64) - a),
        "alias" => {
            arity(1)?;
            let name = opt_str("name")?.ok_or_else(|| Error::plan(format!("{fpath}: missing \"name\"")))?;
            args.pop().unwrap().alias(name)
        }
        "cast" => {
            arity(1)?;
            let t = opt_str("dtype")?.ok_or_else(|| Error::plan(format!("{fpath}: missing \"dtype\"")))?;
            let dt = parse_dtype(t).map_err(|e| e.context(&fpath))?;
            let a = args.pop().unwrap();
            if opt_flag("strict", true)? { a.strict_cast(dt) } else { a.cast(dt) }
        }
        "is_null" => unary!(|a: Expr| a.is_null()),
        "is_not_null" => unary!(|a: Expr| a.is_not_null()),
        "fill_null" => {
            arity(2)?;
            let fill = args.pop().unwrap();
            args.pop().unwrap().fill_null(fill)
        }
        "if" => {
            arity(3)?;
            let otherwise = args.pop().unwrap();
            let then = args.pop().unwrap();
            let cond = args.pop().unwrap();
            when(cond).then(then).otherwise(otherwise)
        }
        // aggregations
        "sum" => unary!(|a: Expr| a.sum()),
        "mean" => unary!(|a: Expr| a.mean()),
        "count" => unary!(|a: Expr| a.count()),
        "len" if raw_args.is_empty() => len(),
        "len" => unary!(|a: Expr| a.len()),
        "min" => unary!(|a: Expr| a.min()),
        "max" => unary!(|a: Expr| a.max()),
        "n_unique" => unary!(|a: Expr| a.n_unique()),
        "median" => unary!(|a: Expr| a.median()),
        "std" | "var" => {
            arity(1)?;
            let ddof = match obj.get("ddof") {
                None => 1u8,
                Some(v) => v.as_u64().filter(|d| *d <= 255).ok_or_else(|| {
                    Error::plan(format!(
                        "{fpath}.ddof: expected a small non-negative integer, got {}",
                        short(v)
                    ))
                })? as u8,
            };
            let a = args.pop().unwrap();
            if f == "std" { a.std(ddof) } else { a.var(ddof) }
        }
        "first" => unary!(|a: Expr| a.first()),
        "last" => unary!(|a: Expr| a.last()),
        // strings
        "str.contains" => {
            arity(2)?;
            let pat = args.pop().unwrap();
            let a = args.pop().unwrap();
            if opt_flag("literal", true)? {
                a.str().contains_literal(pat)
            } else {
                a.str().contains(pat, true)
            }
        }
        "str.starts_with" => {
            arity(2)?;
            let pat = args.pop().unwrap();
            args.pop().unwrap().str().starts_with(pat)
        }
        "str.ends_with" => {
            arity(2)?;
            let pat = args.pop().unwrap();
            args.pop().unwrap().str().ends_with(pat)
        }
        "str.to_lowercase" => unary!(|a: Expr| a.str().to_lowercase()),
        "str.to_uppercase" => unary!(|a: Expr| a.str().to_uppercase()),
        "str.len_chars" | "str.len" => unary!(|a: Expr| a.str().len_chars()),
        "str.len_bytes" => unary!(|a: Expr| a.str().len_bytes()),
        // dates and datetimes
        "dt.year" => unary!(|a: Expr| a.dt().year()),
        "dt.quarter" => unary!(|a: Expr| a.dt().quarter()),
        "dt.month" => unary!(|a: Expr| a.dt().month()),
        "dt.week" => unary!(|a: Expr| a.dt().week()),
        "dt.weekday" => unary!(|a: Expr| a.dt().weekday()),
        "dt.day" => unary!(|a: Expr| a.dt().day()),
        "dt.ordinal_day" => unary!(|a: Expr| a.dt().ordinal_day()),
        "dt.hour" => unary!(|a: Expr| a.dt().hour()),
        "dt.minute" => unary!(|a: Expr| a.dt().minute()),
        "dt.second" => unary!(|a: Expr| a.dt().second()),
        "dt.millisecond" => unary!(|a: Expr| a.dt().millisecond()),
        "dt.date" => unary!(|a: Expr| a.dt().date()),
        "dt.truncate" => {
            arity(1)?;
            let every = opt_str("every")?.ok_or_else(|| {
                Error::plan(format!(
                    "{fpath}: missing \"every\" (a duration such as \"1d\", \"1w\", \"1mo\", \"1y\", \"1h\")"
                ))
            })?;
            check_duration(every).map_err(|m| Error::plan(format!("{fpath}.every: {m}")))?;
            args.pop().unwrap().dt().truncate(lit(every))
        }
        other => {
            return Err(Error::plan(format!("{path}: unknown function '{other}'; expected one of: {FNS}")));
        }
    };
    Ok(e)
}

#[derive(Copy, Clone)]
enum ArgKind {
    String,
    Temporal,
    Datetime,
    Numeric,
    NumericOrTemporal,
}

fn arg_requirement(f: &str) -> Option<ArgKind> {
    Some(match f {
        _ if f.starts_with("str.") => ArgKind::String,
        "dt.hour" | "dt.minute" | "dt.second" | "dt.millisecond" | "dt.date" => ArgKind::Datetime,
        _ if f.starts_with("dt.") => ArgKind::Temporal,
        "sum" | "std" | "var" => ArgKind::Numeric,
        "mean" | "median" => ArgKind::NumericOrTemporal,
        _ => return None,
    })
}

/// The dtype an expression produces over `schema` (None if Polars cannot resolve it; then
/// Polars reports the problem itself).
fn infer_dtype(e: &Expr, schema: &Schema) -> Option<DataType> {
    let mut lf = DataFrame::empty_with_schema(schema).lazy().select([e.clone().alias("__frame_rs_probe")]);
    lf.collect_schema().ok().and_then(|s| s.get("__frame_rs_probe").cloned())
}

fn check_arg_type(want: ArgKind, e: &Expr, raw: &Value, fpath: &str, schema: &Schema) -> Result<()> {
    let Some(dt) = infer_dtype(e, schema) else { return Ok(()) };
    let ok = match want {
        ArgKind::String => matches!(dt, DataType::String | DataType::Null),
        ArgKind::Temporal => matches!(dt, DataType::Date | DataType::Datetime(_, _) | DataType::Null),
        ArgKind::Datetime => matches!(dt, DataType::Datetime(_, _) | DataType::Null),
        ArgKind::Numeric => dt.is_primitive_numeric() || matches!(dt, DataType::Boolean | DataType::Null),
        ArgKind::NumericOrTemporal => {
            dt.is_primitive_numeric()
                || matches!(
                    dt,
                    DataType::Boolean | DataType::Null | DataType::Date | DataType::Datetime(_, _)
                )
        }
    };
    if ok {
        return Ok(());
    }
    let expected = match want {
        ArgKind::String => "a string",
        ArgKind::Temporal => "a date or datetime",
        ArgKind::Datetime => "a datetime",
        ArgKind::Numeric => "a number",
        ArgKind::NumericOrTemporal => "a number, date or datetime",
    };
    let what = match raw.get("col").and_then(Value::as_str) {
        Some(c) => format!("column '{c}' is {}", crate::dtype::dtype_name(&dt)),
        None => format!("the argument is {}", crate::dtype::dtype_name(&dt)),
    };
    Err(Error::type_(format!("{fpath}: expects {expected}, but {what}")))
}

/// Polars panics on some malformed duration strings; check them here first.
/// Grammar: one or more `<integer><unit>`, unit in ns, us, ms, s, m, h, d, w, mo, q, y.
fn check_duration(s: &str) -> std::result::Result<(), String> {
    let bad = || {
        format!(
            "invalid duration '{s}'; expected e.g. \"1d\", \"2h\", \"1mo\", \"1y\", \"15m\" (units: ns, us, ms, s, m, h, d, w, mo, q, y)"
        )
    };
    if s.is_empty() {
        return Err(bad());
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 9 {
            return Err(bad());
        }
        let ustart = i;
        while i < b.len() && b[i].is_ascii_lowercase() {
            i += 1;
        }
        match &s[ustart..i] {
            "ns" | "us" | "ms" | "s" | "m" | "h" | "d" | "w" | "mo" | "q" | "y" => {}
            _ => return Err(bad()),
        }
    }
    // a zero duration is meaningless for truncate
    if s.bytes().filter(|c| c.is_ascii_digit()).all(|c| c == b'0') {
        return Err(bad());
    }
    Ok(())
}
