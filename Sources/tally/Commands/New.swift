import ArgumentParser
import TallyRecords
import TallyText

struct New: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "new",
    abstract: "Create a record from its schema.",
    discussion: """
      TYPE is a record type (customer) or its directory (customers). Fields are given with \
      --set field=value, nested ones with a path: --set contacts[0].name=李强. Fields with \
      a default in the schema get it unless given. When required fields are missing, tally \
      asks for them on a terminal (naming each field's type and allowed values); otherwise \
      it lists them and exits 64.

      Without ID, the record gets the next free id: for numbered ids (C-0152) the highest \
      one plus one, with the same zero padding (C-0153); for other patterns a slug of the \
      record's required dates and enum values (2026-03-02-weekly for minutes), with -2, \
      -3 added when it is taken. See docs/commands.md.

      The record is printed in canonical form, checked as 'tally check' would (its \
      references must exist), and created atomically, never over an existing file. \
      Output: the new file's path; --format json prints one JSON object; --dry-run prints \
      the file and writes nothing.

      With --commit, the written file is committed at once, with the checks and guarantees \
      of 'tally commit PATH', and -m MESSAGE or a message written from the change.

      Exit status: 0 when the record was created, 1 when it would have errors or exists \
      already (nothing is written), 2 when the repository cannot be read or the file \
      written, 64 for usage errors (unknown type or field, a value of the wrong type, \
      missing required fields).
      """)

  @Argument(
    help: ArgumentHelp("The record type, or its directory.", valueName: "type"), completion: Completions.recordType)
  var type: String

  @Argument(help: ArgumentHelp("The new record's id (default: the next free one).", valueName: "id"))
  var id: String?

  @Option(
    name: .customLong("set"),
    help: ArgumentHelp("A field's value: field.path=value (repeatable).", valueName: "field=value"))
  var assignments: [String] = []

  @OptionGroup var edit: EditOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func run() throws {
    let repo = try repository.open()
    let editing = RecordEditing(repository: repo, today: today(in: repo))
    try EditCommand.run(editing, options: edit, global: global, interactive: true, assignment: "--set field=value") {
      (answers: [RecordEditing.Assignment]) throws(RecordEditing.Failure) -> RecordEditing.Outcome in
      let recordType = try editing.recordType(named: type)
      var parsed: [RecordEditing.Assignment] = []
      var problems: [RecordEditing.Problem] = []
      for argument in assignments {
        do throws(RecordEditing.Problem) {
          parsed.append(try RecordEditing.Assignment(parsing: argument))
        } catch {
          problems.append(error)
        }
      }
      if !problems.isEmpty { throw .usage(problems) }
      return try editing.newRecord(type: recordType, id: id, assignments: parsed + answers)
    }
  }
}
