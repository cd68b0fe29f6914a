//! Building a DataFrame from plain column buffers filled by the C++ side (`frame_from_columns`).
//!
//! The buffers are borrowed for the duration of the call and copied once into Polars arrays.

use std::collections::HashSet;
use std::ffi::{CStr, c_char, c_void};

use polars::prelude::*;
use polars_arrow::array::{BooleanArray, MutableBinaryViewArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::ArrowDataType;

use crate::error::{Error, Result};

pub const COL_NULL: i32 = 0;
pub const COL_BOOL: i32 = 1;
pub const COL_INT64: i32 = 2;
pub const COL_FLOAT64: i32 = 3;
pub const COL_UTF8: i32 = 4;
pub const COL_DATE32: i32 = 5;
pub const COL_TIMESTAMP_MS: i32 = 6;

/// `frame_column` in frame.h.
#[repr(C)]
#[derive(Copy, Clone, Debug)]
pub struct FrameColumn {
    /// NUL-terminated UTF-8 column name.
    pub name: *const c_char,
    /// One of the `FRAME_COL_*` type tags.
    pub type_: i32,
    /// Number of rows.
    pub length: usize,
    /// Values, by type: BOOL `uint8_t[length]` (nonzero = true), INT64 `int64_t[length]`,
    /// FLOAT64 `double[length]`, UTF8 the string bytes (`char[offsets[length]]`),
    /// DATE32 `int32_t[length]` days since 1970-01-01, TIMESTAMP_MS `int64_t[length]`
    /// milliseconds since 1970-01-01T00:00:00 (no time zone). Ignored for NULL.
    /// May be NULL when `length == 0`.
    pub values: *const c_void,
    /// UTF8 only: `int64_t[length + 1]` byte offsets into `values`, non-decreasing.
    pub offsets: *const i64,
    /// Optional `uint8_t[length]`, 0 = null, nonzero = valid. NULL means no nulls.
    pub validity: *const u8,
}

unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str, col: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::invalid(format!("column '{col}': {what} pointer is NULL but length is {len}")));
    }
    if !(ptr as usize).is_multiple_of(std::mem::align_of::<T>()) {
        return Err(Error::invalid(format!(
            "column '{col}': {what} pointer is not aligned to {} bytes",
            std::mem::align_of::<T>()
        )));
    }
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

fn validity_bitmap(valid: Option<&[u8]>) -> Option<Bitmap> {
    let valid = valid?;
    if valid.iter().all(|&b| b != 0) {
        return None;
    }
    Some(Bitmap::from_iter(valid.iter().map(|&b| b != 0)))
}

fn type_name(t: i32) -> &'static str {
    match t {
        COL_NULL => "NULL",
        COL_BOOL => "BOOL",
        COL_INT64 => "INT64",
        COL_FLOAT64 => "FLOAT64",
        COL_UTF8 => "UTF8",
        COL_DATE32 => "DATE32",
        COL_TIMESTAMP_MS => "TIMESTAMP_MS",
        _ => "?",
    }
}

