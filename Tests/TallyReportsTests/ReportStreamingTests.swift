import Foundation
import TallySchema
import Testing

@testable import TallyReports

/// A report's JSON and CSV are written in pieces of about a megabyte as their rows are
/// written — a report over a million customers answers with hundreds of megabytes — and
/// the pieces joined are exactly the whole rendering, in every format.
@Suite struct ReportStreamingTests {
  /// A report with `rows` rows in one section and a few in another: Chinese names, quotes,
  /// commas and line breaks that JSON and CSV must escape, numbers, dates and unknowns.
  static func report(rows: Int) -> Report {
    let columns: [ReportTable.Column] = [
      .init("customer", "Customer"), .init("name", "Name"), .init("amount", "Amount", numeric: true),
      .init("due", "Due"), .init("share", "Share", numeric: true),
    ]
    var rowsMade: [[Cell]] = []
    for row in 0..<rows {
      let name: String = row % 7 == 0 ? "苏州\"恒通\", 有限公司\n第\(row)号" : "客户\(row)"
      let due = CivilDate(year: 2026, month: 1 + row % 12, day: 1 + row % 28)
      let share: Cell = row % 5 == 0 ? .unknown : .percent(Double(row % 100) / 100)
      rowsMade.append([.text("C-\(1_000_000 + row)"), .text(name), .int(row * 37), .date(due), share])
    }
    let big = ReportTable(columns: columns, rows: rowsMade)
    let small = ReportTable(columns: [.init("team", "Team")], rows: [[.text("华东一组")], [.text("华南二组")]])
    return Report(
      name: "followups", title: "Follow-ups 2026-Q2", commit: String(repeating: "ab", count: 20),
      commitDate: "2026-06-30", scope: "2026-Q2",
      sections: [
        ReportSection(key: "overdue", title: "Overdue", table: big, notes: ["a note"], unknowns: ["not known"]),
        ReportSection(key: "teams", title: "Teams", table: small),
        ReportSection(key: "before", title: "Before", table: ReportTable(columns: columns, known: false)),
      ])
  }

  @Test(arguments: [0, 3, 80_000])
  func piecesJoinedAreTheWholeRendering(rows: Int) throws {
    let report = Self.report(rows: rows)
    // Tables, Markdown and HTML are written whole (and slow to make for a large report).
    for format in rows > 1000 ? [.json, .csv] : ReportFormat.allCases {
      for bom in [false, true] {
        var pieces: [[UInt8]] = []
        ReportRenderer.write(report, as: format, width: 100, bom: bom) { pieces.append($0) }
        let whole = ReportRenderer.render(report, as: format, width: 100, bom: bom)
        #expect(Array(pieces.joined()) == whole, "\(format), bom \(bom), \(rows) rows")
        // Large answers come in pieces of about a megabyte; small ones in one.
        if rows > 1000 {
          let rowPieces = bom && format == .csv ? Array(pieces.dropFirst()) : pieces
          #expect(whole.count > 3 * ReportRenderer.pieceSize)
          #expect(rowPieces.count >= 3)
          #expect(rowPieces.dropLast().allSatisfy { $0.count >= ReportRenderer.pieceSize })
          #expect(pieces.allSatisfy { $0.count < ReportRenderer.pieceSize + 64 << 10 })
        } else {
          #expect(pieces.count <= 2)
        }
      }
    }
    let json = try JSONSerialization.jsonObject(with: Data(ReportRenderer.json(report))) as? [String: Any]
    let sections = try #require(json?["sections"] as? [[String: Any]])
    #expect((sections[0]["rows"] as? [Any])?.count == rows)
    #expect(sections[2]["rows"] is NSNull)
  }
}
