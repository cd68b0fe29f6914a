//! Test helpers: drive frame-rs only through its `extern "C"` functions, the way C++ will.
#![allow(dead_code)]

use std::ffi::{CStr, CString};
use std::ptr;

use frame_rs::{
    ArrowArrayStream, FrameColumn, FrameDf, FrameError, FrameStatus, frame_error_code, frame_error_free,
    frame_error_message, frame_free, frame_from_columns, frame_height, frame_plan_execute,
    frame_plan_execute_multi, frame_plan_schema, frame_schema, frame_schema_free, frame_to_arrow_stream,
};
use polars_arrow::array::*;
use polars_arrow::datatypes::{ArrowDataType, TimeUnit};
use polars_arrow::ffi::ArrowArrayStreamReader;
use serde_json::{Value, json};

/// Owned frame handle, freed with frame_free on drop.
pub struct Df(pub *mut FrameDf);

impl Drop for Df {
    fn drop(&mut self) {
        unsafe { frame_free(self.0) };
    }
}

#[derive(Debug)]
pub struct Err {
    pub code: FrameStatus,
    pub msg: String,
}

/// Take an error out of an err out-pointer, checking the status agrees with it.
pub fn take_err(status: FrameStatus, err: *mut FrameError) -> Err {
    assert_ne!(status, FrameStatus::Ok, "expected a failure");
    assert!(!err.is_null(), "a failing call must fill *err");
    let msg = unsafe { CStr::from_ptr(frame_error_message(err)) }.to_str().unwrap().to_string();
    let code = unsafe { frame_error_code(err) };
    assert_eq!(code, status);
    unsafe { frame_error_free(err) };
    Err { code, msg }
}

