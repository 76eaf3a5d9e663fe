import HTTPTypes
import Hummingbird
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

extension Site {
  /// `/TYPE` (and `.json`, `.csv`): the records of a type, with their name and key fields,
  /// each linking to its page.
  func recordList(_ file: String, _ request: Request) throws -> Response {
    let (name, format) = Self.split(file, formats: ["json": "json", "csv": "csv"], default: "html")
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    guard let format, let type = context.records.schema.type(named: name) else {
      return Self.unknownType(file, context, layout)
    }
    let report = try list(type, context)
    switch format {
    case "json": return Page.json(ReportRenderer.render(report, as: .json))
    case "csv": return Page.csv(ReportRenderer.render(report, as: .csv))
    default:
      let w = layout.language
      let e = HTMLRenderer.escape
      let base = "/" + PageParts.segment(type.name)
      var section = report.sections[0]
      let count = section.table.rows.count
      // The page of rows shown (`?page=`, from 1); JSON and CSV have them all.
      let pages = max(1, (count + Self.listPage - 1) / Self.listPage)
      let page = min(max(Int(PageParts.query(request)["page"] ?? "") ?? 1, 1), pages)
      section.table.rows = Array(section.table.rows.dropFirst((page - 1) * Self.listPage).prefix(Self.listPage))
      var html = "<p class=\"meta\">" + PageParts.link(base + ".json", "JSON") + " · "
      html += PageParts.link(base + ".csv", "CSV") + " · " + e(w("\(count) records", "共 \(count) 条")) + "</p>\n"
      let ids = section.table.rows.map { $0.first?.text ?? "" }
      let link: (Int) -> String? = { PageParts.recordPath(type.name, ids[$0]) }
      var links: [String: (Int) -> String?] = ["id": link]
      if let field = Self.nameField(type) { links[field] = link }
      html += Self.labelled(section, type: type, context: context, links: links)
      if pages > 1 {
        html += "<p>"
        if page > 1 { html += PageParts.link(base + "?page=\(page - 1)", w("← Previous", "← 上一页")) + " " }
        html += e(w("Page \(page) of \(pages)", "第 \(page) / \(pages) 页"))
        if page < pages { html += " " + PageParts.link(base + "?page=\(page + 1)", w("Next →", "下一页 →")) }
        html += "</p>\n"
      }
      return Page.html(layout.page(title: report.title, body: html))
    }
  }

