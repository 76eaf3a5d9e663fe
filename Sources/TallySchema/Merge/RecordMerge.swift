import TallyText

/// A three-way merge of one record by its schema: what `tally merge-driver` does for each
/// record file git merges.
///
/// The two sides' changes are compared with the base value by value, as ``FieldDiff``
/// reads them, never as lines:
/// - a field changed on one side only takes that side's value (and its comments); the same
///   change on both sides is taken once; two different changes to one scalar are a
///   conflict on that field, and every other field still merges;
/// - objects merge field by field; lists merge item by item, items matched by the list's
///   `unique_by` key or, for lists without one, by their whole content. Items added on
///   both sides are all kept (the same item added twice is kept once), the other side's
///   additions placed by the items' date field where the schema has one, else at the end;
///   an item removed on one side and changed on the other is a conflict;
/// - `merge: atomic` and `merge: manual` (``MergeStrategy``) make a value merge whole;
///   `merge: manual` on the record type makes any two different concurrent changes to a
///   record one conflict;
/// - a record added on both sides merges against an empty base.
///
/// The result is printed in canonical form (schema key order, comments kept, the file's
/// line breaks and byte order mark as ours had them). Where one side did not change the
/// file, the result is the other side's bytes exactly. A conflict is written as diff3
/// markers around only the lines of the conflicting value, so everything around it is
/// merged and readable.
///
/// A merge never silently makes an invalid record: when both sides pass the record's own
/// checks (``RecordValidator``) and the clean merge does not, the fields the new errors
/// name become conflicts, for a person to decide.
public struct RecordMerge: Sendable {
  /// One of the three versions.
  public enum Side: String, Sendable, Hashable, CaseIterable {
    case base, ours, theirs
  }

  /// A value the two sides changed in ways that do not combine.
  public struct Conflict: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
      /// Both sides changed the value, differently.
      case bothChanged = "both-changed"
      /// One side removed the value, the other changed it.
      case removedAndChanged = "removed-and-changed"
      /// Both sides changed a value the schema says a person must merge (`merge: manual`
      /// or `merge: atomic`), or the two sides' values of a field together break the
      /// record's checks.
      case manual

