// filter(row => ...): the only per-row work done in JS. The frame is run, exported once as
// Arrow batches, and the callback sees one Row object per row: `row.get("amount")` and
// `row.amount` read straight from the batch (only the columns the callback touches are ever
// turned into JS values). The truthy results become a byte mask for frame_filter_mask.
#include <unordered_map>

#include <fmt/format.h>

#include "exported_frame.h"
#include "js_dataframe_api.h"
#include "js_errors.h"
#include "sandbox/host_function.h"

namespace as::frame {

struct RowCursor {
  explicit RowCursor(const frame_df& df) : frame(df) {
    for (std::size_t i = 0; i < frame.names().size(); ++i) index.emplace(frame.names()[i], i);
  }
  ExportedFrame frame;
  std::unordered_map<std::string, std::size_t> index;
};

namespace {

using sandbox::JsValue;

const RowView& self_row(const FrameRun& run, JSValueConst this_value, const char* method) {
  const RowView* row = run.rows.get(this_value);
  if (!row) throw ArgumentError(fmt::format("Row.{}() was called on something that is not a row of filter(row => ...)", method));
  return *row;
}

JSValue read(JSContext* ctx, const RowView& row, std::size_t col) {
  return check_js(row.cursor->frame.column(row.batch, col).value(ctx, row.row));
}

// A prototype for this frame's rows: one getter per column, inheriting get() and toJSON().
JsValue row_prototype(JSContext* ctx, const std::shared_ptr<FrameRun>& run, const RowCursor& cursor) {
  JsValue base(ctx, run->rows.prototype(ctx));
  JsValue proto(ctx, check_js(JS_NewObjectProto(ctx, base.get())));
  for (std::size_t col = 0; col < cursor.frame.names().size(); ++col) {
    const std::string& name = cursor.frame.names()[col];
    if (name == "get" || name == "toJSON") continue;  // row.get("get") still reads it
    JsValue getter(ctx, check_js(sandbox::new_host_function(ctx, name.c_str(), 0, [run, col](JSContext* c, JSValueConst self, int, JSValueConst*) {
      return guarded(c, [&] { return read(c, self_row(*run, self, "column getter"), col); });
    })));
    JSAtom atom = JS_NewAtomLen(ctx, name.data(), name.size());
    int rc = JS_DefinePropertyGetSet(ctx, proto.get(), atom, getter.release(), JS_UNDEFINED, JS_PROP_CONFIGURABLE | JS_PROP_ENUMERABLE);
    JS_FreeAtom(ctx, atom);
    if (rc < 0) throw PendingException{};
  }
  return proto;
}

}  // namespace

bool install_row_class(JSContext* ctx, const std::shared_ptr<FrameRun>& run) {
  JsValue proto(ctx, JS_NewObject(ctx));
  if (proto.is_exception()) return false;
  bool ok = sandbox::define_host_function(ctx, proto.get(), "get", 1,
                                          [run](JSContext* c, JSValueConst self, int argc, JSValueConst* argv) {
                                            return guarded(c, [&] {
                                              const RowView& row = self_row(*run, self, "get");
                                              std::string name = argc >= 1 && JS_IsString(argv[0]) ? sandbox::JsCString(c, argv[0]).str() : "";
                                              auto found = row.cursor->index.find(name);
                                              if (found == row.cursor->index.end()) {
                                                std::string names;
                                                for (const auto& n : row.cursor->frame.names()) names += (names.empty() ? "" : ", ") + n;
                                                throw ArgumentError(fmt::format("row.get({}): no such column; the columns are: {}",
                                                                                argc >= 1 ? describe_js(c, argv[0]) : "", names));
                                              }
                                              return read(c, row, found->second);
                                            });
                                          }) &&
            sandbox::define_host_function(ctx, proto.get(), "toJSON", 0, [run](JSContext* c, JSValueConst self, int, JSValueConst*) {
              return guarded(c, [&] {
                const RowView& row = self_row(*run, self, "toJSON");
                JsValue object(c, check_js(JS_NewObject(c)));
                for (std::size_t col = 0; col < row.cursor->frame.names().size(); ++col) {
                  const std::string& name = row.cursor->frame.names()[col];
                  JSAtom atom = JS_NewAtomLen(c, name.data(), name.size());
                  int rc = JS_DefinePropertyValue(c, object.get(), atom, read(c, row, col), JS_PROP_C_W_E);
                  JS_FreeAtom(c, atom);
                  if (rc < 0) throw PendingException{};
                }
                return object.release();
              });
            });
  if (!ok) return false;
  return run->rows.define(ctx, "Row", proto.release());
}

JSValue filter_by_callback(FrameRun& run_state, JSContext* ctx, LazyFrame& frame, JSValueConst callback) {
  FrameRef input = frame.materialize(run_state.budget);
  const std::uint64_t height = height_of(input->get());
  std::vector<std::uint8_t> mask(height, 0);
  if (height > 0) {
    std::shared_ptr<FrameRun> run = run_state.shared_from_this();
    auto cursor = std::make_shared<const RowCursor>(input->get());
    JsValue proto = row_prototype(ctx, run, *cursor);
    std::size_t at = 0;
    for (std::size_t batch = 0; batch < cursor->frame.batch_count(); ++batch) {
      const std::int64_t rows = cursor->frame.batch_rows(batch);
      for (std::int64_t row = 0; row < rows; ++row, ++at) {
        JsValue row_object(ctx, check_js(run_state.rows.make_with_prototype(ctx, proto.get(), RowView{cursor, batch, row})));
        JsValue index(ctx, JS_NewInt64(ctx, static_cast<std::int64_t>(at)));
        JSValueConst args[] = {row_object.get(), index.get()};
        JsValue keep(ctx, check_js(JS_Call(ctx, callback, JS_UNDEFINED, 2, args)));
        mask[at] = JS_ToBool(ctx, keep.get()) ? 1 : 0;
      }
    }
  }
  return run_state.new_frame(ctx, keep_rows(input->get(), mask), "the result of filter(row => ...)");
}

}  // namespace as::frame