  /// `/TYPE/ID` (and `.json`): a record with the schema's titles and labels, its timeline,
  /// field blame; `?at=DAY` shows it as of a day (as `tally show --at`), `?from=&to=` what
  /// changed between two days. The JSON is `tally show TYPE/ID --format json` (with `at`,
  /// `--at`).
  func record(_ typeName: String, _ file: String, _ request: Request) throws -> Response {
    let context = try self.context(reportOptions())
    let layout = self.layout(context, request)
    guard let type = context.records.schema.type(named: typeName) else {
      return Self.unknownType(typeName, context, layout)
    }
    var id = file
    var json = false
    if file.hasSuffix(".json") {
      id = String(file.dropLast(5))
      json = true
    }
    let key = RecordKey(type: type.name, id: id)
    let history = context.history
    let commits = recordCommits(key, context)
    guard let current = try history.version(of: key, at: context.commit, in: commits) else {
      let ids = try context.current(type.name).ids
      let guess = Suggestions.closest(to: id, among: ids, maxDistance: 3)
      let w = layout.language
      var message = w(
        "No \(type.name) '\(id)' in \(options.ref).", "\(options.ref) 中没有\(type.title ?? type.name) '\(id)'。")
      var html = "<p class=\"error\">\(HTMLRenderer.escape(message))</p>\n"
      if let guess {
        message += " " + w("Did you mean \(guess)?", "是不是 \(guess)？")
        html += "<p>\(HTMLRenderer.escape(w("Did you mean", "是不是"))) "
        html += PageParts.link(PageParts.recordPath(type.name, guess), guess) + "?</p>\n"
      }
      html +=
        "<p>"
        + PageParts.link(
          "/" + PageParts.segment(type.name), w("All \(type.name) records", "全部\(type.title ?? type.name)")) + "</p>\n"
      if json { return Page.text(.notFound, message + "\n") }
      return Page.html(layout.page(title: w("Not found", "未找到"), body: html), status: .notFound)
    }
    let query = PageParts.query(request)
    func day(_ name: String) -> Result<CivilDate?, Failure> {
      guard let text = query[name], !text.isEmpty else { return .success(nil) }
      guard let day = CivilDate(text) else {
        return .failure(Failure(status: .badRequest, message: "\(name): '\(text)' is not a date (write YYYY-MM-DD)"))
      }
      return .success(day)
    }
    let at: CivilDate?
    let from: CivilDate?
    let to: CivilDate?
    do throws(Failure) {
      at = try day("at").get()
      from = try day("from").get()
      to = try day("to").get()
    } catch {
      return Page.text(error.status, error.message + "\n")
    }
    if (from == nil) != (to == nil) {
      return Page.text(.badRequest, "from and to go together: give both days (YYYY-MM-DD) to compare the record\n")
    }
    // The version shown: as of `at` (the last commit of the ref's own timeline made on or
    // before that day, like `tally show --at`), else the ref's.
    var shown = current
    if let at {
      guard let commit = context.commit(atEndOf: at) else {
        return Page.text(.notFound, "the history starts after \(at)\n")
      }
      guard let version = try history.version(of: key, at: commit, in: commits) else {
        return Page.text(.notFound, "\(key) did not exist at \(at) (commit \(commit.short()))\n")
      }
      shown = version
    }
    if json { return Page.json(shown.json()) }

    let w = layout.language
    let e = HTMLRenderer.escape
    let value = SyntaxTree.parse(shown.bytes).tree?.value ?? .null
    let path = PageParts.recordPath(type.name, id)
    let typeTitle = type.title ?? type.name
    let name = Self.nameField(type).flatMap { value[$0]?.text }
    var html = "<p class=\"meta\">" + PageParts.link("/" + PageParts.segment(type.name), typeTitle) + " · "
    html += PageParts.link(path + ".json" + (at.map { "?at=\($0)" } ?? ""), "JSON")
    if options.access != .view { html += " · " + PageParts.link(path + "/edit", w("Edit", "编辑")) }
    html += "</p>\n"
    if let at {
      html += "<p class=\"note\">\(e(w("As of the end of \(at)", "截至 \(at) 日终")))"
      html += " (\(e(w("commit", "提交"))) <code>\(e(shown.commit.short()))</code>) · "
      html += PageParts.link(path, w("now", "当前")) + "</p>\n"
    }
    html += "<form class=\"search\" method=\"get\" action=\"\(e(path))\">"
    html +=
      "<input type=\"date\" name=\"at\" value=\"\(e(at?.description ?? ""))\" aria-label=\"\(e(w("as of", "截至")))\">"
    html += "<button type=\"submit\">\(e(w("Show as of", "查看当时")))</button></form>\n"

    // The fields: scalars in one table, lists of objects each in their own.
    let object = type.object
    var rows: [[PageParts.Content]] = []
    var lists: [(FieldSpec?, String, [Value])] = []
    for pair in Self.ordered(value, object) {
      let spec = object[pair.key]
      if case .sequence(let items) = pair.value, Self.isListOfObjects(spec, items) {
        lists.append((spec, pair.key, items))
        continue
      }
      rows.append([.text(spec?.title ?? pair.key), .html(Self.html(pair.value, spec?.type, context))])
    }
    // List fields the record does not have yet, so "Add …" is offered for them too.
    for spec in object.fields where value[spec.name] == nil {
      if case .list(let list) = spec.type, case .object = list.items.type { lists.append((spec, spec.name, [])) }
    }
    html += PageParts.table([w("Field", "字段"), w("Value", "内容")], rows)
    for (spec, fieldName, items) in lists {
      let title = spec?.title ?? fieldName
      html += "<h2 id=\"\(e(fieldName))\">\(e(title)) (\(items.count))</h2>\n"
      if options.access != .view {
        html += "<p>" + PageParts.link(path + "/add/" + PageParts.segment(fieldName), w("Add: \(title)", "添加\(title)"))
        html += "</p>\n"
      }
      if !items.isEmpty { html += Self.itemsTable(items, spec?.type, context) }
    }

    // What changed between two days.
    html += "<h2 id=\"diff\">\(e(w("Changes between two days", "两个日期之间的变化")))</h2>\n"
    html += "<form class=\"search\" method=\"get\" action=\"\(e(path))\">"
    html += "<input type=\"date\" name=\"from\" value=\"\(e(from?.description ?? ""))\" aria-label=\"from\">"
    html += "<input type=\"date\" name=\"to\" value=\"\(e(to?.description ?? ""))\" aria-label=\"to\">"
    html += "<button type=\"submit\">\(e(w("Compare", "比较")))</button></form>\n"
    if let from, let to {
      html += try diff(key, type, from: from, to: to, context, commits, w)
    }

    // The timeline, as `tally log` has it.
    html += "<h2 id=\"timeline\">\(e(w("Timeline", "变更记录")))</h2>\n"
    if let log = history.log(of: key, in: commits) {
      let text = context.text
      var timeline: [[PageParts.Content]] = []
      for event in log.events {
        var changes: [String] = []
        let change = event.change
        if change.kind != .modified || change.fields.isEmpty { changes.append(text.headline(change)) }
        for field in change.fields { changes.append(text.describe(field, type: change.type, limit: 80)) }
        timeline.append([
          .text(text.date(event.commit.author)), .text(text.author(event.commit.author)),
          .html("<code>\(e(event.commit.id.short()))</code>"), .text(event.commit.summary),
          .html(changes.map(e).joined(separator: "<br>")),
        ])
      }
      html += PageParts.table(
        [w("Date", "日期"), w("Author", "作者"), w("Commit", "提交"), w("Message", "说明"), w("Changes", "变化")], timeline)
    }

    // Who last changed each field, as `tally blame` has it.
    html += "<h2 id=\"blame\">\(e(w("Who changed each field", "各字段最后修改")))</h2>\n"
    if let blame = try history.blame(of: key, at: context.commit, in: commits) {
      let text = context.text
      let blameRows: [[PageParts.Content]] = blame.lines.map { line in
        let target = type.referenceSpec(at: line.path)?.target
        return [
          .text(line.path.description), .text(text.show(line.value, target: target, limit: 80)),
          .html(line.commit.map { "<code>\(e($0.id.short()))</code>" } ?? ""),
          .text(line.commit.map { text.date($0.author) } ?? ""),
          .text(line.commit.map { text.people.author($0.author).name } ?? ""),
        ]
      }
      html += PageParts.table(
        [w("Field", "字段"), w("Value", "内容"), w("Commit", "提交"), w("Date", "日期"), w("Author", "作者")], blameRows)
    }
    let title = "\(typeTitle) \(id)" + (name.map { " · \($0)" } ?? "")
    return Page.html(layout.page(title: title, body: html))
  }

