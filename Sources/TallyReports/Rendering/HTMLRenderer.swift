import TallyRecords
import TallyText

/// One self-contained HTML page per report: inline CSS, tables, SVG charts; no scripts, no
/// external resources, so it can be mailed or published as it is.
public enum HTMLRenderer {
  static let style = """
    body{font-family:-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;\
    margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328;background:#fff}
    h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;\
    padding-bottom:.3rem}.meta{color:#59636e;font-size:.9rem}
    table{border-collapse:collapse;margin:.8rem 0;font-size:.92rem}th,td{padding:.35rem .7rem;\
    border-bottom:1px solid #e6e8eb;text-align:left;white-space:nowrap}th{background:#f6f8fa;font-weight:600}
    td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr:hover td{background:#f6f8fa}
    .note{color:#59636e;font-size:.9rem}svg{display:block;margin:.6rem 0 1rem}svg text{font-size:11px;fill:#424a53}
    nav a{margin-right:1rem}.scroll{overflow-x:auto;max-width:100%}svg{max-width:100%;height:auto}
    """

  static let palette = ["#0969da", "#1a7f37", "#bf8700", "#cf222e", "#8250df", "#1b7c83", "#bc4c00", "#6e7781"]

  public static func page(_ report: Report, navigation: String = "") -> String {
    let w = report.language
    var out = "<!DOCTYPE html>\n<html lang=\"\(w.htmlTag)\">\n<head>\n<meta charset=\"utf-8\">\n"
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    out += "<title>\(escape(report.title))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
    out += navigation
    out += "<h1>\(escape(report.title))</h1>\n"
    out += "<p class=\"meta\">\(w("Computed at", "计算于")) <code>\(escape(String(report.commit.prefix(7))))</code> "
    out += "(\(escape(report.commitDate))) · \(escape(report.scope))</p>\n"
    out += sections(report)
    out += "</body>\n</html>\n"
    return out
  }

  /// The report's sections (charts, tables, notes) as HTML, for a page made elsewhere
  /// (`tally serve`); each table sits in a box that scrolls sideways on a narrow screen.
  public static func sections(_ report: Report) -> String {
    var out = ""
    for section in report.sections {
      out += "<section id=\"\(escape(section.key))\">\n<h2>\(escape(section.title))</h2>\n"
      if let chart = section.chart { out += svg(chart) }
      out += "<div class=\"scroll\">\n" + table(section.table, language: report.language) + "</div>\n"
      for note in section.notes { out += "<p class=\"note\">\(escape(note))</p>\n" }
      for unknown in section.unknowns { out += "<p class=\"note unknown\">\(escape(unknown))</p>\n" }
      out += "</section>\n"
    }
    return out
  }

