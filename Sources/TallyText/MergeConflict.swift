/// A git merge conflict left in a file: the lines between the markers git writes at the
/// start of a line — `<<<<<<< ours`, `||||||| base` (the diff3 and zdiff3 styles),
/// `=======` and `>>>>>>> theirs`.
///
/// ``find(in:)`` finds conflicts in any text without parsing it. The record parser uses it
/// to report each conflict as one `merge-conflict` diagnostic instead of the errors its
/// marker lines would cause; a merge driver can use it to check what it wrote.
public struct MergeConflict: Sendable, Hashable {
  /// One marker line.
  public struct Marker: Sendable, Hashable {
    /// Which marker a line is, in the order git writes them.
    public enum Kind: Int, Sendable, Hashable, Comparable {
      /// `<<<<<<<`: our side follows.
      case ours
      /// `|||||||`: the common ancestor follows (diff3 style).
      case base
      /// `=======`: their side follows.
      case separator
      /// `>>>>>>>`: the end of the conflict.
      case theirs

      public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }

      /// The seven characters of the marker.
      public var text: String {
        switch self {
        case .ours: "<<<<<<<"
        case .base: "|||||||"
        case .separator: "======="
        case .theirs: ">>>>>>>"
        }
      }
    }

    public var kind: Kind
    /// The 1-based line number.
    public var line: Int
    /// The line's bytes, without its line break.
    public var bytes: Range<Int>
    /// The text after the marker (a branch, a commit or a file name), or "".
    public var label: String
    /// How many marker characters it has: 7, or git's `conflict-marker-size`.
    public var size: Int

    public init(kind: Kind, line: Int, bytes: Range<Int>, label: String, size: Int = 7) {
      self.kind = kind
      self.line = line
      self.bytes = bytes
      self.label = label
      self.size = size
    }
  }

  /// The marker lines, in file order: `<<<<<<<`, `=======` and `>>>>>>>`, with `|||||||`
  /// after the first in diff3 style. A conflict left half resolved may lack some of them;
  /// a stray marker line is a conflict of its own.
  public var markers: [Marker]

  public init(markers: [Marker]) {
    precondition(!markers.isEmpty, "a merge conflict has at least one marker line")
    self.markers = markers
  }

  /// The marker line of `kind`, if the conflict has one.
  public func marker(_ kind: Marker.Kind) -> Marker? {
    markers.first { $0.kind == kind }
  }

  /// Whether the conflict has the three marker lines git always writes.
  public var isComplete: Bool {
    marker(.ours) != nil && marker(.separator) != nil && marker(.theirs) != nil
  }

  /// The 1-based lines the conflict spans, its marker lines included.
  public var lines: ClosedRange<Int> { markers[0].line...markers[markers.count - 1].line }

  /// The 1-based lines of our side (empty when it has none or its marker is missing).
  public var ours: Range<Int> { side(after: .ours) }

  /// The 1-based lines of the common ancestor (diff3 style; empty otherwise).
  public var base: Range<Int> { side(after: .base) }

  /// The 1-based lines of their side (empty when it has none or a marker is missing).
  public var theirs: Range<Int> { side(after: .separator) }

  /// The lines from the marker of `kind` to the next marker line.
  func side(after kind: Marker.Kind) -> Range<Int> {
    guard let index = markers.firstIndex(where: { $0.kind == kind }), index + 1 < markers.count else {
      return 0..<0
    }
    return (markers[index].line + 1)..<markers[index + 1].line
  }

  /// The merge conflicts in `bytes`, in file order.
  public static func find(in bytes: [UInt8]) -> [MergeConflict] {
    bytes.withUnsafeBufferPointer { find(in: $0) }
  }

  /// The merge conflicts in `text`, in file order.
  ///
  /// A marker is seven or more `<`, `|`, `=` or `>` at the start of a line (seven by
  /// default; git writes as many as a file's `conflict-marker-size` attribute says),
  /// followed by a blank or the end of the line. Lines end at LF or CRLF; a UTF-8 byte
  /// order mark at the start is skipped. Markers of one size that follow one another in
  /// git's order belong to one conflict, which `>>>>>>>` ends; any other marker starts a
  /// new one.
  public static func find(in text: UnsafeBufferPointer<UInt8>) -> [MergeConflict] {
    var conflicts: [MergeConflict] = []
    var open: [Marker] = []
    var start = text.count >= 3 && text[0] == 0xEF && text[1] == 0xBB && text[2] == 0xBF ? 3 : 0
    var line = 1
    while start < text.count {
      var end = start
      while end < text.count, text[end] != 0x0A { end += 1 }
      let next = end + 1
      if end > start, text[end - 1] == 0x0D, end < text.count { end -= 1 }
      if let marker = marker(in: text, from: start, to: end, line: line) {
        if let last = open.last, last.kind < marker.kind, last.size == marker.size {
          open.append(marker)
        } else {
          if !open.isEmpty { conflicts.append(MergeConflict(markers: open)) }
          open = [marker]
        }
        if marker.kind == .theirs {
          conflicts.append(MergeConflict(markers: open))
          open = []
        }
      }
      start = next
      line += 1
    }
    if !open.isEmpty { conflicts.append(MergeConflict(markers: open)) }
    return conflicts
  }

  static func marker(in text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, line: Int) -> Marker? {
    guard end - start >= 7 else { return nil }
    let kind: Marker.Kind
    switch text[start] {
    case UInt8(ascii: "<"): kind = .ours
    case UInt8(ascii: "|"): kind = .base
    case UInt8(ascii: "="): kind = .separator
    case UInt8(ascii: ">"): kind = .theirs
    default: return nil
    }
    var size = 1
    while start + size < end, text[start + size] == text[start] { size += 1 }
    guard size >= 7 else { return nil }
    if start + size < end, text[start + size] != 0x20, text[start + size] != 0x09 { return nil }
    var from = start + size
    var to = end
    while from < to, text[from] == 0x20 || text[from] == 0x09 { from += 1 }
    while to > from, text[to - 1] == 0x20 || text[to - 1] == 0x09 || text[to - 1] == 0x0D { to -= 1 }
    let label = String(decoding: UnsafeBufferPointer(rebasing: text[from..<to]), as: UTF8.self)
    return Marker(kind: kind, line: line, bytes: start..<end, label: label, size: size)
  }
}
