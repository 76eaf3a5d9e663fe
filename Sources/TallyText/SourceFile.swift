/// The bytes of one file together with its path, with line lookups for excerpts.
///
/// Diagnostics keep positions; a `SourceFile` turns them back into real text.
public struct SourceFile: Sendable {
  public let path: String
  public let bytes: [UInt8]
  /// Byte offset at which each line starts (line 1 is index 0).
  private let lineStarts: [Int]

  public init(path: String, bytes: [UInt8]) {
    self.path = path
    self.bytes = bytes
    var starts = [0]
    starts.reserveCapacity(bytes.count / 32 + 1)
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      starts.append(index + 1)
    }
    self.lineStarts = starts
  }

  public init(path: String, text: String) {
    self.init(path: path, bytes: Array(text.utf8))
  }

  public var lineCount: Int { lineStarts.count }

  /// The text of 1-based `line`, without its line break (and without a `\r` before it).
  /// Invalid UTF-8 is shown with replacement characters.
  public func lineText(_ line: Int) -> String {
    guard line >= 1, line <= lineStarts.count else { return "" }
    let start = lineStarts[line - 1]
    var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
    if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    guard end > start else { return "" }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }

  /// Byte offset of the start of 1-based `line`.
  public func lineStart(_ line: Int) -> Int {
    guard line >= 1 else { return 0 }
    return line <= lineStarts.count ? lineStarts[line - 1] : bytes.count
  }

  /// The position of a byte offset, with the column counted in Unicode scalars.
  public func position(ofOffset offset: Int) -> SourcePosition {
    let clamped = min(max(offset, 0), bytes.count)
    // Binary search for the last line start <= offset.
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
    }
    let start = lineStarts[low]
    var column = 1
    var index = start
    while index < clamped {
      if bytes[index] & 0xC0 != 0x80 { column += 1 }
      index += 1
    }
    // A position inside a multi-byte sequence counts as that character.
    if clamped < bytes.count, clamped > start, bytes[clamped] & 0xC0 == 0x80 { column -= 1 }
    return SourcePosition(offset: clamped, line: low + 1, column: column)
  }

  public func location(of position: SourcePosition) -> SourceLocation {
    SourceLocation(path: path, line: position.line, column: position.column)
  }
}
