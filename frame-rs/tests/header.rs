//! include/frame.h is written by hand. These tests fail when it and the Rust side diverge:
//!
//! 1. every `#[unsafe(no_mangle)] extern "C" fn` in src/ has a prototype in frame.h with the same
//!    parameter and return types (Rust types mapped to C mechanically), and vice versa;
//! 2. the `FRAME_COL_*`, `FRAME_ARROW_*` and `frame_status` constants have the Rust values;
//! 3. a C program (tests/c/abi_smoke.c) that includes frame.h and calls every function compiles
//!    with -Wall -Wextra -Werror (as C11 and, for the header, as C++20), links against the
//!    static library and runs; the struct layouts it prints equal the Rust `#[repr(C)]` ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use frame_rs::{FrameColumn, FrameField, FrameFieldList, FrameStatus};

/// The crate being tested, read when the test runs: every checkout shares one cargo target dir
/// (cmake/FrameRs.cmake), and cargo may reuse a test binary built from another checkout, so the
/// compile-time path could name a different (or deleted) clone. `cargo test` sets the variable.
fn root() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(root().join(p.as_ref()))
        .unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

/// identifiers and '*' only; rendered as `const frame_df* const*`.
fn normalize_c_type(tokens: &[String]) -> String {
    let mut out = String::new();
    for t in tokens {
        if t == "*" {
            out.push('*');
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    out
}

fn c_tokens(s: &str) -> Vec<String> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    for ch in s.chars() {
        if ch.is_alphanumeric() || ch == '_' {
            cur.push(ch);
        } else {
            if !cur.is_empty() {
                toks.push(std::mem::take(&mut cur));
            }
            if ch == '*' {
                toks.push("*".into());
            } else if !ch.is_whitespace() {
                panic!("unexpected character {ch:?} in C type {s:?}");
            }
        }
    }
    if !cur.is_empty() {
        toks.push(cur);
    }
    toks
}

#[derive(Debug, PartialEq, Eq, Clone)]
struct Sig {
    ret: String,
    params: Vec<String>,
}

fn strip_c_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    while let Some(i) = rest.find("/*") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find("*/").expect("unterminated comment") + i + 2;
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.lines().map(|l| l.split("//").next().unwrap()).collect::<Vec<_>>().join("\n")
}

fn header_prototypes() -> BTreeMap<String, Sig> {
    let src = strip_c_comments(&read("include/frame.h"));
    let body: String = src.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join(" ");
    let mut out = BTreeMap::new();
    for stmt in body.split(';') {
        // keep the part after the last brace (struct/extern blocks)
        let stmt = stmt.rsplit(['{', '}']).next().unwrap().trim();
        let Some(open) = stmt.find('(') else { continue };
        let head = stmt[..open].trim();
        let name = head.rsplit(|c: char| c.is_whitespace() || c == '*').next().unwrap();
        if !name.starts_with("frame_") {
            continue;
        }
        let ret = normalize_c_type(&c_tokens(&head[..head.len() - name.len()]));
        let close = stmt.rfind(')').unwrap();
        let inner = stmt[open + 1..close].trim();
        let params = if inner == "void" || inner.is_empty() {
            vec![]
        } else {
            inner
                .split(',')
                .map(|p| {
                    let mut t = c_tokens(p);
                    let last = t.last().cloned().unwrap();
                    assert!(
                        t.len() >= 2 && last != "*",
                        "frame.h: parameter without a name in {name}: {p:?}"
                    );
                    t.pop(); // the parameter name
                    normalize_c_type(&t)
                })
                .collect()
        };
        assert!(out.insert(name.to_string(), Sig { ret, params }).is_none(), "frame.h declares {name} twice");
    }
    out
}

/// Rust FFI type -> C type, mechanically.
fn rust_to_c(ty: &str) -> String {
    let mut quals = Vec::new();
    let mut rest = ty.trim();
    loop {
        if let Some(r) = rest.strip_prefix("*const") {
            quals.push(true);
            rest = r.trim_start();
        } else if let Some(r) = rest.strip_prefix("*mut") {
            quals.push(false);
            rest = r.trim_start();
        } else {
            break;
        }
    }
    let base = match rest {
        "FrameDf" => "frame_df",
        "FrameError" => "frame_error",
        "FrameColumn" => "frame_column",
        "FrameFieldList" => "frame_field_list",
        "FrameField" => "frame_field",
        "FrameStatus" => "frame_status",
        "ArrowArrayStream" => "struct ArrowArrayStream",
        "c_char" => "char",
        "u8" => "uint8_t",
        "u32" => "uint32_t",
        "u64" => "uint64_t",
        "i32" => "int32_t",
        "i64" => "int64_t",
        "usize" => "size_t",
        other => panic!("no C mapping for Rust FFI type {other:?} (in {ty:?}); extend rust_to_c"),
    };
    let mut s = String::new();
    if quals.last() == Some(&true) {
        s.push_str("const ");
    }
    s.push_str(base);
    for i in (0..quals.len()).rev() {
        s.push('*');
        if i > 0 && quals[i - 1] {
            s.push_str(" const");
        }
    }
    normalize_c_type(&c_tokens(&s))
}