/// Column spec for `frame_from_columns`: owns the buffers until the call returns.
pub enum Col {
    I64(&'static str, Vec<Option<i64>>),
    F64(&'static str, Vec<Option<f64>>),
    Bool(&'static str, Vec<Option<bool>>),
    Str(&'static str, Vec<Option<&'static str>>),
    /// "YYYY-MM-DD"
    Date(&'static str, Vec<Option<&'static str>>),
    /// milliseconds since epoch
    TsMs(&'static str, Vec<Option<i64>>),
    Null(&'static str, usize),
}

pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn parse_date(s: &str) -> i32 {
    let p: Vec<i64> = s.split('-').map(|x| x.parse().unwrap()).collect();
    days_from_civil(p[0], p[1], p[2]) as i32
}

pub fn fmt_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn fmt_ts(v: i64, unit: TimeUnit) -> String {
    let ms = match unit {
        TimeUnit::Second => v * 1000,
        TimeUnit::Millisecond => v,
        TimeUnit::Microsecond => v.div_euclid(1000),
        TimeUnit::Nanosecond => v.div_euclid(1_000_000),
    };
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}",
        fmt_date(days),
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

pub fn ms(date: &str, h: i64, m: i64) -> i64 {
    parse_date(date) as i64 * 86_400_000 + h * 3_600_000 + m * 60_000
}

fn validity(v: &[bool]) -> Vec<u8> {
    v.iter().map(|b| *b as u8).collect()
}

/// Build a frame through `frame_from_columns`.
pub fn try_frame(cols: Vec<Col>) -> Result<Df, Err> {
    // Buffers must outlive the call: keep them all in these vectors.
    let mut names = Vec::new();
    let mut bufs: Vec<Vec<u8>> = Vec::new();
    let mut i64s: Vec<Vec<i64>> = Vec::new();
    let mut f64s: Vec<Vec<f64>> = Vec::new();
    let mut i32s: Vec<Vec<i32>> = Vec::new();
    let mut valids: Vec<Vec<u8>> = Vec::new();
    let mut specs: Vec<(usize, i32, usize, u8, usize, Option<usize>)> = Vec::new(); // (name, type, len, kind, buf index, offsets idx)
    for c in &cols {
        let (name, ty, len, valid) = match c {
            Col::I64(n, v) | Col::TsMs(n, v) => {
                i64s.push(v.iter().map(|x| x.unwrap_or(0)).collect());
                let ty = if matches!(c, Col::I64(..)) { 2 } else { 6 };
                (n, ty, v.len(), validity(&v.iter().map(Option::is_some).collect::<Vec<_>>()))
            }
            Col::F64(n, v) => {
                f64s.push(v.iter().map(|x| x.unwrap_or(0.0)).collect());
                (n, 3, v.len(), validity(&v.iter().map(Option::is_some).collect::<Vec<_>>()))
            }
            Col::Bool(n, v) => {
                bufs.push(v.iter().map(|x| x.unwrap_or(false) as u8).collect());
                (n, 1, v.len(), validity(&v.iter().map(Option::is_some).collect::<Vec<_>>()))
            }
            Col::Str(n, v) => {
                let mut bytes = Vec::new();
                let mut offs = vec![0i64];
                for s in v {
                    bytes.extend_from_slice(s.unwrap_or("").as_bytes());
                    offs.push(bytes.len() as i64);
                }
                bufs.push(bytes);
                i64s.push(offs);
                (n, 4, v.len(), validity(&v.iter().map(Option::is_some).collect::<Vec<_>>()))
            }
            Col::Date(n, v) => {
                i32s.push(v.iter().map(|x| x.map(parse_date).unwrap_or(0)).collect());
                (n, 5, v.len(), validity(&v.iter().map(Option::is_some).collect::<Vec<_>>()))
            }
            Col::Null(n, len) => (n, 0, *len, vec![0u8; *len]),
        };
        names.push(CString::new(*name).unwrap());
        valids.push(valid);
        specs.push((names.len() - 1, ty, len, 0, 0, None));
    }
    // second pass: wire pointers (vectors no longer grow)
    let (mut bi, mut ii, mut fi, mut di) = (0, 0, 0, 0);
    let mut out_cols = Vec::new();
    for (k, c) in cols.iter().enumerate() {
        let (ni, ty, len, ..) = specs[k];
        let (values, offsets): (*const std::ffi::c_void, *const i64) = match c {
            Col::I64(..) | Col::TsMs(..) => {
                ii += 1;
                (i64s[ii - 1].as_ptr().cast(), ptr::null())
            }
            Col::F64(..) => {
                fi += 1;
                (f64s[fi - 1].as_ptr().cast(), ptr::null())
            }
            Col::Bool(..) => {
                bi += 1;
                (bufs[bi - 1].as_ptr().cast(), ptr::null())
            }
            Col::Str(..) => {
                bi += 1;
                ii += 1;
                (bufs[bi - 1].as_ptr().cast(), i64s[ii - 1].as_ptr())
            }
            Col::Date(..) => {
                di += 1;
                (i32s[di - 1].as_ptr().cast(), ptr::null())
            }
            Col::Null(..) => (ptr::null(), ptr::null()),
        };
        out_cols.push(FrameColumn {
            name: names[ni].as_ptr(),
            type_: ty,
            length: len,
            values,
            offsets,
            validity: valids[k].as_ptr(),
        });
    }
    from_raw_columns(&out_cols)
}

pub fn from_raw_columns(cols: &[FrameColumn]) -> Result<Df, Err> {
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_from_columns(cols.as_ptr(), cols.len(), &mut out, &mut err) };
    if st == FrameStatus::Ok {
        assert!(err.is_null());
        Ok(Df(out))
    } else {
        assert!(out.is_null());
        Result::Err(take_err(st, err))
    }
}

pub fn frame(cols: Vec<Col>) -> Df {
    try_frame(cols).unwrap()
}

pub fn try_run_multi(inputs: &[&Df], plan: &Value) -> Result<Df, Err> {
    let ptrs: Vec<*const FrameDf> = inputs.iter().map(|d| d.0 as *const FrameDf).collect();
    let json = CString::new(plan.to_string()).unwrap();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st =
        unsafe { frame_plan_execute_multi(ptrs.as_ptr(), ptrs.len(), json.as_ptr(), &mut out, &mut err) };
    if st == FrameStatus::Ok {
        Ok(Df(out))
    } else {
        assert!(out.is_null());
        Result::Err(take_err(st, err))
    }
}

pub fn try_run(input: &Df, plan: &Value) -> Result<Df, Err> {
    let json = CString::new(plan.to_string()).unwrap();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_plan_execute(input.0, json.as_ptr(), &mut out, &mut err) };
    if st == FrameStatus::Ok {
        Ok(Df(out))
    } else {
        assert!(out.is_null());
        Result::Err(take_err(st, err))
    }
}

pub fn run(input: &Df, plan: Value) -> Df {
    match try_run(input, &plan) {
        Ok(d) => d,
        Result::Err(e) => panic!("plan {plan} failed: {e:?}"),
    }
}

pub fn run_err(input: &Df, plan: Value) -> Err {
    match try_run(input, &plan) {
        Ok(d) => panic!("plan {plan} should fail but gave {:?}", rows(&d)),
        Result::Err(e) => e,
    }
}

pub fn height(df: &Df) -> u64 {
    let mut h = 0u64;
    let mut err = ptr::null_mut();
    assert_eq!(unsafe { frame_height(df.0, &mut h, &mut err) }, FrameStatus::Ok);
    h
}

/// (name, dtype) pairs through frame_schema.
pub fn schema(df: &Df) -> Vec<(String, String)> {
    let mut s = ptr::null_mut();
    let mut err = ptr::null_mut();
    assert_eq!(unsafe { frame_schema(df.0, &mut s, &mut err) }, FrameStatus::Ok);
    let out = unsafe {
        let fields = std::slice::from_raw_parts((*s).fields, (*s).n_fields);
        fields
            .iter()
            .map(|f| {
                (
                    CStr::from_ptr(f.name).to_str().unwrap().to_string(),
                    CStr::from_ptr(f.dtype).to_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    unsafe { frame_schema_free(s) };
    out
}

/// (name, dtype) pairs of what `plan` would produce, through frame_plan_schema (nothing runs).
pub fn try_plan_schema(inputs: &[&Df], plan: &Value) -> Result<Vec<(String, String)>, Err> {
    let ptrs: Vec<*const FrameDf> = inputs.iter().map(|d| d.0 as *const FrameDf).collect();
    let json = CString::new(plan.to_string()).unwrap();
    let mut s = ptr::null_mut();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_plan_schema(ptrs.as_ptr(), ptrs.len(), json.as_ptr(), &mut s, &mut err) };
    if st != FrameStatus::Ok {
        assert!(s.is_null());
        return Result::Err(take_err(st, err));
    }
    let out = unsafe {
        let fields = std::slice::from_raw_parts((*s).fields, (*s).n_fields);
        fields
            .iter()
            .map(|f| {
                (
                    CStr::from_ptr(f.name).to_str().unwrap().to_string(),
                    CStr::from_ptr(f.dtype).to_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    unsafe { frame_schema_free(s) };
    Ok(out)
}

pub fn names(df: &Df) -> Vec<String> {
    schema(df).into_iter().map(|(n, _)| n).collect()
}

fn cell(arr: &dyn Array, i: usize) -> Value {
    if arr.is_null(i) {
        return Value::Null;
    }
    let any = arr.as_any();
    match arr.dtype() {
        ArrowDataType::Boolean => json!(any.downcast_ref::<BooleanArray>().unwrap().value(i)),
        ArrowDataType::Int8 => json!(any.downcast_ref::<PrimitiveArray<i8>>().unwrap().value(i)),
        ArrowDataType::Int16 => json!(any.downcast_ref::<PrimitiveArray<i16>>().unwrap().value(i)),
        ArrowDataType::Int32 => json!(any.downcast_ref::<PrimitiveArray<i32>>().unwrap().value(i)),
        ArrowDataType::Int64 => json!(any.downcast_ref::<PrimitiveArray<i64>>().unwrap().value(i)),
        ArrowDataType::UInt8 => json!(any.downcast_ref::<PrimitiveArray<u8>>().unwrap().value(i)),
        ArrowDataType::UInt32 => json!(any.downcast_ref::<PrimitiveArray<u32>>().unwrap().value(i)),
        ArrowDataType::UInt64 => json!(any.downcast_ref::<PrimitiveArray<u64>>().unwrap().value(i)),
        ArrowDataType::Float32 => json!(any.downcast_ref::<PrimitiveArray<f32>>().unwrap().value(i)),
        ArrowDataType::Float64 => json!(any.downcast_ref::<PrimitiveArray<f64>>().unwrap().value(i)),
        ArrowDataType::LargeUtf8 => json!(any.downcast_ref::<Utf8Array<i64>>().unwrap().value(i)),
        ArrowDataType::Utf8View => json!(any.downcast_ref::<Utf8ViewArray>().unwrap().value(i)),
        ArrowDataType::Date32 => {
            json!(fmt_date(any.downcast_ref::<PrimitiveArray<i32>>().unwrap().value(i) as i64))
        }
        ArrowDataType::Timestamp(tu, _) => {
            json!(fmt_ts(any.downcast_ref::<PrimitiveArray<i64>>().unwrap().value(i), *tu))
        }
        ArrowDataType::LargeList(_) => {
            let l = any.downcast_ref::<ListArray<i64>>().unwrap();
            let v = l.value(i);
            Value::Array((0..v.len()).map(|j| cell(v.as_ref(), j)).collect())
        }
        ArrowDataType::Null => Value::Null,
        other => panic!("test helper cannot render {other:?}"),
    }
}

/// Read a frame back through `frame_to_arrow_stream` as rows of JSON values.
pub fn rows_with_flags(df: &Df, flags: u32) -> Vec<Vec<Value>> {
    let mut stream = ArrowArrayStream::empty();
    let mut err = ptr::null_mut();
    let st = unsafe { frame_to_arrow_stream(df.0, flags, &mut stream, &mut err) };
    if st != FrameStatus::Ok {
        panic!("export failed: {:?}", take_err(st, err));
    }
    let mut reader = unsafe { ArrowArrayStreamReader::try_new(Box::new(stream)) }.unwrap();
    let mut out = Vec::new();
    while let Some(batch) = unsafe { reader.next() } {
        let batch = batch.unwrap();
        let sa = batch.as_any().downcast_ref::<StructArray>().unwrap();
        for i in 0..sa.len() {
            out.push(sa.values().iter().map(|c| cell(c.as_ref(), i)).collect());
        }
    }
    out
}

pub fn rows(df: &Df) -> Vec<Vec<Value>> {
    rows_with_flags(df, 0)
}

/// One column's values, by name.
pub fn column(df: &Df, name: &str) -> Vec<Value> {
    let idx = names(df)
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", names(df)));
    rows(df).into_iter().map(|r| r[idx].clone()).collect()
}
