//! Arrow C stream interface: import a record-batch stream as a DataFrame, export a DataFrame
//! as a record-batch stream. Buffers are shared, not copied, wherever Polars' in-memory layout
//! equals the Arrow layout (numbers, booleans, dates, timestamps; strings are copied when
//! exported as `large_string`, shared when exported as `string_view`).

use polars::polars_compute::cast::{CastOptionsImpl, cast};
use polars::prelude::*;
use polars_arrow::array::{
    Array, DictionaryArray, DictionaryKey, MutableBinaryViewArray, PrimitiveArray, StructArray,
    Utf8ViewArray, new_empty_array,
};
use polars_arrow::datatypes::{ArrowDataType, Field as ArrowField, IntegerType};
use polars_arrow::ffi::{ArrowArrayStream, ArrowArrayStreamReader, export_iterator};

use crate::error::{Error, Result};

/// Largest record batch `export_stream` hands out (DuckDB's row group size).
pub const EXPORT_BATCH_ROWS: usize = 122_880;

/// Export flag: strings and binaries as `string_view`/`binary_view` (zero-copy) instead of
/// `large_string`/`large_binary`.
pub const EXPORT_STRING_VIEW: u32 = 1;

/// How one imported column is brought into a type this build of Polars supports.
#[derive(Clone, Debug)]
enum Convert {
    Keep,
    /// Cast with polars-compute (small ints -> int32, float16 -> float32, ...).
    Cast(ArrowDataType),
    /// Decimal (any width that fits 128 bits) -> float64.
    DecimalToF64(usize),
    /// Dictionary-encoded strings (DuckDB ENUM) -> plain strings.
    DictToStrings(IntegerType),
}

fn unsupported(name: &str, dt: &ArrowDataType, advice: &str) -> Error {
    Error::type_(format!("column '{name}' has Arrow type {dt:?}, which frame-rs does not support; {advice}"))
}

fn plan_convert(name: &str, dt: &ArrowDataType) -> Result<Convert> {
    use ArrowDataType as A;
    let cast_sql = "cast it in SQL first (e.g. to VARCHAR, BIGINT or DOUBLE)";
    Ok(match dt {
        A::Null
        | A::Boolean
        | A::Int32
        | A::Int64
        | A::UInt32
        | A::UInt64
        | A::Float32
        | A::Float64
        | A::Utf8
        | A::LargeUtf8
        | A::Utf8View
        | A::Binary
        | A::LargeBinary
        | A::BinaryView
        | A::Date32
        | A::Date64 => Convert::Keep,
        A::Timestamp(_, _) => Convert::Keep,
        A::Int8 | A::Int16 | A::UInt8 | A::UInt16 => Convert::Cast(A::Int32),
        A::Float16 => Convert::Cast(A::Float32),
        A::Decimal32(_, s) | A::Decimal64(_, s) | A::Decimal(_, s) => Convert::DecimalToF64(*s),
        A::Dictionary(_keys, values, _) => match values.as_ref() {
            A::Utf8 | A::LargeUtf8 | A::Utf8View => Convert::DictToStrings(*_keys),
            _ => return Err(unsupported(name, dt, cast_sql)),
        },
        A::List(inner) | A::LargeList(inner) => match plan_convert(name, inner.dtype())? {
            Convert::Keep => Convert::Keep,
            _ => {
                return Err(unsupported(
                    name,
                    dt,
                    "lists of this element type are not supported; cast the elements in SQL first",
                ));
            }
        },
        A::Extension(ext) => plan_convert(name, &ext.inner)?,
        A::Struct(_) | A::Map(_, _) => {
            return Err(unsupported(
                name,
                dt,
                "convert it to JSON text in SQL first (e.g. CAST(x AS JSON)::VARCHAR)",
            ));
        }
        _ => return Err(unsupported(name, dt, cast_sql)),
    })
}

