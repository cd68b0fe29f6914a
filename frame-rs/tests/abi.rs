//! Every op and expression through the C ABI (called from Rust), Arrow round trips, error
//! messages and panic safety. Tests are named after the promise they check.

mod common;

use std::ffi::{CStr, CString, c_char, c_int};
use std::ptr;

use common::*;
use frame_rs::{
    ArrowArrayStream, FrameColumn, FrameDf, FrameError, FrameStatus, ffi_guard, frame_error_free,
    frame_error_message, frame_estimated_size, frame_filter_mask, frame_free, frame_from_arrow_stream,
    frame_height, frame_plan_execute, frame_schema_free, frame_to_arrow_stream, frame_version,
};
use serde_json::{Value, json};

fn sales() -> Df {
    frame(vec![
        Col::I64("id", vec![Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]),
        Col::Str(
            "category",
            vec![Some("books"), Some("games"), Some("books"), Some("music"), Some("games"), Some("books")],
        ),
        Col::F64("amount", vec![Some(120.0), Some(80.0), Some(30.0), Some(200.0), Some(150.0), None]),
        Col::Bool("online", vec![Some(true), Some(false), Some(true), Some(true), None, Some(false)]),
        Col::Date(
            "day",
            vec![
                Some("2024-01-15"),
                Some("2024-01-31"),
                Some("2024-02-01"),
                Some("2024-02-29"),
                Some("2024-03-10"),
                None,
            ],
        ),
    ])
}

fn c(name: &str) -> Value {
    json!({ "col": name })
}
fn f(name: &str, args: Vec<Value>) -> Value {
    json!({ "fn": name, "args": args })
}
fn alias(e: Value, name: &str) -> Value {
    json!({ "fn": "alias", "args": [e], "name": name })
}
fn plan(ops: Vec<Value>) -> Value {
    json!({ "version": 1, "ops": ops })
}

// ---- creating frames ------------------------------------------------------------------

#[test]
fn from_columns_reports_schema_height_and_values_for_every_type() {
    let df = frame(vec![
        Col::I64("i", vec![Some(1), None, Some(-3)]),
        Col::F64("f", vec![Some(1.5), Some(f64::INFINITY), None]),
        Col::Bool("b", vec![Some(true), Some(false), None]),
        Col::Str("s", vec![Some("a"), None, Some("héllo")]),
        Col::Date("d", vec![Some("2024-02-29"), Some("1969-12-31"), None]),
        Col::TsMs("t", vec![Some(ms("2024-03-01", 13, 45) + 123), None, Some(0)]),
        Col::Null("n", 3),
    ]);
    assert_eq!(height(&df), 3);
    assert_eq!(
        schema(&df),
        [
            ("i", "int64"),
            ("f", "float64"),
            ("b", "bool"),
            ("s", "string"),
            ("d", "date"),
            ("t", "datetime[ms]"),
            ("n", "null")
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect::<Vec<_>>()
    );
    let r = rows(&df);
    assert_eq!(
        r[0],
        vec![
            json!(1),
            json!(1.5),
            json!(true),
            json!("a"),
            json!("2024-02-29"),
            json!("2024-03-01T13:45:00.123"),
            Value::Null
        ]
    );
    assert_eq!(r[1][0], Value::Null);
    assert_eq!(r[1][2], json!(false));
    assert_eq!(r[1][3], Value::Null);
    assert_eq!(r[1][4], json!("1969-12-31"));
    assert_eq!(r[2][3], json!("héllo"));
    assert_eq!(r[2][5], json!("1970-01-01T00:00:00.000"));
}

#[test]
fn from_columns_accepts_zero_rows_and_zero_columns() {
    let df = frame(vec![Col::I64("a", vec![]), Col::Str("s", vec![])]);
    assert_eq!(height(&df), 0);
    assert_eq!(rows(&df).len(), 0);
    let empty = frame(vec![]);
    assert_eq!(height(&empty), 0);
    assert_eq!(schema(&empty), vec![]);
}

#[test]
fn from_columns_rejects_mismatched_lengths_with_names() {
    let e =
        try_frame(vec![Col::I64("a", vec![Some(1), Some(2)]), Col::I64("b", vec![Some(1)])]).err().unwrap();
    assert_eq!(e.code, FrameStatus::InvalidArgument);
    assert!(e.msg.contains("column 'b' has 1 rows but column 'a' has 2"), "{}", e.msg);
}

#[test]
fn from_columns_rejects_duplicate_names() {
    let e = try_frame(vec![Col::I64("a", vec![Some(1)]), Col::F64("a", vec![Some(1.0)])]).err().unwrap();
    assert_eq!(e.code, FrameStatus::InvalidArgument);
    assert!(e.msg.contains("duplicate column name 'a'"), "{}", e.msg);
}

#[test]
fn from_columns_rejects_invalid_utf8_naming_column_and_row() {
    let name = CString::new("s").unwrap();
    let bytes = b"ok\xff\xfe";
    let offsets = [0i64, 2, 4];
    let col = FrameColumn {
        name: name.as_ptr(),
        type_: 4,
        length: 2,
        values: bytes.as_ptr().cast(),
        offsets: offsets.as_ptr(),
        validity: ptr::null(),
    };
    let e = from_raw_columns(&[col]).err().unwrap();
    assert_eq!(e.code, FrameStatus::InvalidArgument);
    assert!(e.msg.contains("column 's', row 1: string is not valid UTF-8"), "{}", e.msg);
}

#[test]
fn from_columns_rejects_bad_offsets_unknown_type_and_null_buffers() {
    let name = CString::new("s").unwrap();
    let bytes = b"abc";
    let offsets = [0i64, 2, 1];
    let mut col = FrameColumn {
        name: name.as_ptr(),
        type_: 4,
        length: 2,
        values: bytes.as_ptr().cast(),
        offsets: offsets.as_ptr(),
        validity: ptr::null(),
    };
    let e = from_raw_columns(&[col]).err().unwrap();
    assert!(e.msg.contains("column 's'") && e.msg.contains("offsets"), "{}", e.msg);

    col.type_ = 42;
    let e = from_raw_columns(&[col]).err().unwrap();
    assert!(e.msg.contains("unknown type tag 42"), "{}", e.msg);

    col.type_ = 2;
    col.values = ptr::null();
    let e = from_raw_columns(&[col]).err().unwrap();
    assert!(e.msg.contains("column 's': values pointer is NULL but length is 2"), "{}", e.msg);

    col.name = ptr::null();
    let e = from_raw_columns(&[col]).err().unwrap();
    assert!(e.msg.contains("columns[0]: name is NULL"), "{}", e.msg);
}

#[test]
fn validity_bytes_make_nulls_whatever_the_value_slot_holds() {
    let name = CString::new("x").unwrap();
    let vals = [10i64, 20, 30];
    let valid = [1u8, 0, 7];
    let col = FrameColumn {
        name: name.as_ptr(),
        type_: 2,
        length: 3,
        values: vals.as_ptr().cast(),
        offsets: ptr::null(),
        validity: valid.as_ptr(),
    };
    let df = from_raw_columns(&[col]).unwrap();
    assert_eq!(column(&df, "x"), vec![json!(10), Value::Null, json!(30)]);
}

// ---- ops ------------------------------------------------------------------------------

#[test]
fn filter_keeps_rows_matching_the_predicate() {
    let df = sales();
    let out =
        run(&df, plan(vec![json!({"op": "filter", "predicate": f(">", vec![c("amount"), json!(100)])})]));
    assert_eq!(column(&out, "id"), vec![json!(1), json!(4), json!(5)]);
}

#[test]
fn filter_combines_and_or_not() {
    let df = sales();
    let pred = f(
        "or",
        vec![
            f(
                "and",
                vec![f("==", vec![c("category"), json!({"lit": "books"})]), f("not", vec![c("online")])],
            ),
            f("<", vec![c("amount"), json!(50)]),
        ],
    );
    let out = run(&df, plan(vec![json!({"op": "filter", "predicate": pred})]));
    // books & !online -> id 6 ; amount < 50 -> id 3
    assert_eq!(column(&out, "id"), vec![json!(3), json!(6)]);
}

#[test]
fn select_takes_names_and_expressions_in_order() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![
            json!({"op": "select", "exprs": ["amount", alias(f("*", vec![c("id"), json!(10)]), "id10")]}),
        ]),
    );
    assert_eq!(names(&out), vec!["amount", "id10"]);
    assert_eq!(column(&out, "id10")[..2], [json!(10), json!(20)]);
}

