/// Text in aligned columns, for a terminal or a file: columns sized by display width (CJK
/// characters take two columns), right-aligned where asked, a cell with line breaks continued
/// on the following lines of its column.
///
/// A table is fitted to a width only when one is given: then the widest column that may be
/// cut loses a column at a time (never below ``minimumCutWidth``) until the table fits, and
/// cells wider than their column end in `…`. Without a width nothing is cut, so a table
/// written to a file or a pipe keeps every character of every value.
///
///     var table = TextTable(columns: [.init("Name"), .init("Count", alignRight: true)])
///     table.rows = [["华东一组", "12"]]
///     print(table.render(width: nil))
public struct TextTable: Sendable {
  public struct Column: Sendable {
    public var title: String
    public var alignRight: Bool
    /// Whether the column may be cut to fit a width (numbers, ids and dates should not be).
    public var cuttable: Bool

    public init(_ title: String = "", alignRight: Bool = false, cuttable: Bool? = nil) {
      self.title = title
      self.alignRight = alignRight
      self.cuttable = cuttable ?? !alignRight
    }
  }

  /// A cut column keeps at least this many display columns.
  public static let minimumCutWidth = 6

  public var columns: [Column]
  public var rows: [[String]]
  /// Whether to print the column titles and a rule under them.
  public var header: Bool
  /// Spaces before each line.
  public var indent: Int
  /// Spaces between columns.
  public var gap: Int

  public init(columns: [Column], rows: [[String]] = [], header: Bool = true, indent: Int = 0, gap: Int = 2) {
    self.columns = columns
    self.rows = rows
    self.header = header
    self.indent = indent
    self.gap = gap
  }

  /// The table as lines of text, each ending in a line feed, trailing spaces removed.
  ///
  /// - Parameter width: the display columns to fit the table to, or nil to cut nothing.
  public func render(width: Int?) -> String {
    guard !columns.isEmpty else { return "" }
    // Every cell as its lines; missing cells are empty.
    let body = rows.map { row in
      columns.indices.map { index in index < row.count ? lines(row[index]) : [""] }
    }
    var titles = columns.map { lines($0.title) }
    var widths = [Int](repeating: 0, count: columns.count)
    for row in body {
      for (index, cell) in row.enumerated() {
        for line in cell { widths[index] = max(widths[index], DisplayWidth.of(line)) }
      }
    }
    let cellWidths = widths
    if header {
      for (index, title) in titles.enumerated() {
        for line in title { widths[index] = max(widths[index], DisplayWidth.of(line)) }
      }
    }
    if let width, total(widths) > width {
      // First the titles wider than their column's values wrap at spaces ("Customers at
      // end" over two lines above a column of numbers), then text is cut.
      if header {
        let excess = columns.indices.map { index in
          (index, (titles[index].map { DisplayWidth.of($0) }.max() ?? 0) - cellWidths[index])
        }
        for (index, over) in excess.sorted(by: { ($0.1, $1.0) > ($1.1, $0.0) }) where over > 0 {
          guard total(widths) > width else { break }
          titles[index] = wrap(columns[index].title, toWidth: cellWidths[index])
          widths[index] = max(cellWidths[index], (titles[index].map { DisplayWidth.of($0) }.max() ?? 0))
        }
      }
      fit(&widths, to: width)
    }

    var out = ""
    func emit(_ row: [[String]]) {
      let height = row.map(\.count).max() ?? 1
      for lineIndex in 0..<height {
        var text = String(repeating: " ", count: indent)
        for (index, cell) in row.enumerated() {
          var shown = lineIndex < cell.count ? cell[lineIndex] : ""
          if DisplayWidth.of(shown) > widths[index] { shown = DisplayWidth.truncate(shown, toWidth: widths[index]) }
          text += DisplayWidth.pad(shown, toWidth: widths[index], alignRight: columns[index].alignRight)
          if index < row.count - 1 { text += String(repeating: " ", count: gap) }
        }
        while text.hasSuffix(" ") { text.removeLast() }
        out += text + "\n"
      }
    }
    if header {
      emit(titles)
      out +=
        String(repeating: " ", count: indent)
        + widths.map { String(repeating: "─", count: $0) }.joined(separator: String(repeating: " ", count: gap)) + "\n"
    }
    for row in body { emit(row) }
    return out
  }

  /// Narrows the widest cuttable column, one display column at a time, until the table fits
  /// `width` or nothing more can be cut.
  func fit(_ widths: inout [Int], to width: Int) {
    var total = total(widths)
    while total > width {
      var widest: Int?
      for index in widths.indices where columns[index].cuttable && widths[index] > Self.minimumCutWidth {
        if widest == nil || widths[index] > widths[widest!] { widest = index }
      }
      guard let widest else { return }
      widths[widest] -= 1
      total -= 1
    }
  }

  /// The display width of a line of the table.
  func total(_ widths: [Int]) -> Int { indent + widths.reduce(0, +) + gap * (widths.count - 1) }

  /// `text` in lines no wider than `width`, or than its longest word, broken at spaces.
  func wrap(_ text: String, toWidth width: Int) -> [String] {
    let width = max(
      width, text.split(whereSeparator: { $0 == " " || $0.isNewline }).map { DisplayWidth.of($0) }.max() ?? 0)
    var result: [String] = []
    for paragraph in lines(text) {
      var line = ""
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
        if line.isEmpty {
          line = String(word)
        } else if DisplayWidth.of(line) + 1 + DisplayWidth.of(word) <= width {
          line += " " + word
        } else {
          result.append(line)
          line = String(word)
        }
      }
      result.append(line)
    }
    return result
  }

  /// A cell's lines (a line break starts a new line; a trailing one adds none).
  func lines(_ text: String) -> [String] {
    guard text.contains(where: \.isNewline) else { return [text] }
    var result = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
    if result.count > 1, result.last == "" { result.removeLast() }
    return result
  }
}
