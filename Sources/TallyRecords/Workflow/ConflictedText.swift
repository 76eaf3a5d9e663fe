import TallySchema
import TallyText

/// A file holding git's conflict markers, cut into the settled text and the conflicts
/// ("hunks"), each with the lines of every side: what `tally conflicts` maps to fields and
/// `tally resolve` rewrites.
///
/// A conflict is a `<<<<<<<` line, our lines, in diff3 style `|||||||` and the base's lines,
/// `=======`, their lines, and `>>>>>>>`. Its four markers have one length of at least seven
/// characters (git's `conflict-marker-size`, the merge driver's `%L`), each followed by a
/// blank or the end of its line; a marker line of another length is content (a conflict
/// nested in a merge base uses longer ones). A marker line that belongs to no complete
/// conflict is a stray marker. Lines end at LF or CRLF; every byte outside the marker lines
/// is kept as it is, a byte order mark included.
public struct ConflictedText: Sendable, Hashable {
  /// One conflict.
  public struct Hunk: Sendable, Hashable {
    /// The 1-based lines of the conflict, its marker lines included.
    public var lines: ClosedRange<Int>
    /// The length of its markers.
    public var markerSize: Int
    /// The text after the `<<<<<<<`, `|||||||` and `>>>>>>>` markers (a branch, a commit, or
    /// the driver's `ours`, `base`, `theirs`).
    public var labels: (ours: String, base: String?, theirs: String)
    /// Our lines, with their line breaks.
    public var ours: [UInt8]
    /// The base's lines; nil when the markers hold none (git's `merge` conflict style).
    public var base: [UInt8]?
    /// Their lines.
    public var theirs: [UInt8]
    /// The conflict as it is in the file, marker lines included.
    public var raw: [UInt8]

    /// The lines of `side`, or nil for a base the markers do not hold.
    public func lines(of side: RecordMerge.Side) -> [UInt8]? {
      switch side {
      case .ours: ours
      case .base: base
      case .theirs: theirs
      }
    }

