//! One vocabulary of dtype names, used by `frame_schema` (output) and by `cast` in plans (input).

use polars::prelude::{DataType, TimeUnit, TimeZone};

use crate::error::{Error, Result};

/// Names accepted by `{"fn":"cast", "dtype": ...}` (and aliases listed in the README).
pub const CAST_TARGETS: &str = "bool, int32, int64, uint32, uint64, float32, float64, string, date, \
     datetime[ms], datetime[us], datetime[ns] (optionally with a time zone: datetime[ms, UTC])";

fn unit_name(tu: &TimeUnit) -> &'static str {
    match tu {
        TimeUnit::Milliseconds => "ms",
        TimeUnit::Microseconds => "us",
        TimeUnit::Nanoseconds => "ns",
    }
}

/// Stable, lower-case name of a Polars dtype, as reported by `frame_schema`.
pub fn dtype_name(dt: &DataType) -> String {
    match dt {
        DataType::Boolean => "bool".into(),
        DataType::UInt8 => "uint8".into(),
        DataType::UInt16 => "uint16".into(),
        DataType::UInt32 => "uint32".into(),
        DataType::UInt64 => "uint64".into(),
        DataType::Int8 => "int8".into(),
        DataType::Int16 => "int16".into(),
        DataType::Int32 => "int32".into(),
        DataType::Int64 => "int64".into(),
        DataType::Int128 => "int128".into(),
        DataType::Float32 => "float32".into(),
        DataType::Float64 => "float64".into(),
        DataType::String => "string".into(),
        DataType::Binary | DataType::BinaryOffset => "binary".into(),
        DataType::Date => "date".into(),
        DataType::Datetime(tu, None) => format!("datetime[{}]", unit_name(tu)),
        DataType::Datetime(tu, Some(tz)) => format!("datetime[{}, {}]", unit_name(tu), tz.as_str()),
        DataType::Duration(tu) => format!("duration[{}]", unit_name(tu)),
        DataType::Time => "time".into(),
        DataType::List(inner) => format!("list[{}]", dtype_name(inner)),
        DataType::Null => "null".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// Parse a dtype name for `cast` / typed literals.
pub fn parse_dtype(name: &str) -> Result<DataType> {
    let n = name.trim().to_ascii_lowercase();
    let dt = match n.as_str() {
        "bool" | "boolean" => DataType::Boolean,
        "int32" | "i32" => DataType::Int32,
        "int64" | "i64" | "int" | "integer" => DataType::Int64,
        "uint32" | "u32" => DataType::UInt32,
        "uint64" | "u64" => DataType::UInt64,
        "float32" | "f32" => DataType::Float32,
        "float64" | "f64" | "float" | "double" | "number" => DataType::Float64,
        "string" | "str" | "utf8" => DataType::String,
        "date" => DataType::Date,
        "datetime" | "timestamp" => DataType::Datetime(TimeUnit::Milliseconds, None),
        _ => {
            // datetime[unit] or datetime[unit, tz]
            let inner =
                n.strip_prefix("datetime[").and_then(|r| r.strip_suffix(']')).ok_or_else(|| unknown(name))?;
            let mut parts = inner.splitn(2, ',');
            let tu = match parts.next().map(str::trim) {
                Some("ms") => TimeUnit::Milliseconds,
                Some("us") => TimeUnit::Microseconds,
                Some("ns") => TimeUnit::Nanoseconds,
                _ => return Err(unknown(name)),
            };
            let tz = match parts.next().map(str::trim) {
                None | Some("") => None,
                Some(_) => {
                    // keep the original spelling of the zone (IANA names are case-sensitive)
                    let orig = name.trim();
                    let z = orig[orig.find(',').unwrap() + 1..orig.len() - 1].trim();
                    Some(TimeZone::opt_try_new(Some(z)).map_err(|e| {
                        Error::type_(format!("invalid time zone '{z}' in dtype '{name}': {e}"))
                    })?)
                    .flatten()
                }
            };
            DataType::Datetime(tu, tz)
        }
    };
    Ok(dt)
}

fn unknown(name: &str) -> Error {
    Error::plan(format!("unknown dtype '{name}'; expected one of: {CAST_TARGETS}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in [
            "bool",
            "int32",
            "int64",
            "uint32",
            "uint64",
            "float32",
            "float64",
            "string",
            "date",
            "datetime[ms]",
            "datetime[us]",
            "datetime[ns]",
        ] {
            assert_eq!(dtype_name(&parse_dtype(n).unwrap()), n);
        }
        assert_eq!(dtype_name(&parse_dtype("datetime[ms, UTC]").unwrap()), "datetime[ms, UTC]");
        assert!(parse_dtype("int7").unwrap_err().message.contains("unknown dtype 'int7'"));
    }
}
