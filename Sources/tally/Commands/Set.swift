import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

struct SetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set",
    abstract: "Change fields of a record, keeping its comments and other lines.",
    discussion: """
      Names the record as TYPE/ID (customer/C-0042, customers/C-0042) or by its file \
      (customers/C-0042.yaml). Each assignment is field=value; nested fields and list \
      items are reached with a path: address.city=上海, contacts[0].phone=13900001111. A \
      field that is not there is added in schema order. 'field=' (nothing after '=') and \
      --unset field remove the field (or list item: --unset follow_ups[2]).

      Values are checked against the schema before anything is written: numbers, money, \
      real calendar dates, enum values, email addresses, phone numbers, and references to \
      records that exist. Then the whole record is checked as 'tally check' would, \
      references included, and written atomically only when it has no errors. Only the \
      edited lines change; values are quoted where a YAML reader would otherwise read them \
      as something else (yes, 0123).

      Output: the path of the record on standard output, the changes on standard error; \
      --format json prints one JSON object (docs/commands.md). --dry-run prints a unified \
      diff and writes nothing.

      With --commit, the written file is committed at once, with the checks and guarantees \
      of 'tally commit PATH', and -m MESSAGE or a message written from the change.

      Exit status: 0 when the record was changed (or nothing needed to change), 1 when the \
      result has errors (nothing is written), 2 when the repository cannot be read or \
      the file written, 64 for usage errors (unknown record or field, a value of the wrong \
      type).
      """)

  @Argument(
    help: ArgumentHelp("The record: TYPE/ID or the path of its file.", valueName: "record"),
    completion: Completions.recordName)
  var record: String

  @Argument(
    help: ArgumentHelp("Assignments: field.path=value (an empty value removes the field).", valueName: "field=value"))
  var assignments: [String] = []

  @Option(
    name: .customLong("unset"), help: ArgumentHelp("Remove this field or list item (repeatable).", valueName: "field"))
  var removals: [String] = []

  @OptionGroup var edit: EditOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    if assignments.isEmpty && removals.isEmpty {
      throw ValidationError("give at least one field=value or --unset field")
    }
  }

  func run() throws {
    let repo = try repository.open()
    let editing = RecordEditing(repository: repo, today: today(in: repo))
    try EditCommand.run(editing, options: edit, global: global, interactive: false) {
      (_: [RecordEditing.Assignment]) throws(RecordEditing.Failure) -> RecordEditing.Outcome in
      let target = try editing.target(record, from: FileSystem.currentDirectory)
      var parsed: [RecordEditing.Assignment] = []
      var problems: [RecordEditing.Problem] = []
      for argument in assignments {
        do throws(RecordEditing.Problem) {
          parsed.append(try RecordEditing.Assignment(parsing: argument))
        } catch {
          problems.append(error)
        }
      }
      for removal in removals {
        do throws(RecordEditing.Problem) {
          parsed.append(RecordEditing.Assignment(path: try RecordEditing.Assignment.path(removal), text: nil))
        } catch {
          problems.append(error)
        }
      }
      if !problems.isEmpty { throw .usage(problems) }
      return try editing.set(target, assignments: parsed)
    }
  }
}
