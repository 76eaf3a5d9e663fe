/// A point in a source file.
///
/// `line` and `column` are 1-based. `column` counts Unicode scalars (characters as an
/// editor shows them for the team's text, CJK included), not bytes; `offset` is the
/// 0-based byte offset into the UTF-8 source, which is what slicing uses.
public struct SourcePosition: Hashable, Comparable, Sendable, CustomStringConvertible {
  // Stored as 32-bit numbers (files are at most 4 MiB) so that syntax trees stay small.
  private var storedOffset: Int32
  private var storedLine: Int32
  private var storedColumn: Int32

  public var offset: Int {
    get { Int(storedOffset) }
    set { storedOffset = Int32(truncatingIfNeeded: newValue) }
  }

  public var line: Int {
    get { Int(storedLine) }
    set { storedLine = Int32(truncatingIfNeeded: newValue) }
  }

  public var column: Int {
    get { Int(storedColumn) }
    set { storedColumn = Int32(truncatingIfNeeded: newValue) }
  }

  public init(offset: Int, line: Int, column: Int) {
    storedOffset = Int32(truncatingIfNeeded: offset)
    storedLine = Int32(truncatingIfNeeded: line)
    storedColumn = Int32(truncatingIfNeeded: column)
  }

  public static let start = SourcePosition(offset: 0, line: 1, column: 1)

  public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
    lhs.storedOffset < rhs.storedOffset
  }

  public var description: String { "\(line):\(column)" }
}

/// A half-open span `[start, end)` of a source file.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
  public var start: SourcePosition
  public var end: SourcePosition

  public init(start: SourcePosition, end: SourcePosition) {
    self.start = start
    self.end = end
  }

  /// An empty range at `position`.
  public init(at position: SourcePosition) {
    self.start = position
    self.end = position
  }

  public var byteRange: Range<Int> { start.offset..<max(start.offset, end.offset) }

  public var description: String { "\(start)-\(end)" }
}

/// A position named by file, as diagnostics print it.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var column: Int

  public init(path: String, line: Int, column: Int) {
    self.path = path
    self.line = line
    self.column = column
  }

  public var description: String { "\(path):\(line):\(column)" }
}
