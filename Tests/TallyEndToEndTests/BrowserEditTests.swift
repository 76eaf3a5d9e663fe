import Foundation
import TallyTestSupport
import Testing

extension BrowserTests {
  /// `--allow commit` as 梁嘉欣 (S-0022, a sales rep) on a branch `web` that is not checked out,
  /// with a second worktree on `web` where "someone else" commits while a form is open.
  @Test func editingInTheBrowserCommitsThroughTheValidatorPolicyAndMerge() throws {
    try repo.git(["branch", "web"])
    let other = repo.dir.path + "/other"
    try repo.git(["worktree", "add", "-q", other, "web"])
    let server = try ServeCommandTests.Server(
      in: repo, arguments: ["--allow", "commit", "--dev-user", "S-0022", "--ref", "web"])
    let before = try repo.git(["rev-parse", "web"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let status = try repo.git(["status", "--porcelain"]).stdout
    func change(_ sed: String, _ message: String) -> String {
      "cd \(other.shellQuoted) && git reset -q --hard && sed -i '\(sed)' customers/C-0042.yaml && GIT_CONFIG_GLOBAL=/dev/null "
        + "git -c user.name=王芳 -c user.email=wangfang@huadong.example commit -qam '\(message)'"
    }
    let seen = try Browser.run(
      "edit", url: server.url,
      arguments: [
        "customer": "C-0042", "summary": "电话回访：客户确认下周签约", "needs": "需要智能外呼，预算二十万",
        "change_other": change("s/^loyalty: .*/loyalty: low/", "loyalty"),
        "change_same": change("s/^name: .*/name: 扬州海汇教育集团/", "name"), "name": "扬州海汇教育咨询集团",
        "invalid_summary": "日期写错了", "tier": "A",
      ])
    // The follow-up landed as a commit on `web`: the rep's, through the web, canonical, valid.
    #expect((seen["after_add_url"] as? String ?? "").hasSuffix("/customer/C-0042"), "\(seen)")
    #expect((seen["after_add_text"] as? String ?? "").contains("电话回访：客户确认下周签约"))
    #expect(seen["form_overflows"] as? Bool == false)
    #expect(seen["default_date"] as? String == "2026-11-01")
    let log = try repo.git([
      "log", "--format=%an <%ae>|%cn|%(trailers:key=Tally-Via,valueonly,separator=%x2C)|%s", "\(before)..web",
    ])
    .stdout.split(separator: "\n").map(String.init)
    #expect(log.count == 5, "\(log)")
    let added = try #require(log.last)
    #expect(added.hasPrefix("梁嘉欣 <liangjiaxin@huadong.example>|tally serve|web"), "\(added)")
    let tip = repo.dir.path + "/tip"
    try repo.git(["worktree", "add", "-q", "--detach", tip, "web"])
    let check = try TallyProcess.run(["check"], in: tip, environment: repo.environment)
    #expect(check.status == 0, "\(check.stdout)")
    let fmt = try TallyProcess.run(["fmt", "--check"], in: tip, environment: repo.environment)
    #expect(fmt.status == 0, "\(fmt.stdout)")
    let record = try String(contentsOfFile: tip + "/customers/C-0042.yaml", encoding: .utf8)
    #expect(record.contains("summary: 电话回访：客户确认下周签约"))
    // The stale form's edit of another field was merged with the change made meanwhile.
    #expect(record.contains("loyalty: low"))
    #expect(record.contains("needs: 需要智能外呼，预算二十万"))
    #expect((seen["merged_url"] as? String ?? "").hasSuffix("/customer/C-0042"), "\(seen)")
    // The same field: a 409 chooser with both values, then the rep's choice.
    #expect((seen["conflict_choices"] as? [String] ?? []).contains("扬州海汇教育集团"), "\(seen)")
    #expect((seen["conflict_choices"] as? [String] ?? []).contains("扬州海汇教育咨询集团"), "\(seen)")
    #expect((seen["resolved_url"] as? String ?? "").hasSuffix("/customer/C-0042"), "\(seen)")
    #expect(record.contains("name: 扬州海汇教育咨询集团"))
    // 422 kept what was typed; 403 named the rule; no token, no change: none of them committed.
    #expect(seen["invalid_summary_kept"] as? String == "日期写错了")
    #expect(seen["invalid_date_kept"] as? String == "2026-02-30")
    #expect(!record.contains("日期写错了"))
    #expect(record.contains("tier: B"))
    #expect((seen["policy_text"] as? String ?? "").contains("tier"), "\(seen)")
    #expect(seen["no_token_status"] as? Int == 403, "\(seen)")
    // Nothing of the checkout was touched by the server.
    #expect(try repo.git(["status", "--porcelain"]).stdout == status)
    #expect((seen["console_errors"] as? [String] ?? ["?"]).isEmpty, "\(seen)")
  }
}
