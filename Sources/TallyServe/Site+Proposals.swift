import Foundation
import HTTPTypes
import Hummingbird
import TallyHistory
import TallyRecords
import TallyReports
import TallySchema
import TallyText

/// `--allow propose` (docs/serve-editing.md): the proposals waiting at
/// `refs/tally/proposals/N`, and applying (merged onto the tip, checked, policy-checked as the
/// person applying, compare-and-swap) or rejecting them.
extension Site {
  /// `GET /proposals`: each proposal's author, record and diff, with apply and reject buttons.
  func proposalsPage(_ request: Request, _ serve: ServeContext) throws -> Response {
    let signed: Editor
    switch try signedIn(request, serve) {
    case .success(let editor): signed = editor
    case .failure(let error): return errorPage(error, request)
    }
    let layout = Layout(language: language(request), commit: signed.tip.hex, ref: options.ref, access: options.access)
    let w = layout.language
    let e = HTMLRenderer.escape
    let proposals = try signed.editor.proposals()
    var html = ""
    if proposals.isEmpty { html += "<p class=\"meta\">\(e(w("No proposals.", "没有待审的修改。")))</p>\n" }
    for proposal in proposals {
      let record = "/" + proposal.type + "/" + proposal.id
      html += "<section class=\"card\" id=\"p\(proposal.number)\">\n<h2>#\(proposal.number) "
      html += "<a href=\"\(e(record))\">\(e(proposal.type + " " + proposal.id))</a></h2>\n"
      html += "<p class=\"meta\">\(e(proposal.authorName)) &lt;\(e(proposal.authorEmail))&gt; · "
      html += "<code>\(e(proposal.commit.short()))</code> · \(e(proposal.summary))</p>\n"
      html += "<pre>\(e(proposal.diff))</pre>\n"
      for (action, label) in [("apply", w("Apply", "采纳")), ("reject", w("Reject", "驳回"))] {
        let target = "/proposals/\(proposal.number)/\(action)"
        html += "<form class=\"edit\" method=\"post\" action=\"\(e(target))\">"
        html +=
          "<input type=\"hidden\" name=\"csrf\" value=\"\(e(FormToken.make(person: signed.person.id, target: target)))\">"
        html += "<button type=\"submit\">\(e(label))</button></form>\n"
      }
      html += "</section>\n"
    }
    return Page.html(layout.page(title: w("Proposals", "待审修改"), body: html))
  }

  /// `POST /proposals/N/apply` and `/proposals/N/reject`.
  func decide(_ number: String, apply: Bool, body: [UInt8], _ request: Request, _ serve: ServeContext) throws
    -> Response
  {
    let w = language(request)
    let signed: Editor
    switch try signedIn(request, serve) {
    case .success(let editor): signed = editor
    case .failure(let error): return errorPage(error, request)
    }
    guard FormToken.isValid(FormBody(body)["csrf"], person: signed.person.id, target: request.uri.path) else {
      return errorPage(
        ResponseError(
          status: .forbidden,
          message: w("This form has no valid token; nothing was changed.", "表单校验码无效，未做任何修改。")),
        request, commit: signed.tip.hex)
    }
    guard let n = Int(number), let proposal = try signed.editor.proposal(n) else {
      return Page.text(.notFound, "no proposal \(number)\n")
    }
    let today = options.today()
    let actor = RefEditor.Author(signed.person)
    if !apply {
      // The proposer withdraws; anyone else needs the policy's leave to make the change.
      let own = RefEditor.Author(signed.person).email.lowercased() == proposal.authorEmail.lowercased()
      let allowed = try own || signed.editor.mayApply(proposal, actor: actor, today: today)
      guard allowed else {
        return errorPage(
          ResponseError(
            status: .forbidden,
            message: w(
              "Only the proposer or someone the policy lets make the change may reject it.",
              "只有提交人或权限规则允许做此修改的人可以驳回。")), request, commit: signed.tip.hex)
      }
      try signed.editor.reject(proposal)
      return Page.redirect(to: "/proposals")
    }
    switch try signed.editor.apply(proposal, actor: actor, today: today) {
    case .committed, .unchanged:
      return Page.redirect(to: "/" + proposal.type + "/" + proposal.id)
    case .denied(let report):
      let messages = report.results.flatMap(\.diagnostics).map { d in d.message + (d.hint.map { " — \($0)" } ?? "") }
      return errorPage(
        ResponseError(
          status: .forbidden,
          message: w("The policy does not allow this: ", "权限规则不允许此修改：") + messages.joined(separator: "; ")),
        request, commit: signed.tip.hex)
    case .conflicts(let conflicts):
      let fields = conflicts.fields.map(\.path.description).joined(separator: ", ")
      return errorPage(
        ResponseError(
          status: .conflict,
          message: w(
            "The record changed since the proposal was made, in the same fields (\(fields)); edit the record instead.",
            "提交后记录的相同字段（\(fields)）已被修改；请直接编辑记录。")), request, commit: conflicts.tip.hex)
    case .invalid(let report):
      let messages = report.diagnostics.filter { $0.severity == .error }.map(\.message)
      return errorPage(
        ResponseError(status: .unprocessableContent, message: messages.joined(separator: "; ")), request,
        commit: signed.tip.hex)
    case .refused(let failure):
      return errorPage(
        ResponseError(status: .unprocessableContent, message: failure.description), request, commit: signed.tip.hex)
    }
  }
}
