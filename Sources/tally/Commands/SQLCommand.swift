import ArgumentParser
import Foundation
import TallyHistory
import TallyPostgres
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
    Trace.mark("repository and history opened")
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
      result[String(text[..<equals])] = SQLValue(parameter: value)
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
    subcommands: [SQLiteExport.self, PostgresExportCommand.self])

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

    @Option(
      help: ArgumentHelp(
        "Also write Datasette metadata offering the saved queries (datasette FILE -m METADATA).",
        valueName: "metadata.json"))
    var datasette: String?

    @OptionGroup var database: SQLDatabaseOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
      let (history, path) = try database.database(repository)
      do {
        try QueryDatabase.export(from: path, to: FileSystem.absolute(file))
      } catch {
        Console.err("tally: cannot export to \(file): \(error)\n")
        throw Exit.failure
      }
      Console.out("wrote \(file)\n")
      guard let datasette else { return }
      let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
      let metadata = Self.datasetteMetadata(database: name, queries: SavedQuery.all(in: history.records))
      do {
        try Data(metadata).write(to: URL(fileURLWithPath: FileSystem.absolute(datasette)), options: .atomic)
      } catch {
        Console.err("tally: cannot write \(datasette): \(error.localizedDescription)\n")
        throw Exit.failure
      }
      Console.out("wrote \(datasette)\n")
    }

    /// `{"databases": {NAME: {"queries": {…}}}}`: each saved query as a Datasette canned query
    /// (its `:name` parameters are Datasette's too).
    static func datasetteMetadata(database: String, queries: [SavedQuery]) -> [UInt8] {
      var out = JSONWriter()
      out.raw("{\"databases\":{")
      out.key(database)
      out.raw("{\"queries\":{")
      for query in queries {
        out.raw("\n")
        out.key(query.name)
        out.raw("{\"title\":")
        out.string(query.title)
        out.raw(",\"sql\":")
        out.string(query.sql)
        out.raw(",\"params\":[")
        for parameter in query.parameters {
          out.separate()
          out.string(parameter.name)
        }
        out.raw("]}")
      }
      out.raw("\n}}}}\n")
      return out.bytes
    }
  }
}

extension Export {
  struct PostgresExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "postgres",
      abstract: "Load the SQL database into a PostgreSQL server (for BI tools; several teams side by side).",
      discussion: """
        The same tables 'tally sql' queries (docs/sql.md), in PostgreSQL's types (numeric \
        money, date, boolean, timestamp), loaded into --schema with COPY in one transaction: \
        a failure or an interrupt leaves the server as it was. The first export loads \
        everything; later ones add only the commits since the last (kept in the schema's \
        meta table); a rewritten history (a force-push), new schemas or a new layout load \
        everything again. Every schema exported into the database also appears in the views \
        of schema tally_all (tally_all.customer: every team's customers, with a repository \
        column).

          tally export postgres --url postgres://bi@db.example.com/sales --schema east_2

        The URL is libpq's (postgres://user:password@host:port/database?sslmode=…); what it \
        leaves out comes from PGUSER, PGPASSWORD, PGHOST, PGPORT and PGDATABASE.

        Exit status: 0, 2 when the database cannot be built or the server cannot be \
        reached, refuses or fails (nothing was changed), 64 for usage errors.
        """)

    @Option(help: ArgumentHelp("The PostgreSQL server and database.", valueName: "url"))
    var url: String

    @Option(help: "The schema to load into (one per repository).")
    var schema: String = "tally"

    @Option(help: "Output format: text or json.")
    var format: PolicyCommand.OutputFormat = .text

    @OptionGroup var database: SQLDatabaseOptions
    @OptionGroup var repository: RepositoryOptions
    @OptionGroup var global: GlobalOptions

    /// `1 commit`, `3 commits`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    func validate() throws {
      do {
        _ = try PostgresURL(url)
      } catch {
        throw ValidationError(error.description)
      }
      if let problem = PostgresExport.checkSchemaName(schema) { throw ValidationError(problem) }
    }

    func run() throws {
      let target = try PostgresURL(url)
      let (history, path) = try database.database(repository)
      let outcome: PostgresExport.Outcome
      let progress = Progress(label: "loading into PostgreSQL")
      do {
        outcome = try PostgresExport.run(
          sqlite: path, layout: SQLLayout(schema: history.records.schema), url: target, schema: schema
        ) { progress.update($0, of: $1) }
        progress.finish()
      } catch {
        progress.finish()
        Console.err("tally: cannot export to PostgreSQL: \(error)\n")
        throw Exit.failure
      }
      for warning in outcome.warnings { Console.err("tally: warning: \(warning)\n") }
      switch format {
      case .json:
        var out = JSONWriter()
        out.raw("{\"version\":1")
        out.key("schema")
        out.string(schema)
        out.key("url")
        out.string(target.description)
        out.key("head")
        out.string(outcome.head)
        out.key("full")
        out.bool(outcome.full)
        out.key("reason")
        out.string(orNull: outcome.full ? outcome.reason : nil)
        out.key("commits_added")
        out.number(outcome.commitsAdded)
        out.key("rows")
        out.number(outcome.rows)
        out.key("warnings")
        out.raw("[")
        for warning in outcome.warnings {
          out.separate()
          out.string(warning)
        }
        out.raw("]}\n")
        Console.out(out.bytes)
      case .text:
        let head = String(outcome.head.prefix(12))
        if outcome.full {
          Console.out(
            "loaded \(Self.count(outcome.commitsAdded, "commit")) (\(Self.count(outcome.rows, "row"))) into schema \(schema) at \(target) — \(outcome.reason)\n"
          )
        } else if outcome.commitsAdded == 0 {
          Console.out("schema \(schema) at \(target) is up to date at \(head)\n")
        } else {
          Console.out(
            "added \(Self.count(outcome.commitsAdded, "commit")) (\(Self.count(outcome.rows, "row"))) to schema \(schema) at \(target), now at \(head)\n"
          )
        }
      }
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
