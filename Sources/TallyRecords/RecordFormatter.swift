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
    }

    public var path: String
    public var status: Status
    public var original: [UInt8]
    public var formatted: [UInt8]
    public var diagnostics: [Diagnostic]
    /// Whether the file was rewritten.
    public var written: Bool
  }

  public var printer: CanonicalPrinter
  public var options: ParseOptions

  public init(printer: CanonicalPrinter = CanonicalPrinter(), options: ParseOptions = .default) {
    self.printer = printer
    self.options = options
  }

  /// The canonical form of `bytes`, or the parser's diagnostics when it is not a record.
  public func format(_ bytes: [UInt8], path: String) -> (formatted: [UInt8]?, diagnostics: [Diagnostic]) {
    let result = Document.parse(bytes, path: path, options: options)
    guard let document = result.document else { return (nil, result.diagnostics) }
    return (printer.printBytes(document), result.diagnostics)
  }

  /// Formats each file; with `write`, rewrites the files that change, atomically.
  /// Files that do not parse are never touched.
  public func run(paths: [String], write: Bool) -> [Outcome] {
    parallelMap(paths, batch: 8) { path in
      let bytes: [UInt8]
      do {
        bytes = try FileSystem.read(path)
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
      var outcome = Outcome(
        path: path, status: .changed, original: bytes, formatted: formatted,
        diagnostics: diagnostics, written: false)
      if write {
        do {
          try FileSystem.writeAtomically(path, formatted)
          outcome.written = true
        } catch {
          outcome.status = .failed(String(describing: error))
        }
      }
      return outcome
    }
  }
}
