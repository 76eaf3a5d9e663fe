import TallyRecords
import TallySampleData
import TallySchema
import TallyText

/// Tally's own checks of sample records against the shipped schemas: `tally check`
/// (TallyRecords' `RepositoryChecker`: every file's format and schema, the references and
/// rules across records, and, given the records of an earlier version, the state
/// transitions and the states new records start in) and `tally fmt --check` (the canonical
/// form `FormattingPolicy` prints). Warnings count as problems: sample data has none.
struct ShippedChecks {
  let repository: RecordsRepository
  private let formatting: FormattingPolicy

  init(repository: RecordsRepository) {
    self.repository = repository
    formatting = FormattingPolicy(repository: repository)
  }

  /// What `tally check` finds in `files` (path relative to the records root → content),
  /// each problem as one line.
  func problems(in files: [String: [UInt8]], today: CivilDate = CivilDate(year: 2026, month: 12, day: 31)) -> [String] {
    let snapshot = files.keys.sorted().map { path in
      let content = files[path]!
      return SnapshotFile(path: path) { content }
    }
    let report = RepositoryChecker(repository: repository, today: today).check(files: snapshot)
    return report.diagnostics.map(Self.describe)
      + files.keys.sorted().compactMap { formProblem(path: $0, content: files[$0]!) }
  }

  /// Why `content` is not what `tally fmt` writes for the file at `path`; nil when it is.
  /// (A file that does not parse is `tally check`'s to report.)
  func formProblem(path: String, content: [UInt8]) -> String? {
    Document.parse(content, path: path).document.flatMap { formProblem(path: path, content: content, document: $0) }
  }

  /// ``formProblem(path:content:)`` of a file already parsed.
  func formProblem(path: String, content: [UInt8], document: Document) -> String? {
    let canonical = formatting.format(document, absolutePath: repository.root + "/" + path)
    return canonical == content ? nil : "\(path) is not in canonical form"
  }

  /// `customers/C-0042.yaml:7:3: error[not-in-enum]: …`.
  static func describe(_ diagnostic: Diagnostic) -> String {
    let position = diagnostic.range.map { ":\($0.start.line):\($0.start.column)" } ?? ""
    return "\(diagnostic.path)\(position): \(diagnostic.severity.rawValue)[\(diagnostic.code)]: \(diagnostic.message)"
  }
}