#[test]
fn with_columns_adds_and_replaces_columns() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![json!({"op": "with_columns", "exprs": [
            alias(f("+", vec![f("*", vec![c("amount"), json!(0.5)]), json!(1)]), "half_plus_one"),
            alias(f("-", vec![c("id")]), "id"),
        ]})]),
    );
    assert_eq!(names(&out), vec!["id", "category", "amount", "online", "day", "half_plus_one"]);
    assert_eq!(column(&out, "half_plus_one")[..2], [json!(61.0), json!(41.0)]);
    assert_eq!(column(&out, "id")[0], json!(-1));
}

#[test]
fn arithmetic_follows_the_documented_semantics() {
    let df = frame(vec![Col::I64("a", vec![Some(7), Some(-7)]), Col::I64("b", vec![Some(2), Some(2)])]);
    let out = run(
        &df,
        plan(vec![json!({"op": "select", "exprs": [
            alias(f("/", vec![c("a"), c("b")]), "div"),
            alias(f("%", vec![c("a"), c("b")]), "mod"),
            alias(f("-", vec![c("a"), c("b")]), "sub"),
            alias(f("neg", vec![c("a")]), "neg"),
            alias(f(">=", vec![c("a"), c("b")]), "ge"),
            alias(f("!=", vec![c("a"), json!(7)]), "ne"),
            alias(f("<=", vec![c("a"), json!(-7)]), "le"),
        ]})]),
    );
    assert_eq!(
        rows(&out),
        vec![
            vec![json!(3.5), json!(1), json!(5), json!(-7), json!(true), json!(false), json!(false)],
            // % is a floored modulo (sign of the divisor), unlike JavaScript's remainder.
            vec![json!(-3.5), json!(1), json!(-9), json!(7), json!(false), json!(true), json!(true)],
        ]
    );
}

#[test]
fn drop_and_rename_change_columns() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![
            json!({"op": "drop", "columns": ["online", "day"]}),
            json!({"op": "rename", "mapping": {"amount": "total"}}),
        ]),
    );
    assert_eq!(names(&out), vec!["id", "category", "total"]);
}

#[test]
fn group_by_agg_supports_every_aggregation() {
    let df = sales();
    let aggs = vec![
        alias(f("sum", vec![c("amount")]), "sum"),
        alias(f("mean", vec![c("amount")]), "mean"),
        alias(f("count", vec![c("amount")]), "count"),
        alias(f("len", vec![]), "rows"),
        alias(f("min", vec![c("amount")]), "min"),
        alias(f("max", vec![c("amount")]), "max"),
        alias(f("n_unique", vec![c("online")]), "n_online"),
        alias(f("median", vec![c("amount")]), "median"),
        alias(f("std", vec![c("amount")]), "std"),
        alias(f("first", vec![c("id")]), "first"),
        alias(f("last", vec![c("id")]), "last"),
    ];
    let out = run(&df, plan(vec![json!({"op": "group_by_agg", "by": ["category"], "aggs": aggs})]));
    // groups keep first-appearance order
    assert_eq!(column(&out, "category"), vec![json!("books"), json!("games"), json!("music")]);
    let books = &rows(&out)[0];
    let s = schema(&out);
    let get = |name: &str| books[s.iter().position(|(n, _)| n == name).unwrap()].clone();
    assert_eq!(get("sum"), json!(150.0));
    assert_eq!(get("mean"), json!(75.0));
    assert_eq!(get("count"), json!(2)); // null amount is not counted
    assert_eq!(get("rows"), json!(3));
    assert_eq!(get("min"), json!(30.0));
    assert_eq!(get("max"), json!(120.0));
    assert_eq!(get("n_online"), json!(2));
    assert_eq!(get("median"), json!(75.0));
    let std = get("std").as_f64().unwrap();
    assert!((std - 63.639610306789).abs() < 1e-9, "{std}");
    assert_eq!(get("first"), json!(1));
    assert_eq!(get("last"), json!(6));
}

#[test]
fn group_by_with_expression_keys_and_var_ddof() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![
            json!({"op": "group_by_agg", "by": [alias(f("dt.month", vec![c("day")]), "month")],
               "aggs": [alias(json!({"fn": "var", "args": [c("amount")], "ddof": 0}), "var")]}),
            json!({"op": "sort", "by": ["month"], "nulls_last": true}),
        ]),
    );
    let r = rows(&out);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0][0], json!(1));
    assert_eq!(r[0][1], json!(400.0)); // var([120, 80], ddof=0)
    assert_eq!(r[3][0], Value::Null);
}

fn customers() -> Df {
    frame(vec![
        Col::I64("customer_id", vec![Some(1), Some(2), Some(3)]),
        Col::Str("name", vec![Some("Ann"), Some("Bob"), Some("Cid")]),
    ])
}

fn orders() -> Df {
    frame(vec![
        Col::I64("customer_id", vec![Some(1), Some(1), Some(2), Some(9)]),
        Col::F64("amount", vec![Some(10.0), Some(20.0), Some(5.0), Some(1.0)]),
        Col::Str("name", vec![Some("o1"), Some("o2"), Some("o3"), Some("o4")]),
    ])
}

fn join_plan(how: &str) -> Value {
    plan(vec![json!({"op": "join", "right": 1, "on": "customer_id", "how": how})])
}

