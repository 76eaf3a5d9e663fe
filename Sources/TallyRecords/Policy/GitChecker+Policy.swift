import TallyGit
import TallySchema
import TallyText

extension GitChecker {
  /// What the ownership policy says about the staged changes, for the identity git would
  /// commit as (`user.email`), as warnings: a local check is advisory (anyone can set any
  /// e-mail); the server's `pre-receive` hook is where the policy is enforced. The policy
  /// and staff are HEAD's. Empty when HEAD has no policy.
  public func stagedPolicyWarnings() throws -> [Diagnostic] {
    guard let commit = try git.headState().commit else { return [] }
    let headTree = try git.tree(ofCommit: commit)
    guard let root = try git.subtree(headTree, at: prefix) else { return [] }
    let setup = PolicySetup.tree(root, in: git, records: records, today: today)
    guard setup.exists else { return [] }
    let policyPath = records.displayPath(Policy.fileName)
    guard let policy = setup.policy else {
      return [
        Diagnostic(
          .warning, code: "policy-invalid", message: "\(policyPath) in HEAD has errors: the server refuses every push",
          path: policyPath, hint: "run 'tally check' and fix it")
      ]
    }
    let email: String
    do {
      email = try git.defaultSignature("AUTHOR").email
    } catch {
      return []
    }
    guard let actor = setup.staff.person(identity: email), actor.active else {
      return [
        Diagnostic(
          .warning, code: "policy-actor",
          message: "\(email) (user.email) is not an active member of staff, so the server will refuse these changes",
          path: policyPath,
          hint: "set user.email to the address in your staff record, or add it to its git_identities")
      ]
    }
    let lead = prefix.isEmpty ? "" : prefix + "/"
    // What is staged at a path (relative to the records root), and which paths differ from
    // HEAD: from Tally's read of the index when it can (a binary search per changed path),
    // else from libgit2's entries.
    let stagedID: (String) -> ObjectID?
    let changed: [String]?
    if let index = try git.indexFile() {
      changed = try git.stagedChanges(in: index, comparedWith: root, under: prefix)
      stagedID = { path in index.position(of: lead + path).map(index.id) }
    } else {
      let (entries, differing) = try git.indexEntries(comparedWith: headTree, under: prefix)
      var staged: [String: ObjectID] = [:]
      for entry in entries where entry.stage == 0 && entry.path.hasPrefix(lead) {
        staged[String(entry.path.dropFirst(lead.count))] = entry.id
      }
      changed = differing
      stagedID = { staged[$0] }
    }
    let judge = PolicyJudge(policy: policy, schema: records.schema)
    var warnings: [Diagnostic] = []
    var settingsChanged = false
    func value(_ id: ObjectID?) throws -> (Value?, SyntaxTree?) {
      guard let id else { return (nil, nil) }
      let tree = SyntaxTree.parse(try git.blob(id)).tree
      return (tree?.value, tree)
    }
    for full in changed ?? [] {
      let path = String(full.dropFirst(lead.count))
      let old = try git.blobID(in: root, at: path)
      let new = stagedID(path)
      if path == Policy.fileName {
        let operation: PolicyOperation = old == nil ? .create : new == nil ? .delete : .change
        let verdict = judge.judgeFile(type: PolicyPseudoType.policy, operation: operation, actor: actor)
        if !verdict.allowed {
          warnings.append(
            verdict.diagnostic(
              actor: actor, what: Policy.fileName, path: policyPath, range: nil, policyPath: policyPath,
              severity: .warning))
        }
        continue
      }
      switch records.role(of: path) {
      case .config, .schema:
        settingsChanged = true
      case .record(let type, let id):
        let (before, _) = try value(old)
        let (after, afterTree) = try value(new)
        guard before != nil || after != nil else { continue }
        let verdicts = judge.judge(
          PolicyJudge.Change(type: type, id: id, before: before, after: after), actor: actor, today: today,
          resolve: setup.resolve)
        let beforeTree = try value(old).1
        for verdict in verdicts where !verdict.allowed {
          let range = verdict.action.path.flatMap { p in
            (afterTree ?? beforeTree).flatMap { PolicyVerdict.locate(p, in: $0) }
          }
          warnings.append(
            verdict.diagnostic(
              actor: actor, what: "\(type) \(id)", path: records.displayPath(path), range: range,
              policyPath: policyPath, severity: .warning))
        }
      default:
        continue
      }
    }
    if settingsChanged {
      let verdict = judge.judgeFile(type: PolicyPseudoType.settings, operation: .change, actor: actor)
      if !verdict.allowed {
        warnings.append(
          verdict.diagnostic(
            actor: actor, what: "the settings (tally.yaml, schemas)",
            path: records.displayPath(records.config.schemaDirectory), range: nil, policyPath: policyPath,
            severity: .warning))
      }
    }
    return warnings
  }
}
