extension Value {
  /// The value as JSON: a mapping becomes an object with keys in file order, a sequence an
  /// array, a scalar a string, an empty value `null`.
  ///
  /// - Parameter pretty: Indent with two spaces, one member per line.
  public func json(pretty: Bool = false) -> String {
    var out: [UInt8] = []
    writeJSON(into: &out, pretty: pretty, indent: 0)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the value as JSON to `out`.
  public func writeJSON(into out: inout [UInt8], pretty: Bool = false, indent: Int = 0) {
    switch self {
    case .null:
      out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])  // null
    case .scalar(let text, _):
      JSON.writeString(text, into: &out)
    case .sequence(let items):
      if items.isEmpty {
        out.append(contentsOf: [0x5B, 0x5D])
        return
      }
      out.append(0x5B)
      for (index, item) in items.enumerated() {
        if index > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        item.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x5D)
    case .mapping(let pairs):
      if pairs.isEmpty {
        out.append(contentsOf: [0x7B, 0x7D])
        return
      }
      out.append(0x7B)
      for (index, pair) in pairs.enumerated() {
        if index > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        JSON.writeString(pair.key, into: &out)
        out.append(0x3A)
        if pretty { out.append(0x20) }
        pair.value.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x7D)
    }
  }
}

/// Small, fast JSON writing helpers shared by every JSON printer in Tally.
public enum JSON {
  static let hex: [UInt8] = Array("0123456789abcdef".utf8)

  @inline(__always) static func newline(_ out: inout [UInt8], _ indent: Int) {
    out.append(0x0A)
    for _ in 0..<indent { out.append(0x20) }
  }

  /// Appends `text` as a JSON string literal (UTF-8, with control characters escaped).
  public static func writeString(_ text: String, into out: inout [UInt8]) {
    var copy = text
    copy.withUTF8 { writeString(bytes: $0, into: &out) }
  }

  /// Appends UTF-8 `bytes` as a JSON string literal.
  public static func writeString(bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    out.append(0x22)
    do {
      var start = 0
      var i = 0
      let n = bytes.count
      while i < n {
        let b = bytes[i]
        if b >= 0x20 && b != 0x22 && b != 0x5C {
          i += 1
          continue
        }
        if i > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
        switch b {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
        case 0x0D: out.append(contentsOf: [0x5C, 0x72])
        case 0x09: out.append(contentsOf: [0x5C, 0x74])
        case 0x08: out.append(contentsOf: [0x5C, 0x62])
        case 0x0C: out.append(contentsOf: [0x5C, 0x66])
        default:
          out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
        }
        i += 1
        start = i
      }
      if n > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<n])) }
    }
    out.append(0x22)
  }

  /// `text` as a JSON string literal.
  public static func string(_ text: String) -> String {
    var out: [UInt8] = []
    writeString(text, into: &out)
    return String(decoding: out, as: UTF8.self)
  }
}

extension Node {
  /// Appends the node's value as JSON to `out`, the same as `value.writeJSON`, without
  /// building the value first.
  public func writeJSON(into out: inout [UInt8], pretty: Bool = false, indent: Int = 0) {
    switch self {
    case .null:
      out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
    case .scalar(let scalar):
      scalar.withUTF8 { JSON.writeString(bytes: $0, into: &out) }
    case .sequence(let sequence):
      if sequence.items.isEmpty {
        out.append(contentsOf: [0x5B, 0x5D])
        return
      }
      out.append(0x5B)
      for (index, item) in sequence.items.enumerated() {
        if index > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        item.value.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x5D)
    case .mapping(let mapping):
      if mapping.entries.isEmpty {
        out.append(contentsOf: [0x7B, 0x7D])
        return
      }
      out.append(0x7B)
      for (index, entry) in mapping.entries.enumerated() {
        if index > 0 { out.append(0x2C) }
        if pretty { JSON.newline(&out, indent + 2) }
        entry.key.withUTF8 { JSON.writeString(bytes: $0, into: &out) }
        out.append(0x3A)
        if pretty { out.append(0x20) }
        entry.value.writeJSON(into: &out, pretty: pretty, indent: indent + 2)
      }
      if pretty { JSON.newline(&out, indent) }
      out.append(0x7D)
    }
  }
}