  /// The differences between the record as of the end of `from` and of `to`, old values in
  /// `<del>`, new ones in `<ins>`.
  private func diff(
    _ key: RecordKey, _ type: RecordType, from: CivilDate, to: CivilDate, _ context: ReportContext,
    _ commits: [CommitChanges], _ w: Language
  ) throws -> String {
    let e = HTMLRenderer.escape
    func version(_ day: CivilDate) throws -> (CommitID?, Value?) {
      guard let commit = context.commit(atEndOf: day) else { return (nil, nil) }
      let found = try context.history.version(of: key, at: commit, in: commits)
      return (commit, found.flatMap { SyntaxTree.parse($0.bytes).tree?.value })
    }
    let (oldCommit, old) = try version(from)
    let (newCommit, new) = try version(to)
    var html = "<p class=\"meta\">\(e(from.description)) "
    html += oldCommit.map { "(<code>\(e($0.short()))</code>)" } ?? e(w("(before the history)", "（历史开始之前）"))
    html += " → \(e(to.description)) "
    html += newCommit.map { "(<code>\(e($0.short()))</code>)" } ?? e(w("(before the history)", "（历史开始之前）"))
    html += "</p>\n"
    if old == nil && new == nil {
      return html + "<p class=\"note\">\(e(w("The record did not exist on either day.", "两个日期该记录都不存在。")))</p>\n"
    }
    let differences = FieldDiff.differences(from: old ?? .mapping([]), to: new ?? .mapping([]), spec: type.object)
    if differences.isEmpty {
      return html + "<p class=\"note\">\(e(w("No field changed.", "没有字段变化。")))</p>\n"
    }
    let text = context.text
    let rows: [[PageParts.Content]] = differences.map { difference in
      let target = type.referenceSpec(at: difference.path)?.target
      let before = difference.old.map { "<del>\(e(text.show($0, target: target, limit: nil)))</del>" } ?? ""
      let after = difference.new.map { "<ins>\(e(text.show($0, target: target, limit: nil)))</ins>" } ?? ""
      return [.text(difference.path.description), .html(before), .html(after)]
    }
    return html + PageParts.table([w("Field", "字段"), from.description, to.description], rows)
  }