/// # Safety
/// Every pointer in `col` must be valid for the lengths described on [`FrameColumn`].
pub unsafe fn column_to_series(col: &FrameColumn, index: usize) -> Result<Series> {
    if col.name.is_null() {
        return Err(Error::invalid(format!("columns[{index}]: name is NULL")));
    }
    let name = unsafe { CStr::from_ptr(col.name) }
        .to_str()
        .map_err(|_| Error::invalid(format!("columns[{index}]: name is not valid UTF-8")))?;
    let n = col.length;
    let valid = if col.validity.is_null() {
        None
    } else {
        Some(unsafe { slice(col.validity, n, "validity", name)? })
    };
    let pname = PlSmallStr::from_str(name);

    let series = match col.type_ {
        COL_NULL => Series::full_null(pname, n, &DataType::Null),
        COL_BOOL => {
            let v: &[u8] = unsafe { slice(col.values as *const u8, n, "values", name)? };
            let values = Bitmap::from_iter(v.iter().map(|&b| b != 0));
            let arr = BooleanArray::new(ArrowDataType::Boolean, values, validity_bitmap(valid));
            BooleanChunked::with_chunk(pname, arr).into_series()
        }
        COL_INT64 | COL_TIMESTAMP_MS => {
            let v: &[i64] = unsafe { slice(col.values as *const i64, n, "values", name)? };
            let arr =
                PrimitiveArray::<i64>::new(ArrowDataType::Int64, v.to_vec().into(), validity_bitmap(valid));
            let ca = Int64Chunked::with_chunk(pname, arr);
            if col.type_ == COL_TIMESTAMP_MS {
                ca.into_datetime(TimeUnit::Milliseconds, None).into_series()
            } else {
                ca.into_series()
            }
        }
        COL_FLOAT64 => {
            let v: &[f64] = unsafe { slice(col.values as *const f64, n, "values", name)? };
            let arr =
                PrimitiveArray::<f64>::new(ArrowDataType::Float64, v.to_vec().into(), validity_bitmap(valid));
            Float64Chunked::with_chunk(pname, arr).into_series()
        }
        COL_DATE32 => {
            let v: &[i32] = unsafe { slice(col.values as *const i32, n, "values", name)? };
            let arr =
                PrimitiveArray::<i32>::new(ArrowDataType::Int32, v.to_vec().into(), validity_bitmap(valid));
            Int32Chunked::with_chunk(pname, arr).into_date().into_series()
        }
        COL_UTF8 => {
            let offsets: &[i64] = unsafe { slice(col.offsets, n + 1, "offsets", name)? };
            let total = offsets.last().copied().unwrap_or(0);
            let first = offsets.first().copied().unwrap_or(0);
            if first < 0 || total < first {
                return Err(Error::invalid(format!(
                    "column '{name}': offsets must be non-decreasing and start at >= 0 (first {first}, last {total})"
                )));
            }
            let bytes: &[u8] = unsafe { slice(col.values as *const u8, total as usize, "values", name)? };
            let mut builder = MutableBinaryViewArray::<str>::with_capacity(n);
            for i in 0..n {
                if valid.is_some_and(|v| v[i] == 0) {
                    builder.push_null();
                    continue;
                }
                let (a, b) = (offsets[i], offsets[i + 1]);
                if a < first || b < a || b > total {
                    return Err(Error::invalid(format!(
                        "column '{name}', row {i}: offsets {a}..{b} are out of order or out of range 0..{total}"
                    )));
                }
                let s = std::str::from_utf8(&bytes[a as usize..b as usize]).map_err(|e| {
                    Error::invalid(format!("column '{name}', row {i}: string is not valid UTF-8 ({e})"))
                })?;
                builder.push_value(s);
            }
            let arr: Utf8ViewArray = builder.into();
            StringChunked::with_chunk(pname, arr).into_series()
        }
        other => {
            return Err(Error::invalid(format!(
                "column '{name}': unknown type tag {other}; expected 0 (NULL), 1 (BOOL), 2 (INT64), \
                 3 (FLOAT64), 4 (UTF8), 5 (DATE32) or 6 (TIMESTAMP_MS)"
            )));
        }
    };
    debug_assert_eq!(series.len(), n, "{}", type_name(col.type_));
    Ok(series)
}

/// # Safety
/// `cols` must point to `n` valid [`FrameColumn`]s (or be NULL when `n == 0`).
pub unsafe fn frame_from_columns(cols: *const FrameColumn, n: usize) -> Result<DataFrame> {
    let cols: &[FrameColumn] = if n == 0 {
        &[]
    } else if cols.is_null() {
        return Err(Error::invalid(format!("columns is NULL but n_columns is {n}")));
    } else {
        unsafe { std::slice::from_raw_parts(cols, n) }
    };
    let mut seen = HashSet::new();
    let mut out: Vec<Column> = Vec::with_capacity(n);
    let height = cols.first().map(|c| c.length).unwrap_or(0);
    for (i, c) in cols.iter().enumerate() {
        let s = unsafe { column_to_series(c, i)? };
        if !seen.insert(s.name().clone()) {
            return Err(Error::invalid(format!("duplicate column name '{}' (columns[{i}])", s.name())));
        }
        if s.len() != height {
            return Err(Error::invalid(format!(
                "column '{}' has {} rows but column '{}' has {height}; all columns must have the same length",
                s.name(),
                s.len(),
                out[0].name()
            )));
        }
        out.push(s.into_column());
    }
    Ok(DataFrame::new(height, out)?)
}
