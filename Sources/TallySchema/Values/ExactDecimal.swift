/// An exact decimal number (`12800.00`, `-3.5`), for money and other amounts: never a
/// binary float. Up to 18 significant digits.
public struct ExactDecimal: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The value is `units / 10^scale`.
  public private(set) var units: Int64
  public private(set) var scale: Int

  public init(units: Int64, scale: Int) {
    self.units = units
    self.scale = scale
  }

  public init(_ integer: Int) {
    self.units = Int64(integer)
    self.scale = 0
  }

  public static let zero = ExactDecimal(units: 0, scale: 0)

  /// Parses `[-+]?digits[.digits]`; nil for anything else or more than 18 digits.
  public init?(_ text: String) {
    var copy = text
    guard let value = copy.withUTF8({ ExactDecimal(utf8: $0) }) else { return nil }
    self = value
  }

  public init?(utf8 s: UnsafeBufferPointer<UInt8>) {
    var i = 0
    var negative = false
    if i < s.count, s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+") {
      negative = s[i] == UInt8(ascii: "-")
      i += 1
    }
    var units: Int64 = 0
    var digits = 0
    var scale = 0
    var sawDot = false
    var sawDigit = false
    while i < s.count {
      let b = s[i]
      if b == UInt8(ascii: ".") {
        guard !sawDot, sawDigit else { return nil }
        sawDot = true
        i += 1
        guard i < s.count else { return nil }
        continue
      }
      guard b >= 48, b <= 57 else { return nil }
      sawDigit = true
      if units > 0 || b != 48 { digits += 1 }
      guard digits <= 18 else { return nil }
      units = units * 10 + Int64(b - 48)
      if sawDot { scale += 1 }
      i += 1
    }
    guard sawDigit else { return nil }
    self.init(units: negative ? -units : units, scale: scale)
  }

  /// The number of digits after the decimal point, as written.
  public var fractionDigits: Int { scale }

  static func power(_ n: Int) -> Int64 {
    var p: Int64 = 1
    for _ in 0..<n { p *= 10 }
    return p
  }

  /// Both values at the same scale, or nil on overflow.
  static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int64, Int64, Int)? {
    let scale = max(a.scale, b.scale)
    let (x, o1) = a.units.multipliedReportingOverflow(by: power(scale - a.scale))
    let (y, o2) = b.units.multipliedReportingOverflow(by: power(scale - b.scale))
    if o1 || o2 { return nil }
    return (x, y, scale)
  }

  public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
    if let (x, y, _) = aligned(lhs, rhs) { return x < y }
    return lhs.doubleValue < rhs.doubleValue
  }

  public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
    if let (x, y, _) = aligned(lhs, rhs) { return x == y }
    return false
  }

  public func hash(into hasher: inout Hasher) {
    // Equal values hash alike: strip trailing zeros.
    var u = units
    var s = scale
    while s > 0, u % 10 == 0 {
      u /= 10
      s -= 1
    }
    hasher.combine(u)
    hasher.combine(s)
  }

  /// The sum, or nil on overflow.
  public func adding(_ other: ExactDecimal) -> ExactDecimal? {
    guard let (x, y, scale) = ExactDecimal.aligned(self, other) else { return nil }
    let (sum, overflow) = x.addingReportingOverflow(y)
    return overflow ? nil : ExactDecimal(units: sum, scale: scale)
  }

  public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
    adding(ExactDecimal(units: -other.units, scale: other.scale))
  }

  public func multiplied(by other: ExactDecimal) -> ExactDecimal? {
    let (product, overflow) = units.multipliedReportingOverflow(by: other.units)
    if overflow || scale + other.scale > 18 { return nil }
    return ExactDecimal(units: product, scale: scale + other.scale)
  }

  /// The quotient with `scale` decimals (rounded half away from zero), or nil on overflow
  /// or division by zero.
  public func divided(by other: ExactDecimal, scale: Int) -> ExactDecimal? {
    guard other.units != 0 else { return nil }
    // (a / 10^sa) / (b / 10^sb) = a * 10^(scale + sb - sa) / b, at `scale`.
    let shift = scale + other.scale - self.scale
    var numerator = units
    var denominator = other.units
    if shift >= 0 {
      let (n, overflow) = numerator.multipliedReportingOverflow(by: ExactDecimal.power(min(shift, 18)))
      if overflow || shift > 18 { return nil }
      numerator = n
    } else {
      let (d, overflow) = denominator.multipliedReportingOverflow(by: ExactDecimal.power(min(-shift, 18)))
      if overflow || -shift > 18 { return nil }
      denominator = d
    }
    var quotient = numerator / denominator
    let remainder = numerator % denominator
    if remainder.magnitude * 2 >= denominator.magnitude {
      quotient += (numerator < 0) != (denominator < 0) ? -1 : 1
    }
    return ExactDecimal(units: quotient, scale: scale)
  }

  public var doubleValue: Double { Double(units) / Double(ExactDecimal.power(min(scale, 18))) }

  /// The value rounded half away from zero to `digits` decimals.
  public func rounded(toDigits digits: Int) -> ExactDecimal {
    if scale <= digits {
      let factor = ExactDecimal.power(digits - scale)
      let (u, o) = units.multipliedReportingOverflow(by: factor)
      return o ? self : ExactDecimal(units: u, scale: digits)
    }
    let factor = ExactDecimal.power(scale - digits)
    var q = units / factor
    let r = units % factor
    if abs(r) * 2 >= factor { q += units < 0 ? -1 : 1 }
    return ExactDecimal(units: q, scale: digits)
  }

  public var description: String {
    let negative = units < 0
    var digits = String(units.magnitude)
    if scale > 0 {
      if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
      digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
    }
    return (negative ? "-" : "") + digits
  }
}