#[test]
fn join_inner_left_right_full_semi_anti() {
    let (cu, or) = (customers(), orders());
    let inner = try_run_multi(&[&cu, &or], &join_plan("inner")).unwrap();
    assert_eq!(names(&inner), vec!["customer_id", "name", "amount", "name_right"]);
    assert_eq!(column(&inner, "customer_id"), vec![json!(1), json!(1), json!(2)]);

    let left = try_run_multi(&[&cu, &or], &join_plan("left")).unwrap();
    assert_eq!(column(&left, "customer_id"), vec![json!(1), json!(1), json!(2), json!(3)]);
    assert_eq!(column(&left, "amount")[3], Value::Null);

    let right = try_run_multi(&[&cu, &or], &join_plan("right")).unwrap();
    assert_eq!(height(&right), 4);

    let full = try_run_multi(&[&cu, &or], &join_plan("full")).unwrap();
    assert_eq!(height(&full), 5);
    let outer = try_run_multi(&[&cu, &or], &json!({"ops": [{"op": "join", "right": 1, "on": ["customer_id"], "how": "outer", "coalesce": true}]})).unwrap();
    let mut ids: Vec<i64> = column(&outer, "customer_id").iter().map(|v| v.as_i64().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, vec![1, 1, 2, 3, 9]);

    let semi = try_run_multi(&[&cu, &or], &join_plan("semi")).unwrap();
    assert_eq!(rows(&semi), vec![vec![json!(1), json!("Ann")], vec![json!(2), json!("Bob")]]);
    let anti = try_run_multi(&[&cu, &or], &join_plan("anti")).unwrap();
    assert_eq!(rows(&anti), vec![vec![json!(3), json!("Cid")]]);

    // cross joins need a Polars feature this build leaves out: a clear error, not a panic
    let e = try_run_multi(&[&cu, &or], &json!({"ops": [{"op": "join", "right": 1, "how": "cross"}]}))
        .err()
        .unwrap();
    assert_eq!(e.code, FrameStatus::Plan);
    assert!(e.msg.contains("cross joins are not supported"), "{}", e.msg);
}

#[test]
fn join_right_side_can_be_a_sub_plan_with_its_own_ops_and_keys() {
    let (cu, or) = (customers(), orders());
    let p = json!({"ops": [{"op": "join",
        "right": {"input": 1, "ops": [
            {"op": "rename", "mapping": {"customer_id": "cid"}},
            {"op": "filter", "predicate": f(">", vec![c("amount"), json!(6)])}]},
        "left_on": ["customer_id"], "right_on": ["cid"], "suffix": "_order"}]});
    let out = try_run_multi(&[&cu, &or], &p).unwrap();
    assert_eq!(names(&out), vec!["customer_id", "name", "amount", "name_order"]);
    assert_eq!(column(&out, "amount"), vec![json!(10.0), json!(20.0)]);
}

#[test]
fn sort_ascending_descending_multi_key_and_nulls_last() {
    let df = sales();
    let out =
        run(&df, plan(vec![json!({"op": "sort", "by": ["amount"], "descending": true, "nulls_last": true})]));
    assert_eq!(column(&out, "id"), vec![json!(4), json!(5), json!(1), json!(2), json!(3), json!(6)]);
    let out = run(
        &df,
        plan(vec![
            json!({"op": "sort", "by": ["category", c("amount")], "descending": [false, true], "nulls_last": true}),
        ]),
    );
    assert_eq!(column(&out, "id"), vec![json!(1), json!(3), json!(6), json!(5), json!(2), json!(4)]);
    // stable: equal keys keep input order
    let out = run(&df, plan(vec![json!({"op": "sort", "by": ["category"]})]));
    assert_eq!(column(&out, "id"), vec![json!(1), json!(3), json!(6), json!(2), json!(5), json!(4)]);
}

#[test]
fn limit_head_slice_and_unique() {
    let df = sales();
    assert_eq!(height(&run(&df, plan(vec![json!({"op": "limit", "n": 2})]))), 2);
    assert_eq!(height(&run(&df, plan(vec![json!({"op": "head", "n": 100})]))), 6);
    let s = run(&df, plan(vec![json!({"op": "slice", "offset": -2, "length": 1})]));
    assert_eq!(column(&s, "id"), vec![json!(5)]);
    let u = run(&df, plan(vec![json!({"op": "select", "exprs": ["category"]}), json!({"op": "unique"})]));
    assert_eq!(column(&u, "category"), vec![json!("books"), json!("games"), json!("music")]);
    let u = run(&df, plan(vec![json!({"op": "unique", "subset": ["category"], "keep": "last"})]));
    assert_eq!(column(&u, "id"), vec![json!(4), json!(5), json!(6)]);
}

// ---- expressions ----------------------------------------------------------------------

#[test]
fn cast_between_numbers_strings_and_dates() {
    let df = frame(vec![
        Col::Str("s", vec![Some("12"), Some("2024-05-06"), None]),
        Col::I64("i", vec![Some(1), Some(2), Some(3)]),
    ]);
    let out = run(
        &df,
        plan(vec![json!({"op": "select", "exprs": [
            alias(json!({"fn": "cast", "args": [c("i")], "dtype": "float64"}), "f"),
            alias(json!({"fn": "cast", "args": [c("i")], "dtype": "string"}), "s2"),
            alias(json!({"fn": "cast", "args": [c("s")], "dtype": "int64", "strict": false}), "lenient"),
        ]})]),
    );
    assert_eq!(rows(&out)[0], vec![json!(1.0), json!("1"), json!(12)]);
    assert_eq!(rows(&out)[1], vec![json!(2.0), json!("2"), Value::Null]);
    assert_eq!(schema(&out)[0].1, "float64");

    let d = run(
        &df,
        plan(vec![
            json!({"op": "slice", "offset": 1, "length": 1}),
            json!({"op": "select", "exprs": [alias(json!({"fn": "cast", "args": [c("s")], "dtype": "date"}), "d")]}),
        ]),
    );
    assert_eq!(rows(&d), vec![vec![json!("2024-05-06")]]);
}

#[test]
fn strict_cast_failure_is_a_type_error_naming_the_value() {
    let df = frame(vec![Col::Str("s", vec![Some("12"), Some("abc")])]);
    let e = run_err(
        &df,
        plan(vec![
            json!({"op": "select", "exprs": [json!({"fn": "cast", "args": [c("s")], "dtype": "int64"})]}),
        ]),
    );
    assert!(e.msg.contains("abc"), "{}", e.msg);
    let e = run_err(
        &df,
        plan(vec![
            json!({"op": "select", "exprs": [json!({"fn": "cast", "args": [c("s")], "dtype": "int7"})]}),
        ]),
    );
    assert_eq!(e.code, FrameStatus::Plan);
    assert!(e.msg.contains("unknown dtype 'int7'; expected one of: bool, int32"), "{}", e.msg);
}

