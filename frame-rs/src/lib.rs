//! frame-rs: Polars behind a small C ABI for Analysis Sandbox.
//!
//! The C declarations live in `include/frame.h` (written by hand; `tests/header.rs` checks that
//! it matches the `extern "C"` functions below). Conventions for every fallible function:
//!
//! * it returns a [`FrameStatus`] (`FRAME_OK` = 0 on success);
//! * on success it fills its out-pointer and sets `*err = NULL`;
//! * on failure it sets the out-pointer to NULL (where it has one) and `*err` to a new
//!   `frame_error` that the caller frees with `frame_error_free` (`err` may be NULL);
//! * panics are caught ([`std::panic::catch_unwind`]) and reported as `FRAME_ERR_PANIC`;
//!   nothing unwinds into C.
//!
//! Frames are immutable: functions taking `const frame_df*` never change it and may be called
//! concurrently on the same handle from several threads. `frame_free` must not race with them.
//!
//! Safety contract of every `extern "C"` function (hence no per-function `# Safety` sections):
//! each pointer argument is NULL (reported as `FRAME_ERR_INVALID_ARGUMENT` where NULL is not
//! allowed) or valid for the access frame.h documents; handles come from this library and are
//! freed at most once.
#![allow(clippy::missing_safety_doc)]

use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

use polars::prelude::*;

// Every Rust allocation of the bridge (Polars included) goes to mimalloc; the C++ side keeps glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod arrow;
pub mod columns;
pub mod dtype;
pub mod error;
pub mod plan;

pub use columns::FrameColumn;
pub use error::{Error, FrameError, FrameStatus, Result};
pub use polars_arrow::ffi::{ArrowArray, ArrowArrayStream, ArrowSchema};

/// `frame_df` in frame.h: an immutable, materialised DataFrame.
pub struct FrameDf {
    pub df: DataFrame,
}

/// `frame_field` in frame.h.
#[repr(C)]
pub struct FrameField {
    pub name: *const c_char,
    pub dtype: *const c_char,
}

/// `frame_field_list` in frame.h. `fields` points into the same allocation; free with
/// `frame_schema_free`.
#[repr(C)]
pub struct FrameFieldList {
    pub n_fields: usize,
    pub fields: *const FrameField,
}

/// The allocation behind a `frame_schema*`: the public part first, then what it points into.
#[repr(C)]
struct SchemaOwned {
    public: FrameFieldList,
    fields: Vec<FrameField>,
    strings: Vec<std::ffi::CString>,
}

/// Run `f`, catching panics, and report its outcome through `err`.
///
/// This is the one place where Rust errors and panics become C status codes; every exported
/// function goes through it. Public (but hidden) so that tests can exercise the panic path.
///
/// # Safety
/// `err` must be NULL or valid for writing one pointer.
#[doc(hidden)]
pub unsafe fn ffi_guard<F>(err: *mut *mut FrameError, f: F) -> FrameStatus
where
    F: FnOnce() -> Result<()>,
{
    guard(err, f)
}

fn guard<F>(err: *mut *mut FrameError, f: F) -> FrameStatus
where
    F: FnOnce() -> Result<()>,
{
    if !err.is_null() {
        unsafe { *err = ptr::null_mut() };
    }
    let e = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => return FrameStatus::Ok,
        Ok(Err(e)) => e,
        Err(payload) => Error::from_panic(payload),
    };
    let code = e.code;
    if !err.is_null() {
        // Building the error cannot panic (NUL bytes are replaced), but stay defensive.
        let boxed = catch_unwind(AssertUnwindSafe(|| Box::into_raw(Box::new(FrameError::from_error(e)))));
        unsafe { *err = boxed.unwrap_or(ptr::null_mut()) };
    }
    code
}

unsafe fn set_out<T>(out: *mut *mut T, v: *mut T) {
    if !out.is_null() {
        unsafe { *out = v };
    }
}

fn check_out<T>(out: *mut T, name: &str) -> Result<()> {
    if out.is_null() { Err(Error::invalid(format!("{name} is NULL"))) } else { Ok(()) }
}

unsafe fn frame_ref<'a>(df: *const FrameDf, name: &str) -> Result<&'a DataFrame> {
    if df.is_null() {
        return Err(Error::invalid(format!("{name} is NULL")));
    }
    Ok(unsafe { &(*df).df })
}