fn decimal_to_f64(arr: &dyn Array, scale: usize) -> Result<Box<dyn Array>> {
    let div = 10f64.powi(scale as i32);
    let any = arr.as_any();
    let (values, validity): (Vec<f64>, _) = if let Some(a) = any.downcast_ref::<PrimitiveArray<i128>>() {
        (a.values().iter().map(|v| *v as f64 / div).collect(), a.validity().cloned())
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<i64>>() {
        (a.values().iter().map(|v| *v as f64 / div).collect(), a.validity().cloned())
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<i32>>() {
        (a.values().iter().map(|v| *v as f64 / div).collect(), a.validity().cloned())
    } else {
        return Err(Error::type_(format!("unsupported decimal array layout {:?}", arr.dtype())));
    };
    Ok(PrimitiveArray::<f64>::new(ArrowDataType::Float64, values.into(), validity).boxed())
}

fn decode_dict<K: DictionaryKey>(arr: &dyn Array) -> Result<Box<dyn Array>> {
    let d = arr
        .as_any()
        .downcast_ref::<DictionaryArray<K>>()
        .ok_or_else(|| Error::type_(format!("unexpected dictionary array layout {:?}", arr.dtype())))?;
    let values = cast(d.values().as_ref(), &ArrowDataType::Utf8View, CastOptionsImpl::default())?;
    let values = values
        .as_any()
        .downcast_ref::<Utf8ViewArray>()
        .ok_or_else(|| Error::type_("dictionary values did not convert to strings"))?;
    let mut out = MutableBinaryViewArray::<str>::with_capacity(d.len());
    for k in d.keys().iter() {
        match k.map(|k| (*k).try_into().ok()) {
            None => out.push_null(),
            Some(Some(i)) if i < values.len() => {
                if values.is_valid(i) {
                    out.push_value(values.value(i))
                } else {
                    out.push_null()
                }
            }
            Some(_) => return Err(Error::invalid("dictionary key out of range in Arrow stream")),
        }
    }
    Ok(out.freeze().boxed())
}

fn convert(arr: &dyn Array, how: &Convert) -> Result<Box<dyn Array>> {
    Ok(match how {
        Convert::Keep => arr.to_boxed(),
        Convert::Cast(to) => cast(arr, to, CastOptionsImpl::default())?,
        Convert::DecimalToF64(scale) => decimal_to_f64(arr, *scale)?,
        Convert::DictToStrings(keys) => match keys {
            IntegerType::Int8 => decode_dict::<i8>(arr)?,
            IntegerType::Int16 => decode_dict::<i16>(arr)?,
            IntegerType::Int32 => decode_dict::<i32>(arr)?,
            IntegerType::Int64 => decode_dict::<i64>(arr)?,
            IntegerType::UInt8 => decode_dict::<u8>(arr)?,
            IntegerType::UInt16 => decode_dict::<u16>(arr)?,
            IntegerType::UInt32 => decode_dict::<u32>(arr)?,
            IntegerType::UInt64 => decode_dict::<u64>(arr)?,
            other => return Err(Error::type_(format!("unsupported dictionary key type {other:?}"))),
        },
    })
}

fn converted_field(f: &ArrowField, how: &Convert) -> ArrowField {
    match how {
        Convert::Keep => f.clone(),
        Convert::Cast(to) => ArrowField::new(f.name.clone(), to.clone(), true),
        Convert::DecimalToF64(_) => ArrowField::new(f.name.clone(), ArrowDataType::Float64, true),
        Convert::DictToStrings(_) => ArrowField::new(f.name.clone(), ArrowDataType::Utf8View, true),
    }
}

/// Consume the C stream at `stream` (it is moved out and left released) into a DataFrame.
///
/// # Safety
/// `stream` must point to a valid `struct ArrowArrayStream` (or a released one).
pub unsafe fn import_stream(stream: *mut ArrowArrayStream) -> Result<DataFrame> {
    if stream.is_null() {
        return Err(Error::invalid("stream is NULL"));
    }
    // Move the stream out; the caller's struct is left released (release == NULL), as the C
    // stream interface specifies for a consumer that takes ownership.
    let owned = Box::new(unsafe { std::ptr::replace(stream, ArrowArrayStream::empty()) });
    let mut reader = unsafe { ArrowArrayStreamReader::try_new(owned) }.map_err(|e| {
        Error::invalid(format!("cannot read Arrow stream: {}", crate::error::polars_message(&e)))
    })?;
    let top = reader.field().clone();
    let fields = match top.dtype.to_storage() {
        ArrowDataType::Struct(fields) => fields.clone(),
        other => {
            return Err(Error::type_(format!(
                "the Arrow stream must carry record batches (a struct schema), got {other:?}"
            )));
        }
    };
    let plans: Vec<Convert> =
        fields.iter().map(|f| plan_convert(f.name.as_str(), f.dtype())).collect::<Result<_>>()?;
    let mut chunks: Vec<Vec<Box<dyn Array>>> = vec![Vec::new(); fields.len()];
    let mut height = 0usize;
    while let Some(next) = unsafe { reader.next() } {
        let arr = next.map_err(|e| {
            Error::invalid(format!("error reading Arrow stream: {}", crate::error::polars_message(&e)))
        })?;
        let sa = arr
            .as_any()
            .downcast_ref::<StructArray>()
            .ok_or_else(|| Error::type_("Arrow stream produced a batch that is not a struct array"))?;
        if sa.values().len() != fields.len() {
            return Err(Error::invalid("Arrow stream produced a batch whose width differs from its schema"));
        }
        height += sa.len();
        for (i, child) in sa.values().iter().enumerate() {
            // A record batch is a struct array with (normally) no top-level nulls; slice
            // children to the struct's own window.
            let child = if child.len() != sa.len() { child.sliced(0, sa.len()) } else { child.clone() };
            chunks[i].push(convert(child.as_ref(), &plans[i])?);
        }
    }
    let mut columns = Vec::with_capacity(fields.len());
    for ((f, how), arrays) in fields.iter().zip(&plans).zip(chunks) {
        let field = converted_field(f, how);
        let arrays = if arrays.is_empty() { vec![new_empty_array(field.dtype().clone())] } else { arrays };
        let s = Series::try_from((&field, arrays))
            .map_err(|e| Error::from(e).context(format!("column '{}'", f.name)))?;
        columns.push(s.into_column());
    }
    let mut df = DataFrame::new(height, columns)?;
    // Producers such as DuckDB hand over small batches (2,048 rows): thousands of chunks per
    // column would slow every later query, so the columns are made contiguous once, here.
    if df.max_n_chunks() > 1 {
        df.rechunk_mut_par();
    }
    Ok(df)
}

/// Export `df` as a C stream of record batches (one batch per aligned chunk).
pub fn export_stream(df: &DataFrame, flags: u32) -> Result<ArrowArrayStream> {
    if df.width() == 0 {
        return Err(Error::invalid("cannot export a frame with no columns as an Arrow stream"));
    }
    let compat = if flags & EXPORT_STRING_VIEW != 0 { CompatLevel::newest() } else { CompatLevel::oldest() };
    let mut df = df.clone();
    df.align_chunks_par();
    let fields: Vec<ArrowField> = df.columns().iter().map(|c| c.field().to_arrow(compat)).collect();
    let struct_dtype = ArrowDataType::Struct(fields);
    let mut batches: Vec<PolarsResult<Box<dyn Array>>> = Vec::new();
    // Batches of at most EXPORT_BATCH_ROWS, so that a consumer that reads batches in parallel
    // (DuckDB's Arrow scan) can use all its threads. The frame is sliced (zero-copy) before it
    // is converted: slicing the converted Arrow arrays instead would export offsets that
    // polars-arrow and the C data interface read differently.
    let height = df.height();
    let mut start = 0;
    loop {
        let part = df.slice(start as i64, EXPORT_BATCH_ROWS);
        for rb in part.iter_chunks(compat, false) {
            let len = rb.height();
            let arrays = rb.into_arrays();
            batches.push(StructArray::try_new(struct_dtype.clone(), len, arrays, None).map(|a| a.boxed()));
        }
        start += EXPORT_BATCH_ROWS;
        if start >= height {
            break;
        }
    }
    let field = ArrowField::new(PlSmallStr::EMPTY, struct_dtype, false);
    Ok(export_iterator(Box::new(batches.into_iter()), field))
}
