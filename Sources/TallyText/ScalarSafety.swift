/// Decides how a scalar's text can be written so that every YAML reader reads it back as
/// the same text.
public enum ScalarSafety {
  /// Where a scalar is written.
  public enum Context: Sendable {
    /// A value in a block mapping or sequence.
    case block
    /// An item in `[ ]`.
    case flow
    /// A mapping key.
    case key
  }

  /// Whether a YAML 1.1 or 1.2 reader would read `text`, written plain, as something other
  /// than a string: null, a boolean, an integer, a float, a timestamp, a merge or value key.
  ///
  /// The check is a superset of the core, JSON and 1.1 resolvers (e.g. it treats `1.2.3`
  /// and `10:30` as numbers, as the 1.1 float and sexagesimal rules do).
  public static func isImplicitlyTyped(_ text: String) -> Bool {
    var copy = text
    return copy.withUTF8 { isImplicitlyTyped(bytes: $0) }
  }

  static let typedWords: Set<String> = [
    "~", "null", "Null", "NULL",
    "true", "True", "TRUE", "false", "False", "FALSE",
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
    "on", "On", "ON", "off", "Off", "OFF",
    "<<", "=",
    ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ".nan", ".NaN", ".NAN",
  ]

  static func isImplicitlyTyped(bytes s: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = s.count
    if n == 0 { return true }
    let first = s[0]
    // Words: at most 6 bytes, starting with a letter or one of ~ < = . + -
    if n <= 6 {
      switch first {
      case UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="), UInt8(ascii: "."),
        UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "n"), UInt8(ascii: "N"),
        UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
        UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "o"), UInt8(ascii: "O"):
        if typedWords.contains(String(decoding: s, as: UTF8.self)) { return true }
      default:
        break
      }
    }
    let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    // Timestamps: YYYY-M?M-D?D, optionally followed by a time.
    if n >= 8, isDigit(s[0]), isDigit(s[1]), isDigit(s[2]), isDigit(s[3]), s[4] == UInt8(ascii: "-") {
      var i = 5
      var d = 0
      while i < n, isDigit(s[i]), d < 2 {
        i += 1
        d += 1
      }
      if d >= 1, i < n, s[i] == UInt8(ascii: "-") {
        i += 1
        d = 0
        while i < n, isDigit(s[i]), d < 2 {
          i += 1
          d += 1
        }
        if d >= 1 {
          if i == n { return true }
          let c = s[i]
          if c == UInt8(ascii: "T") || c == UInt8(ascii: "t") || c == 0x20 || c == 0x09 {
            var j = i + 1
            while j < n, s[j] == 0x20 || s[j] == 0x09 { j += 1 }
            if j < n, isDigit(s[j]) { return true }
          }
        }
      }
    }
    // Numbers.
    var i = 0
    if first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { i = 1 }
    guard i < n else { return false }
    let b0 = s[i]
    guard isDigit(b0) || b0 == UInt8(ascii: ".") else { return false }
    if b0 == UInt8(ascii: "0"), i + 1 < n {
      let b1 = s[i + 1]
      if b1 == UInt8(ascii: "x") || b1 == UInt8(ascii: "X") || b1 == UInt8(ascii: "o")
        || b1 == UInt8(ascii: "O") || b1 == UInt8(ascii: "b") || b1 == UInt8(ascii: "B")
      {
        var j = i + 2
        guard j < n else { return false }
        while j < n {
          let c = s[j]
          let hex =
            isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F")) || c == UInt8(ascii: "_")
          if !hex { return false }
          j += 1
        }
        return true
      }
    }
    var sawDigit = false
    var j = i
    while j < n {
      let c = s[j]
      if isDigit(c) {
        sawDigit = true
      } else if c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c == UInt8(ascii: ":") {
        // part of a 1.1 number
      } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
        // Exponent: [eE][-+]?[0-9]+ to the end.
        guard sawDigit else { return false }
        var k = j + 1
        if k < n, s[k] == UInt8(ascii: "+") || s[k] == UInt8(ascii: "-") { k += 1 }
        guard k < n else { return false }
        while k < n {
          if !isDigit(s[k]) { return false }
          k += 1
        }
        return true
      } else {
        return false
      }
      j += 1
    }
    return sawDigit
  }

  /// Whether `text` can be written as a plain scalar in `context` and read back as the
  /// same characters (typing aside).
  public static func isPlainWritable(_ text: String, in context: Context) -> Bool {
    var copy = text
    return copy.withUTF8 { isPlainWritable(bytes: $0, in: context) }
  }

  static func isPlainWritable(bytes s: UnsafeBufferPointer<UInt8>, in context: Context) -> Bool {
    let n = s.count
    guard n > 0 else { return false }
    let first = s[0]
    switch first {
    case UInt8(ascii: "-"), UInt8(ascii: "?"):
      guard n > 1 else { return false }
      let second = s[1]
      if second == 0x20 || second == 0x09 { return false }
      if context == .flow, isFlowIndicator(second) || first == UInt8(ascii: "?") { return false }
      if first == UInt8(ascii: "-"), n >= 3, s[1] == UInt8(ascii: "-"), s[2] == UInt8(ascii: "-") {
        return false
      }
    case UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
      UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"),
      UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"),
      UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
      UInt8(ascii: "`"), 0x20:
      return false
    case UInt8(ascii: "."):
      if n >= 3, s[1] == UInt8(ascii: "."), s[2] == UInt8(ascii: ".") { return false }
    default:
      break
    }
    let last = s[n - 1]
    if last == 0x20 || last == UInt8(ascii: ":") { return false }
    var i = 0
    while i < n {
      let b = s[i]
      if b < 0x20 || b == 0x7F { return false }  // control characters, tabs, line breaks
      if b == UInt8(ascii: ":") {
        if i + 1 < n, s[i + 1] == 0x20 { return false }
        if context == .flow { return false }
      } else if b == UInt8(ascii: "#") {
        if i > 0, s[i - 1] == 0x20 { return false }
        if context == .flow { return false }
      } else if context == .flow, isFlowIndicator(b) {
        return false
      } else if b >= 0x80, needsEscapeMultibyte(s, i) {
        return false
      }
      i += 1
    }
    return true
  }

  @inline(__always) static func isFlowIndicator(_ b: UInt8) -> Bool {
    b == UInt8(ascii: ",") || b == UInt8(ascii: "[") || b == UInt8(ascii: "]")
      || b == UInt8(ascii: "{") || b == UInt8(ascii: "}")
  }

  /// C1 controls (incl. NEL), line and paragraph separators, BOM and non-characters.
  @inline(__always) static func needsEscapeMultibyte(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
    let b = s[i]
    let n = s.count
    if b == 0xC2, i + 1 < n, s[i + 1] >= 0x80, s[i + 1] <= 0x9F { return true }
    if b == 0xE2, i + 2 < n, s[i + 1] == 0x80, s[i + 2] == 0xA8 || s[i + 2] == 0xA9 { return true }
    if b == 0xEF, i + 2 < n {
      if s[i + 1] == 0xBB, s[i + 2] == 0xBF { return true }
      if s[i + 1] == 0xBF, s[i + 2] == 0xBE || s[i + 2] == 0xBF { return true }
    }
    return false
  }

  /// Whether `scalar` must be escaped in a double-quoted scalar (it cannot be written raw
  /// anywhere in a record file).
  @inline(__always) public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    return v < 0x20 || v == 0x7F || (v >= 0x80 && v <= 0x9F) || v == 0x2028 || v == 0x2029
      || v == 0xFEFF || v == 0xFFFE || v == 0xFFFF
  }
}
