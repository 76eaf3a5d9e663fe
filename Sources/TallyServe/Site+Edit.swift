import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

/// Editing (`--allow propose|commit`, docs/serve-editing.md): forms made from the schema,
/// saved through ``RefEditor`` — the edit made on the record as of the form's commit, merged
/// with what landed since, checked, checked against the policy as the signed-in person, and
/// committed on the ref with a compare-and-swap.
extension Site {
  /// What a form is about: a record, and either its scalar fields or a new item of a list.
  struct FormTarget {
    var type: RecordType
    var id: String
    /// Nil: the record's fields (`/TYPE/ID/edit`); else the list an item is added to.
    var list: FieldSpec?

    var recordPath: String { "/" + type.name + "/" + id }
    var action: String { recordPath + (list.map { "/add/" + $0.name } ?? "/edit") }

    /// The fields the form has: the scalar ones of the record, or of the list's item.
    var fields: [FieldSpec] {
      let object: ObjectSpec
      if let list {
        guard case .list(let spec) = list.type, case .object(let item) = spec.items.type else { return [] }
        object = item
      } else {
        object = type.object
      }
      return object.fields.filter { field in
        switch field.type {
        case .list, .object: false
        default: true
        }
      }
    }
  }

  /// A request that may edit: the person signed in and the commit the ref points at.
  struct Editor {
    var person: Person
    /// The record type of people (the policy's `actors.type`).
    var peopleType: String
    var editor: RefEditor
    var tip: CommitID
  }

  /// Who is editing, or the response that says why nobody may.
  func signedIn(_ request: Request, _ serve: ServeContext) throws -> Result<Editor, ResponseError> {
    let w = language(request)
    guard options.access != .view else {
      return .failure(
        ResponseError(
          status: .forbidden,
          message: w(
            "tally serve is view-only here: editing needs --allow commit or --allow propose",
            "此服务为只读模式：编辑需要以 --allow commit 或 --allow propose 启动")))
    }
    guard let name = options.identity.name(of: request, from: serve.remoteAddress) else {
      return .failure(
        ResponseError(
          status: .unauthorized,
          message: w(
            "Sign in first: editing needs to know who you are (through the single-sign-on proxy).",
            "请先登录：编辑需要知道您是谁（通过单点登录代理）。")))
    }
    let editor = try RefEditor(history: history, ref: options.ref)
    let tip = try editor.tip()
    let people = try editor.people(at: tip, today: options.today())
    guard let person = people.person(named: name) else {
      return .failure(
        ResponseError(
          status: .forbidden,
          message: w(
            "'\(name)' is not anyone in the staff records (add it to the person's git_identities)",
            "“\(name)”不在员工档案中（请将其加入该员工的 git_identities）")))
    }
    guard person.active else {
      return .failure(
        ResponseError(status: .forbidden, message: w("\(person.label) has left", "\(person.label) 已离职")))
    }
    return .success(Editor(person: person, peopleType: people.settings.type, editor: editor, tip: tip))
  }

  struct ResponseError: Error {
    var status: HTTPResponse.Status
    var message: String
  }

  func errorPage(_ error: ResponseError, _ request: Request, commit: String? = nil) -> Response {
    // Without a commit of its own (nobody signed in yet): the served ref's tip now.
    let commit = commit ?? (try? resolveHead()) ?? ""
    let layout = Layout(language: language(request), commit: commit, ref: options.ref, access: options.access)
    let html = "<p class=\"error\">\(HTMLRenderer.escape(error.message))</p>\n"
    return Page.html(layout.page(title: layout.language("Cannot edit", "无法编辑"), body: html), status: error.status)
  }

  /// The form's target from the URL, or a 404.
  func formTarget(_ editing: RecordEditing, type: String, id: String, list: String?) -> FormTarget? {
    guard let recordType = try? editing.recordType(named: type), (try? editing.target(type: type, id: id)) != nil
    else { return nil }
    var target = FormTarget(type: recordType, id: id, list: nil)
    if let list {
      guard let field = recordType.object[list], case .list(let spec) = field.type, case .object = spec.items.type
      else { return nil }
      target.list = field
    }
    return target
  }

