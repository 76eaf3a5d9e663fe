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
      var rows: [[String]] = []
      for line in lines {
        let commit = line.commit
        rows.append([
          commit.map { $0.id.short() } ?? "-------",
          commit.map { context.text.date($0.author) } ?? "",
          commit.map { context.text.people.author($0.author).name } ?? "",
          line.path.description,
          context.text.show(
            line.value, target: context.records.schema.type(named: key.type)?.referenceSpec(at: line.path)?.target),
        ])
      }
      Console.out(Table.render(rows, maxWidth: Console.terminalWidth))
    }
  }
}

/// Plain aligned columns, sized by display width (CJK characters take two columns); the last
/// column is cut to fit `maxWidth`.
enum Table {
  static func render(_ rows: [[String]], header: [String]? = nil, maxWidth: Int = 120) -> String {
    let all = (header.map { [$0] } ?? []) + rows
    guard let columns = all.map(\.count).max(), columns > 0 else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in all {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
    }
    let fixed = widths.dropLast().reduce(0, +) + 2 * (columns - 1)
    let last = max(10, maxWidth - fixed)
    var out = ""
    for row in all {
      var line = ""
      for (index, cell) in row.enumerated() {
        if index == columns - 1 {
          line += DisplayWidth.of(cell) > last ? DisplayWidth.truncate(cell, toWidth: last) : cell
        } else {
          line += DisplayWidth.pad(cell, toWidth: widths[index]) + "  "
        }
      }
      while line.hasSuffix(" ") { line.removeLast() }
      out += line + "\n"
    }
    return out
  }
}