    public static func == (lhs: Hunk, rhs: Hunk) -> Bool { lhs.raw == rhs.raw && lhs.lines == rhs.lines }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }
  }

  /// The conflicts, in file order.
  public var hunks: [Hunk]
  /// The text around them: `pieces[i]` comes before hunk `i`, the last piece after the last
  /// hunk (`pieces.count == hunks.count + 1`).
  var pieces: [[UInt8]]
  /// The 1-based lines of marker lines that belong to no complete conflict.
  public var strayMarkers: [Int]

  /// Whether the text has any conflict or stray marker left.
  public var hasMarkers: Bool { !hunks.isEmpty || !strayMarkers.isEmpty }

  /// Cuts `bytes` into the settled text and its conflicts.
  public init(_ bytes: [UInt8]) {
    let lines = Self.lines(of: bytes)
    let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    func marker(_ index: Int) -> Marker? {
      let line = lines[index]
      return Self.marker(in: bytes[(index == 0 ? line.lowerBound + bom : line.lowerBound)..<line.upperBound])
    }
    var hunks: [Hunk] = []
    var pieces: [[UInt8]] = []
    var stray: [Int] = []
    var pieceStart = 0
    var index = 0
    while index < lines.count {
      guard let open = marker(index) else {
        index += 1
        continue
      }
      guard open.kind == .ours,
        let hunk = Self.hunk(
          at: index, open: open, lines: lines, bytes: bytes, skip: index == 0 ? bom : 0, marker: marker)
      else {
        stray.append(index + 1)
        index += 1
        continue
      }
      // The text before the conflict; on the first line, a byte order mark stays in it.
      let start = lines[index].lowerBound + (index == 0 ? bom : 0)
      pieces.append(Array(bytes[pieceStart..<start]))
      hunks.append(hunk.hunk)
      pieceStart = lines[hunk.last].upperBound
      index = hunk.last + 1
    }
    pieces.append(Array(bytes[pieceStart...]))
    self.hunks = hunks
    self.pieces = pieces
    self.strayMarkers = stray
  }

  /// The text with each hunk replaced by what `choose` gives for it (nil: the hunk as it
  /// is, markers and all).
  public func text(_ choose: (Int) -> [UInt8]?) -> [UInt8] {
    var out = pieces[0]
    for index in hunks.indices {
      out += choose(index) ?? hunks[index].raw
      out += pieces[index + 1]
    }
    return out
  }

  /// The file as it would be with hunk `index` taking `side` and every other hunk ours,
  /// and the 0-based lines the chosen side takes in it; nil for a base the hunk lacks.
  public func version(choosing side: RecordMerge.Side, at index: Int) -> (bytes: [UInt8], lines: Range<Int>)? {
    guard let chosen = hunks[index].lines(of: side) else { return nil }
    var before = pieces[0]
    for other in 0..<index {
      before += hunks[other].ours
      before += pieces[other + 1]
    }
    let start = Self.lineCount(before)
    var out = before + chosen
    let end = Self.lineCount(out)
    for other in (index + 1)..<(hunks.count + 1) {
      out += pieces[other]
      if other < hunks.count { out += hunks[other].ours }
    }
    // A side that ends without a line break (at the end of the file) ends its last line.
    return (out, start..<max(start, end))
  }

  // MARK: - Lines and markers

  /// The byte range of each line, its line break included.
  static func lines(of bytes: [UInt8]) -> [Range<Int>] {
    var lines: [Range<Int>] = []
    var start = 0
    for index in bytes.indices where bytes[index] == 0x0A {
      lines.append(start..<(index + 1))
      start = index + 1
    }
    if start < bytes.count { lines.append(start..<bytes.count) }
    return lines
  }

  /// How many lines `bytes` holds (a last line without a line break counts).
  static func lineCount(_ bytes: [UInt8]) -> Int {
    var count = 0
    for byte in bytes where byte == 0x0A { count += 1 }
    if let last = bytes.last, last != 0x0A { count += 1 }
    return count
  }

  enum Kind: Equatable {
    case ours, base, separator, theirs
  }

  struct Marker: Equatable {
    var kind: Kind
    var size: Int
    var label: String
  }

  /// The marker a line is (its bytes, with or without its line break), or nil.
  static func marker(in line: ArraySlice<UInt8>) -> Marker? {
    guard let first = line.first else { return nil }
    let kind: Kind
    switch first {
    case UInt8(ascii: "<"): kind = .ours
    case UInt8(ascii: "|"): kind = .base
    case UInt8(ascii: "="): kind = .separator
    case UInt8(ascii: ">"): kind = .theirs
    default: return nil
    }
    var end = line.startIndex
    while end < line.endIndex, line[end] == first { end += 1 }
    let size = end - line.startIndex
    guard size >= 7 else { return nil }
    if end < line.endIndex, ![0x20, 0x09, 0x0D, 0x0A].contains(line[end]) { return nil }
    var from = end
    var to = line.endIndex
    while from < to, line[from] == 0x20 || line[from] == 0x09 { from += 1 }
    while to > from, [0x20, 0x09, 0x0D, 0x0A].contains(line[to - 1]) { to -= 1 }
    return Marker(kind: kind, size: size, label: String(decoding: line[from..<to], as: UTF8.self))
  }

  /// The complete conflict whose `<<<<<<<` is line `start` (after `skip` bytes: a byte order
  /// mark), and its last line; nil when its other markers (of the same size, in order) are
  /// not there.
  static func hunk(
    at start: Int, open: Marker, lines: [Range<Int>], bytes: [UInt8], skip: Int, marker: (Int) -> Marker?
  ) -> (hunk: Hunk, last: Int)? {
    var baseAt: Int?
    var separatorAt: Int?
    var base: Marker?
    var index = start + 1
    while index < lines.count {
      defer { index += 1 }
      guard let found = marker(index), found.size == open.size else { continue }
      switch found.kind {
      case .ours:
        return nil
      case .base:
        guard baseAt == nil, separatorAt == nil else { return nil }
        baseAt = index
        base = found
      case .separator:
        guard separatorAt == nil else { return nil }
        separatorAt = index
      case .theirs:
        guard let separatorAt else { return nil }
        func join(_ range: Range<Int>) -> [UInt8] {
          range.isEmpty ? [] : Array(bytes[lines[range.lowerBound].lowerBound..<lines[range.upperBound - 1].upperBound])
        }
        let oursEnd = baseAt ?? separatorAt
        let hunk = Hunk(
          lines: (start + 1)...(index + 1), markerSize: open.size,
          labels: (open.label, base?.label, found.label),
          ours: join((start + 1)..<oursEnd),
          base: baseAt.map { join(($0 + 1)..<separatorAt) },
          theirs: join((separatorAt + 1)..<index),
          raw: Array(bytes[(lines[start].lowerBound + skip)..<lines[index].upperBound]))
        return (hunk, index)
      }
    }
    return nil
  }
}
