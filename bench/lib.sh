# Shared by the bench scripts (sourced): release builds into one scratch path, so every
# benchmark times the same optimised binaries and a second benchmark builds nothing again.
scratch=".build-bench"

# build_release OUT PRODUCT...: builds each product; on failure prints the end of its log
# (OUT/build-PRODUCT.log) and exits 1.
build_release() {
  local out="$1"
  shift
  echo "== building release products (scratch path $scratch)"
  local product
  for product in "$@"; do
    swift build -c release --static-swift-stdlib --scratch-path "$scratch" --product "$product" \
      >"$out/build-$product.log" 2>&1 || { tail -30 "$out/build-$product.log"; exit 1; }
  done
}
