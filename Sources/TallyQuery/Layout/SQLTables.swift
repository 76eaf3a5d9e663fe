/// The tables of the layout, described once: `tally sql`'s SQLite database and `tally export
/// postgres` create them from this description (each in its own types), so the two databases
/// have the same tables and columns in the same order. The full-text `search` table is each
/// database's own (SQLite FTS5 there, a plain table in PostgreSQL).
public struct SQLTableDefinition: Sendable {
  public struct Column: Sendable {
    public var name: String
    public var type: SQLLayout.ColumnType
    public var notNull: Bool

    public init(_ name: String, _ type: SQLLayout.ColumnType, notNull: Bool = false) {
      self.name = name
      self.type = type
      self.notNull = notNull
    }
  }

  public struct Index: Sendable {
    public var name: String
    public var columns: [String]

    public init(name: String, columns: [String]) {
      self.name = name
      self.columns = columns
    }
  }

  public var name: String
  public var columns: [Column]
  public var primaryKey: [String]
  public var indexes: [Index]

  /// What kind of table it is, for exports that add only what changed.
  public enum Role: Sendable, Equatable {
    case meta
    case commits
    case fieldChanges
    /// A type's records at the tip (`customer`).
    case current(type: String)
    /// A list's items at the tip (`customer_follow_ups`), by `owner` (`customer_id`).
    case currentItems(type: String, owner: String)
    /// A type's versions (`history_customer`).
    case versions(type: String)
    /// A list's item versions (`history_customer_follow_ups`).
    case itemVersions(type: String)
    /// The full-text rows.
    case search
  }

  public var role: Role

  /// The full-text rows as a plain table, for databases without SQLite's FTS5 (PostgreSQL:
  /// search it with `ILIKE`); SQLite's `search` has the same columns.
  public static let search = SQLTableDefinition(
    name: "search",
    columns: [
      Column("type", .text, notNull: true), Column("id", .text, notNull: true), Column("field", .text, notNull: true),
      Column("text", .text),
    ], primaryKey: [], indexes: [Index(name: "search_record", columns: ["type", "id"])], role: .search)
}

extension SQLLayout {
  /// Every table but `search`, in the order they are created.
  public var tableDefinitions: [SQLTableDefinition] {
    typealias C = SQLTableDefinition.Column
    func value(_ columns: [Column]) -> [C] { columns.map { C($0.name, $0.type) } }
    var tables: [SQLTableDefinition] = [
      .init(
        name: "meta",
        columns: [
          C("schema_hash", .text), C("head_oid", .text), C("tally_version", .text), C("layout_version", .integer),
          C("built_at", .timestamp),
        ], primaryKey: [], indexes: [], role: .meta),
      .init(
        name: "commits",
        columns: [
          C("oid", .text), C("seq", .integer, notNull: true), C("parent_oid", .text),
          C("is_merge", .boolean, notNull: true), C("author_name", .text), C("author_email", .text),
          C("author_staff_id", .text), C("author_time", .timestamp), C("committer_time", .timestamp),
          C("message", .text),
        ], primaryKey: ["oid"], indexes: [], role: .commits),
      .init(
        name: "field_changes",
        columns: [
          C("commit_oid", .text, notNull: true), C("type", .text, notNull: true), C("id", .text, notNull: true),
          C("path", .text, notNull: true), C("kind", .text, notNull: true), C("old_value", .text),
          C("new_value", .text),
        ], primaryKey: [], indexes: [.init(name: "field_changes_record", columns: ["type", "id"])],
        role: .fieldChanges),
    ]
    for type in types {
      let name = type.main.name
      tables.append(
        .init(
          name: name, columns: [C("id", .text)] + value(type.main.columns), primaryKey: ["id"], indexes: [],
          role: .current(type: name)))
      tables.append(
        .init(
          name: "history_" + name,
          columns: [C("version", .integer), C("id", .text, notNull: true)] + value(type.main.columns) + [
            C("commit_oid", .text, notNull: true), C("change", .text, notNull: true),
            C("valid_from", .timestamp, notNull: true), C("valid_to", .timestamp),
            C("valid_from_commit", .text, notNull: true), C("valid_to_commit", .text),
          ], primaryKey: ["version"], indexes: [.init(name: "history_\(name)_open", columns: ["id", "valid_to"])],
          role: .versions(type: name)))
      for list in type.lists {
        let owner = name + "_id"
        let items = [C(owner, .text, notNull: true), C("idx", .integer, notNull: true)] + value(list.columns)
        tables.append(
          .init(
            name: list.name, columns: items, primaryKey: [owner, "idx"], indexes: [],
            role: .currentItems(type: name, owner: owner)))
        tables.append(
          .init(
            name: "history_" + list.name,
            columns: [C("version", .integer, notNull: true)] + items + [
              C("valid_from", .timestamp, notNull: true), C("valid_to", .timestamp),
            ], primaryKey: [], indexes: [.init(name: "history_\(list.name)_version", columns: ["version"])],
            role: .itemVersions(type: name)))
      }
    }
    return tables
  }
}
