import TallyGit
import TallyText

/// Rewrites record files into canonical form (`tally fmt`).
public struct RecordFormatter: Sendable {
  /// What happened to one file.
  public struct Outcome: Sendable {
    public enum Status: Sendable, Equatable {
      /// Already canonical.
      case unchanged
      /// Not canonical: `formatted` holds the canonical bytes (written unless checking).
      case changed
      /// Not in the record format: left untouched, `diagnostics` say why.
      case invalid
      /// Could not be read or written.
      case failed(String)
      /// Not formatted: a signal (Ctrl-C) stopped the run first.
      case skipped
      /// Left untouched on purpose: the reason (a record whose schema has errors).
      case leftAlone(String)
    }

    public var path: String
    public var status: Status
    public var original: [UInt8]
    public var formatted: [UInt8]
    public var diagnostics: [Diagnostic]
    /// Whether the file was rewritten.
    public var written: Bool
  }

  public var options: ParseOptions
  /// The policy for each directory's files (by absolute directory path).
  let policies: [String: FormattingPolicy]

  /// A formatter for `paths`: each file is printed by the schemas of the records
  /// repository it is in (found from its directory upwards), or plainly when it is in none.
  public init(paths: [String], options: ParseOptions = .default) {
    self.options = options
    var policies: [String: FormattingPolicy] = [:]
    var repositories: [String: RecordsRepository?] = [:]
    for path in paths {
      let directory = FileSystem.parentDirectory(of: FileSystem.absolute(path))
      guard policies[directory] == nil else { continue }
      let root = RecordsRoot.find(from: directory)
      var repository: RecordsRepository?
      if let root {
        if let cached = repositories[root] {
          repository = cached
        } else {
          repository = try? RecordsRepository.open(root: root, from: root, displayBase: root)
          repositories[root] = repository
        }
      }
      policies[directory] = FormattingPolicy(repository: repository)
    }
    self.policies = policies
  }

  /// Why the file at `path` is not formatted (see ``FormattingPolicy/reasonToLeaveAlone(absolutePath:)``),
  /// or nil.
  public func reasonToLeaveAlone(_ path: String) -> String? {
    let absolute = FileSystem.absolute(path)
    return policies[FileSystem.parentDirectory(of: absolute)]?.reasonToLeaveAlone(absolutePath: absolute)
  }

  /// The canonical form of `bytes`, or the parser's diagnostics when it is not a record.
  public func format(_ bytes: [UInt8], path: String) -> (formatted: [UInt8]?, diagnostics: [Diagnostic]) {
    let result = Document.parse(bytes, path: path, options: options)
    guard let document = result.document else { return (nil, result.diagnostics) }
    let absolute = FileSystem.absolute(path)
    let policy = policies[FileSystem.parentDirectory(of: absolute)] ?? FormattingPolicy(repository: nil)
    return (policy.format(document, absolutePath: absolute), result.diagnostics)
  }

  /// Formats each file; with `write`, rewrites the files that change, atomically.
  /// Files that do not parse, records whose schema has errors, and symbolic links (reported
  /// as not in the record format, code `symlink`) are never touched. Once a signal is
  /// pending (see `Interrupts`), the files not yet begun are skipped: each file is either
  /// as it was or formatted whole.
  public func run(paths: [String], write: Bool) -> [Outcome] {
    var outcomes = parallelMap(paths, batch: 8) { path in
      if Interrupts.pending != nil {
        return Outcome(path: path, status: .skipped, original: [], formatted: [], diagnostics: [], written: false)
      }
      if let reason = reasonToLeaveAlone(path) {
        return Outcome(
          path: path, status: .leftAlone(reason), original: [], formatted: [], diagnostics: [], written: false)
      }
      let bytes: [UInt8]
      do {
        bytes = try FileSystem.read(path)
      } catch let error as FileError where error.isSymbolicLink {
        let diagnostic = Diagnostic(
          .error, code: "symlink", message: "\(path) is a symbolic link; tally does not follow links", path: path,
          hint: "replace the link with the file itself")
        return Outcome(
          path: path, status: .invalid, original: [], formatted: [], diagnostics: [diagnostic], written: false)
      } catch {
        return Outcome(
          path: path, status: .failed(String(describing: error)), original: [], formatted: [],
          diagnostics: [], written: false)
      }
      let (formatted, diagnostics) = format(bytes, path: path)
      guard let formatted else {
        return Outcome(
          path: path, status: .invalid, original: bytes, formatted: [], diagnostics: diagnostics,
          written: false)
      }
      if formatted == bytes {
        return Outcome(
          path: path, status: .unchanged, original: bytes, formatted: formatted,
          diagnostics: diagnostics, written: false)
      }
      return Outcome(
        path: path, status: .changed, original: bytes, formatted: formatted,
        diagnostics: diagnostics, written: false)
    }
    guard write else { return outcomes }
    // Written on several threads: each file's flush to disk is a wait.
    let changed = outcomes.indices.filter { outcomes[$0].status == .changed }
    let written = FileSystem.writeAtomically(changed.map { (outcomes[$0].path, outcomes[$0].formatted) })
    for (index, result) in zip(changed, written) {
      switch result {
      case .written: outcomes[index].written = true
      case .failed(let error): outcomes[index].status = .failed(error.description)
      case .skipped: outcomes[index].status = .skipped
      }
    }
    return outcomes
  }
}