  /// The commits of the context's history that changed the record `key` names (through
  /// renames), narrowed to its changes: from the ``RecordChangeIndex`` kept for the latest
  /// history served, extended when the ref moves on.
  func recordCommits(_ key: RecordKey, _ context: ReportContext) -> [CommitChanges] {
    let commits = context.commits
    if recordIndex?.commits.count != commits.count || recordIndex?.commits.last?.id != commits.last?.id {
      recordIndex = recordIndex?.updated(to: commits) ?? RecordChangeIndex(commits)
    }
    return recordIndex?.commits(of: key) ?? []
  }

  /// ``listReport(_:_:)``, kept per commit.
  func list(_ type: RecordType, _ context: ReportContext) throws -> Report {
    let key = "list\u{1}\(context.commit.hex)\u{1}\(type.name)"
    if let known = pages[key] { return known }
    let report = try Self.listReport(type, context)
    remember(report, as: key)
    return report
  }

  /// A request that cannot be answered, and why.
  struct Failure: Error {
    var status: HTTPResponse.Status
    var message: String
  }

  /// 404 for a type the schemas do not have, naming the closest.
  static func unknownType(_ name: String, _ context: ReportContext, _ layout: Layout) -> Response {
    let names = context.records.schema.types.map(\.name)
    let w = layout.language
    var html =
      "<p class=\"error\">\(HTMLRenderer.escape(w("No page or record type '\(name)'.", "没有页面或记录类型 '\(name)'。")))</p>\n"
    if let guess = Suggestions.closest(to: name, among: names) {
      html +=
        "<p>\(HTMLRenderer.escape(w("Did you mean", "是不是"))) " + PageParts.link("/" + PageParts.segment(guess), guess)
      html += "?</p>\n"
    }
    html +=
      "<ul>" + names.map { "<li>" + PageParts.link("/" + PageParts.segment($0), $0) + "</li>" }.joined() + "</ul>\n"
    return Page.html(layout.page(title: w("Not found", "未找到"), body: html), status: .notFound)
  }

  /// The rows of a page of a type's records.
  static let listPage = 500

  /// The field that names a record: `name`, else `title`.
  static func nameField(_ type: RecordType) -> String? {
    ["name", "title"].first { type.object[$0]?.type.isScalar == true }
  }

  /// The columns of the list of a type's records: the required scalar fields (then others,
  /// to have three), at most five, in schema order.
  static func keyFields(_ type: RecordType) -> [FieldSpec] {
    let nameField = nameField(type)
    let scalars = type.object.fields.filter { field in
      guard field.name != nameField, field.type.isScalar else { return false }
      return field.type.kind != .multiline
    }
    var chosen = Set(scalars.filter(\.required).prefix(5).map(\.name))
    for field in scalars where chosen.count < 3 { chosen.insert(field.name) }
    return scalars.filter { chosen.contains($0.name) }
  }

  /// The records of a type as a report table (values as the files have them: an enum's
  /// value, a reference's id), ids in natural order.
  static func listReport(_ type: RecordType, _ context: ReportContext) throws -> Report {
    let records = try context.current(type.name)
    let nameField = nameField(type)
    let fields = keyFields(type)
    var columns = [ReportTable.Column("id", "id")]
    if let nameField { columns.append(.init(nameField, type.object[nameField]?.title ?? nameField)) }
    columns += fields.map { .init($0.name, $0.title ?? $0.name) }
    let ids = records.ids.sorted { NaturalOrder.precedes($0, $1) }
    let rows: [[Cell]] = ids.map { id in
      let record = records[id]
      var row: [Cell] = [.text(id)]
      if let nameField { row.append(record?.string(nameField).map(Cell.text) ?? .empty) }
      for field in fields { row.append(record?.string(field.name).map(Cell.text) ?? .empty) }
      return row
    }
    let title = type.title ?? type.name
    return Report(
      name: type.name, title: title, commit: context.commit.hex, commitDate: context.commitDate,
      scope: "\(ids.count)",
      sections: [ReportSection(key: "records", title: title, table: ReportTable(columns: columns, rows: rows))])
  }