  // MARK: - GET

  /// `GET /TYPE/ID/edit` and `GET /TYPE/ID/add/FIELD`: the form, made from the record as the
  /// ref has it now.
  func form(type: String, id: String, list: String?, _ request: Request, _ serve: ServeContext) throws -> Response {
    let signed: Editor
    switch try signedIn(request, serve) {
    case .success(let editor): signed = editor
    case .failure(let error): return errorPage(error, request)
    }
    let today = options.today()
    let editing = try signed.editor.editing(at: signed.tip, today: today)
    guard let target = formTarget(editing, type: type, id: id, list: list) else {
      return Page.text(.notFound, "no record or list at \(request.uri.path)\n")
    }
    var values: [String: String] = [:]
    if target.list == nil {
      let record = try currentValue(editing, target)
      for field in target.fields { values[field.name] = record?[field.name]?.text ?? "" }
    } else {
      for field in target.fields {
        values[field.name] = defaultText(field, person: signed.person, people: signed.peopleType, today: today)
      }
    }
    return Page.html(
      formPage(
        target, values: values, errors: [:], general: [], commit: signed.tip.hex, person: signed.person,
        people: signed.peopleType, editing: editing, request))
  }

  /// The record's value at the editing's base.
  func currentValue(_ editing: RecordEditing, _ target: FormTarget) throws -> Value? {
    let bytes = try editing.originalBytes(of: try editing.target(type: target.type.name, id: target.id))
    return SyntaxTree.parse(bytes).tree?.value
  }

  /// What a new item's field starts as: the schema's default; today for a required date (an
  /// optional one, such as a planned next contact, starts empty: today would rarely be right
  /// and often breaks a rule such as "after the follow-up's date"); the signed-in person for a
  /// required reference to the people.
  func defaultText(_ field: FieldSpec, person: Person, people: String, today: CivilDate) -> String {
    if let value = field.defaultValue { return value }
    switch field.type {
    case .date where field.required: return today.description
    case .reference(let reference) where field.required:
      if reference.target == people { return person.id }
      return ""
    default: return ""
    }
  }

  // MARK: - POST

