import TallySchema
import TallyText

/// How records become rows — one layout for SQLite and PostgreSQL (docs/sql.md):
///
/// - one table per record type, named by the type (`customer`): `id` and a column per scalar
///   field, nested objects flattened with `_` (`scope_team`);
/// - one table per list field, `<type>_<field>` (`customer_follow_ups`): `<type>_id`, the
///   item's position `idx`, and its fields (a list of scalars: `value`);
/// - money exact: `amount` holds the amount as written (SQLite text, PostgreSQL numeric) and
///   `amount_cents` the whole number of cents — `SUM(amount_cents)` is exact in both;
/// - dates as ISO text (PostgreSQL `date`), booleans 0/1 (`boolean`), integers as integers,
///   decimals and percentages as numbers; a list inside a list item as JSON text.
public struct SQLLayout: Sendable {
  public enum ColumnType: Sendable, Hashable {
    case text
    case integer
    case real
    case boolean
    case date
    /// A record's date and time, as written (it may carry an offset): text in both.
    case datetime
    /// A commit's time in the repository's zone, `2026-03-20 12:00:00` (PostgreSQL
    /// `timestamp`).
    case timestamp
    /// The amount as written (exact).
    case money
    /// The amount in cents, an integer.
    case cents
    /// A nested list, as JSON.
    case json
  }

  public struct Column: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    /// The keys from the table's object to the value.
    public var path: [String]
  }

  /// A table of records or of the items of one list.
  public struct Table: Sendable {
    public var name: String
    public var type: String
    /// The list field (nil: the records' own table).
    public var list: String?
    /// The value's columns (after `id`, or after `<type>_id, idx`).
    public var columns: [Column]
    /// Items that are single values (a list of text): one `value` column.
    public var scalarItems: Bool
  }

  public struct RecordTables: Sendable {
    public var type: RecordType
    public var main: Table
    public var lists: [Table]
  }

  public var types: [RecordTables]

  public init(schema: SchemaSet) {
    types = schema.types.map { type in
      var columns: [Column] = []
      var lists: [Table] = []
      Self.flatten(type.object, prefix: [], into: &columns) { field, path in
        guard case .list(let list) = field.type else { return false }
        let name = type.name + "_" + path.joined(separator: "_")
        var itemColumns: [Column] = []
        var scalar = false
        if case .object(let object) = list.items.type {
          Self.flatten(object, prefix: [], into: &itemColumns) { _, _ in false }
        } else {
          scalar = true
          itemColumns = [Column(name: "value", type: Self.columnType(list.items.type), path: [])]
        }
        lists.append(
          Table(
            name: name, type: type.name, list: path.joined(separator: "."), columns: itemColumns, scalarItems: scalar))
        return true
      }
      return RecordTables(
        type: type, main: Table(name: type.name, type: type.name, list: nil, columns: columns, scalarItems: false),
        lists: lists)
    }
  }

  /// Adds a column per scalar field of `object` (objects flattened); a list field is given to
  /// `list` first — when it takes it (a table of its own) it gets no column, else it is JSON.
  static func flatten(
    _ object: ObjectSpec, prefix: [String], into columns: inout [Column],
    list: (FieldSpec, [String]) -> Bool
  ) {
    for field in object.fields {
      let path = prefix + [field.name]
      let name = path.joined(separator: "_")
      switch field.type {
      case .object(let inner):
        flatten(inner, prefix: path, into: &columns, list: list)
      case .list:
        if !list(field, path) { columns.append(Column(name: name, type: .json, path: path)) }
      case .money:
        columns.append(Column(name: name, type: .money, path: path))
        columns.append(Column(name: name + "_cents", type: .cents, path: path))
      default:
        columns.append(Column(name: name, type: columnType(field.type), path: path))
      }
    }
  }

  static func columnType(_ type: FieldType) -> ColumnType {
    switch type {
    case .int: .integer
    case .decimal, .percent: .real
    case .money: .money
    case .bool: .boolean
    case .date: .date
    case .datetime: .datetime
    case .list, .object: .json
    default: .text
    }
  }

  // MARK: Values

  /// The value of `column` in `object` (a record or an item).
  public static func value(_ column: Column, in object: Value) -> SQLValue {
    var current = object
    for key in column.path {
      guard let next = current[key] else { return .null }
      current = next
    }
    return sqlValue(current, column.type)
  }

  static func sqlValue(_ value: Value, _ type: ColumnType) -> SQLValue {
    if case .null = value { return .null }
    switch type {
    case .json:
      var out: [UInt8] = []
      value.writeJSON(into: &out)
      return .text(String(decoding: out, as: UTF8.self))
    default:
      break
    }
    guard case .scalar(let text, _) = value else {
      var out: [UInt8] = []
      value.writeJSON(into: &out)
      return .text(String(decoding: out, as: UTF8.self))
    }
    switch type {
    case .integer:
      if let number = Int64(text) { return .integer(number) }
      return .text(text)
    case .real:
      let plain = text.hasSuffix("%") ? String(text.dropLast()) : text
      if let number = Double(plain) { return .real(number) }
      return .text(text)
    case .boolean:
      switch text {
      case "true": return .integer(1)
      case "false": return .integer(0)
      default: return .text(text)
      }
    case .cents:
      guard let amount = ExactDecimal(text) else { return .null }
      let cents = amount.rounded(toDigits: 2)
      guard cents.scale == 2 else { return .null }
      return .integer(cents.units)
    default:
      return .text(text)
    }
  }

  /// The rows of one record: its own, and each list table's.
  public func rows(of type: RecordTables, id: String, value: Value) -> (main: [SQLValue], lists: [[[SQLValue]]]) {
    let main = [SQLValue.text(id)] + type.main.columns.map { Self.value($0, in: value) }
    var lists: [[[SQLValue]]] = []
    for table in type.lists {
      var items: [Value] = []
      var current: Value? = value
      for key in (table.list ?? "").split(separator: ".") { current = current?[String(key)] }
      if case .sequence(let found)? = current { items = found }
      lists.append(
        items.enumerated().map { index, item in
          [SQLValue.text(id), .integer(Int64(index))]
            + (table.scalarItems
              ? [Self.sqlValue(item, table.columns[0].type)] : table.columns.map { Self.value($0, in: item) })
        })
    }
    return (main, lists)
  }
}
