import Foundation

/// Time zones for dates taken from commits: IANA names (from the system's zone data),
/// `UTC`, or fixed offsets like `+08:00`.
public enum TimeZones {
  /// The zone's offset from UTC in minutes at `epochSeconds` (now by default), or nil when
  /// the name is not a zone.
  public static func offsetMinutes(_ name: String, at epochSeconds: Int? = nil) -> Int? {
    if name == "UTC" || name == "Z" { return 0 }
    if let fixed = fixedOffset(name) { return fixed }
    guard name.contains("/"), let zone = TimeZone(identifier: name) else { return nil }
    let instant = epochSeconds.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()
    return zone.secondsFromGMT(for: instant) / 60
  }

  /// `+08:00`, `-0530` → minutes.
  static func fixedOffset(_ text: String) -> Int? {
    let chars = Array(text)
    guard chars.count == 6 || chars.count == 5, chars[0] == "+" || chars[0] == "-" else { return nil }
    let digits = chars.dropFirst().filter { $0 != ":" }
    guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let hours = Int(String(digits.prefix(2))), let minutes = Int(String(digits.suffix(2))), hours <= 14,
      minutes < 60
    else { return nil }
    return (hours * 60 + minutes) * (chars[0] == "-" ? -1 : 1)
  }
}
