#pragma once
// Owners for the Arrow C Data Interface structs (declared by frame.h): a struct whose `release`
// is set owns its data and must be released exactly once; after a move it is marked released.
#include <frame.h>

#include <utility>

namespace as::frame {

template <class ArrowStruct>
class ArrowOwner {
 public:
  ArrowOwner() = default;
  ArrowOwner(const ArrowOwner&) = delete;
  ArrowOwner& operator=(const ArrowOwner&) = delete;
  ArrowOwner(ArrowOwner&& other) noexcept : value_(std::exchange(other.value_, ArrowStruct{})) {}
  ArrowOwner& operator=(ArrowOwner&& other) noexcept {
    if (this != &other) {
      reset();
      value_ = std::exchange(other.value_, ArrowStruct{});
    }
    return *this;
  }
  ~ArrowOwner() { reset(); }

  void reset() {
    if (value_.release) value_.release(&value_);
    value_ = ArrowStruct{};
  }
  // For C calls that fill the struct: releases the current content first.
  ArrowStruct* out() {
    reset();
    return &value_;
  }
  ArrowStruct* get() { return &value_; }
  const ArrowStruct* get() const { return &value_; }
  ArrowStruct* operator->() { return &value_; }
  const ArrowStruct* operator->() const { return &value_; }
  bool released() const { return value_.release == nullptr; }

 private:
  ArrowStruct value_{};
};

using ArrowStream = ArrowOwner<ArrowArrayStream>;
using ArrowSchemaOwner = ArrowOwner<ArrowSchema>;
using ArrowArrayOwner = ArrowOwner<ArrowArray>;

}  // namespace as::frame
