import ArgumentParser
import TallyGit
import TallyHistory
import TallyText

struct Blame: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "blame",
    abstract: "Show, for every field of a record, the commit, author and date that last changed it.",
    discussion: """
      Works on fields, not lines: reformatting a file or reordering its keys does not count \
      as a change. The record is read as it is in REV (default HEAD); renames are followed.
      """)

  @Argument(help: "The record: TYPE/ID (customer/C-0042) or its file path.", completion: Completions.recordName)
  var record: String

  @Option(help: ArgumentHelp("The revision to blame.", valueName: "rev"))
  var rev = "HEAD"

  @Option(help: "Output format: text or json.")
  var format: DataFormat = .text

  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try HistoryContext.open(repository)
    let key = try context.key(record)
    let commits = try context.changes(rev, allParents: false)
    let events = context.history.events(of: key, in: commits)
    let tip: ObjectID
    do {
      tip = try context.git.commit(rev)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
    guard let (_, bytes) = try? context.history.recordBytes(key, at: tip, renamedFrom: events),
      let value = SyntaxTree.parse(bytes).tree?.value
    else {
      Console.err("tally: \(key) is not in \(rev)\n")
      throw Exit.findings
    }
    let lines = History.blame(value, events: events)
    switch format {
    case .json:
      var out = JSONOut()
      out.raw("{\"version\":1,\"record\":")
      out.string(key.description)
      out.raw(",\"fields\":[")
      for line in lines {
        out.comma()
        out.raw("\n{")
        out.key("path")
        out.string(line.path.description)
        out.key("value")
        out.value(line.value)
        out.key("commit")
        if let commit = line.commit { out.string(commit.id.hex) } else { out.raw("null") }
        out.key("author")
        if let commit = line.commit { out.signature(commit.author, text: context.text) } else { out.raw("null") }
        out.raw("}")
      }
      out.raw("\n]}\n")
      Console.out(out.bytes)
    case .text:
      let target = { (path: FieldPath) in
        context.records.schema.type(named: key.type)?.referenceSpec(at: path)?.target
      }
      var table = TextTable(
        columns: [
          .init(cuttable: false), .init(cuttable: false), .init(cuttable: false), .init(), .init(),
        ], header: false)
      for line in lines {
        let commit = line.commit
        table.rows.append([
          commit.map { $0.id.short() } ?? "-------",
          commit.map { context.text.date($0.author) } ?? "",
          commit.map { context.text.people.author($0.author).name } ?? "",
          line.path.description,
          Self.shown(line.value, target: target(line.path), names: context.text.people.names),
        ])
      }
      Console.out(table.render(width: width.tableWidth))
    }
  }

  /// A field's value in full, for the table: text with its line breaks (a multi-line value
  /// takes several lines of its column), a reference with the name of what it names.
  static func shown(_ value: Value, target: String?, names: [String: String]) -> String {
    switch value {
    case .null: return "(none)"
    case .scalar(let text, _):
      if let target, let name = names["\(target)/\(text)"] { return "\(name) (\(text))" }
      return text.isEmpty ? "\"\"" : text
    case .sequence, .mapping:
      // Blame's fields are scalars or empty lists; anything else is written whole, as JSON.
      var bytes: [UInt8] = []
      value.writeJSON(into: &bytes)
      return String(decoding: bytes, as: UTF8.self)
    }
  }
}