#[test]
fn is_null_is_not_null_fill_null_and_if() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![json!({"op": "select", "exprs": [
            alias(f("is_null", vec![c("amount")]), "missing"),
            alias(f("is_not_null", vec![c("online")]), "known"),
            alias(f("fill_null", vec![c("amount"), json!(0)]), "amount0"),
            alias(f("if", vec![f(">", vec![c("amount"), json!(100)]), json!({"lit": "big"}), json!({"lit": "small"})]), "size"),
        ]})]),
    );
    assert_eq!(
        column(&out, "missing"),
        vec![json!(false), json!(false), json!(false), json!(false), json!(false), json!(true)]
    );
    assert_eq!(column(&out, "known")[4], json!(false));
    assert_eq!(column(&out, "amount0")[5], json!(0.0));
    assert_eq!(column(&out, "size")[..3], [json!("big"), json!("small"), json!("small")]);
}

#[test]
fn string_functions() {
    let df = frame(vec![Col::Str("s", vec![Some("Hello World"), Some("héllo"), None, Some("a.c")])]);
    let out = run(
        &df,
        plan(vec![json!({"op": "select", "exprs": [
            alias(f("str.contains", vec![c("s"), json!({"lit": "llo"})]), "has_llo"),
            alias(f("str.contains", vec![c("s"), json!({"lit": "."})]), "has_dot"),
            alias(json!({"fn": "str.contains", "args": [c("s"), {"lit": "^[hH]"}], "literal": false}), "re"),
            alias(f("str.starts_with", vec![c("s"), json!({"lit": "He"})]), "sw"),
            alias(f("str.ends_with", vec![c("s"), json!({"lit": "llo"})]), "ew"),
            alias(f("str.to_lowercase", vec![c("s")]), "lower"),
            alias(f("str.to_uppercase", vec![c("s")]), "upper"),
            alias(f("str.len", vec![c("s")]), "len"),
            alias(f("str.len_bytes", vec![c("s")]), "bytes"),
        ]})]),
    );
    let r = rows(&out);
    assert_eq!(
        r[0],
        vec![
            json!(true),
            json!(false),
            json!(true),
            json!(true),
            json!(false),
            json!("hello world"),
            json!("HELLO WORLD"),
            json!(11),
            json!(11)
        ]
    );
    assert_eq!(
        r[1],
        vec![
            json!(true),
            json!(false),
            json!(true),
            json!(false),
            json!(true),
            json!("héllo"),
            json!("HÉLLO"),
            json!(5),
            json!(6)
        ]
    );
    assert!(r[2].iter().all(Value::is_null));
    assert_eq!(r[3][1], json!(true)); // literal '.', not a regex
    assert_eq!(r[3][0], json!(false));
}

#[test]
fn date_parts_and_truncate_on_dates_and_datetimes() {
    let df = frame(vec![
        Col::Date("d", vec![Some("2024-02-29"), Some("2023-12-31")]),
        Col::TsMs("t", vec![Some(ms("2024-02-29", 13, 45)), Some(ms("2023-12-31", 23, 59))]),
    ]);
    let out = run(
        &df,
        plan(vec![json!({"op": "select", "exprs": [
            alias(f("dt.year", vec![c("d")]), "y"),
            alias(f("dt.month", vec![c("d")]), "m"),
            alias(f("dt.day", vec![c("d")]), "day"),
            alias(f("dt.weekday", vec![c("d")]), "wd"),
            alias(f("dt.quarter", vec![c("d")]), "q"),
            alias(f("dt.hour", vec![c("t")]), "h"),
            alias(f("dt.minute", vec![c("t")]), "min"),
            alias(json!({"fn": "dt.truncate", "args": [c("d")], "every": "1mo"}), "month_start"),
            alias(json!({"fn": "dt.truncate", "args": [c("t")], "every": "1d"}), "t_day"),
            alias(json!({"fn": "dt.truncate", "args": [c("t")], "every": "1y"}), "t_year"),
            alias(f("dt.date", vec![c("t")]), "t_date"),
            alias(f("+", vec![f("dt.month", vec![c("d")]), json!(1)]), "m1"),
        ]})]),
    );
    let r = rows(&out);
    assert_eq!(
        r[0],
        vec![
            json!(2024),
            json!(2),
            json!(29),
            json!(4),
            json!(1),
            json!(13),
            json!(45),
            json!("2024-02-01"),
            json!("2024-02-29T00:00:00.000"),
            json!("2024-01-01T00:00:00.000"),
            json!("2024-02-29"),
            json!(3)
        ]
    );
    assert_eq!(r[1][0], json!(2023));
    assert_eq!(r[1][7], json!("2023-12-01"));
}

#[test]
fn typed_literals_compare_with_dates() {
    let df = sales();
    let out = run(
        &df,
        plan(vec![json!({"op": "filter", "predicate":
        f(">=", vec![c("day"), json!({"lit": "2024-02-01", "dtype": "date"})])})]),
    );
    assert_eq!(column(&out, "id"), vec![json!(3), json!(4), json!(5)]);
}

#[test]
fn column_names_are_never_patterns() {
    let df = frame(vec![
        Col::I64("*", vec![Some(1)]),
        Col::I64("^a.*$", vec![Some(2)]),
        Col::I64("abc", vec![Some(3)]),
    ]);
    let out = run(&df, plan(vec![json!({"op": "select", "exprs": [c("^a.*$"), "*"]})]));
    assert_eq!(rows(&out), vec![vec![json!(2), json!(1)]]);
}

#[test]
fn the_spec_customer_scoring_pipeline_runs() {
    let cust = frame(vec![
        Col::I64("customer_id", vec![Some(1), Some(2), Some(3)]),
        Col::Str("segment", vec![Some("a"), Some("b"), Some("a")]),
    ]);
    let trans = frame(vec![
        Col::I64("customer_id", vec![Some(1), Some(1), Some(2), Some(3), Some(3), Some(3)]),
        Col::F64("amount", vec![Some(10.0), Some(30.0), Some(100.0), Some(1.0), Some(2.0), Some(3.0)]),
        Col::Date(
            "date",
            vec![
                Some("2024-01-01"),
                Some("2024-01-02"),
                Some("2024-01-01"),
                Some("2024-01-01"),
                Some("2024-01-01"),
                Some("2024-01-03"),
            ],
        ),
    ]);
    let score = f(
        "+",
        vec![
            f(
                "+",
                vec![
                    f("*", vec![c("total_spent"), json!(0.4)]),
                    f("*", vec![c("transaction_count"), json!(0.3)]),
                ],
            ),
            f("*", vec![c("days_active"), json!(0.3)]),
        ],
    );
    let p = json!({"version": 1, "ops": [
        {"op": "join", "right": 1, "on": "customer_id"},
        {"op": "group_by_agg", "by": ["customer_id"], "aggs": [
            alias(f("sum", vec![c("amount")]), "total_spent"),
            alias(f("count", vec![c("amount")]), "transaction_count"),
            alias(f("mean", vec![c("amount")]), "avg_amount"),
            alias(f("n_unique", vec![c("date")]), "days_active")]},
        {"op": "with_columns", "exprs": [alias(score, "score")]},
        {"op": "sort", "by": ["score"], "descending": true},
        {"op": "head", "n": 10}]});
    let out = try_run_multi(&[&cust, &trans], &p).unwrap();
    assert_eq!(
        names(&out),
        vec!["customer_id", "total_spent", "transaction_count", "avg_amount", "days_active", "score"]
    );
    assert_eq!(column(&out, "customer_id"), vec![json!(2), json!(1), json!(3)]);
    let s = column(&out, "score")[0].as_f64().unwrap();
    assert!((s - (40.0 + 0.3 + 0.3)).abs() < 1e-9, "{s}");
}