  /// `POST /TYPE/ID/edit` and `POST /TYPE/ID/add/FIELD`: save (see ``RefEditor``). 303 to the
  /// record when it landed; 422 with the form as typed; 409 with a chooser; 403 for the
  /// policy or a bad token.
  func save(type: String, id: String, list: String?, body: [UInt8], _ request: Request, _ serve: ServeContext) throws
    -> Response
  {
    let w = language(request)
    let signed: Editor
    switch try signedIn(request, serve) {
    case .success(let editor): signed = editor
    case .failure(let error): return errorPage(error, request)
    }
    let form = FormBody(body)
    guard FormToken.isValid(form["csrf"], person: signed.person.id, target: request.uri.path) else {
      return errorPage(
        ResponseError(
          status: .forbidden,
          message: w(
            "This form has no valid token (it is too old, or was not made here); nothing was saved. Load the form again.",
            "表单校验码无效（已过期或并非本站生成），未保存任何内容。请重新打开表单。")), request, commit: signed.tip.hex)
    }
    guard let base = form["commit"].flatMap({ signed.editor.commit(named: $0) }) else {
      return Page.text(.badRequest, "the form does not say which commit it was made from\n")
    }
    let today = options.today()
    let editing = try signed.editor.editing(at: base, today: today)
    guard let target = formTarget(editing, type: type, id: id, list: list) else {
      return Page.text(.notFound, "no record or list at \(request.uri.path)\n")
    }
    // The values as typed, and each field's problem.
    var typed: [String: String] = [:]
    var errors: [String: String] = [:]
    let prefix = target.list.map { FieldPath().appending(key: $0.name).appending(index: 0) } ?? FieldPath()
    for field in target.fields {
      // Browsers send a textarea's line breaks as CRLF; records use LF.
      guard let text = form["f." + field.name]?.replacingOccurrences(of: "\r\n", with: "\n") else { continue }
      typed[field.name] = text
      if text.isEmpty {
        if field.required && target.list != nil { errors[field.name] = w("required", "必填") }
        continue
      }
      if let problem = editing.problem(with: text, for: field, at: prefix.appending(key: field.name)) {
        errors[field.name] = problem.description
      }
    }
    func again(_ status: HTTPResponse.Status, general: [String], commit: String) -> Response {
      var values = typed
      if target.list == nil, let record = try? currentValue(editing, target) {
        for field in target.fields where values[field.name] == nil {
          values[field.name] = record[field.name]?.text ?? ""
        }
      }
      return Page.html(
        formPage(
          target, values: values, errors: errors, general: general, commit: commit, person: signed.person,
          people: signed.peopleType, editing: editing, request), status: status)
    }
    if !errors.isEmpty { return again(.unprocessableContent, general: [], commit: base.hex) }

    let change: RefEditor.Change
    if let list = target.list {
      let arguments = target.fields.compactMap { field -> String? in
        guard let text = typed[field.name], !text.isEmpty else { return nil }
        return field.name + "=" + text
      }
      change = .add(list: FieldPath().appending(key: list.name), arguments: arguments)
    } else {
      // Only the fields the form changed: an untouched field does not overwrite what
      // someone else saved since the form was made.
      let record = try currentValue(editing, target)
      var assignments: [RecordEditing.Assignment] = []
      for field in target.fields {
        guard let text = typed[field.name], text != (record?[field.name]?.text ?? "") else { continue }
        assignments.append(RecordEditing.Assignment(path: FieldPath().appending(key: field.name), text: text))
      }
      change = .set(assignments)
    }
    let edit = RefEditor.Edit(type: target.type.name, id: target.id, change: change)
    let outcome = try signed.editor.save(
      edit, base: base, author: RefEditor.Author(signed.person), today: today,
      to: options.access == .propose ? .proposal : .ref)
    switch outcome {
    case .committed(_, _, _):
      return Page.redirect(to: options.access == .propose ? "/proposals" : target.recordPath)
    case .unchanged:
      return Page.redirect(to: target.recordPath)
    case .refused(let failure):
      return again(.unprocessableContent, general: [failure.description], commit: base.hex)
    case .invalid(let report):
      var general: [String] = []
      for diagnostic in report.diagnostics where diagnostic.severity == .error {
        let message = diagnostic.message + (diagnostic.hint.map { " (\($0))" } ?? "")
        if let name = fieldName(of: diagnostic.field, in: target), errors[name] == nil {
          errors[name] = message
        } else {
          general.append(message)
        }
      }
      return again(.unprocessableContent, general: general, commit: base.hex)
    case .denied(let report):
      let messages = report.results.flatMap(\.diagnostics).map { d in d.message + (d.hint.map { " — \($0)" } ?? "") }
      return errorPage(
        ResponseError(
          status: .forbidden,
          message: w("The policy does not allow this: ", "权限规则不允许此修改：") + messages.joined(separator: "; ")),
        request, commit: base.hex)
    case .conflicts(let conflicts):
      return Page.html(
        conflictPage(target, conflicts, typed: typed, person: signed.person, request), status: .conflict)
    }
  }

  /// The form field a diagnostic's field path is about (`follow_ups[3].date` → `date` on an
  /// add form; `status` on an edit form).
  func fieldName(of path: String?, in target: FormTarget) -> String? {
    guard var path else { return nil }
    if let list = target.list {
      guard path.hasPrefix(list.name + "["), let close = path.firstIndex(of: "]") else { return nil }
      path = String(path[path.index(after: close)...].drop { $0 == "." })
    }
    let name = String(path.prefix { $0 != "." && $0 != "[" })
    return target.fields.contains { $0.name == name } ? name : nil
  }

  // MARK: - Pages

