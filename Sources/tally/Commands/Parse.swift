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
          tree.root.writeJSON(into: &out, pretty: true)
        } else {
          out.append(contentsOf: #"{"path":"#.utf8)
          JSON.writeString(path, into: &out)
          out.append(contentsOf: #","value":"#.utf8)
          tree.root.writeJSON(into: &out)
          out.append(UInt8(ascii: "}"))
        }
        out.append(0x0A)
      } else {
        if !single { out.append(contentsOf: "== \(path)\n".utf8) }
        Outline.write(tree.root, into: &out)
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

/// One line per value: `path = "text"  @line:col style`.
enum Outline {
  static func write(_ root: SyntaxNode, into out: inout [UInt8]) {
    if root.count == 0 {
      out.append(contentsOf: "(root) = {}\n".utf8)
      return
    }
    visit(root, path: FieldPath(), into: &out)
  }

  static func visit(_ node: SyntaxNode, path: FieldPath, into out: inout [UInt8]) {
    if node.isMapping, node.count > 0 {
      for entry in node.entries {
        visit(entry.value, path: path.appending(key: entry.key.text ?? ""), into: &out)
      }
      return
    }
    if node.isSequence, node.count > 0 {
      for (index, item) in node.items.enumerated() {
        visit(item, path: path.appending(index: index), into: &out)
      }
      return
    }
    out.append(contentsOf: path.description.utf8)
    out.append(contentsOf: " = ".utf8)
    switch node.kind {
    case .scalar: _ = node.withUTF8 { JSON.writeString(bytes: $0, into: &out) }
    case .mapping: out.append(contentsOf: "{}".utf8)
    case .sequence: out.append(contentsOf: "[]".utf8)
    case .null: out.append(contentsOf: "null".utf8)
    }
    let start = node.range.start
    out.append(contentsOf: "  @\(start.line):\(start.column)".utf8)
    if node.isScalar, node.style != .plain {
      out.append(contentsOf: " \(node.style.rawValue)".utf8)
    }
    out.append(0x0A)
  }
}
