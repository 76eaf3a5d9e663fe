import Foundation
import TallyTestSupport
import Testing

/// Editing through `tally serve --allow commit` on a copy of example-repo, over real HTTP
/// (curl), the results checked with the real `git`: forms, saves that land as canonical,
/// valid commits by the signed-in person, merges of stale forms, 409 / 422 / 403, CSRF,
/// identity from a trusted proxy only.
@Suite(.serialized) struct ServeEditTests {
  let repo: ExampleRepository

  init() throws { repo = try ExampleRepository(prefix: "tally-serve-edit") }

  /// `tally serve` with `arguments`, and its base URL.
  /// A running `tally serve` (``ServeCommandTests/Server``) with form requests.
  final class Server {
    let running: ServeCommandTests.Server
    var url: String { running.url }

    init(in repo: ExampleRepository, _ arguments: [String]) throws {
      running = try ServeCommandTests.Server(in: repo, arguments: arguments)
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    struct Answer {
      var status: Int
      var headers: String
      var body: String
    }

    /// `curl -si`, with form fields (`-d`, url-encoded) for a POST.
    func request(
      _ path: String, method: String = "GET", form: [(String, String)] = [], headers: [String] = []
    ) throws -> Answer {
      var arguments = ["-si", "-X", method]
      for header in headers { arguments += ["-H", header] }
      for (name, value) in form { arguments += ["--data-urlencode", "\(name)=\(value)"] }
      let result = try TallyProcess.runProgram("curl", arguments + [url + path])
      let parts = result.stdout.components(separatedBy: "\r\n\r\n")
      let head = parts.first ?? ""
      let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
      return Answer(status: status, headers: head, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// The hidden fields of the form on the page at `path`: the commit and the CSRF token.
    func hidden(_ path: String, headers: [String] = []) throws -> [(String, String)] {
      let page = try request(path, headers: headers)
      #expect(page.status == 200, "\(path): \(page.body)")
      return try Self.hiddenFields(page.body)
    }

    static func hiddenFields(_ html: String) throws -> [(String, String)] {
      var fields: [(String, String)] = []
      for name in ["commit", "csrf"] {
        let pattern = "name=\"\(name)\" value=\"([^\"]*)\""
        let regex = try NSRegularExpression(pattern: pattern)
        guard let match = regex.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)),
          let range = Range(match.range(at: 1), in: html)
        else { throw Failure(description: "no hidden \(name) in the form") }
        fields.append((name, String(html[range])))
      }
      return fields
    }
  }

