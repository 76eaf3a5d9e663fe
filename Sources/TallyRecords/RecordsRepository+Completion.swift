import TallySchema

/// Shell completion of record types and names: read from the schemas and the record
/// directories only, and quiet — a shell prints whatever a completion writes, so every
/// failure completes nothing.
extension RecordsRepository {
  /// The repository a command line being completed works on: the value of its `--repo`
  /// (`--repo DIR` or `--repo=DIR`) or the one containing `directory`; nil when there is
  /// none, or it cannot be read.
  public static func forCompletion(arguments: [String], from directory: String) -> RecordsRepository? {
    var explicit: String?
    for (index, argument) in arguments.enumerated() {
      if argument == "--" { break }
      if argument == "--repo", index + 1 < arguments.count {
        explicit = arguments[index + 1]
      } else if argument.hasPrefix("--repo=") {
        explicit = String(argument.dropFirst("--repo=".count))
      }
    }
    return try? RecordsRepository.open(root: explicit, from: directory, displayBase: directory)
  }

  /// The names of the record types that start with `prefix` (`tally new TYPE`).
  public func typeCompletions(_ prefix: String) -> [String] {
    schema.types.map(\.name).filter { $0.hasPrefix(prefix) }.sorted()
  }

  /// Record names that complete `prefix` (`tally set TYPE/ID`): `TYPE/` for each type whose
  /// name starts with it while no type is written; then, once it is (`customer/`, or the
  /// directory, `customers/`), `TYPE/ID` for each record of the working tree whose id starts
  /// with what follows, with the type written as in `prefix`.
  public func recordNameCompletions(_ prefix: String) -> [String] {
    guard let slash = prefix.lastIndex(of: "/") else {
      return typeCompletions(prefix).map { $0 + "/" }
    }
    let typePart = String(prefix[..<slash])
    let idPrefix = prefix[prefix.index(after: slash)...]
    guard let type = schema.type(named: typePart) ?? schema.type(forDirectory: typePart) else { return [] }
    let editing = RecordEditing(repository: self, today: CivilDate(year: 2000, month: 1, day: 1))
    return editing.existingIDs(of: type).filter { $0.hasPrefix(idPrefix) }.map { typePart + "/" + $0 }.sorted()
  }
}