// ---- filter mask ------------------------------------------------------------------------

#[test]
fn filter_mask_keeps_rows_with_nonzero_bytes() {
    let df = sales();
    let mask = [1u8, 0, 0, 2, 0, 1];
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    assert_eq!(
        unsafe { frame_filter_mask(df.0, mask.as_ptr(), mask.len(), &mut out, &mut err) },
        FrameStatus::Ok
    );
    let out = Df(out);
    assert_eq!(column(&out, "id"), vec![json!(1), json!(4), json!(6)]);
    // the input is unchanged
    assert_eq!(height(&df), 6);
}

#[test]
fn filter_mask_of_the_wrong_length_is_rejected() {
    let df = sales();
    let mask = [1u8; 5];
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_filter_mask(df.0, mask.as_ptr(), mask.len(), &mut out, &mut err) };
    let e = take_err(st, err);
    assert_eq!(e.code, FrameStatus::InvalidArgument);
    assert_eq!(e.msg, "mask has 5 entries but the frame has 6 rows");
    assert!(out.is_null());
}

// ---- Arrow ------------------------------------------------------------------------------

fn export(df: &Df, flags: u32) -> ArrowArrayStream {
    let mut stream = ArrowArrayStream::empty();
    let mut err = ptr::null_mut();
    assert_eq!(unsafe { frame_to_arrow_stream(df.0, flags, &mut stream, &mut err) }, FrameStatus::Ok);
    stream
}

fn import(stream: &mut ArrowArrayStream) -> Result<Df, common::Err> {
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_from_arrow_stream(stream, &mut out, &mut err) };
    if st == FrameStatus::Ok { Ok(Df(out)) } else { Err(take_err(st, err)) }
}

#[test]
fn arrow_stream_round_trip_keeps_schema_and_values() {
    let df = frame(vec![
        Col::I64("i", vec![Some(1), None, Some(3)]),
        Col::F64("f", vec![Some(0.5), Some(1.5), None]),
        Col::Bool("b", vec![None, Some(true), Some(false)]),
        Col::Str("s", vec![Some("x"), Some(""), None]),
        Col::Date("d", vec![Some("2000-01-01"), None, Some("2038-01-19")]),
        Col::TsMs("t", vec![Some(1), Some(-1), None]),
    ]);
    for flags in [0, FRAME_ARROW_STRING_VIEW] {
        let mut stream = export(&df, flags);
        let back = import(&mut stream).unwrap();
        assert_eq!(schema(&back), schema(&df));
        assert_eq!(rows(&back), rows(&df));
        assert_eq!(rows_with_flags(&back, FRAME_ARROW_STRING_VIEW), rows(&df));
    }
}

const FRAME_ARROW_STRING_VIEW: u32 = 1;

#[test]
fn arrow_stream_export_outlives_the_frame_and_is_chunked_per_batch() {
    let a = frame(vec![Col::I64("x", vec![Some(1), Some(2)])]);
    let b = frame(vec![Col::I64("x", vec![Some(3)])]);
    // a multi-chunk frame: round trip a concatenation built by a join-free plan
    let mut s1 = export(&a, 0);
    drop(a); // the stream does not borrow the frame
    let back = import(&mut s1).unwrap();
    assert_eq!(column(&back, "x"), vec![json!(1), json!(2)]);
    drop(b);
}

#[test]
fn arrow_import_widens_small_ints_decimals_and_dictionaries() {
    use polars_arrow::array::{DictionaryArray, PrimitiveArray, StructArray, Utf8Array};
    use polars_arrow::datatypes::{ArrowDataType, Field};
    let small = PrimitiveArray::<i16>::from(vec![Some(1i16), None]).boxed();
    let tiny = PrimitiveArray::<u8>::from_vec(vec![200u8, 7]).boxed();
    let dec = PrimitiveArray::<i128>::from(vec![Some(12345i128), Some(-5)])
        .to(ArrowDataType::Decimal(10, 2))
        .boxed();
    let strings = Utf8Array::<i32>::from_slice(["blue", "red"]).boxed();
    let dict = DictionaryArray::<u32>::try_from_keys(PrimitiveArray::from_vec(vec![1u32, 0]), strings, false)
        .unwrap()
        .boxed();
    let fields = vec![
        Field::new("small".into(), ArrowDataType::Int16, true),
        Field::new("tiny".into(), ArrowDataType::UInt8, true),
        Field::new("dec".into(), ArrowDataType::Decimal(10, 2), true),
        Field::new("dict".into(), dict.dtype().clone(), true),
    ];
    let dt = ArrowDataType::Struct(fields);
    let batch = StructArray::new(dt.clone(), 2, vec![small, tiny, dec, dict], None).boxed();
    let mut stream = polars_arrow::ffi::export_iterator(
        Box::new(vec![Ok(batch)].into_iter()),
        Field::new("".into(), dt, false),
    );
    let df = import(&mut stream).unwrap();
    assert_eq!(
        schema(&df).into_iter().map(|(_, t)| t).collect::<Vec<_>>(),
        vec!["int32", "int32", "float64", "string"]
    );
    assert_eq!(
        rows(&df),
        vec![
            vec![json!(1), json!(200), json!(123.45), json!("red")],
            vec![Value::Null, json!(7), json!(-0.05), json!("blue")],
        ]
    );
}

#[test]
fn arrow_import_rejects_unsupported_types_naming_the_column() {
    use polars_arrow::array::{PrimitiveArray, StructArray};
    use polars_arrow::datatypes::{ArrowDataType, Field, TimeUnit};
    let t = PrimitiveArray::<i64>::from_vec(vec![1]).to(ArrowDataType::Time64(TimeUnit::Microsecond)).boxed();
    let fields = vec![Field::new("at".into(), ArrowDataType::Time64(TimeUnit::Microsecond), true)];
    let dt = ArrowDataType::Struct(fields);
    let batch = StructArray::new(dt.clone(), 1, vec![t], None).boxed();
    let mut stream = polars_arrow::ffi::export_iterator(
        Box::new(vec![Ok(batch)].into_iter()),
        Field::new("".into(), dt, false),
    );
    let e = import(&mut stream).err().unwrap();
    assert_eq!(e.code, FrameStatus::Type);
    assert!(e.msg.contains("column 'at' has Arrow type Time64"), "{}", e.msg);
    assert!(e.msg.contains("cast it in SQL first"), "{}", e.msg);
}