  var head: String {
    (try? repo.git(["rev-parse", "main"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? ""
  }

  /// The bytes of the index and of the record file in the working tree: a save changes
  /// neither (it commits on the ref, like a push).
  func untouched() throws -> [UInt8] {
    try Array(Data(contentsOf: URL(fileURLWithPath: repo.root + "/.git/index")))
      + Array(Data(contentsOf: URL(fileURLWithPath: repo.root + "/customers/C-0001.yaml")))
  }

  /// The record at `revision`, as git has it.
  func record(at revision: String = "main") throws -> String {
    try repo.git(["show", revision + ":customers/C-0001.yaml"]).stdout
  }

  @Test func addingAFollowUpCommitsACanonicalValidCommitByThePerson() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let before = head
    let tree = try untouched()
    let form = try server.request("customer/C-0001/add/follow_ups")
    #expect(form.status == 200)
    // Made from the schema: the item's fields with their types, today and the person filled in.
    #expect(form.body.contains("<form class=\"edit\" method=\"post\" action=\"/customer/C-0001/add/follow_ups\">"))
    #expect(form.body.contains("<input type=\"date\" id=\"f-date\" name=\"f.date\" required value=\"2026-11-01\">"))
    #expect(form.body.contains("<option value=\"phone\">电话 (phone)</option>"))
    #expect(form.body.contains("<option value=\"S-0036\" selected>S-0036 宋勇</option>"))
    // A reference picker offers only what the reference's `where` allows: follow_ups.by has
    // no condition, customer.owner does (sales reps and leads who have not left).
    let edit = try server.request("customer/C-0001/edit")
    #expect(edit.status == 200)
    #expect(edit.body.contains("<label for=\"f-tier\">客户等级 <span class=\"meta\">tier</span> <span class=\"error\""))
    #expect(edit.body.contains("<option value=\"A\">重点客户 (A)</option>"))
    let owners = try NSRegularExpression(pattern: "<select id=\"f-owner\"[\\s\\S]*?</select>")
    let ownerSelect =
      owners.firstMatch(in: edit.body, range: NSRange(edit.body.startIndex..., in: edit.body))
      .flatMap { Range($0.range, in: edit.body) }.map { String(edit.body[$0]) } ?? ""
    #expect(ownerSelect.contains("S-0036"))
    let manager = try repo.git(["grep", "-l", "role: manager", "--", "staff"]).stdout.split(separator: "\n")
    #expect(!manager.isEmpty)
    for file in manager {
      let id = file.dropFirst("staff/".count).dropLast(".yaml".count)
      #expect(!ownerSelect.contains("value=\"\(id)\""), "the manager \(id) cannot own a customer")
    }

    let hidden = try Server.hiddenFields(form.body)
    let saved = try server.request(
      "customer/C-0001/add/follow_ups", method: "POST",
      form: hidden + [
        ("f.date", "2026-11-01"), ("f.by", "S-0036"), ("f.channel", "phone"), ("f.summary", "回访：确认报价"),
        ("f.outcome", ""),
      ])
    #expect(saved.status == 303, "\(saved.body)")
    #expect(
      saved.headers.contains("Location: /customer/C-0001") || saved.headers.contains("location: /customer/C-0001"))
    let after = head
    #expect(after != before)
    #expect(try repo.git(["rev-parse", "main~1"]).stdout.hasPrefix(before))
    let show = try repo.git(["show", "-s", "--format=%an <%ae>%n%cn%n%B", "main"]).stdout
    #expect(show.hasPrefix("宋勇 <"), "\(show)")
    #expect(show.contains("\ntally serve\n"))
    #expect(show.contains("customer C-0001: +1 follow-up"), "\(show)")
    #expect(show.contains("\nTally-Via: web\n"))
    #expect(try record().contains("  - date: 2026-11-01\n    by: S-0036\n    channel: phone\n    summary: 回访：确认报价\n"))
    // Only the record changed.
    #expect(try repo.git(["diff", "--name-only", before, after]).stdout == "customers/C-0001.yaml\n")
    // The working tree and the index were not touched.
    #expect(try untouched() == tree)
    // Canonical and valid at that commit: a clone of it passes fmt --check and check.
    let clone = repo.dir.path + "/clone"
    _ = try TallyProcess.runProgram("git", ["clone", "-q", repo.root, clone], environment: repo.environment)
    let fmt = try TallyProcess.run(["fmt", "--check"], in: clone, environment: repo.environment)
    #expect(fmt.status == 0, "\(fmt.stdout)\(fmt.stderr)")
    let check = try TallyProcess.run(["check"], in: clone, environment: repo.environment)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
  }

  @Test func aStaleFormThatEditsAnotherFieldIsMerged() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let hidden = try server.hidden("customer/C-0001/edit")
    // Someone else changes loyalty after the form was loaded.
    let other = try repo.tally(["set", "customer/C-0001", "loyalty=high", "--commit", "-m", "loyalty"])
    #expect(other.status == 0, "\(other.stderr)")
    let theirs = head
    // The form changes the source and sends loyalty as it was loaded (medium).
    // A browser sends a textarea's lines with CRLF; the record gets LF.
    #expect(!(try record()).contains("needs:"))
    let saved = try server.request(
      "customer/C-0001/edit", method: "POST",
      form: hidden + [("f.loyalty", "medium"), ("f.source", "referral"), ("f.needs", "第一行\r\n第二行")])
    #expect(saved.status == 303, "\(saved.body)")
    #expect(try repo.git(["rev-parse", "main~1"]).stdout.hasPrefix(theirs))
    let text = try record()
    #expect(text.contains("loyalty: high\n"))
    #expect(text.contains("source: referral\n"))
    #expect(text.contains("needs: |-\n  第一行\n  第二行\n"), "\(text)")
    #expect(!text.contains("\r"))
    #expect(try repo.git(["show", "-s", "--format=%B", "main"]).stdout.contains("Tally-Via: web"))
  }

  @Test func aStaleFormThatEditsTheSameFieldGets409ThenResolves() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let hidden = try server.hidden("customer/C-0001/edit")
    let other = try repo.tally(["set", "customer/C-0001", "loyalty=high", "--commit", "-m", "loyalty"])
    #expect(other.status == 0, "\(other.stderr)")
    let theirs = head
    let conflict = try server.request(
      "customer/C-0001/edit", method: "POST", form: hidden + [("f.loyalty", "low")])
    #expect(conflict.status == 409, "\(conflict.body)")
    #expect(head == theirs)
    // base / theirs / yours, and a chooser made on the new tip.
    #expect(conflict.body.contains("<td>medium</td>"))
    #expect(conflict.body.contains("<td>high</td>"))
    #expect(conflict.body.contains("<td>low</td>"))
    let chooser = try Server.hiddenFields(conflict.body)
    #expect(theirs.hasPrefix(chooser[0].1))
    #expect(conflict.body.contains("<input type=\"radio\" name=\"f.loyalty\" value=\"low\" checked>"))
    let resolved = try server.request("customer/C-0001/edit", method: "POST", form: chooser + [("f.loyalty", "low")])
    #expect(resolved.status == 303, "\(resolved.body)")
    #expect(try repo.git(["rev-parse", "main~1"]).stdout.hasPrefix(theirs))
    #expect(try record().contains("loyalty: low\n"))
  }

