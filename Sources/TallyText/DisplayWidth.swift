/// How many terminal columns text takes: CJK and other wide characters take two,
/// combining marks none, everything else one.
///
/// Tables and diagnostic underlines use this so Chinese names line up.
public enum DisplayWidth {
  /// The display width of one Unicode scalar.
  @inline(__always)
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let value = scalar.value
    if value < 0x300 {
      // ASCII and Latin-1: control characters take no column, everything else one.
      if value < 0x20 || (value >= 0x7F && value < 0xA0) { return 0 }
      return 1
    }
    if contains(zeroWidthRanges, value) { return 0 }
    if value >= 0x1100, contains(wideRanges, value) { return 2 }
    return 1
  }

  /// The display width of `text`.
  public static func of<S: StringProtocol>(_ text: S) -> Int {
    var width = 0
    for scalar in text.unicodeScalars { width += of(scalar) }
    return width
  }

  /// `text` cut to at most `width` columns, ending in `…` when cut.
  public static func truncate(_ text: String, toWidth width: Int) -> String {
    guard width > 0 else { return "" }
    if of(text) <= width { return text }
    var result = String.UnicodeScalarView()
    var used = 0
    for scalar in text.unicodeScalars {
      let w = of(scalar)
      if used + w > width - 1 { break }
      result.append(scalar)
      used += w
    }
    return String(result) + "…"
  }

  /// `text` padded with spaces to `width` columns (left-aligned, or right-aligned).
  public static func pad(_ text: String, toWidth width: Int, alignRight: Bool = false) -> String {
    let missing = width - of(text)
    guard missing > 0 else { return text }
    let padding = String(repeating: " ", count: missing)
    return alignRight ? padding + text : text + padding
  }

  @inline(__always)
  private static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
    var low = 0
    var high = ranges.count - 1
    while low <= high {
      let mid = (low + high) >> 1
      let range = ranges[mid]
      if value < range.lowerBound {
        high = mid - 1
      } else if value > range.upperBound {
        low = mid + 1
      } else {
        return true
      }
    }
    return false
  }
}