#[test]
fn arrow_import_of_a_released_stream_is_an_error() {
    let mut stream = ArrowArrayStream::empty();
    let e = import(&mut stream).err().unwrap();
    assert_eq!(e.code, FrameStatus::InvalidArgument);
    assert!(e.msg.contains("already released"), "{}", e.msg);
}

#[test]
fn exporting_a_frame_without_columns_is_an_error() {
    let df = frame(vec![]);
    let mut stream = ArrowArrayStream::empty();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_to_arrow_stream(df.0, 0, &mut stream, &mut err) };
    assert!(take_err(st, err).msg.contains("no columns"));
}

// ---- errors -----------------------------------------------------------------------------

#[test]
fn unknown_column_errors_name_the_column_the_op_and_what_exists() {
    let df = sales();
    let e =
        run_err(&df, plan(vec![json!({"op": "filter", "predicate": f(">", vec![c("amout"), json!(1)])})]));
    assert_eq!(e.code, FrameStatus::ColumnNotFound);
    assert_eq!(
        e.msg,
        "plan.ops[0] (filter).predicate.args[0]: unknown column 'amout'; available: id, category, amount, online, day"
    );

    let e = run_err(
        &df,
        plan(vec![json!({"op": "select", "exprs": ["id"]}), json!({"op": "select", "exprs": ["amount"]})]),
    );
    assert_eq!(e.msg, "plan.ops[1] (select).exprs[0]: unknown column 'amount'; available: id");

    for op in [
        json!({"op": "drop", "columns": ["x"]}),
        json!({"op": "sort", "by": ["x"]}),
        json!({"op": "group_by_agg", "by": ["x"], "aggs": []}),
        json!({"op": "group_by_agg", "by": ["id"], "aggs": [f("sum", vec![c("x")])]}),
        json!({"op": "rename", "mapping": {"x": "y"}}),
        json!({"op": "unique", "subset": ["x"]}),
    ] {
        let e = run_err(&df, plan(vec![op]));
        assert_eq!(e.code, FrameStatus::ColumnNotFound);
        assert!(e.msg.contains("unknown column 'x'; available: id, category"), "{}", e.msg);
    }
}

#[test]
fn unknown_join_keys_name_the_side() {
    let (cu, or) = (customers(), orders());
    let e = try_run_multi(
        &[&cu, &or],
        &json!({"ops": [{"op": "join", "right": 1, "left_on": ["customer_id"], "right_on": ["cust"]}]}),
    )
    .err()
    .unwrap();
    assert_eq!(e.code, FrameStatus::ColumnNotFound);
    assert_eq!(
        e.msg,
        "plan.ops[0] (join): unknown join key column 'cust' in the right input; available: customer_id, amount, name"
    );
    let e = try_run_multi(&[&cu, &or], &json!({"ops": [{"op": "join", "right": 2, "on": "customer_id"}]}))
        .err()
        .unwrap();
    assert_eq!(e.code, FrameStatus::Plan);
    assert_eq!(e.msg, "plan.ops[0] (join).right.input: input 2 does not exist; 2 input frame(s) were given");
}

#[test]
fn bad_plans_are_plan_errors_with_a_path() {
    let df = sales();
    let cases = [
        ("{\"ops\": [", "plan is not valid JSON"),
        ("[1, 2]", "plan must be a JSON object like {\"ops\": [...]}, got an array"),
        ("{\"version\": 2, \"ops\": []}", "unsupported plan version 2"),
        ("{\"ops\": {}}", "plan.ops: expected an array, got an object"),
        ("{\"ops\": [{\"opp\": \"filter\"}]}", "plan.ops[0]: expected an object with a string \"op\""),
        (
            "{\"ops\": [{\"op\": \"explode\"}]}",
            "plan.ops[0] (explode): unknown op 'explode'; expected one of: filter, select",
        ),
        ("{\"ops\": [{\"op\": \"filter\"}]}", "plan.ops[0] (filter): missing \"predicate\""),
        (
            "{\"ops\": [{\"op\": \"limit\", \"n\": -1}]}",
            "plan.ops[0] (limit).n: expected a non-negative integer, got -1",
        ),
        (
            "{\"ops\": [{\"op\": \"select\", \"exprs\": [{\"fn\": \"frobnicate\", \"args\": []}]}]}",
            "plan.ops[0] (select).exprs[0]: unknown function 'frobnicate'; expected one of: +, -",
        ),
        (
            "{\"ops\": [{\"op\": \"select\", \"exprs\": [{\"fn\": \"sum\", \"args\": [{\"col\": \"id\"}, 1]}]}]}",
            "plan.ops[0] (select).exprs[0] (sum): takes 1 argument, got 2",
        ),
        (
            "{\"ops\": [{\"op\": \"filter\", \"predicate\": {\"fn\": \"==\", \"args\": [{\"col\": \"id\"}, \"x\"]}}]}",
            "bare string \"x\" is ambiguous here",
        ),
        (
            "{\"ops\": [{\"op\": \"sort\", \"by\": [\"id\"], \"descending\": [true, false]}]}",
            "plan.ops[0] (sort).descending: expected a boolean or an array of 1 booleans",
        ),
        (
            "{\"ops\": [{\"op\": \"join\", \"right\": 0, \"on\": \"id\", \"how\": \"sideways\"}]}",
            "unknown join type 'sideways'",
        ),
        (
            "{\"ops\": [{\"op\": \"select\", \"exprs\": [{\"fn\": \"dt.truncate\", \"args\": [{\"col\": \"day\"}], \"every\": \"1 month\"}]}]}",
            "invalid duration '1 month'",
        ),
        (
            "{\"ops\": [{\"op\": \"select\", \"exprs\": [{\"fn\": \"dt.truncate\", \"args\": [{\"col\": \"day\"}], \"every\": \"0d\"}]}]}",
            "invalid duration '0d'",
        ),
    ];
    for (p, want) in cases {
        let json = CString::new(p).unwrap();
        let mut out = ptr::null_mut();
        let mut err = ptr::null_mut();
        let st = unsafe { frame_plan_execute(df.0, json.as_ptr(), &mut out, &mut err) };
        let e = take_err(st, err);
        assert_eq!(e.code, FrameStatus::Plan, "{p}: {}", e.msg);
        assert!(e.msg.contains(want), "{p}\n  got:  {}\n  want: {want}", e.msg);
    }
}