  /// A section of record values as HTML: enum values shown with their labels, references
  /// as links with the name of what they name.
  static func labelled(
    _ section: ReportSection, type: RecordType, context: ReportContext, links: [String: (Int) -> String?]
  ) -> String {
    let columns = section.table.columns
    let rows: [[PageParts.Content]] = section.table.rows.enumerated().map { index, row in
      row.enumerated().map { column, cell in
        let key = columns[column].key
        if let href = links[key]?(index) { return .link(cell.text, href: href) }
        guard case .text(let text) = cell else { return .text(cell.text) }
        return .html(html(.text(text), type.object[key]?.type, context))
      }
    }
    return PageParts.table(columns.map(\.title), rows)
  }

  /// The record's fields in schema order, then any the schema does not name.
  static func ordered(_ value: Value, _ object: ObjectSpec) -> [Value.Pair] {
    let pairs = value.pairs ?? []
    return pairs.sorted { (object.position(of: $0.key) ?? Int.max) < (object.position(of: $1.key) ?? Int.max) }
  }

  static func isListOfObjects(_ spec: FieldSpec?, _ items: [Value]) -> Bool {
    if case .list(let list)? = spec?.type, case .object = list.items.type { return true }
    return !items.isEmpty && items.allSatisfy { $0.pairs != nil }
  }

  /// A list of objects as a table: a column per field of the item's type (in schema order,
  /// then others), only those some item has.
  static func itemsTable(_ items: [Value], _ type: FieldType?, _ context: ReportContext) -> String {
    var object = ObjectSpec(fields: [])
    if case .list(let list)? = type, case .object(let inner) = list.items.type { object = inner }
    var keys: [String] = []
    for item in items {
      for pair in item.pairs ?? [] where !keys.contains(pair.key) { keys.append(pair.key) }
    }
    keys.sort { (object.position(of: $0) ?? Int.max) < (object.position(of: $1) ?? Int.max) }
    let rows: [[PageParts.Content]] = items.map { item in
      keys.map { key in .html(item[key].map { html($0, object[key]?.type, context) } ?? "") }
    }
    return PageParts.table(keys.map { object[$0]?.title ?? $0 }, rows)
  }

  /// A value as HTML: an enum value with its label, a reference as a link, multi-line text
  /// with its line breaks, objects and lists as tables.
  static func html(_ value: Value, _ type: FieldType?, _ context: ReportContext) -> String {
    let e = HTMLRenderer.escape
    switch value {
    case .null:
      return ""
    case .scalar(let text, _):
      switch type {
      case .enumeration(let spec)?:
        guard let label = spec.labels[text], label != text else { return e(text) }
        return "\(e(label)) <span class=\"meta\">(\(e(text)))</span>"
      case .reference(let reference)?:
        let name = context.text.people.names["\(reference.target)/\(text)"]
        return PageParts.link(PageParts.recordPath(reference.target, text), name.map { "\($0) (\(text))" } ?? text)
      default:
        return e(text).replacingOccurrences(of: "\n", with: "<br>")
      }
    case .sequence(let items):
      if isListOfObjects(nil, items) { return itemsTable(items, type, context) }
      var itemType: FieldType?
      if case .list(let list)? = type { itemType = list.items.type }
      return items.map { html($0, itemType, context) }.joined(separator: ", ")
    case .mapping(let pairs):
      var object = ObjectSpec(fields: [])
      if case .object(let inner)? = type { object = inner }
      let rows: [[PageParts.Content]] = ordered(.mapping(pairs), object).map { pair in
        [.text(object[pair.key]?.title ?? pair.key), .html(html(pair.value, object[pair.key]?.type, context))]
      }
      return PageParts.table([], rows)
    }
  }
}
