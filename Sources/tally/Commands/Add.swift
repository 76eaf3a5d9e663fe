import ArgumentParser
import TallyRecords
import TallyText

struct Add: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add",
    abstract: "Append an item to a list field of a record (a follow-up, an order, an action item).",
    discussion: """
      Names the record as TYPE/ID or by its file, then the list field, then the item: for \
      a list of objects its fields as field=value, for a list of single values the value. \
      For example: tally add customer/C-0042 follow_ups date=2026-11-29 by=S-0012 \
      channel=phone summary="回访" outcome=interested

      The item's fields are checked against the schema before anything is written, and its \
      defaults are filled in. When required fields of the item are missing, tally asks for \
      them on a terminal; otherwise it lists them and exits 64. The list is created when it \
      is empty ([]) or missing. Then the whole record is checked as 'tally check' would, \
      and written atomically only when it has no errors; only the new item's lines are \
      added, comments and other lines are kept.

      Output: the path of the record on standard output, the change on standard error; \
      --format json prints one JSON object; --dry-run prints a unified diff and writes \
      nothing.

      With --commit, the written file is committed at once, with the checks and guarantees \
      of 'tally commit PATH', and -m MESSAGE or a message written from the change.

      Exit status: 0 when the item was added, 1 when the result has errors (nothing is \
      written), 2 when the repository cannot be read or the file written, 64 for usage \
      errors.
      """)

  @Argument(
    help: ArgumentHelp("The record: TYPE/ID or the path of its file.", valueName: "record"),
    completion: Completions.recordName)
  var record: String

  @Argument(help: ArgumentHelp("The list field (e.g. follow_ups).", valueName: "list"))
  var list: String

  @Argument(
    help: ArgumentHelp("The item: field=value for each field, or the value for a list of values.", valueName: "item"))
  var item: [String] = []

  @OptionGroup var edit: EditOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let repo = try repository.open()
    let editing = RecordEditing(repository: repo, today: today(in: repo))
    try EditCommand.run(editing, options: edit, global: global, interactive: true) {
      (answers: [RecordEditing.Assignment]) throws(RecordEditing.Failure) -> RecordEditing.Outcome in
      let target = try editing.target(record, from: FileSystem.currentDirectory)
      let listPath: FieldPath
      do throws(RecordEditing.Problem) {
        listPath = try RecordEditing.Assignment.path(list)
      } catch {
        throw .usage([error])
      }
      let arguments = item + answers.map { "\($0.path)=\($0.text ?? "")" }
      return try editing.add(target, list: listPath, arguments: arguments)
    }
  }
}