#[test]
fn wrong_types_are_type_errors_attributed_to_the_op() {
    let df = sales();
    let e = run_err(
        &df,
        plan(vec![
            json!({"op": "limit", "n": 3}),
            json!({"op": "with_columns", "exprs": [alias(f("+", vec![c("category"), json!(1)]), "x")]}),
        ]),
    );
    assert!(matches!(e.code, FrameStatus::Type | FrameStatus::Compute), "{e:?}");
    assert!(e.msg.starts_with("plan.ops[1] (with_columns): "), "{}", e.msg);
    assert!(e.msg.contains("str") || e.msg.contains("string"), "{}", e.msg);

    let e = run_err(&df, plan(vec![json!({"op": "filter", "predicate": c("amount")})]));
    assert!(e.msg.starts_with("plan.ops[0] (filter): "), "{}", e.msg);
    assert!(e.msg.contains("predicate must be of type `Boolean`, got `Float64`"), "{}", e.msg);

    let e = run_err(&df, plan(vec![json!({"op": "select", "exprs": [f("dt.year", vec![c("amount")])]})]));
    assert_eq!(e.code, FrameStatus::Type);
    assert_eq!(
        e.msg,
        "plan.ops[0] (select).exprs[0] (dt.year): expects a date or datetime, but column 'amount' is float64"
    );

    let e = run_err(&df, plan(vec![json!({"op": "select", "exprs": [f("dt.hour", vec![c("day")])]})]));
    assert_eq!(
        e.msg,
        "plan.ops[0] (select).exprs[0] (dt.hour): expects a datetime, but column 'day' is date"
    );

    let e = run_err(
        &df,
        plan(vec![
            json!({"op": "select", "exprs": [f("str.to_uppercase", vec![f("+", vec![c("id"), json!(1)])])]}),
        ]),
    );
    assert_eq!(
        e.msg,
        "plan.ops[0] (select).exprs[0] (str.to_uppercase): expects a string, but the argument is int64"
    );

    let e = run_err(
        &df,
        plan(vec![json!({"op": "group_by_agg", "by": ["online"], "aggs": [f("sum", vec![c("category")])]})]),
    );
    assert_eq!(
        e.msg,
        "plan.ops[0] (group_by_agg).aggs[0] (sum): expects a number, but column 'category' is string"
    );

    let (cu, or) = (customers(), orders());
    let e = try_run_multi(
        &[&cu, &or],
        &json!({"ops": [{"op": "join", "right": 1, "left_on": "name", "right_on": "customer_id"}]}),
    )
    .err()
    .unwrap();
    assert!(e.msg.starts_with("plan.ops[0] (join): "), "{}", e.msg);
}

#[test]
fn null_arguments_are_invalid_argument_errors_not_crashes() {
    let df = sales();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let p = CString::new("{\"ops\": []}").unwrap();
    let st = unsafe { frame_plan_execute(ptr::null(), p.as_ptr(), &mut out, &mut err) };
    assert!(take_err(st, err).msg.contains("inputs[0] is NULL"));
    let st = unsafe { frame_plan_execute(df.0, ptr::null(), &mut out, &mut err) };
    assert!(take_err(st, err).msg.contains("plan_json is NULL"));
    let st = unsafe { frame_plan_execute(df.0, p.as_ptr(), ptr::null_mut(), &mut err) };
    assert!(take_err(st, err).msg.contains("out is NULL"));
    let mut h = 0u64;
    let st = unsafe { frame_height(ptr::null(), &mut h, &mut err) };
    assert_eq!(take_err(st, err).code, FrameStatus::InvalidArgument);
    let st = unsafe { frame_from_arrow_stream(ptr::null_mut(), &mut out, &mut err) };
    assert!(take_err(st, err).msg.contains("stream is NULL"));
    // err may be NULL: the status alone reports the failure
    let st = unsafe { frame_height(ptr::null(), &mut h, ptr::null_mut()) };
    assert_eq!(st, FrameStatus::InvalidArgument);
    // freeing NULL is fine; messages of NULL errors are ""
    unsafe {
        frame_free(ptr::null_mut());
        frame_error_free(ptr::null_mut());
        frame_schema_free(ptr::null_mut());
        assert_eq!(CStr::from_ptr(frame_error_message(ptr::null())).to_str().unwrap(), "");
    }
}

#[test]
fn success_clears_a_stale_err_pointer() {
    let df = sales();
    let mut h = 0u64;
    let mut err: *mut FrameError = std::ptr::dangling_mut(); // garbage on entry
    assert_eq!(unsafe { frame_height(df.0, &mut h, &mut err) }, FrameStatus::Ok);
    assert!(err.is_null());
}

// ---- panics -----------------------------------------------------------------------------

#[repr(C)]
struct RawStream {
    get_schema: Option<unsafe extern "C" fn(*mut RawStream, *mut std::ffi::c_void) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut RawStream, *mut std::ffi::c_void) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut RawStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut RawStream)>,
    private_data: *mut std::ffi::c_void,
}

unsafe extern "C" fn failing_schema(_: *mut RawStream, _: *mut std::ffi::c_void) -> c_int {
    5
}
unsafe extern "C" fn no_next(_: *mut RawStream, _: *mut std::ffi::c_void) -> c_int {
    5
}
unsafe extern "C" fn non_utf8_error(_: *mut RawStream) -> *const c_char {
    // Invalid UTF-8: polars' stream reader unwraps its UTF-8 conversion and panics.
    c"bad \xff\xfe message".as_ptr()
}
static RELEASED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
unsafe extern "C" fn release_raw(s: *mut RawStream) {
    RELEASED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    unsafe { (*s).release = None };
}

#[test]
fn a_panic_inside_polars_becomes_a_panic_status_not_an_abort() {
    let mut raw = RawStream {
        get_schema: Some(failing_schema),
        get_next: Some(no_next),
        get_last_error: Some(non_utf8_error),
        release: Some(release_raw),
        private_data: ptr::null_mut(),
    };
    let before = RELEASED.load(std::sync::atomic::Ordering::SeqCst);
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_from_arrow_stream((&mut raw as *mut RawStream).cast(), &mut out, &mut err) };
    let e = take_err(st, err);
    assert_eq!(e.code, FrameStatus::Panic);
    assert!(
        e.msg.starts_with("internal error in frame-rs (panic caught at the C ABI boundary): "),
        "{}",
        e.msg
    );
    assert!(out.is_null());
    // the stream was consumed (moved out, then released exactly once)
    assert!(raw.release.is_none());
    assert_eq!(RELEASED.load(std::sync::atomic::Ordering::SeqCst), before + 1);
    // and the library keeps working afterwards
    let df = sales();
    assert_eq!(height(&run(&df, plan(vec![json!({"op": "limit", "n": 1})]))), 1);
}

#[test]
fn the_guard_turns_any_panic_payload_into_an_error() {
    let mut err = ptr::null_mut();
    let st = unsafe { ffi_guard(&mut err, || panic!("boom {}", 42)) };
    let e = take_err(st, err);
    assert_eq!(e.code, FrameStatus::Panic);
    assert!(e.msg.ends_with("boom 42"), "{}", e.msg);
    let st = unsafe { ffi_guard(&mut err, || std::panic::panic_any(7u8)) };
    assert!(take_err(st, err).msg.ends_with("unknown panic payload"));
}

