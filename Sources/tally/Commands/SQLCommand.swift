import ArgumentParser
import TallyHistory
import TallyQuery
import TallyRecords
import TallySchema
import TallyText

/// The database kept in the git directory, brought up to date for `revision`.
struct SQLDatabaseOptions: ParsableArguments {
  @Option(help: "The branch or commit whose records and history to query (default HEAD).")
  var rev: String = "HEAD"

  /// Opens the history and brings the database up to date; exit 2 saying why when it cannot.
  func database(_ repository: RepositoryOptions) throws -> (History, String) {
    let context = try HistoryContext.open(repository)
    try context.requireEveryType("build the SQL database")
    let history = context.history
    // HEAD's database lives in the git directory; another revision's beside it.
    var path = QueryDatabase.path(gitDirectory: history.gitDirectory)
    if rev != "HEAD" {
      let commit = try context.resolve(rev)
      path = history.gitDirectory + "/tally/records-\(commit.hex).sqlite"
    }
    do {
      let progress = Progress(label: "building the SQL database")
      _ = try QueryDatabase.update(
        history, at: path, revision: rev, tallyVersion: TallyVersion.string
      ) { progress.update($0, of: $1) }
      progress.finish()
    } catch {
      Console.err("tally: cannot build the SQL database: \(error)\n")
      throw Exit.failure
    }
    return (history, path)
  }
}

extension QueryFormat: ExpressibleByArgument {}

struct SQLCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sql",
    abstract: "Query the records and their whole history with SQL (SQLite).",
    discussion: """
      The records and their history are tables (docs/sql.md): one per record type \
      (customer), one per list field (customer_follow_ups), history_<type> with one row per \
      version and its validity (valid_from, valid_to), commits, field_changes, meta, and \
      search (full-text, Chinese too). The database is kept in the git directory and \
      brought up to date before each query, adding only new commits.

        tally sql "SELECT owner, count(*) FROM customer GROUP BY owner"
        tally sql "SELECT * FROM history_customer WHERE id = 'C-0042'" --format json

      Only reading: one statement, no INSERT, UPDATE, CREATE, ATTACH or PRAGMA; a query \
      longer than --timeout seconds is stopped. :name parameters take --param name=value.

      Exit status: 0, 1 when the query is refused or fails (nothing changes), 2 when the \
      database cannot be built, 64 for usage errors.
      """)

  @Argument(help: "One SELECT (or WITH …) statement.")
  var query: String

  @Option(help: "Output format: table, json, csv or md.")
  var format: QueryFormat = .table

  @Option(help: "Stop the query after this many seconds.")
  var timeout: Double = 10

  @Option(help: ArgumentHelp("A value for a :name parameter.", valueName: "name=value"))
  var param: [String] = []

  @OptionGroup var database: SQLDatabaseOptions
  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
    _ = try SQLCommand.parameters(param)
  }

  static func parameters(_ texts: [String]) throws -> [String: SQLValue] {
    var result: [String: SQLValue] = [:]
    for text in texts {
      guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
        throw ValidationError("--param takes name=value, not '\(text)'")
      }
      let value = String(text[text.index(after: equals)...])
      result[String(text[..<equals])] = Int64(value).map { .integer($0) } ?? .text(value)
    }
    return result
  }

  func run() throws {
    let (_, path) = try database.database(repository)
    try SQLCommand.run(
      query, at: path, parameters: try SQLCommand.parameters(param), timeout: timeout, format: format,
      width: width.tableWidth)
  }

  static func run(
    _ query: String, at path: String, parameters: [String: SQLValue], timeout: Double, format: QueryFormat, width: Int?
  ) throws {
    let result: QueryResult
    do {
      let connection = try SQLiteDatabase(path: path, mode: .readOnly)
      result = try connection.query(query, parameters: parameters, timeout: timeout)
    } catch let error as QueryError {
      Console.err("tally: \(error)\n")
      throw Exit.findings
    } catch {
      Console.err("tally: cannot open the SQL database: \(error)\n")
      throw Exit.failure
    }
    Console.out(result.rendered(format, width: width))
  }
}

struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Export the records and their history as a database.",
    subcommands: [SQLiteExport.self])

  struct SQLiteExport: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sqlite",
      abstract: "Write the SQL database to a standalone SQLite file (for Datasette, DBeaver, Metabase).",
      discussion: """
        The same tables 'tally sql' queries (docs/sql.md), brought up to date first, copied \
        into FILE (written beside it and renamed into place, so a reader never sees half a \
        file). Exit status: 0, 2 when it cannot be built or written.
        """)

    @Argument(help: "The database file to write (replaced when it exists).")
    var file: String

    @OptionGroup var database: SQLDatabaseOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let (_, path) = try database.database(repository)
      do {
        try QueryDatabase.export(from: path, to: FileSystem.absolute(file))
      } catch {
        Console.err("tally: cannot export to \(file): \(error)\n")
        throw Exit.failure
      }
      Console.out("wrote \(file)\n")
    }
  }
}

struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Run a saved query (queries/NAME.sql) with its parameters.",
    discussion: """
      A team keeps its questions in queries/*.sql in the records repository, each with a \
      header of '-- title: …' and '-- param: name [= default]' lines (docs/sql.md). \
      'tally query --list' and 'tally report --list' list them.

      Exit status: 0, 1 when the query fails or a parameter is missing, 2 when the database \
      cannot be built, 64 for usage errors.
      """)

  @Argument(help: "The saved query's name (its file name without .sql).")
  var name: String?

  @Flag(help: "List the saved queries.")
  var list = false

  @Option(help: ArgumentHelp("A value for a parameter.", valueName: "name=value"))
  var param: [String] = []

  @Option(help: "Output format: table, json, csv or md.")
  var format: QueryFormat = .table

  @Option(help: "Stop the query after this many seconds.")
  var timeout: Double = 10

  @OptionGroup var database: SQLDatabaseOptions
  @OptionGroup var width: WidthOptions
  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var global: GlobalOptions

  func validate() throws {
    if !list && name == nil { throw ValidationError("name a saved query (tally query --list shows them)") }
    _ = try SQLCommand.parameters(param)
  }

  func run() throws {
    let records = try repository.open()
    if list {
      Console.out(QueryCommand.listing(records, width: width.tableWidth))
      return
    }
    let saved: SavedQuery
    let values: [String: SQLValue]
    let given = try SQLCommand.parameters(param)
    do throws(SavedQuery.Problem) {
      saved = try SavedQuery.named(name!, in: records)
      values = try saved.values(given)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.findings
    }
    let (_, path) = try database.database(repository)
    try SQLCommand.run(
      saved.sql, at: path, parameters: values, timeout: timeout, format: format, width: width.tableWidth)
  }

  /// `name  --param a=… b=…  title`, one line per saved query.
  static func listing(_ records: RecordsRepository, width: Int?) -> String {
    var table = TextTable(
      columns: [.init(cuttable: false), .init(cuttable: true), .init(cuttable: true)], header: false)
    for query in SavedQuery.all(in: records) {
      let parameters = query.parameters.map { "--param \($0.name)=" + ($0.defaultValue ?? "…") }.joined(separator: " ")
      table.rows.append([query.name, parameters, query.title])
    }
    return table.rows.isEmpty ? "" : table.render(width: width)
  }
}
