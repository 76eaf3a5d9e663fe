/// A point in a source file.
///
/// `line` and `column` are 1-based. `column` counts Unicode scalars (characters as an
/// editor shows them for the team's text, CJK included), not bytes; `offset` is the
/// 0-based byte offset into the UTF-8 source, which is what slicing uses.
public struct SourcePosition: Hashable, Comparable, Sendable, CustomStringConvertible {
  public var offset: Int
  public var line: Int
  public var column: Int

  public init(offset: Int, line: Int, column: Int) {
    self.offset = offset
    self.line = line
    self.column = column
  }

  public static let start = SourcePosition(offset: 0, line: 1, column: 1)

  public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
    lhs.offset < rhs.offset
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
