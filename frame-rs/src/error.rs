//! Errors that cross the C ABI: a status code plus an owned, user-facing message.

use std::any::Any;
use std::ffi::{CString, c_char};

use polars::prelude::PolarsError;

/// Status returned by every fallible C function (`frame_status` in frame.h).
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FrameStatus {
    /// Success; out-pointers are filled, `*err` is NULL.
    Ok = 0,
    /// A NULL pointer, bad UTF-8, a mask of the wrong length, bad column buffers, ...
    InvalidArgument = 1,
    /// The plan JSON is malformed: bad JSON, unknown op / function, missing field, ...
    Plan = 2,
    /// A column named in a plan (or a join key) does not exist.
    ColumnNotFound = 3,
    /// Types do not fit: string + number, sum of strings, unsupported Arrow type, bad cast ...
    Type = 4,
    /// Any other error raised by Polars while executing.
    Compute = 5,
    /// A Rust panic was caught at the ABI boundary (a bug in frame-rs or Polars).
    Panic = 6,
}

/// Internal error type; converted to a heap `frame_error` at the boundary.
#[derive(Debug, Clone)]
pub struct Error {
    pub code: FrameStatus,
    pub message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: FrameStatus, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(FrameStatus::InvalidArgument, message)
    }
    pub fn plan(message: impl Into<String>) -> Self {
        Self::new(FrameStatus::Plan, message)
    }
    pub fn column(message: impl Into<String>) -> Self {
        Self::new(FrameStatus::ColumnNotFound, message)
    }
    pub fn type_(message: impl Into<String>) -> Self {
        Self::new(FrameStatus::Type, message)
    }

    /// Prefix the message with where it happened (e.g. `plan.ops[2] (filter)`).
    pub fn context(mut self, ctx: impl AsRef<str>) -> Self {
        self.message = format!("{}: {}", ctx.as_ref(), self.message);
        self
    }

    pub fn from_panic(payload: Box<dyn Any + Send>) -> Self {
        let what = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic payload".to_string()
        };
        Error::new(
            FrameStatus::Panic,
            format!("internal error in frame-rs (panic caught at the C ABI boundary): {what}"),
        )
    }
}

impl From<PolarsError> for Error {
    fn from(e: PolarsError) -> Self {
        Error::new(polars_status(&e), polars_message(&e))
    }
}

fn polars_status(e: &PolarsError) -> FrameStatus {
    match e {
        PolarsError::ColumnNotFound(_) => FrameStatus::ColumnNotFound,
        PolarsError::SchemaMismatch(_)
        | PolarsError::InvalidOperation(_)
        | PolarsError::SchemaFieldNotFound(_)
        | PolarsError::StructFieldNotFound(_) => FrameStatus::Type,
        PolarsError::Context { error, .. } | PolarsError::ExprContext { error, .. } => polars_status(error),
        _ => FrameStatus::Compute,
    }
}

/// Polars messages carry the kind as a prefix and sometimes a long resolved-plan dump; keep the
/// part a script author can act on.
pub fn polars_message(e: &PolarsError) -> String {
    let full = e.to_string();
    let cut = [
        "\n\nResolved plan until failure",
        "\n\nThis error occurred with the following context stack",
        "\n\nError originated just after this operation",
    ]
    .iter()
    .filter_map(|m| full.find(m))
    .min()
    .unwrap_or(full.len());
    full[..cut].trim_end().to_string()
}

/// What a `frame_error*` points at. `message` is NUL-terminated for C.
pub struct FrameError {
    pub code: FrameStatus,
    pub message: CString,
}

impl FrameError {
    pub fn from_error(e: Error) -> Self {
        let clean: Vec<u8> =
            e.message.into_bytes().into_iter().map(|b| if b == 0 { b'?' } else { b }).collect();
        FrameError { code: e.code, message: CString::new(clean).expect("NUL bytes were replaced") }
    }
    pub fn message_ptr(&self) -> *const c_char {
        self.message.as_ptr()
    }
}
