import TallyRecords
import TallyText

/// `tally diff`: what changed between two versions of the records, per record and per field.
public struct SnapshotComparison: Sendable {
  /// What is compared with what.
  public enum Sides: Sendable, Equatable {
    /// A revision (default `HEAD`) against the working tree.
    case workingTree(against: String)
    /// `HEAD` against the index: what would be committed.
    case staged
    /// Commit `from` against commit `to`.
    case commits(from: String, to: String)
  }

  /// The names of the two sides ("HEAD", "the working tree").
  public var from: String
  public var to: String
  public var changes: [RecordChange]
  /// "3 customers changed, 1 added; +2 follow-ups".
  public var summary: String

  /// Records grouped by type, each with its headline and the fields that changed (values
  /// cut to `valueLimit` characters; nil: never), then the summary line.
  public func text(_ text: ChangeText, valueLimit: Int?) -> String {
    var out = ""
    var currentType = ""
    for change in changes {
      if change.type != currentType {
        currentType = change.type
        out += "\(currentType):\n"
      }
      out += "  \(change.id)  \(text.headline(change))\n"
      for field in change.fields {
        out += "      \(text.describe(field, type: change.type, limit: valueLimit))\n"
      }
    }
    out += "\(from) → \(to): \(summary)\n"
    return out
  }

  /// `{"version":1,"from","to","summary","records":[...]}`.
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1")
    out.key("from")
    out.string(from)
    out.key("to")
    out.string(to)
    out.key("summary")
    out.string(summary)
    out.key("records")
    out.raw("[")
    for change in changes {
      out.separate()
      out.raw("\n")
      out.recordChange(change)
    }
    out.raw("\n]}\n")
    return out.bytes
  }
}

extension History {
  /// Compares two versions of the records (see ``SnapshotComparison/Sides``).
  public func compare(_ sides: SnapshotComparison.Sides) throws -> SnapshotComparison {
    let old: [SnapshotFile]
    let new: [SnapshotFile]
    let names: (String, String)
    switch sides {
    case .staged:
      old = try records(at: try resolve("HEAD")).snapshotFiles()
      new = try indexFiles()
      names = ("HEAD", "the index")
    case .commits(let from, let to):
      old = try records(at: try resolve(from)).snapshotFiles()
      new = try records(at: try resolve(to)).snapshotFiles()
      names = (from, to)
    case .workingTree(let revision):
      old = try records(at: try resolve(revision)).snapshotFiles()
      new = try CheckoutSource(repository: records).files()
      names = (revision, "the working tree")
    }
    let changes = try SnapshotDiff.compare(old, new, records: records)
    return SnapshotComparison(
      from: names.0, to: names.1, changes: changes, summary: SnapshotDiff.summary(changes, records: records))
  }
}
