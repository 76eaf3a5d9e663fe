/// Git delta data (Documentation/gitformat-pack.txt, "Deltified representation"): the
/// sizes of the base and the result, then instructions that copy ranges of the base or
/// insert new bytes. `gen-history` knows what changed between two versions, so it writes
/// the instructions directly instead of searching for matches.
struct PackDelta {
  private(set) var bytes: [UInt8] = []

  init(baseSize: Int, resultSize: Int) {
    appendSize(baseSize)
    appendSize(resultSize)
  }

  private mutating func appendSize(_ size: Int) {
    var rest = size
    repeat {
      let byte = UInt8(rest & 127)
      rest >>= 7
      bytes.append(rest > 0 ? byte | 0x80 : byte)
    } while rest > 0
  }

  /// Copies `count` bytes of the base from `offset`.
  mutating func copy(offset: Int, count: Int) {
    var offset = offset
    var left = count
    while left > 0 {
      let size = min(left, 0xFF_FFFF)
      var command: UInt8 = 0x80
      var operands: [UInt8] = []
      for index in 0..<4 {
        let byte = UInt8(truncatingIfNeeded: offset >> (8 * index))
        if byte != 0 {
          command |= 1 << UInt8(index)
          operands.append(byte)
        }
      }
      for index in 0..<3 {
        let byte = UInt8(truncatingIfNeeded: size >> (8 * index))
        if byte != 0 {
          command |= 0x10 << UInt8(index)
          operands.append(byte)
        }
      }
      bytes.append(command)
      bytes.append(contentsOf: operands)
      offset += size
      left -= size
    }
  }

  /// Inserts `data`.
  mutating func insert(_ data: UnsafeRawBufferPointer) {
    var start = 0
    while start < data.count {
      let count = min(127, data.count - start)
      bytes.append(UInt8(count))
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[start..<(start + count)]))
      start += count
    }
  }

  /// The delta from `base` to `target` that keeps their common prefix and suffix and
  /// inserts the middle: small for a record that gained or changed a few lines.
  static func prefixSuffix(base: [UInt8], target: [UInt8]) -> [UInt8] {
    let limit = min(base.count, target.count)
    var prefix = 0
    while prefix < limit && base[prefix] == target[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < limit - prefix && base[base.count - 1 - suffix] == target[target.count - 1 - suffix] {
      suffix += 1
    }
    var delta = PackDelta(baseSize: base.count, resultSize: target.count)
    delta.copy(offset: 0, count: prefix)
    target.withUnsafeBytes { delta.insert(UnsafeRawBufferPointer(rebasing: $0[prefix..<(target.count - suffix)])) }
    delta.copy(offset: base.count - suffix, count: suffix)
    return delta.bytes
  }

  /// The delta to `target` from a base of the same size that differs only in the
  /// `width`-byte ranges starting at `slots` (sorted, not overlapping): a tree whose entries
  /// kept their names and got new object ids.
  static func slots(_ slots: [Int], width: Int, target: UnsafeRawBufferPointer) -> [UInt8] {
    var delta = PackDelta(baseSize: target.count, resultSize: target.count)
    var position = 0
    for slot in slots {
      delta.copy(offset: position, count: slot - position)
      delta.insert(UnsafeRawBufferPointer(rebasing: target[slot..<(slot + width)]))
      position = slot + width
    }
    delta.copy(offset: position, count: target.count - position)
    return delta.bytes
  }
}
