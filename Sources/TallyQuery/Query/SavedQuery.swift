import Foundation
import TallyHistory
import TallyRecords
import TallyText

/// A query a team keeps in `queries/NAME.sql`, with a header of `--` lines:
///
/// ```sql
/// -- title: A-tier customers with no call in 30 days
/// -- param: team = 华东二组
/// -- param: days = 30
/// SELECT … WHERE … :team … :days …
/// ```
///
/// `tally query NAME --param team=华东一组` runs it; parameters without a default must be given.
public struct SavedQuery: Sendable {
  public static let directory = "queries"

  public struct Parameter: Sendable {
    public var name: String
    public var defaultValue: String?
  }

  public var name: String
  public var path: String
  public var title: String
  public var parameters: [Parameter]
  public var sql: String

  public enum Problem: Error, CustomStringConvertible {
    case notFound(String, [String])
    case unreadable(String)
    case missingParameter(String, String)
    case unknownParameter(String, String, [String])
    case badHeader(String, Int, String)

    public var description: String {
      switch self {
      case .notFound(let name, let names):
        "no saved query '\(name)' in \(SavedQuery.directory)/"
          + (names.isEmpty ? "" : " (queries: \(names.joined(separator: ", ")))")
      case .unreadable(let path): "cannot read \(path)"
      case .missingParameter(let query, let name): "\(query) needs --param \(name)=…"
      case .unknownParameter(let query, let name, let known):
        "\(query) has no parameter '\(name)'" + (known.isEmpty ? "" : " (parameters: \(known.joined(separator: ", ")))")
      case .badHeader(let path, let line, let why): "\(path):\(line): \(why)"
      }
    }
  }

  /// Every saved query of the records root, by name.
  public static func all(in records: RecordsRepository) -> [SavedQuery] {
    let root = FileSystem.joinPath(records.root, directory)
    let files = ((try? FileSystem.files(under: root, suffixes: [".sql"])) ?? []).sorted()
    return files.compactMap { file in
      guard let bytes = try? FileSystem.read(file) else { return nil }
      return try? parse(
        String(decoding: bytes, as: UTF8.self), name: String(FileSystem.baseName(of: file).dropLast(4)),
        path: records.displayPath(FileSystem.relative(file, to: records.root)))
    }
  }

  /// Every saved query as the records are in `commit` of `history` (not the working tree),
  /// by name; files that cannot be read as one are left out, as ``all(in:)`` does.
  public static func all(in history: History, at commit: CommitID) throws -> [SavedQuery] {
    try history.files(in: directory, at: commit).compactMap { file in
      guard file.name.hasSuffix(".sql") else { return nil }
      let name = String(file.name.dropLast(4))
      return try? parse(
        String(decoding: file.bytes, as: UTF8.self), name: name,
        path: history.records.displayPath(directory + "/" + file.name))
    }
  }

  /// The saved query `name` as the records are in `commit` of `history`.
  ///
  /// - Throws: ``Problem/notFound(_:_:)`` naming the queries there are, or
  ///   ``Problem/badHeader(_:_:_:)``.
  public static func named(_ name: String, in history: History, at commit: CommitID) throws(Problem) -> SavedQuery {
    let files = (try? history.files(in: directory, at: commit)) ?? []
    guard !name.contains("/"), let file = files.first(where: { $0.name == name + ".sql" }) else {
      throw .notFound(name, files.filter { $0.name.hasSuffix(".sql") }.map { String($0.name.dropLast(4)) })
    }
    return try parse(
      String(decoding: file.bytes, as: UTF8.self), name: name,
      path: history.records.displayPath(directory + "/" + file.name))
  }

  public static func named(_ name: String, in records: RecordsRepository) throws(Problem) -> SavedQuery {
    let file = FileSystem.joinPath(records.root, directory + "/" + name + ".sql")
    guard !name.contains("/"), let bytes = try? FileSystem.read(file) else {
      throw .notFound(name, all(in: records).map(\.name))
    }
    return try parse(
      String(decoding: bytes, as: UTF8.self), name: name,
      path: records.displayPath(directory + "/" + name + ".sql"))
  }

  public static func parse(_ text: String, name: String, path: String) throws(Problem) -> SavedQuery {
    var query = SavedQuery(name: name, path: path, title: name, parameters: [], sql: text)
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard trimmed.hasPrefix("--") else {
        if trimmed.isEmpty { continue }
        break
      }
      let header = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
      if header.hasPrefix("title:") {
        query.title = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
      } else if header.hasPrefix("param:") {
        let spec = header.dropFirst(6)
        let parts = spec.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, !first.isEmpty, first.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else {
          throw .badHeader(path, number + 1, "write '-- param: name' or '-- param: name = default'")
        }
        query.parameters.append(Parameter(name: first, defaultValue: parts.count > 1 ? parts[1] : nil))
      }
    }
    return query
  }

  /// The values of the parameters: given ones, else defaults.
  public func values(_ given: [String: SQLValue]) throws(Problem) -> [String: SQLValue] {
    var result: [String: SQLValue] = [:]
    for name in given.keys where !parameters.contains(where: { $0.name == name }) {
      throw .unknownParameter(self.name, name, parameters.map(\.name))
    }
    for parameter in parameters {
      if let value = given[parameter.name] {
        result[parameter.name] = value
      } else if let value = parameter.defaultValue {
        result[parameter.name] = SQLValue(parameter: value)
      } else {
        throw .missingParameter(name, parameter.name)
      }
    }
    return result
  }
}

extension SQLValue {
  /// A parameter's value as given on the command line or in a URL: a whole number as an
  /// integer, anything else as text.
  public init(parameter text: String) {
    self = Int64(text).map { .integer($0) } ?? .text(text)
  }
}