      /// What happened, in words.
      public var explanation: String {
        switch self {
        case .bothChanged: "changed differently on both sides"
        case .removedAndChanged: "removed on one side and changed on the other"
        case .manual: "a person merges it: the schema says so, or both sides together break the record's checks"
        }
      }
    }

    /// Where the value is, by identity (``IdentityPath``): the same in all three versions.
    public var identity: IdentityPath
    /// Where the value is in the merged record, with list positions as people read them.
    public var path: FieldPath
    public var reason: Reason
    /// The value in each version; nil where a version has none.
    public var base: Value?
    public var ours: Value?
    public var theirs: Value?

    /// `tier: changed differently on both sides`.
    public var description: String {
      let place = path.isEmpty ? "the whole record" : path.description
      return "\(place): \(reason.explanation)"
    }
  }

  /// What a merge made.
  public struct Result: Sendable {
    /// The merged file: canonical, with diff3 markers around each conflict.
    public var bytes: [UInt8]
    /// The conflicts, in the order of the file; empty for a clean merge.
    public var conflicts: [Conflict]
    /// Which version the bytes are exactly, when one side did not change the file.
    public var takenWhole: Side?

    public var isClean: Bool { conflicts.isEmpty }
  }

  /// Why a file was not merged as a record.
  public struct Unreadable: Error, Sendable, CustomStringConvertible {
    public var side: Side
    public var reason: String
    public var description: String { "\(side) \(reason)" }
  }

  /// The record type (nil: merge by values alone, every scalar compared as text).
  public let type: RecordType?
  /// The width of the conflict markers (git's `%L`, 7 by default).
  public let markerSize: Int
  /// The day record rules that read `today` are checked on.
  public let today: CivilDate?
  /// The schemas, for checking the merged record; nil: not checked.
  public let schema: SchemaSet?
  public let options: ParseOptions

  public init(
    type: RecordType?, schema: SchemaSet? = nil, today: CivilDate? = nil, markerSize: Int = 7,
    options: ParseOptions = .default
  ) {
    self.type = type
    self.schema = schema
    self.today = today
    self.markerSize = max(1, markerSize)
    self.options = options
  }

  /// Merges three versions of a record file. An empty `base` is an empty record (a record
  /// both sides added).
  ///
  /// - Throws: ``Unreadable`` when a version is not a record file (it does not parse, or
  ///   holds conflict markers already); the caller falls back to a merge of lines.
  public func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String = "") throws(Unreadable) -> Result {
    // Both sides' bytes are read first: a side that is not a record is never taken whole
    // silently, as no record merge would have been possible.
    let oursDocument = try parse(ours, side: .ours, path: path)
    let theirsDocument = try parse(theirs, side: .theirs, path: path)
    if ours == theirs { return Result(bytes: ours, conflicts: [], takenWhole: .ours) }
    if base == ours { return Result(bytes: theirs, conflicts: [], takenWhole: .theirs) }
    if base == theirs { return Result(bytes: ours, conflicts: [], takenWhole: .ours) }
    let baseDocument =
      try isBlank(base) ? Document(root: Node.Mapping(), path: path) : parse(base, side: .base, path: path)
    return merge(base: baseDocument, ours: oursDocument, theirs: theirsDocument)
  }

  /// Merges three parsed versions of a record (see ``merge(base:ours:theirs:path:)``; no
  /// side is taken whole by its bytes here).
  public func merge(base: Document, ours: Document, theirs: Document) -> Result {
    var result = render(base: base, ours: ours, theirs: theirs, forced: [])
    if result.isClean, let forced = fieldsBrokenByMerging(result.bytes, ours: ours, theirs: theirs) {
      result = render(base: base, ours: ours, theirs: theirs, forced: forced)
    }
    return result
  }

  // MARK: - Reading

  func isBlank(_ bytes: [UInt8]) -> Bool {
    bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
  }

  func parse(_ bytes: [UInt8], side: Side, path: String) throws(Unreadable) -> Document {
    if !MergeConflict.find(in: bytes).isEmpty {
      throw Unreadable(side: side, reason: "holds conflict markers already")
    }
    let result = Document.parse(bytes, path: path, options: options)
    guard let document = result.document else {
      let first = result.diagnostics.first { $0.severity == .error }
      var reason = "is not a record file"
      if let first {
        reason += " (line \(first.range?.start.line ?? 1): \(first.message))"
      }
      throw Unreadable(side: side, reason: reason)
    }
    return document
  }

  // MARK: - Checking the result

  /// The top-level fields to merge by hand because the clean merge breaks the record's own
  /// checks while both sides pass them; nil when nothing needs to be forced. A forced field
  /// is a conflict wherever ours and theirs differ, even when only one side changed it: the
  /// combination is what is wrong.
  func fieldsBrokenByMerging(_ merged: [UInt8], ours: Document, theirs: Document) -> Set<String>? {
    guard let type, let schema, let today else { return nil }
    let validator = RecordValidator(schema: schema, today: today)
    func errors(_ bytes: [UInt8]) -> [Diagnostic]? {
      let parsed = SyntaxTree.parse(bytes, path: "", options: options)
      guard let tree = parsed.tree else { return nil }
      // The id is not checked here: the file name is the same in all versions.
      return validator.validate(tree, type: type, id: "", path: "").1.filter {
        $0.severity == .error && $0.code != "bad-id"
      }
    }
    guard errors(ours.source)?.isEmpty == true, errors(theirs.source)?.isEmpty == true,
      let mergedErrors = errors(merged), !mergedErrors.isEmpty
    else { return nil }
    var fields = Set<String>()
    let differing = Set(
      FieldDiff.differences(from: ours.value, to: theirs.value, spec: type.object, lists: .byContent).compactMap {
        difference -> String? in
        if case .key(let key)? = difference.identity.components.first { return key }
        return nil
      })
    for diagnostic in mergedErrors {
      guard let field = diagnostic.field else { continue }
      var keys = [String(field.prefix { $0 != "." && $0 != "[" })]
      // A broken rule of the record is about every field it reads, not only the one its
      // diagnostic points at: 'end >= start' broken by one side's start and the other's
      // end is a conflict on both.
      if diagnostic.code == "rule" || diagnostic.code == "rule-error" {
        for rule in type.object.rules
        where diagnostic.message == rule.message || diagnostic.message.contains("'\(rule.name ?? rule.check.source)'") {
          keys += rule.check.names() + (rule.condition?.names() ?? [])
        }
      }
      for key in keys where differing.contains(key) { fields.insert(key) }
    }
    // No named field the sides disagree on: the record as a whole.
    return fields.isEmpty ? [""] : fields
  }

  // MARK: - Printing

  /// The merge printed, with markers around each conflict. `forced`: top-level fields to
  /// merge as `manual` ("" for the whole record).
  func render(base: Document, ours: Document, theirs: Document, forced: Set<String>) -> Result {
    func run(_ choices: [Int: Side]) -> (bytes: [UInt8], conflicts: [Conflict]) {
      var merger = Merger(type: type, choices: choices, forced: forced)
      let root = merger.record(base: base.root, ours: ours.root, theirs: theirs.root)
      var document = ours
      document.root = root
      if ours.headerComments == base.headerComments { document.headerComments = theirs.headerComments }
      let printed =
        if let type { type.printer.printBytes(type.ordering(document)) } else {
          CanonicalPrinter().printBytes(document)
        }
      return (printed, merger.conflicts)
    }
    let first = run([:])
    var conflicts = first.conflicts
    var output = first.bytes
    if !conflicts.isEmpty {
      let oursLines = Lines(first.bytes)
      // Each conflict's lines: where the print with its other side differs from the print
      // with ours. Conflicts whose lines touch are written as one hunk.
      var hunks: [Hunk] = []
      for index in conflicts.indices {
        hunks.append(hunk(for: [index], oursLines: oursLines, run: { run($0).bytes }))
      }
      var merged = true
      while merged {
        merged = false
        hunks.sort { $0.ours.lowerBound < $1.ours.lowerBound }
        var index = 0
        while index + 1 < hunks.count {
          if hunks[index].ours.upperBound > hunks[index + 1].ours.lowerBound
            || (hunks[index].ours.isEmpty && hunks[index].ours.lowerBound == hunks[index + 1].ours.lowerBound)
          {
            let members = hunks[index].members + hunks[index + 1].members
            hunks[index] = hunk(for: members, oursLines: oursLines, run: { run($0).bytes })
            hunks.remove(at: index + 1)
            merged = true
          } else {
            index += 1
          }
        }
      }
      output = write(hunks, oursLines: oursLines)
      // Conflicts in the order of the file.
      let order = hunks.flatMap(\.members)
      conflicts = order.map { conflicts[$0] }
    }
    if ours.usedCRLF { output = Self.crlf(output) }
    if ours.hadByteOrderMark { output = [0xEF, 0xBB, 0xBF] + output }
    return Result(bytes: output, conflicts: conflicts, takenWhole: nil)
  }

  /// A file's lines, each with its line break.
  struct Lines {
    var lines: [ArraySlice<UInt8>]

    init(_ bytes: [UInt8]) {
      var lines: [ArraySlice<UInt8>] = []
      var start = 0
      for index in bytes.indices where bytes[index] == 0x0A {
        lines.append(bytes[start...index])
        start = index + 1
      }
      if start < bytes.count { lines.append(bytes[start...]) }
      self.lines = lines
    }

    var count: Int { lines.count }
  }

  /// The lines of one or more conflicts in the print with ours, and each side's lines in
  /// their place.
  struct Hunk {
    var members: [Int]
    var ours: Range<Int>
    var base: [ArraySlice<UInt8>]
    var theirs: [ArraySlice<UInt8>]
  }

  func hunk(for members: [Int], oursLines: Lines, run: ([Int: Side]) -> [UInt8]) -> Hunk {
    let baseLines = Lines(run(Dictionary(uniqueKeysWithValues: members.map { ($0, Side.base) })))
    let theirsLines = Lines(run(Dictionary(uniqueKeysWithValues: members.map { ($0, Side.theirs) })))
    func commonPrefix(_ a: Lines, _ b: Lines) -> Int {
      var count = 0
      while count < a.count, count < b.count, a.lines[count] == b.lines[count] { count += 1 }
      return count
    }
    func commonSuffix(_ a: Lines, _ b: Lines, prefix: Int) -> Int {
      var count = 0
      while count < a.count - prefix, count < b.count - prefix,
        a.lines[a.count - 1 - count] == b.lines[b.count - 1 - count]
      {
        count += 1
      }
      return count
    }
    let prefix = min(commonPrefix(oursLines, baseLines), commonPrefix(oursLines, theirsLines))
    let suffix = min(
      commonSuffix(oursLines, baseLines, prefix: prefix), commonSuffix(oursLines, theirsLines, prefix: prefix))
    return Hunk(
      members: members, ours: prefix..<(oursLines.count - suffix),
      base: Array(baseLines.lines[prefix..<(baseLines.count - suffix)]),
      theirs: Array(theirsLines.lines[prefix..<(theirsLines.count - suffix)]))
  }

  func write(_ hunks: [Hunk], oursLines: Lines) -> [UInt8] {
    var out: [UInt8] = []
    func marker(_ character: UInt8, _ label: String) {
      out += [UInt8](repeating: character, count: markerSize)
      out += Array((" " + label).utf8)
      out.append(0x0A)
    }
    func lines(_ lines: some Collection<ArraySlice<UInt8>>) {
      for line in lines {
        out += line
        if line.last != 0x0A { out.append(0x0A) }
      }
    }
    var next = 0
    for hunk in hunks {
      lines(oursLines.lines[next..<hunk.ours.lowerBound])
      marker(UInt8(ascii: "<"), "ours")
      lines(oursLines.lines[hunk.ours])
      marker(UInt8(ascii: "|"), "base")
      lines(hunk.base)
      out += [UInt8](repeating: UInt8(ascii: "="), count: markerSize)
      out.append(0x0A)
      lines(hunk.theirs)
      marker(UInt8(ascii: ">"), "theirs")
      next = hunk.ours.upperBound
    }
    out += oursLines.lines[next...].joined()
    return out
  }

  static func crlf(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + bytes.count / 16)
    for (index, byte) in bytes.enumerated() {
      if byte == 0x0A, index == 0 || bytes[index - 1] != 0x0D { out.append(0x0D) }
      out.append(byte)
    }
    return out
  }
}
