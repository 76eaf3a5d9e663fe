/// Writes JSON member by member, keys in the order written: the one writer behind every
/// stable JSON output (check, commit, log, blame, diff, show; docs/outputs.md describes each).
///
/// Commas are written where a key or an array element needs one, so callers write only
/// what they mean: `key("version"); number(1); key("records"); array(...)`.
public struct JSONWriter: Sendable {
  public private(set) var bytes: [UInt8] = []

  public init() {}

  /// The JSON written so far, as text.
  public var text: String { String(decoding: bytes, as: UTF8.self) }

  /// Appends `text` as it is (punctuation, line breaks).
  public mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

  /// A JSON string.
  public mutating func string(_ text: String) { JSON.writeString(text, into: &bytes) }

  /// A JSON string, or `null`.
  public mutating func string(orNull text: String?) {
    if let text { string(text) } else { raw("null") }
  }

  public mutating func number(_ value: Int) { raw(String(value)) }
  public mutating func number(_ value: Int64) { raw(String(value)) }
  public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
  public mutating func null() { raw("null") }

  /// A record value (see ``Value/writeJSON(into:pretty:indent:)``), or `null`.
  public mutating func value(_ value: Value?) {
    guard let value else { return raw("null") }
    value.writeJSON(into: &bytes)
  }

  /// A diagnostic (see ``Diagnostic/writeJSON(into:)``).
  public mutating func diagnostic(_ diagnostic: Diagnostic) { diagnostic.writeJSON(into: &bytes) }

  /// A comma, unless what came last opens an object or array (line breaks looked past).
  public mutating func separate() {
    var index = bytes.count - 1
    while index >= 0, bytes[index] == 0x0A { index -= 1 }
    guard index >= 0 else { return }
    let last = bytes[index]
    if last != UInt8(ascii: "{"), last != UInt8(ascii: "["), last != UInt8(ascii: ":") {
      bytes.insert(UInt8(ascii: ","), at: index + 1)
    }
  }

  /// An object member's key (with the comma before it when needed).
  public mutating func key(_ name: String) {
    separate()
    string(name)
    raw(":")
  }
}
