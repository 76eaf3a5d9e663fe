import Foundation
import TallyGit
import TallyRecords
import TallySchema
import TallyText

/// How changes read to people: dates in the repository's time zone, staff by name,
/// "status: prospect → active", "+ follow_ups[1]: 2026-03-02 · phone · 介绍产品".
public struct ChangeText: Sendable {
  public let records: RecordsRepository
  public let people: People

  public init(records: RecordsRepository, people: People) {
    self.records = records
    self.people = people
  }

  /// `2026-03-09 09:30` in the repository's time zone.
  public func date(_ signature: Signature) -> String {
    let offset = TimeZones.offsetMinutes(records.config.timeZone, at: Int(signature.time)) ?? signature.offsetMinutes
    let local = Int(signature.time) + offset * 60
    let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
    let seconds = local - days * 86400
    let day = CivilDate(dayNumber: days)
    return "\(day) \(pad(seconds / 3600)):\(pad(seconds % 3600 / 60))"
  }

  /// The civil date of a signature in the repository's time zone.
  public func day(_ signature: Signature) -> CivilDate {
    let offset = TimeZones.offsetMinutes(records.config.timeZone, at: Int(signature.time)) ?? signature.offsetMinutes
    return Self.day(signature, offsetMinutes: offset)
  }

  /// ``day(_:)`` of each signature, with the time zone looked up once (making a zone for
  /// every commit was a tenth of a report's time on 20,000 commits).
  public func days(_ signatures: [Signature]) -> [CivilDate] {
    let name = records.config.timeZone
    // Only a region name (it has a "/") has an offset that changes with the time; for any
    // other name `TimeZones` gives the same offset, or none, at every time.
    guard name.contains("/"), let zone = TimeZone(identifier: name) else {
      let fixed = TimeZones.offsetMinutes(name, at: 0)
      return signatures.map { Self.day($0, offsetMinutes: fixed ?? $0.offsetMinutes) }
    }
    return signatures.map { signature in
      let instant = Date(timeIntervalSince1970: TimeInterval(signature.time))
      return Self.day(signature, offsetMinutes: zone.secondsFromGMT(for: instant) / 60)
    }
  }

  static func day(_ signature: Signature, offsetMinutes offset: Int) -> CivilDate {
    let local = Int(signature.time) + offset * 60
    return CivilDate(dayNumber: local >= 0 ? local / 86400 : (local - 86399) / 86400)
  }

  func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

  /// "王芳 (S-0012)" or git's name.
  public func author(_ signature: Signature) -> String {
    let (name, staff) = people.author(signature)
    return staff.map { "\(name) (\($0))" } ?? name
  }

  /// One line for a field change.
  ///
  /// - Parameter limit: the characters a value may take before it is cut with "…" (its
  ///   first line, up to four items or fields); nil to show every value whole.
  public func describe(_ change: FieldChange, type: String, limit: Int? = 40) -> String {
    let path = change.path.description
    let target = records.schema.type(named: type)?.referenceSpec(at: change.path)?.target
    switch change.kind {
    case .changed:
      return
        "\(path): \(show(change.old, target: target, limit: limit)) → \(show(change.new, target: target, limit: limit))"
    case .added:
      return "+ \(path): \(show(change.new, target: target, limit: limit))"
    case .removed:
      return "- \(path): \(show(change.old, target: target, limit: limit))"
    }
  }

  /// A value in one line: scalars as they are (references with the name), items as their
  /// values joined by " · ". With a `limit`, a short line: a text's first line cut to
  /// `limit` characters, the first four items or fields. Without one, the whole value: a
  /// text with line breaks as a quoted string with `\n` escapes, every item and field.
  public func show(_ value: Value?, target: String? = nil, limit: Int? = 40) -> String {
    guard let value else { return "(none)" }
    let count = limit == nil ? Int.max : 4
    switch value {
    case .null:
      return "(none)"
    case .scalar(let text, _):
      if let target, let name = people.names["\(target)/\(text)"] { return "\(name) (\(text))" }
      guard let limit else { return text.isEmpty ? "\"\"" : text.contains("\n") ? JSON.string(text) : text }
      let line =
        text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
      let shown = line.count > limit ? String(line.prefix(max(limit - 1, 0))) + "…" : line
      return shown.isEmpty ? "\"\"" : shown
    case .sequence(let items):
      return "[" + items.prefix(count).map { show($0, limit: limit) }.joined(separator: ", ")
        + (items.count > count ? ", …" : "") + "]"
    case .mapping(let pairs):
      let parts = pairs.prefix(count).compactMap { pair -> String? in
        guard case .scalar = pair.value else { return nil }
        return show(pair.value, limit: limit)
      }
      return parts.joined(separator: " · ")
    }
  }

  /// One line for what a commit did to a record.
  public func headline(_ change: RecordChange) -> String {
    switch change.kind {
    case .added:
      let name = change.value?.pairs?.first(where: { $0.key == "name" })?.value.text
      return "created" + (name.map { " (\($0))" } ?? "")
    case .removed:
      return "removed"
    case .renamed:
      return "renamed from \(change.oldType ?? change.type)/\(change.oldID ?? "?")"
    case .modified:
      return change.fields.isEmpty
        ? "reformatted (no field changed)" : "\(change.fields.count) field change\(change.fields.count == 1 ? "" : "s")"
    }
  }
}