  static func table(_ table: ReportTable, language: ReportLanguage) -> String {
    if !table.known { return "<p class=\"note\">\(ReportRenderer.notKnown(language))</p>\n" }
    if table.rows.isEmpty { return "<p class=\"note\">\(ReportRenderer.none(language))</p>\n" }
    var out = "<table>\n<thead><tr>"
    for column in table.columns { out += "<th\(column.numeric ? " class=\"n\"" : "")>\(escape(column.title))</th>" }
    out += "</tr></thead>\n<tbody>\n"
    for row in table.rows {
      out += "<tr>"
      for (column, cell) in zip(table.columns, row) {
        out += "<td\(column.numeric ? " class=\"n\"" : "")>\(escape(cell.text))</td>"
      }
      out += "</tr>\n"
    }
    return out + "</tbody>\n</table>\n"
  }

  static func svg(_ chart: Chart) -> String {
    switch chart.kind {
    case .bars: return bars(chart)
    case .lines: return lines(chart)
    case .heat: return heat(chart)
    }
  }

  static func number(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
  }

  /// Horizontal bars, one row per label, one bar per series; a dashed reference line.
  /// Room for the longest label (11px text: about 6.5px per display column).
  static func labelRoom(_ labels: [String]) -> Double {
    let widest = labels.map { DisplayWidth.of($0) }.max() ?? 0
    return min(420, max(80, Double(widest) * 6.5 + 14))
  }

  static func bars(_ chart: Chart) -> String {
    let labelWidth = labelRoom(chart.labels)
    let plotWidth = 520.0
    let barHeight = 14.0
    let groupHeight = barHeight * Double(max(chart.series.count, 1)) + 10
    let height = groupHeight * Double(chart.labels.count) + 30
    let maximum = max(chart.series.flatMap(\.values).max() ?? 1, chart.reference ?? 0, 1)
    var out = "<svg role=\"img\" width=\"\(Int(labelWidth + plotWidth + 80))\" height=\"\(Int(height))\" "
    out += "viewBox=\"0 0 \(Int(labelWidth + plotWidth + 80)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    for (row, label) in chart.labels.enumerated() {
      let y = Double(row) * groupHeight + 5
      out += "<text x=\"\(Int(labelWidth - 6))\" y=\"\(number(y + groupHeight / 2))\" text-anchor=\"end\">"
      out += "\(escape(label))</text>\n"
      for (index, series) in chart.series.enumerated() where row < series.values.count {
        let value = series.values[row]
        let width = max(0, value / maximum * plotWidth)
        let barY = y + Double(index) * barHeight
        out += "<rect x=\"\(Int(labelWidth))\" y=\"\(number(barY))\" width=\"\(number(width))\" "
        out += "height=\"\(number(barHeight - 2))\" fill=\"\(palette[index % palette.count])\">"
        out += "<title>\(escape(series.name)): \(number(value))</title></rect>\n"
        out += "<text x=\"\(number(labelWidth + width + 4))\" y=\"\(number(barY + barHeight - 4))\">"
        out += "\(number(value))</text>\n"
      }
    }
    if let reference = chart.reference {
      let x = labelWidth + reference / maximum * plotWidth
      out += "<line x1=\"\(number(x))\" y1=\"0\" x2=\"\(number(x))\" y2=\"\(Int(height - 20))\" "
      out += "stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>\n"
      out += "<text x=\"\(number(x))\" y=\"\(Int(height - 6))\" text-anchor=\"middle\">\(number(reference))</text>\n"
    }
    out += legend(chart, y: height - 6, x: labelWidth + plotWidth - 200)
    return out + "</svg>\n"
  }

  /// Lines over the labels (e.g. months), one per series, with y gridlines.
  static func lines(_ chart: Chart) -> String {
    let left = 50.0
    let width = 680.0
    let top = 10.0
    let plotHeight = 220.0
    let maximum = max(chart.series.flatMap(\.values).max() ?? 1, 1)
    let count = max(chart.labels.count, 1)
    let step = count > 1 ? width / Double(count - 1) : 0
    let totalHeight = top + plotHeight + 60
    var out = "<svg role=\"img\" width=\"\(Int(left + width + 40))\" height=\"\(Int(totalHeight))\" "
    out += "viewBox=\"0 0 \(Int(left + width + 40)) \(Int(totalHeight))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    for tick in 0...4 {
      let value = maximum * Double(tick) / 4
      let y = top + plotHeight - value / maximum * plotHeight
      out += "<line x1=\"\(Int(left))\" y1=\"\(number(y))\" x2=\"\(Int(left + width))\" y2=\"\(number(y))\" "
      out += "stroke=\"#e6e8eb\"/>\n<text x=\"\(Int(left - 6))\" y=\"\(number(y + 4))\" text-anchor=\"end\">"
      out += "\(number(value))</text>\n"
    }
    let every = max(1, chart.labels.count / 12)
    for (index, label) in chart.labels.enumerated() where index % every == 0 {
      out += "<text x=\"\(number(left + Double(index) * step))\" y=\"\(Int(top + plotHeight + 16))\" "
      out += "text-anchor=\"middle\">\(escape(label))</text>\n"
    }
    for (index, series) in chart.series.enumerated() {
      let points = series.values.enumerated().map { i, value in
        "\(number(left + Double(i) * step)),\(number(top + plotHeight - value / maximum * plotHeight))"
      }.joined(separator: " ")
      out += "<polyline fill=\"none\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"2\" "
      out += "points=\"\(points)\"><title>\(escape(series.name))</title></polyline>\n"
    }
    out += legend(chart, y: top + plotHeight + 40, x: left)
    return out + "</svg>\n"
  }

  /// A grid: one row per series, one column per label, shaded by value.
  static func heat(_ chart: Chart) -> String {
    let labelWidth = labelRoom(chart.series.map(\.name))
    let cell = 22.0
    let maximum = max(chart.series.flatMap(\.values).max() ?? 1, 1)
    let width = labelWidth + cell * Double(chart.labels.count) + 20
    let height = cell * Double(chart.series.count) + 50
    var out = "<svg role=\"img\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
    out += "viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    for (row, series) in chart.series.enumerated() {
      let y = Double(row) * cell
      out += "<text x=\"\(Int(labelWidth - 6))\" y=\"\(number(y + 15))\" text-anchor=\"end\">"
      out += "\(escape(series.name))</text>\n"
      for (column, value) in series.values.enumerated() {
        let opacity = value <= 0 ? 0.05 : 0.15 + 0.85 * value / maximum
        out += "<rect x=\"\(number(labelWidth + Double(column) * cell))\" y=\"\(number(y))\" "
        out += "width=\"\(Int(cell - 2))\" height=\"\(Int(cell - 2))\" fill=\"#1a7f37\" "
        out += "fill-opacity=\"\(format3(opacity))\">"
        let label = column < chart.labels.count ? chart.labels[column] : ""
        out += "<title>\(escape(series.name)) \(escape(label)): \(number(value))</title></rect>\n"
      }
    }
    let every = max(1, chart.labels.count / 8)
    for (column, label) in chart.labels.enumerated() where column % every == 0 {
      out += "<text x=\"\(number(labelWidth + Double(column) * cell))\" "
      out += "y=\"\(number(Double(chart.series.count) * cell + 16))\">\(escape(label))</text>\n"
    }
    return out + "</svg>\n"
  }

  static func format3(_ value: Double) -> String {
    let rounded = (value * 1000).rounded() / 1000
    return String(rounded)
  }

  static func legend(_ chart: Chart, y: Double, x: Double) -> String {
    guard chart.series.count > 1 else { return "" }
    var out = ""
    var cursor = x
    for (index, series) in chart.series.enumerated() {
      out += "<rect x=\"\(number(cursor))\" y=\"\(number(y - 9))\" width=\"10\" height=\"10\" "
      out += "fill=\"\(palette[index % palette.count])\"/>"
      out += "<text x=\"\(number(cursor + 14))\" y=\"\(number(y))\">\(escape(series.name))</text>\n"
      cursor += 24 + Double(DisplayWidth.of(series.name)) * 7
    }
    return out
  }

  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}