  @Test func invalidInputIs422WithTheValuesKeptAndNoCommit() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let before = head
    let hidden = try server.hidden("customer/C-0001/add/follow_ups")
    let answer = try server.request(
      "customer/C-0001/add/follow_ups", method: "POST",
      form: hidden + [
        ("f.date", "2026-13-45"), ("f.by", "S-0036"), ("f.channel", "phone"), ("f.summary", "保留这段文字"),
      ])
    #expect(answer.status == 422, "\(answer.body)")
    #expect(answer.body.contains("value=\"2026-13-45\""))
    #expect(answer.body.contains("value=\"保留这段文字\""))
    #expect(answer.body.contains("<p class=\"error\" id=\"e-date\">"))
    #expect(head == before)
    // A required field left empty is also told next to it.
    let missing = try server.request(
      "customer/C-0001/add/follow_ups", method: "POST",
      form: hidden + [("f.date", "2026-11-01"), ("f.by", "S-0036"), ("f.channel", "phone"), ("f.summary", "")])
    #expect(missing.status == 422)
    #expect(missing.body.contains("<p class=\"error\" id=\"e-summary\">"))
    #expect(head == before)
  }

  @Test func aChangeThePolicyDeniesIs403AndNothingLands() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let before = head
    let hidden = try server.hidden("customer/C-0001/edit")
    // A sales rep may not grade customers (tier is the team lead's).
    let answer = try server.request("customer/C-0001/edit", method: "POST", form: hidden + [("f.tier", "A")])
    #expect(answer.status == 403, "\(answer.body)")
    #expect(answer.body.contains("may not change &#39;tier&#39; of customer C-0001"), "\(answer.body)")
    #expect(answer.body.contains("rule &#39;leads-work-team-customers&#39;"))
    #expect(answer.body.contains("policy.yaml:"))
    #expect(head == before)
    #expect(try repo.git(["for-each-ref", "--format=%(refname)"]).stdout == "refs/heads/main\n")
  }

  @Test func aPostWithoutAValidTokenIs403() throws {
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let before = head
    let hidden = try server.hidden("customer/C-0001/edit")
    let commit = hidden.filter { $0.0 == "commit" }
    let none = try server.request("customer/C-0001/edit", method: "POST", form: commit + [("f.loyalty", "low")])
    #expect(none.status == 403)
    // A token for another form does not do either.
    let other = try server.hidden("customer/C-0002/edit").filter { $0.0 == "csrf" }
    let wrong = try server.request(
      "customer/C-0001/edit", method: "POST", form: commit + other + [("f.loyalty", "low")])
    #expect(wrong.status == 403)
    #expect(head == before)
    // GET changes nothing.
    _ = try server.request("customer/C-0001/edit?f.loyalty=low")
    #expect(head == before)
  }

  @Test func viewOnlyRefusesEveryPostAndOffersNoForm() throws {
    let server = try Server(in: repo, [])
    let before = head
    let post = try server.request("customer/C-0001/edit", method: "POST", form: [("f.loyalty", "low")])
    #expect(post.status == 405)
    #expect(try server.request("customer/C-0001/edit").status == 403)
    #expect(head == before)
  }

  @Test func theUserHeaderCountsOnlyFromATrustedProxy() throws {
    let untrusted = try Server(
      in: repo, ["--allow", "commit", "--user-header", "X-Remote-User", "--trusted-proxy", "10.0.0.0/8"])
    let anonymous = try untrusted.request("customer/C-0001/edit", headers: ["X-Remote-User: S-0036"])
    #expect(anonymous.status == 401)
    let trusted = try Server(
      in: repo, ["--allow", "commit", "--user-header", "X-Remote-User", "--trusted-proxy", "10.0.0.0/8,127.0.0.1/32"])
    // A login from the person's git identities names them.
    let email =
      try repo.git(["show", "main:staff/S-0036.yaml"]).stdout.split(separator: "\n")
      .first { $0.hasPrefix("email: ") }.map { String($0.dropFirst(7)) } ?? ""
    let page = try trusted.request("customer/C-0001/edit", headers: ["X-Remote-User: \(email)"])
    #expect(page.status == 200)
    #expect(page.body.contains("宋勇 (S-0036)"))
    #expect(try trusted.request("customer/C-0001/edit").status == 401)
    #expect(try trusted.request("customer/C-0001/edit", headers: ["X-Remote-User: nobody"]).status == 403)
  }

  @Test func recordTextIsEscapedInTheForm() throws {
    let set = try repo.tally([
      "set", "customer/C-0001", "needs=<script>alert(1)</script>\"><img onerror=x>", "--commit", "-m", "x",
    ])
    #expect(set.status == 0, "\(set.stderr)")
    let server = try Server(in: repo, ["--allow", "commit", "--dev-user", "S-0036"])
    let form = try server.request("customer/C-0001/edit")
    #expect(form.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img onerror=x&gt;"))
    #expect(!form.body.contains("<script>alert"))
    #expect(!form.body.contains("<img"))
  }

  @Test func proposalsWaitForALeadWhoAppliesOrRejectsThem() throws {
    let rep = try Server(in: repo, ["--allow", "propose", "--dev-user", "S-0036"])
    let before = head
    func propose(_ summary: String) throws {
      let hidden = try rep.hidden("customer/C-0001/add/follow_ups")
      let saved = try rep.request(
        "customer/C-0001/add/follow_ups", method: "POST",
        form: hidden + [("f.date", "2026-11-01"), ("f.by", "S-0036"), ("f.channel", "phone"), ("f.summary", summary)])
      #expect(saved.status == 303, "\(saved.body)")
      #expect(saved.headers.lowercased().contains("location: /proposals"))
    }
    try propose("提议一")
    try propose("提议二")
    // Not on the ref: two proposals, each on the commit its form was made from, by the rep.
    #expect(head == before)
    let refs = try repo.git(["for-each-ref", "--format=%(refname)", "refs/tally/proposals"]).stdout
    #expect(refs == "refs/tally/proposals/1\nrefs/tally/proposals/2\n")
    #expect(try repo.git(["rev-parse", "refs/tally/proposals/1~1"]).stdout.hasPrefix(before))
    #expect(try repo.git(["show", "-s", "--format=%an", "refs/tally/proposals/1"]).stdout == "宋勇\n")

    let lead = try Server(in: repo, ["--allow", "propose", "--dev-user", "S-0006"])
    let list = try lead.request("proposals")
    #expect(list.status == 200)
    #expect(list.body.contains("+    summary: 提议一"))
    #expect(list.body.contains("宋勇 &lt;"))
    func token(_ page: String, _ action: String) throws -> String {
      let regex = try NSRegularExpression(
        pattern:
          "action=\"\(NSRegularExpression.escapedPattern(for: action))\"><input type=\"hidden\" name=\"csrf\" value=\"([^\"]+)\""
      )
      guard let match = regex.firstMatch(in: page, range: NSRange(page.startIndex..., in: page)),
        let range = Range(match.range(at: 1), in: page)
      else { throw Server.Failure(description: "no form for \(action)") }
      return String(page[range])
    }
    // The lead applies the first: a commit on main by the rep, the proposal gone.
    let applied = try lead.request(
      "proposals/1/apply", method: "POST", form: [("csrf", try token(list.body, "/proposals/1/apply"))])
    #expect(applied.status == 303, "\(applied.body)")
    #expect(try repo.git(["rev-parse", "main~1"]).stdout.hasPrefix(before))
    #expect(try repo.git(["show", "-s", "--format=%an%n%cn%n%B", "main"]).stdout.hasPrefix("宋勇\ntally serve\n"))
    #expect(try record().contains("summary: 提议一"))
    // Another rep may not reject the second (the policy would not let them make it); its
    // proposer may withdraw it.
    let other = try Server(in: repo, ["--allow", "propose", "--dev-user", "S-0022"])
    let otherList = try other.request("proposals")
    let refused = try other.request(
      "proposals/2/reject", method: "POST", form: [("csrf", try token(otherList.body, "/proposals/2/reject"))])
    #expect(refused.status == 403)
    let repList = try rep.request("proposals")
    let withdrawn = try rep.request(
      "proposals/2/reject", method: "POST", form: [("csrf", try token(repList.body, "/proposals/2/reject"))])
    #expect(withdrawn.status == 303)
    #expect(try repo.git(["for-each-ref", "refs/tally/proposals"]).stdout == "")
    #expect(!(try record()).contains("提议二"))
  }

  @Test func editingNeedsAnIdentity() throws {
    let bare = try repo.tally(["serve", "--allow", "commit"])
    #expect(bare.status == 64)
    #expect(bare.stderr.contains("--allow commit needs to know who is editing"))
    let open = try repo.tally(["serve", "--allow", "commit", "--dev-user", "S-0036", "--bind", "0.0.0.0:0"])
    #expect(open.status == 64)
    #expect(open.stderr.contains("only for a loopback address"))
    let header = try repo.tally(["serve", "--allow", "commit", "--user-header", "X-Remote-User"])
    #expect(header.status == 64)
    #expect(header.stderr.contains("--user-header needs --trusted-proxy"))
  }
}
