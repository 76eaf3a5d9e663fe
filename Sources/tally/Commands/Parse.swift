import ArgumentParser
import TallyRecords
import TallyText

struct Parse: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "parse",
    abstract: "Parse record files and print what Tally reads from them.",
    discussion: """
      With one file and --format json, prints the file's value as JSON: a mapping becomes an \
      object with its keys in file order, a list an array, every scalar a string, an empty \
      value null. With several files, prints JSON Lines: one {"path": ..., "value": ...} per \
      file that parses.

      The text format prints one line per value: its path, its text as a JSON string, and \
      its line:column and style.

      Files that are not in the record format are reported on standard error, compiler-style; \
      the other files are still parsed. Exit status: 0 when every file parses, 1 when one \
      does not, 2 when a file cannot be read.
      """)

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  @Argument(help: "Record files to parse.", completion: .file(extensions: ["yaml", "yml"]))
  var files: [String]

  @Option(help: "Output format: text or json.")
  var format: Format = .text

  @Flag(help: "Same as --format json.")
  var json = false

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let asJSON = json || format == .json
    let files = PathArguments.all(self.files)
    let single = files.count == 1
    let results = parallelMap(files, batch: 32) {
      path -> (output: [UInt8], errors: [Diagnostic], file: SourceFile?, failure: String?) in
      let bytes: [UInt8]
      do {
        bytes = try FileSystem.read(path)
      } catch {
        return ([], [], nil, String(describing: error))
      }
      let result = SyntaxTree.parse(bytes, path: path)
      let file = result.diagnostics.isEmpty ? nil : SourceFile(path: path, bytes: bytes)
      guard let tree = result.tree else { return ([], result.diagnostics, file, nil) }
      var out: [UInt8] = []
      if asJSON {
        if single {
          tree.writeJSON(into: &out)
        } else {
          tree.writeJSONLine(path: path, into: &out)
        }
      } else {
        if !single { out.append(contentsOf: "== \(path)\n".utf8) }
        tree.writeOutline(into: &out)
      }
      return (out, result.diagnostics, file, nil)
    }
    let renderer = DiagnosticRenderer(color: global.useColor)
    var invalid = 0
    var failed = 0
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 20)
    for result in results {
      buffer.append(contentsOf: result.output)
      if buffer.count >= 1 << 20 || result.failure != nil || result.file != nil {
        Console.out(buffer)
        buffer.removeAll(keepingCapacity: true)
      }
      if let failure = result.failure {
        Console.err("tally: \(failure)\n")
        failed += 1
      }
      if let file = result.file {
        Console.err(renderer.render(result.errors, file: file))
      }
      if result.errors.hasErrors { invalid += 1 }
    }
    Console.out(buffer)
    if failed > 0 { throw Exit.failure }
    if invalid > 0 { throw Exit.findings }
  }
}