fn new_handle(df: DataFrame) -> *mut FrameDf {
    Box::into_raw(Box::new(FrameDf { df }))
}

/// Consume an Arrow C stream of record batches into a new frame.
///
/// The stream is moved out of `*stream` (which is left released) even when this fails.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_from_arrow_stream(
    stream: *mut ArrowArrayStream,
    out: *mut *mut FrameDf,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let df = unsafe { arrow::import_stream(stream)? };
        unsafe { *out = new_handle(df) };
        Ok(())
    })
}

/// Build a frame from column buffers (copied; the caller keeps ownership of them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_from_columns(
    columns: *const FrameColumn,
    n_columns: usize,
    out: *mut *mut FrameDf,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let df = unsafe { columns::frame_from_columns(columns, n_columns)? };
        unsafe { *out = new_handle(df) };
        Ok(())
    })
}

/// Run a JSON plan over one input frame; the result is a new frame.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_plan_execute(
    input: *const FrameDf,
    plan_json: *const c_char,
    out: *mut *mut FrameDf,
    err: *mut *mut FrameError,
) -> FrameStatus {
    let inputs = [input];
    unsafe { frame_plan_execute_multi(inputs.as_ptr(), 1, plan_json, out, err) }
}

/// Run a JSON plan over several input frames (`"input": i` in the plan indexes `inputs`;
/// input 0 is the main one, joins name the others).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_plan_execute_multi(
    inputs: *const *const FrameDf,
    n_inputs: usize,
    plan_json: *const c_char,
    out: *mut *mut FrameDf,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let (frames, json) = unsafe { plan_arguments(inputs, n_inputs, plan_json)? };
        let df = plan::execute(&frames, json)?;
        unsafe { *out = new_handle(df) };
        Ok(())
    })
}

/// The input frames and the plan text of `frame_plan_execute_multi` / `frame_plan_schema`.
unsafe fn plan_arguments<'a>(
    inputs: *const *const FrameDf,
    n_inputs: usize,
    plan_json: *const c_char,
) -> Result<(Vec<&'a DataFrame>, &'a str)> {
    if plan_json.is_null() {
        return Err(Error::invalid("plan_json is NULL"));
    }
    if inputs.is_null() || n_inputs == 0 {
        return Err(Error::invalid("a plan needs at least one input frame (inputs is NULL or empty)"));
    }
    let ptrs = unsafe { std::slice::from_raw_parts(inputs, n_inputs) };
    let mut frames = Vec::with_capacity(n_inputs);
    for (i, p) in ptrs.iter().enumerate() {
        frames.push(unsafe { frame_ref(*p, &format!("inputs[{i}]"))? });
    }
    let json = unsafe { CStr::from_ptr(plan_json) }
        .to_str()
        .map_err(|_| Error::invalid("plan_json is not valid UTF-8"))?;
    Ok((frames, json))
}

/// Keep the rows whose mask byte is nonzero. `mask_len` must equal the frame's height.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_filter_mask(
    df: *const FrameDf,
    mask: *const u8,
    mask_len: usize,
    out: *mut *mut FrameDf,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let d = unsafe { frame_ref(df, "df")? };
        if mask_len != d.height() {
            return Err(Error::invalid(format!(
                "mask has {mask_len} entries but the frame has {} rows",
                d.height()
            )));
        }
        let bytes: &[u8] = if mask_len == 0 {
            &[]
        } else if mask.is_null() {
            return Err(Error::invalid("mask is NULL"));
        } else {
            unsafe { std::slice::from_raw_parts(mask, mask_len) }
        };
        let m: BooleanChunked = bytes.iter().map(|&b| b != 0).collect();
        let filtered = d.filter(&m)?;
        unsafe { *out = new_handle(filtered) };
        Ok(())
    })
}

/// Export a frame as an Arrow C stream of record batches into the caller's `*out`
/// (which the caller later releases with `out->release(out)`). The frame stays valid and
/// independent of the stream. `flags`: `FRAME_ARROW_STRING_VIEW` or 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_to_arrow_stream(
    df: *const FrameDf,
    flags: u32,
    out: *mut ArrowArrayStream,
    err: *mut *mut FrameError,
) -> FrameStatus {
    guard(err, || {
        check_out(out, "out")?;
        let d = unsafe { frame_ref(df, "df")? };
        let stream = arrow::export_stream(d, flags)?;
        unsafe { ptr::write(out, stream) };
        Ok(())
    })
}