// ---- misc -------------------------------------------------------------------------------

#[test]
fn estimated_size_grows_with_the_data() {
    let small = frame(vec![Col::I64("x", vec![Some(1); 10])]);
    let big = frame(vec![Col::I64("x", vec![Some(1); 100_000])]);
    let size = |d: &Df| {
        let mut s = 0u64;
        let mut err = ptr::null_mut();
        assert_eq!(unsafe { frame_estimated_size(d.0, &mut s, &mut err) }, FrameStatus::Ok);
        s
    };
    assert!(size(&big) >= 800_000, "{}", size(&big));
    assert!(size(&small) < size(&big));
}

#[test]
fn frames_are_immutable_and_shareable_across_threads() {
    let df = sales();
    let addr = df.0 as usize;
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let d = addr as *const FrameDf;
                let p = CString::new(json!({"ops": [{"op": "limit", "n": i}]}).to_string()).unwrap();
                let mut out = ptr::null_mut();
                let mut err = ptr::null_mut();
                assert_eq!(unsafe { frame_plan_execute(d, p.as_ptr(), &mut out, &mut err) }, FrameStatus::Ok);
                let mut h = 0;
                unsafe { frame_height(out, &mut h, &mut err) };
                unsafe { frame_free(out) };
                h
            })
        })
        .collect();
    let hs: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(hs, vec![0, 1, 2, 3]);
    assert_eq!(height(&df), 6);
}

#[test]
fn version_names_crate_and_polars() {
    let v = unsafe { CStr::from_ptr(frame_version()) }.to_str().unwrap();
    assert_eq!(v, format!("frame-rs {} (polars {})", env!("CARGO_PKG_VERSION"), polars::VERSION));
}

#[test]
fn plan_schema_resolves_without_running_and_reports_the_same_errors() {
    let left =
        frame(vec![Col::I64("id", vec![Some(1), Some(2)]), Col::Str("name", vec![Some("a"), Some("b")])]);
    let right = frame(vec![Col::I64("id", vec![Some(1)]), Col::F64("amount", vec![Some(2.5)])]);
    let plan = json!({"ops": [
        {"op": "join", "right": 1, "on": "id"},
        {"op": "group_by_agg", "by": ["name"], "aggs": [
            {"fn": "alias", "name": "total", "args": [{"fn": "sum", "args": [{"col": "amount"}]}]},
            {"fn": "alias", "name": "n", "args": [{"fn": "len", "args": []}]}]}
    ]});
    let got = try_plan_schema(&[&left, &right], &plan).unwrap();
    let want: Vec<(String, String)> = [("name", "string"), ("total", "float64"), ("n", "uint32")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    // The schema of what actually runs is the same.
    let ran = try_run_multi(&[&left, &right], &plan).unwrap();
    assert_eq!(schema(&ran), want);

    let e = try_plan_schema(&[&left], &json!({"ops": [{"op": "select", "exprs": ["nope"]}]})).unwrap_err();
    assert_eq!(e.code, FrameStatus::ColumnNotFound);
    assert!(e.msg.contains("unknown column 'nope'"), "{}", e.msg);
    let e = try_plan_schema(&[&left], &json!({"ops": [{"op": "explode"}]})).unwrap_err();
    assert_eq!(e.code, FrameStatus::Plan);
}

/// The C struct ArrowArray, read field by field as a C consumer (DuckDB, src/frame) does.
#[repr(C)]
struct RawArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *const *const std::ffi::c_void,
    children: *const *mut RawArray,
    dictionary: *mut RawArray,
    release: Option<unsafe extern "C" fn(*mut RawArray)>,
    private_data: *mut std::ffi::c_void,
}

#[test]
fn exports_large_frames_in_batches_a_c_reader_reads_correctly() {
    // 300,000 rows: three batches of at most 122,880 rows. Each string is read the way the C
    // data interface says (offsets buffer + the array's offset), for both string layouts.
    let n = 300_000usize;
    const V: [&str; 7] = ["v0", "v1", "v2", "v3", "v4", "v5", "v6"];
    let texts: Vec<String> = (0..n).map(|i| V[i % 7].to_string()).collect();
    let df = frame(vec![
        Col::I64("id", (0..n as i64).map(Some).collect()),
        Col::Str("s", (0..n).map(|i| Some(V[i % 7])).collect()),
    ]);
    for flags in [0u32, frame_rs::arrow::EXPORT_STRING_VIEW] {
        let mut stream = ArrowArrayStream::empty();
        let mut err = ptr::null_mut();
        assert_eq!(unsafe { frame_to_arrow_stream(df.0, flags, &mut stream, &mut err) }, FrameStatus::Ok);
        let raw = &mut stream as *mut ArrowArrayStream as *mut RawStream;
        let mut lengths = Vec::new();
        let mut row = 0usize;
        loop {
            let mut array = std::mem::MaybeUninit::<RawArray>::zeroed();
            let rc = unsafe { ((*raw).get_next.unwrap())(raw, array.as_mut_ptr() as *mut std::ffi::c_void) };
            assert_eq!(rc, 0);
            let array = unsafe { array.assume_init() };
            let Some(release) = array.release else { break };
            lengths.push(array.length);
            let (ids, strings) = unsafe { (&**array.children, &**array.children.add(1)) };
            for i in [0usize, 1, array.length as usize - 1] {
                let id = unsafe { *(*ids.buffers.add(1) as *const i64).add(ids.offset as usize + i) };
                let text = unsafe {
                    if flags == 0 {
                        let offsets = *strings.buffers.add(1) as *const i64;
                        let data = *strings.buffers.add(2) as *const u8;
                        let at = strings.offset as usize + i;
                        let (a, b) = (*offsets.add(at) as usize, *offsets.add(at + 1) as usize);
                        String::from_utf8(std::slice::from_raw_parts(data.add(a), b - a).to_vec()).unwrap()
                    } else {
                        // Short strings (<= 12 bytes) sit inline in their 16-byte view.
                        let view =
                            (*strings.buffers.add(1) as *const u8).add(16 * (strings.offset as usize + i));
                        let len = *(view as *const u32) as usize;
                        String::from_utf8(std::slice::from_raw_parts(view.add(4), len).to_vec()).unwrap()
                    }
                };
                assert_eq!(id as usize, row + i, "flags {flags}");
                assert_eq!(text, texts[row + i], "flags {flags}, row {}", row + i);
            }
            row += array.length as usize;
            let mut array = array;
            unsafe { release(&mut array) };
        }
        assert_eq!(lengths, vec![122_880, 122_880, 54_240], "flags {flags}");
        unsafe { ((*raw).release.unwrap())(raw) };
    }
}