fn rust_exports() -> BTreeMap<String, Sig> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let mut rest = src.as_str();
        while let Some(i) = rest.find("extern \"C\" fn ") {
            let before = &rest[..i];
            let after = &rest[i + "extern \"C\" fn ".len()..];
            rest = after;
            let attr_ok = before.trim_end().rsplit('\n').take(2).any(|l| l.contains("#[unsafe(no_mangle)]"));
            let name_end = after.find('(').unwrap();
            let name = after[..name_end].trim().to_string();
            // parameters: up to the matching ')'
            let mut depth = 0;
            let mut close = 0;
            for (k, ch) in after[name_end..].char_indices() {
                match ch {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = name_end + k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let params_src = &after[name_end + 1..close];
            let tail = &after[close + 1..];
            let ret_src = tail[..tail.find('{').unwrap()].trim();
            let ret = match ret_src.strip_prefix("->") {
                None => "void".to_string(),
                Some(t) => rust_to_c(t.trim()),
            };
            let params = params_src
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(|p| rust_to_c(p.split_once(':').expect("name: Type").1))
                .collect();
            if !name.starts_with("frame_") {
                // callbacks defined inside tests or helpers are not exports
                assert!(!attr_ok, "{}: exported function {name} must be named frame_*", path.display());
                continue;
            }
            assert!(attr_ok, "{}: extern \"C\" fn {name} lacks #[unsafe(no_mangle)]", path.display());
            assert!(out.insert(name.clone(), Sig { ret, params }).is_none(), "{name} defined twice");
        }
    }
    out
}

#[test]
fn every_rust_export_is_declared_in_frame_h_with_the_same_signature() {
    let rust = rust_exports();
    let c = header_prototypes();
    assert!(rust.len() >= 15, "found only {} exports: {:?}", rust.len(), rust.keys());
    let mut problems = Vec::new();
    for (name, sig) in &rust {
        match c.get(name) {
            None => problems.push(format!("{name}: exported by Rust but missing from frame.h")),
            Some(h) if h != sig => problems.push(format!(
                "{name}: signatures differ\n    Rust  : {} {name}({})\n    frame.h: {} {name}({})",
                sig.ret,
                sig.params.join(", "),
                h.ret,
                h.params.join(", ")
            )),
            _ => {}
        }
    }
    for name in c.keys() {
        if !rust.contains_key(name) {
            problems.push(format!("{name}: declared in frame.h but not exported by Rust"));
        }
    }
    assert!(problems.is_empty(), "frame.h and src/ diverge:\n  {}", problems.join("\n  "));
}

#[test]
fn rust_to_c_mapping_handles_pointer_constness() {
    assert_eq!(rust_to_c("*const *const FrameDf"), "const frame_df* const*");
    assert_eq!(rust_to_c("*mut *mut FrameError"), "frame_error**");
    assert_eq!(rust_to_c("*mut ArrowArrayStream"), "struct ArrowArrayStream*");
    assert_eq!(rust_to_c("usize"), "size_t");
    assert_eq!(normalize_c_type(&c_tokens("const frame_df *const * ")), "const frame_df* const*");
}

fn header_defines() -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for line in strip_c_comments(&read("include/frame.h")).lines() {
        let t: Vec<&str> = line.split_whitespace().collect();
        if t.len() == 3 && t[0] == "#define" && t[1].starts_with("FRAME_") {
            out.insert(t[1].to_string(), t[2].trim_end_matches('u').parse().unwrap());
        }
    }
    // enum frame_status { NAME = value, ... }
    let src = strip_c_comments(&read("include/frame.h"));
    let start = src.find("typedef enum frame_status {").expect("frame_status enum");
    let body = &src[start..start + src[start..].find('}').unwrap()];
    for item in body.split(['{', ',']).skip(1) {
        if let Some((n, v)) = item.split_once('=') {
            out.insert(n.trim().to_string(), v.trim().parse().unwrap());
        }
    }
    out
}