/// Number of rows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_height(
    df: *const FrameDf,
    out: *mut u64,
    err: *mut *mut FrameError,
) -> FrameStatus {
    guard(err, || {
        check_out(out, "out")?;
        let d = unsafe { frame_ref(df, "df")? };
        unsafe { *out = d.height() as u64 };
        Ok(())
    })
}

/// Estimated heap size of the frame's buffers in bytes (shared buffers are counted in full).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_estimated_size(
    df: *const FrameDf,
    out: *mut u64,
    err: *mut *mut FrameError,
) -> FrameStatus {
    guard(err, || {
        check_out(out, "out")?;
        let d = unsafe { frame_ref(df, "df")? };
        unsafe { *out = d.estimated_size() as u64 };
        Ok(())
    })
}

/// A `frame_field_list` for `fields` (name, dtype), owned by the caller (`frame_schema_free`).
fn field_list<'a>(fields: impl Iterator<Item = (&'a str, &'a DataType)>) -> *mut FrameFieldList {
    let clean = |s: String| std::ffi::CString::new(s.replace('\0', "?")).expect("NULs replaced");
    let mut strings = Vec::new();
    for (name, dtype) in fields {
        strings.push(clean(name.to_string()));
        strings.push(clean(dtype::dtype_name(dtype)));
    }
    let fields: Vec<FrameField> =
        strings.chunks(2).map(|p| FrameField { name: p[0].as_ptr(), dtype: p[1].as_ptr() }).collect();
    let mut owned = Box::new(SchemaOwned {
        public: FrameFieldList { n_fields: fields.len(), fields: ptr::null() },
        fields,
        strings,
    });
    owned.public.fields = owned.fields.as_ptr();
    Box::into_raw(owned) as *mut FrameFieldList
}

/// Column names and dtype names (see README "Dtype names"). Free with `frame_schema_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_schema(
    df: *const FrameDf,
    out: *mut *mut FrameFieldList,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let d = unsafe { frame_ref(df, "df")? };
        let list = field_list(d.columns().iter().map(|c| (c.name().as_str(), c.dtype())));
        unsafe { *out = list };
        Ok(())
    })
}

/// The schema a plan would produce over `inputs` (as `frame_plan_execute_multi` takes them),
/// without running it; the plan is checked exactly as when it runs. Free with `frame_schema_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_plan_schema(
    inputs: *const *const FrameDf,
    n_inputs: usize,
    plan_json: *const c_char,
    out: *mut *mut FrameFieldList,
    err: *mut *mut FrameError,
) -> FrameStatus {
    unsafe { set_out(out, ptr::null_mut()) };
    guard(err, || {
        check_out(out, "out")?;
        let (frames, json) = unsafe { plan_arguments(inputs, n_inputs, plan_json)? };
        let schema = plan::schema(&frames, json)?;
        let list = field_list(schema.iter().map(|(name, dtype)| (name.as_str(), dtype)));
        unsafe { *out = list };
        Ok(())
    })
}

/// Free a schema from `frame_schema` (NULL is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_schema_free(schema: *mut FrameFieldList) {
    if !schema.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(schema as *mut SchemaOwned) })));
    }
}

/// Free a frame (NULL is ignored). Arrow streams exported from it stay valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_free(df: *mut FrameDf) {
    if !df.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(df) })));
    }
}

/// The error's message (UTF-8, NUL-terminated), valid until `frame_error_free`.
/// Returns "" for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_error_message(err: *const FrameError) -> *const c_char {
    if err.is_null() {
        return c"".as_ptr();
    }
    unsafe { (*err).message_ptr() }
}

/// The error's status code (`FRAME_OK` for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_error_code(err: *const FrameError) -> FrameStatus {
    if err.is_null() {
        return FrameStatus::Ok;
    }
    unsafe { (*err).code }
}

/// Free an error (NULL is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frame_error_free(err: *mut FrameError) {
    if !err.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(err) })));
    }
}

/// "frame-rs <version> (polars <version>)", static.
#[unsafe(no_mangle)]
pub extern "C" fn frame_version() -> *const c_char {
    const V: &str = concat!("frame-rs ", env!("CARGO_PKG_VERSION"), " (polars 0.55.2)\0");
    V.as_ptr() as *const c_char
}
