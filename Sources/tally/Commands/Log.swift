import ArgumentParser
import TallyHistory
import TallyText

struct Log: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "Show a record's history: who changed which fields, when.",
    discussion: """
      Newest first: date (in the repository's time zone), author (the staff member whose \
      email made the commit, else git's name), commit and message, then the field changes \
      ("status: prospect → active", "+ follow_ups[2]: …"). Renames are followed: the history \
      of the record under its earlier id comes after the rename. Commits that only reformat \
      the file are shown as such. --field narrows to changes at or below one field path.
      """)

  @Argument(help: "The record: TYPE/ID (customer/C-0042) or its file path.", completion: Completions.recordName)
  var record: String

  @Option(help: ArgumentHelp("The revision whose history to show.", valueName: "rev"))
  var rev = "HEAD"

  @Option(help: ArgumentHelp("Only changes at or below this field path (e.g. status, follow_ups).", valueName: "path"))
  var field: String?

  @Option(help: "Output format: text or json.")
  var format: DataFormat = .text

  @OptionGroup var range: HistoryRangeOptions
  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try HistoryContext.open(repository)
    let key = try context.key(record)
    var filter: FieldPath?
    if let field {
      guard let parsed = FieldPath(parsing: field) else {
        throw ValidationError("--field: not a field path: '\(field)'")
      }
      filter = parsed
    }
    let commits = try context.changes(rev, allParents: range.allParents)
    var events = context.history.events(of: key, in: commits).filter { range.includes($0.commit, text: context.text) }
    if let filter {
      events = events.compactMap { event in
        var event = event
        event.change.fields = event.change.fields.filter { $0.path.hasPrefix(filter) || filter.hasPrefix($0.path) }
        let whole = event.change.kind == .added || event.change.kind == .removed
        return event.change.fields.isEmpty && !whole ? nil : event
      }
    }
    guard !events.isEmpty || !context.history.events(of: key, in: commits).isEmpty else {
      Console.err("tally: \(key) has no history in \(rev)\n")
      throw Exit.findings
    }
    switch format {
    case .text: Console.out(text(events, key: key, context: context))
    case .json: Console.out(json(events, key: key, context: context))
    }
  }

  func text(_ events: [RecordEvent], key: RecordKey, context: HistoryContext) -> String {
    var out = ""
    for event in events {
      let commit = event.commit
      out += "\(context.text.date(commit.author))  \(context.text.author(commit.author))  "
      out += "\(commit.id.short())  \(commit.summary)\n"
      let change = event.change
      if change.kind != .modified || change.fields.isEmpty {
        out += "    \(context.text.headline(change))\n"
      }
      for field in change.fields {
        out += "    \(context.text.describe(field, type: change.type, limit: width.valueLimit))\n"
      }
    }
    out += "\(events.count) commit\(events.count == 1 ? "" : "s") changed \(key)\n"
    return out
  }

  func json(_ events: [RecordEvent], key: RecordKey, context: HistoryContext) -> [UInt8] {
    var out = JSONOut()
    out.raw("{\"version\":1,\"record\":")
    out.string(key.description)
    out.raw(",\"commits\":[")
    for event in events {
      out.comma()
      out.raw("\n{")
      out.key("commit")
      out.string(event.commit.id.hex)
      out.key("author")
      out.signature(event.commit.author, text: context.text)
      out.key("message")
      out.string(event.commit.message)
      out.key("change")
      out.recordChange(event.change)
      out.raw("}")
    }
    out.raw("\n]}\n")
    return out.bytes
  }
}