  func formPage(
    _ target: FormTarget, values: [String: String], errors: [String: String], general: [String], commit: String,
    person: Person, people: String, editing: RecordEditing, _ request: Request
  ) -> String {
    let layout = Layout(language: language(request), commit: commit, ref: options.ref, access: options.access)
    let w = layout.language
    let e = HTMLRenderer.escape
    let recordTitle = (target.type.title ?? target.type.name) + " " + target.id
    let title: String
    if let list = target.list {
      title = w("Add to \(list.title ?? list.name)", "添加\(list.title ?? list.name)") + " · " + recordTitle
    } else {
      title = w("Edit", "编辑") + " " + recordTitle
    }
    var html = "<p class=\"meta\"><a href=\"\(e(target.recordPath))\">\(e(recordTitle))</a> · "
    html += e(w("signed in as", "当前用户")) + " " + e(person.label) + "</p>\n"
    for message in general { html += "<p class=\"error\" role=\"alert\">\(e(message))</p>\n" }
    html += "<form class=\"edit\" method=\"post\" action=\"\(e(target.action))\">\n"
    html += "<input type=\"hidden\" name=\"commit\" value=\"\(e(commit))\">\n"
    html +=
      "<input type=\"hidden\" name=\"csrf\" value=\"\(e(FormToken.make(person: person.id, target: target.action)))\">\n"
    for field in target.fields {
      html += fieldHTML(
        field, value: values[field.name] ?? "", error: errors[field.name], editing: editing, commit: commit,
        people: people, w)
    }
    html += "<button type=\"submit\">\(e(w("Save", "保存")))</button>\n</form>\n"
    return layout.page(title: title, body: html)
  }

  /// One field: its label (the schema's title), its input, its message.
  func fieldHTML(
    _ field: FieldSpec, value: String, error: String?, editing: RecordEditing, commit: String, people: String,
    _ w: Language
  ) -> String {
    let e = HTMLRenderer.escape
    let id = "f-" + field.name
    var attributes = "id=\"\(e(id))\" name=\"f.\(e(field.name))\""
    if field.required { attributes += " required" }
    if error != nil { attributes += " aria-invalid=\"true\" aria-describedby=\"\(e("e-" + field.name))\"" }
    var html = "<label for=\"\(e(id))\">\(e(field.title ?? field.name))"
    if field.title != nil { html += " <span class=\"meta\">\(e(field.name))</span>" }
    if field.required { html += " <span class=\"error\" title=\"\(e(w("required", "必填")))\">*</span>" }
    html += "</label>\n"
    func select(_ options: [(String, String)]) -> String {
      var html = "<select \(attributes)>\n"
      var known = options
      if !value.isEmpty && !known.contains(where: { $0.0 == value }) { known.insert((value, value), at: 0) }
      if !field.required || value.isEmpty { known.insert(("", "—"), at: 0) }
      for (option, label) in known {
        html += "<option value=\"\(e(option))\"\(option == value ? " selected" : "")>\(e(label))</option>\n"
      }
      return html + "</select>\n"
    }
    switch field.type {
    case .enumeration(let spec):
      html += select(spec.values.map { value in (value, spec.labels[value].map { "\($0) (\(value))" } ?? value) })
    case .bool:
      html += select([("true", w("yes", "是")), ("false", w("no", "否"))])
    case .reference(let reference):
      var options: [(String, String)] = []
      if let targetType = editing.repository.schema.type(named: reference.target) {
        let names = referenceNames(commit, targetType)
        for id in names.keys.sorted() where editing.admits(reference, id: id, of: targetType) {
          options.append((id, names[id].flatMap { $0 }.map { "\(id) \($0)" } ?? id))
        }
      }
      html += select(options)
    case .date:
      // A date input shows nothing for text that is not a date: what was typed stays visible
      // as text next to its message.
      let kind = value.isEmpty || CivilDate(value) != nil ? "date" : "text"
      html += "<input type=\"\(kind)\" \(attributes) value=\"\(e(value))\">\n"
    case .datetime:
      html += "<input type=\"datetime-local\" \(attributes) value=\"\(e(value))\">\n"
    case .int:
      html += "<input type=\"text\" inputmode=\"numeric\" \(attributes) value=\"\(e(value))\">\n"
    case .decimal, .money, .percent:
      html += "<input type=\"text\" inputmode=\"decimal\" \(attributes) value=\"\(e(value))\">\n"
    case .multiline:
      html += "<textarea rows=\"4\" \(attributes)>\(e(value))</textarea>\n"
    case .email:
      html += "<input type=\"email\" \(attributes) value=\"\(e(value))\">\n"
    case .phone:
      html += "<input type=\"tel\" \(attributes) value=\"\(e(value))\">\n"
    case .url:
      html += "<input type=\"url\" \(attributes) value=\"\(e(value))\">\n"
    default:
      html += "<input type=\"text\" \(attributes) value=\"\(e(value))\">\n"
    }
    if let error { html += "<p class=\"error\" id=\"\(e("e-" + field.name))\">\(e(error))</p>\n" }
    return html
  }

