# QuickJS-ng, built from the C sources carried by the pinned PyPI sdist (see scripts/deps.lock).
set(QJS_DIR ${AS_DEPS_DIR}/quickjs-ng/upstream-quickjs)
if(NOT EXISTS ${QJS_DIR}/quickjs.c)
  message(FATAL_ERROR "QuickJS-ng sources not found at ${QJS_DIR}. Run scripts/setup first.")
endif()
# We carry our own patches to it (scripts/patches/quickjs-ng-*.patch, docs/quickjs-patch.md);
# scripts/setup applies them and lists each one's sha256 in .patched. Sources without them, or
# patched with an older version of one, would build but miss JS_NewObjectFromTemplate.
file(GLOB QJS_PATCHES ${CMAKE_SOURCE_DIR}/scripts/patches/quickjs-ng-*.patch)
set(QJS_PATCH_MARKER ${AS_DEPS_DIR}/quickjs-ng/.patched)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${QJS_PATCHES})
if(EXISTS ${QJS_PATCH_MARKER})
  file(READ ${QJS_PATCH_MARKER} QJS_APPLIED_PATCHES)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${QJS_PATCH_MARKER})
else()
  set(QJS_APPLIED_PATCHES "")
endif()
foreach(patch_file ${QJS_PATCHES})
  file(SHA256 ${patch_file} patch_sha)
  get_filename_component(patch_name ${patch_file} NAME)
  string(FIND "${QJS_APPLIED_PATCHES}" "${patch_sha}  ${patch_name}" patch_found)
  if(patch_found EQUAL -1)
    message(FATAL_ERROR "QuickJS-ng at ${AS_DEPS_DIR}/quickjs-ng is not patched with scripts/patches/${patch_name} "
                        "(or with an older version of it). Run scripts/setup (make setup), which applies it.")
  endif()
endforeach()
add_library(quickjs STATIC
  ${QJS_DIR}/quickjs.c ${QJS_DIR}/libregexp.c ${QJS_DIR}/libunicode.c ${QJS_DIR}/dtoa.c)
target_include_directories(quickjs SYSTEM PUBLIC ${QJS_DIR})
target_compile_definitions(quickjs PRIVATE _GNU_SOURCE)
# QuickJS is C11; silence its warnings (not our code) and keep it fast even in debug builds.
target_compile_options(quickjs PRIVATE -w -O2 -funsigned-char -fwrapv)
set_target_properties(quickjs PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_link_libraries(quickjs PUBLIC m Threads::Threads)
