import ArgumentParser
import TallyRecords
import TallySchema
import TallyText

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Work with the repository's schemas.",
    subcommands: [Export.self])

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: "Write a JSON Schema for each record type, for editors.",
      discussion: """
        Writes DIR/<type>.schema.json (JSON Schema draft 2020-12) for every record type, so \
        that editors with the YAML language server complete field names and check values while \
        people type. Point the editor at them with a first line in the record files, \
        '# yaml-language-server: $schema=../.tally/json-schema/customer.schema.json', or with \
        the editor's yaml.schemas setting (see docs/schema.md). Rules, references and uniqueness \
        across records are checked by 'tally check' only.
        """)

    @Option(name: .customLong("json-schema"), help: ArgumentHelp("The directory to write to.", valueName: "dir"))
    var directory: String

    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let repo = try repository.open()
      let errors = repo.setupDiagnostics.filter { $0.severity == .error }
      if !errors.isEmpty {
        let renderer = DiagnosticRenderer(color: global.useColor)
        for diagnostic in errors {
          Console.err(
            renderer.render(diagnostic) { path in
              (try? FileSystem.read(path)).map { SourceFile(path: path, bytes: $0) }
            })
        }
        Console.err("tally: the schemas have errors; fix them first\n")
        throw Exit.findings
      }
      do {
        try FileSystem.createDirectory(directory)
        for type in repo.schema.types {
          let path = FileSystem.joinPath(directory, "\(type.name).schema.json")
          try FileSystem.writeAtomically(path, Array(JSONSchemaExporter.export(type).utf8))
          Console.out("wrote \(path)\n")
        }
      } catch {
        Console.err("tally: \(error)\n")
        throw Exit.failure
      }
    }
  }
}