  /// The ids of a type's records at `commit`, with their `name` when they have one.
  func referenceNames(_ commit: String, _ type: RecordType) -> [String: String?] {
    guard let commit = CommitID(hex: commit), let records = try? history.records(at: commit).records(of: type.name)
    else { return [:] }
    return records.mapValues { $0.decoded["name"]?.text }
  }

  /// 409: per conflicting field the record at the form's commit, at the tip and as typed,
  /// and a form to choose (posted again with the tip as its commit).
  func conflictPage(
    _ target: FormTarget, _ conflicts: RefEditor.Conflicts, typed: [String: String], person: Person,
    _ request: Request
  ) -> String {
    let layout = Layout(
      language: language(request), commit: conflicts.tip.hex, ref: options.ref, access: options.access)
    let w = layout.language
    let e = HTMLRenderer.escape
    func text(_ value: Value?) -> String {
      guard let value else { return w("(none)", "（无）") }
      return value.text ?? value.description
    }
    var html = "<p class=\"warn\">"
    html += e(
      w(
        "Someone changed the same fields since you opened the form. Choose, field by field, what to keep.",
        "您打开表单后，有人修改了相同的字段。请逐个字段选择要保留的内容。"))
    html += "</p>\n<form class=\"edit\" method=\"post\" action=\"\(e(target.action))\">\n"
    html += "<input type=\"hidden\" name=\"commit\" value=\"\(e(conflicts.tip.hex))\">\n"
    html +=
      "<input type=\"hidden\" name=\"csrf\" value=\"\(e(FormToken.make(person: person.id, target: target.action)))\">\n"
    for conflict in conflicts.fields {
      let path = conflict.path.description
      let name = fieldName(of: path, in: target) ?? path
      let field = target.fields.first { $0.name == name }
      html += "<fieldset><legend>\(e(field?.title ?? name)) <span class=\"meta\">\(e(path))</span></legend>\n"
      html += "<table><tr><th>\(e(w("before", "原值")))</th><td>\(e(text(conflict.base)))</td></tr>\n"
      html += "<tr><th>\(e(w("theirs (saved since)", "他人已保存")))</th><td>\(e(text(conflict.theirs)))</td></tr>\n"
      html += "<tr><th>\(e(w("yours", "您的修改")))</th><td>\(e(text(conflict.ours)))</td></tr></table>\n"
      if field != nil {
        let theirs = conflict.theirs?.text ?? ""
        let yours = typed[name] ?? conflict.ours?.text ?? ""
        for (label, value, checked) in [
          (w("keep theirs", "保留他人的"), theirs, false), (w("keep yours", "保留我的"), yours, true),
        ] {
          html +=
            "<label><input type=\"radio\" name=\"f.\(e(name))\" value=\"\(e(value))\"\(checked ? " checked" : "")> "
          html += "\(e(label)): \(e(value))</label>\n"
        }
      }
      html += "</fieldset>\n"
    }
    html += "<button type=\"submit\">\(e(w("Save my choice", "保存选择")))</button>\n</form>\n"
    return layout.page(title: w("Changed meanwhile", "内容已被他人修改") + " · " + target.id, body: html)
  }
}