#[test]
fn constants_in_frame_h_match_the_rust_values() {
    use frame_rs::columns::*;
    let d = header_defines();
    let want: Vec<(&str, i64)> = vec![
        ("FRAME_COL_NULL", COL_NULL as i64),
        ("FRAME_COL_BOOL", COL_BOOL as i64),
        ("FRAME_COL_INT64", COL_INT64 as i64),
        ("FRAME_COL_FLOAT64", COL_FLOAT64 as i64),
        ("FRAME_COL_UTF8", COL_UTF8 as i64),
        ("FRAME_COL_DATE32", COL_DATE32 as i64),
        ("FRAME_COL_TIMESTAMP_MS", COL_TIMESTAMP_MS as i64),
        ("FRAME_ARROW_STRING_VIEW", frame_rs::arrow::EXPORT_STRING_VIEW as i64),
        ("FRAME_OK", FrameStatus::Ok as i64),
        ("FRAME_ERR_INVALID_ARGUMENT", FrameStatus::InvalidArgument as i64),
        ("FRAME_ERR_PLAN", FrameStatus::Plan as i64),
        ("FRAME_ERR_COLUMN_NOT_FOUND", FrameStatus::ColumnNotFound as i64),
        ("FRAME_ERR_TYPE", FrameStatus::Type as i64),
        ("FRAME_ERR_COMPUTE", FrameStatus::Compute as i64),
        ("FRAME_ERR_PANIC", FrameStatus::Panic as i64),
    ];
    for (name, v) in &want {
        assert_eq!(d.get(*name), Some(v), "{name} in frame.h");
    }
    let frame_consts = d.keys().filter(|k| !k.starts_with("FRAME_RS_")).count();
    assert_eq!(frame_consts, want.len(), "frame.h has constants this test does not check: {:?}", d.keys());
}

/// The static library for the code under test. `cargo test` builds only the rlib of the lib
/// target, so build the staticlib here (same target dir and profile as this test binary; the
/// dependencies are already built, so this only compiles frame-rs itself, ~10-20 s).
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let target_dir = profile_dir.parent().unwrap().to_path_buf();
    let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
        "debug" => "dev".to_string(),
        other => other.to_string(),
    };
    let status = Command::new(env!("CARGO"))
        .args(["build", "--lib", "--quiet", "-j", "1", "--profile", &profile, "--manifest-path"])
        .arg(root().join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build of the static library failed");
    let lib = profile_dir.join("libframe_rs.a");
    assert!(lib.exists(), "{} not found after cargo build", lib.display());
    lib
}

#[test]
fn a_c_program_calling_every_function_compiles_links_and_runs() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out_dir = std::env::temp_dir().join(format!("frame-rs-abi-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join("abi_smoke");

    // The header must also be valid C++ (src/frame/ includes it).
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let st = Command::new(&cxx)
        .args(["-std=c++20", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-x", "c++"])
        .arg(root().join("include/frame.h"))
        .status()
        .expect("run c++");
    assert!(st.success(), "frame.h does not compile as C++20");

    let output = Command::new(&cc)
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-Wstrict-prototypes",
            "-Wmissing-prototypes",
        ])
        .arg("-I")
        .arg(root().join("include"))
        .arg(root().join("tests/c/abi_smoke.c"))
        .arg(staticlib())
        .args(["-lpthread", "-ldl", "-lm", "-lrt", "-lutil", "-lgcc_s", "-lc"])
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run cc");
    assert!(
        output.status.success(),
        "compiling/linking abi_smoke.c failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let run = Command::new(&exe).output().expect("run abi_smoke");
    let stdout = String::from_utf8_lossy(&run.stdout).to_string();
    assert!(run.status.success(), "abi_smoke failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let _ = std::fs::remove_dir_all(&out_dir);

    let mut got = BTreeMap::new();
    for line in stdout.lines() {
        let (k, v) = line.rsplit_once(' ').unwrap();
        got.insert(k.to_string(), v.parse::<usize>().unwrap());
    }
    use std::mem::{offset_of, size_of};
    let want: Vec<(&str, usize)> = vec![
        ("sizeof frame_column", size_of::<FrameColumn>()),
        ("offsetof frame_column.name", offset_of!(FrameColumn, name)),
        ("offsetof frame_column.type", offset_of!(FrameColumn, type_)),
        ("offsetof frame_column.length", offset_of!(FrameColumn, length)),
        ("offsetof frame_column.values", offset_of!(FrameColumn, values)),
        ("offsetof frame_column.offsets", offset_of!(FrameColumn, offsets)),
        ("offsetof frame_column.validity", offset_of!(FrameColumn, validity)),
        ("sizeof frame_field", size_of::<FrameField>()),
        ("offsetof frame_field.dtype", offset_of!(FrameField, dtype)),
        ("sizeof frame_field_list", size_of::<FrameFieldList>()),
        ("offsetof frame_field_list.fields", offset_of!(FrameFieldList, fields)),
        ("sizeof frame_status", size_of::<FrameStatus>()),
        ("sizeof ArrowArrayStream", size_of::<frame_rs::ArrowArrayStream>()),
        ("failures", 0),
    ];
    for (k, v) in want {
        assert_eq!(got.get(k), Some(&v), "{k}: C says {:?}, Rust says {v}", got.get(k));
    }
}
