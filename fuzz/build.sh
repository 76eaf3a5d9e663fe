#!/usr/bin/env bash
# Builds the libFuzzer target for the record parser: fuzz/tally-fuzz.
#
# Sources/TallyText/*.swift and fuzz/main.swift are compiled as one module (TallyText)
# with swiftc directly, so this never touches .build/ and needs no SwiftPM. The build is
# skipped when the sources, the compiler and the flags are unchanged.
#
# Environment: SWIFTC (default: swiftc on PATH), FUZZ_FORCE=1 to rebuild anyway.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

swiftc="${SWIFTC:-swiftc}"
out="fuzz/out/build"
binary="fuzz/tally-fuzz"
stamp="fuzz/out/build.stamp"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -module-name TallyText -swift-version 6)
# lld links the sanitizer runtimes quietly; gold prints ~150 harmless "Cannot export
# local symbol '__asan_...'" warnings. Use lld when the toolchain has it.
if [ -x "$(dirname "$(command -v "${SWIFTC:-swiftc}" 2>/dev/null || echo /nonexistent)")/ld.lld" ] || command -v ld.lld >/dev/null 2>&1; then
  flags+=(-use-ld=lld)
fi

die() { printf 'fuzz/build.sh: error: %s\n' "$*" >&2; exit 1; }

command -v "$swiftc" >/dev/null 2>&1 || die "'$swiftc' not found; install Swift 6 (Linux toolchains ship libFuzzer) or set SWIFTC"

shopt -s nullglob
sources=(Sources/TallyText/*.swift)
shopt -u nullglob
[ ${#sources[@]} -gt 0 ] || die "no sources in Sources/TallyText"
[ -f fuzz/main.swift ] || die "fuzz/main.swift is missing"
mkdir -p "$out"

# libFuzzer ships with the open-source Linux toolchains (clang_rt.fuzzer) but not with
# Xcode's toolchain: say so plainly instead of failing at link time.
resource_dir="$("$swiftc" -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": *"\([^"]*\)".*/\1/p' | head -n 1)"
if [ -n "$resource_dir" ]; then
  shopt -s nullglob
  fuzzer_libs=("$resource_dir"/clang/lib/*/libclang_rt.fuzzer[-_]*.a "$resource_dir"/clang/lib/*/*/libclang_rt.fuzzer.a)
  shopt -u nullglob
  if [ ${#fuzzer_libs[@]} -eq 0 ]; then
    die "this Swift toolchain has no libFuzzer runtime (no libclang_rt.fuzzer in $resource_dir/clang/lib).
  Use a swift.org toolchain on Linux (e.g. the swift:6.3 Docker image); Xcode's toolchain lacks it."
  fi
fi

# Compile a snapshot of the sources: others may be editing the tree while this builds
# (swiftc fails with "input file was modified during the build" otherwise), and the stamp
# then names exactly what was compiled.
snapshot="$out/src"
rm -rf "$snapshot"
mkdir -p "$snapshot"
cp "${sources[@]}" "$snapshot/"
cp fuzz/main.swift "$snapshot/main.swift"
shopt -s nullglob
compiled=("$snapshot"/*.swift)
shopt -u nullglob

# Skip the build when nothing it depends on changed.
if command -v sha256sum >/dev/null 2>&1; then
  hasher=(sha256sum)
elif command -v shasum >/dev/null 2>&1; then
  hasher=(shasum -a 256)
else
  hasher=()
fi
key=""
if [ ${#hasher[@]} -gt 0 ]; then
  key="$({ "$swiftc" --version 2>&1; printf '%s\n' "${flags[@]}"; for f in "${compiled[@]}"; do printf '%s\n' "${f##*/}"; cat "$f"; done; cat fuzz/build.sh; } | "${hasher[@]}" | cut -d' ' -f1)"
  if [ "${FUZZ_FORCE:-0}" != 1 ] && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ]; then
    echo "fuzz/build.sh: $binary is up to date"
    exit 0
  fi
fi

rm -f "$stamp"
echo "fuzz/build.sh: compiling ${#sources[@]} TallyText sources + fuzz/main.swift (${flags[*]})"
if ! "$swiftc" "${flags[@]}" \
  -module-cache-path "$out/module-cache" \
  "${compiled[@]}" \
  -o "$out/tally-fuzz" 2>"$out/build.log"; then
  cat "$out/build.log" >&2
  if grep -qiE 'fuzzer|clang_rt' "$out/build.log"; then
    die "the link against libFuzzer failed; this toolchain may not ship libFuzzer (use a swift.org Linux toolchain)"
  fi
  die "compilation failed (log: $out/build.log)"
fi
# Warnings only: show them (minus gold's sanitizer-runtime noise); they do not fail the build.
if grep -vq "Cannot export local symbol '__asan" "$out/build.log"; then
  grep -v "Cannot export local symbol '__asan" "$out/build.log" >&2 || true
fi
mv -f "$out/tally-fuzz" "$binary"
[ -n "$key" ] && printf '%s\n' "$key" >"$stamp"
echo "fuzz/build.sh: built $binary"
