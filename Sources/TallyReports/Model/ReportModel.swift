import TallyRecords
import TallySchema

/// A computed report: sections of tables and charts, stamped with the commit it was computed
/// at. Renderers (table, JSON, CSV, Markdown, HTML) only format it.
public struct Report: Sendable {
  /// `pipeline`, `plan`, …
  public var name: String
  /// "Pipeline 2026-Q1 (华东一组)".
  public var title: String
  /// The commit the records and history were read at (hex), and its date.
  public var commit: String
  public var commitDate: String
  /// The period or date the report covers, as given.
  public var scope: String
  public var sections: [ReportSection]
  /// The language its titles and notes are written in; the renderers write their own words
  /// ("computed at", "(none)") in it too.
  public var language: ReportLanguage

  public init(
    name: String, title: String, commit: String, commitDate: String, scope: String, sections: [ReportSection],
    language: ReportLanguage = .en
  ) {
    self.language = language
    self.name = name
    self.title = title
    self.commit = commit
    self.commitDate = commitDate
    self.scope = scope
    self.sections = sections
  }
}

/// One part of a report: a table, optionally a chart of some of its numbers, notes.
public struct ReportSection: Sendable {
  /// A stable identifier for JSON and CSV (`by_owner`).
  public var key: String
  public var title: String
  public var table: ReportTable
  public var chart: Chart?
  public var notes: [String]
  /// What the section cannot know and why ("the history begins on 2026-07-15: …"), for
  /// ``Cell/unknown`` cells and tables that are not ``ReportTable/known``. Every format shows
  /// them: after the notes, and in CSV (which has no notes) as `#` lines under the header.
  public var unknowns: [String]

  public init(
    key: String, title: String, table: ReportTable, chart: Chart? = nil, notes: [String] = [],
    unknowns: [String] = []
  ) {
    self.key = key
    self.title = title
    self.table = table
    self.chart = chart
    self.notes = notes
    self.unknowns = unknowns
  }

  /// The notes, then what is not known.
  public var allNotes: [String] { notes + unknowns }
}

public struct ReportTable: Sendable {
  public struct Column: Sendable {
    /// A stable identifier for JSON and CSV (`attainment_pct`).
    public var key: String
    public var title: String
    public var numeric: Bool

    public init(_ key: String, _ title: String, numeric: Bool = false) {
      self.key = key
      self.title = title
      self.numeric = numeric
    }
  }

  public var columns: [Column]
  public var rows: [[Cell]]
  /// False when the rows cannot be known (the records of a day before the history begins):
  /// shown as "(not known)", not as "(none)", and as `"rows": null` in JSON. The section's
  /// notes say why.
  public var known: Bool

  public init(columns: [Column], rows: [[Cell]] = [], known: Bool = true) {
    self.columns = columns
    self.rows = rows
    self.known = known
  }
}

/// A value in a table: kept typed, so JSON gets numbers and text gets aligned columns.
public enum Cell: Sendable, Equatable {
  case text(String)
  case int(Int)
  case decimal(ExactDecimal)
  /// A ratio shown as a percentage with one decimal (0.4567 → 45.7%); nil when undefined
  /// (a rate with nothing to divide by), shown as "–".
  case percent(Double?)
  case date(CivilDate)
  case empty
  /// A figure the records and their history cannot give (a count of the records of a day
  /// before the history begins): "?" in text, `null` in JSON — never 0. The section's notes
  /// say why.
  case unknown

  /// How the cell reads in text renderings.
  public var text: String {
    switch self {
    case .text(let value): return value
    case .int(let value): return String(value)
    case .decimal(let value): return value.description
    case .percent(let value?):
      let tenths = (value * 1000).rounded() / 10
      return (tenths == tenths.rounded() ? String(Int(tenths)) : String(tenths)) + "%"
    case .percent(nil): return "–"
    case .date(let value): return value.description
    case .empty: return ""
    case .unknown: return "?"
    }
  }
}

/// A chart of a section's numbers: bars (e.g. attainment per person), lines (e.g. customers
/// per status over time) or a heat grid (e.g. follow-ups per rep per week).
public struct Chart: Sendable {
  public enum Kind: String, Sendable {
    case bars
    case lines
    case heat
  }

  public var kind: Kind
  /// The x axis (or the grid's columns).
  public var labels: [String]
  /// One series per line / bar group (or grid row).
  public var series: [(name: String, values: [Double])]
  /// For bars: a reference value drawn as a line (100% attainment).
  public var reference: Double?

  public init(kind: Kind, labels: [String], series: [(name: String, values: [Double])], reference: Double? = nil) {
    self.kind = kind
    self.labels = labels
    self.series = series
    self.reference = reference
  }
}
