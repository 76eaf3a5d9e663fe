internal import CLibGit2
import Foundation

/// Who made a change and when: a name, an email, seconds since the epoch and the UTC offset
/// in minutes, as git records them.
public struct Signature: Sendable, Hashable {
  public var name: String
  public var email: String
  public var time: Int64
  public var offsetMinutes: Int

  public init(name: String, email: String, time: Int64, offsetMinutes: Int) {
    self.name = name
    self.email = email
    self.time = time
    self.offsetMinutes = offsetMinutes
  }

  init(_ raw: UnsafePointer<git_signature>) {
    name = String(cString: raw.pointee.name)
    email = String(cString: raw.pointee.email)
    time = raw.pointee.when.time
    offsetMinutes = Int(raw.pointee.when.offset)
  }

  /// Parses a date the way `GIT_AUTHOR_DATE` may be written: `@1714800000 +0800`,
  /// `1714800000 +0800`, ISO 8601 (`2026-05-04T10:00:00+08:00`, `2026-05-04 10:00:00 +0800`).
  /// Returns seconds and offset, or nil.
  public static func parseDate(_ text: String) -> (time: Int64, offsetMinutes: Int)? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let parts = trimmed.split(separator: " ")
    let first = parts.first.map { $0.hasPrefix("@") ? $0.dropFirst() : $0 } ?? ""
    if let seconds = Int64(first) {
      let offset = parts.count > 1 ? parseOffset(String(parts[1])) : 0
      guard let offset else { return nil }
      return (seconds, offset)
    }
    // ISO 8601: date, 'T' or ' ', time, then an offset (Z, +08:00, +0800, or " +0800").
    let bytes = Array(trimmed.utf8)
    guard bytes.count >= 19 else { return nil }
    func number(_ from: Int, _ count: Int) -> Int? {
      var value = 0
      for index in from..<(from + count) {
        let byte = bytes[index]
        guard byte >= 48 && byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
      }
      return value
    }
    guard let year = number(0, 4), bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
      let day = number(8, 2), bytes[10] == 84 || bytes[10] == 32, let hour = number(11, 2), bytes[13] == 58,
      let minute = number(14, 2), bytes[16] == 58, let second = number(17, 2),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    let rest = String(decoding: bytes[19...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
    guard let offset = rest.isEmpty ? 0 : parseOffset(rest) else { return nil }
    let days = daysFromCivil(year, month, day)
    let local = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
    return (local - Int64(offset * 60), offset)
  }

  static func parseOffset(_ text: String) -> Int? {
    if text == "Z" || text == "z" { return 0 }
    let bytes = Array(text.utf8.filter { $0 != 58 })
    guard bytes.count == 5, bytes[0] == 43 || bytes[0] == 45,
      bytes[1...].allSatisfy({ $0 >= 48 && $0 <= 57 })
    else { return nil }
    let hours = Int(bytes[1] - 48) * 10 + Int(bytes[2] - 48)
    let minutes = Int(bytes[3] - 48) * 10 + Int(bytes[4] - 48)
    guard hours < 24, minutes < 60 else { return nil }
    return (bytes[0] == 45 ? -1 : 1) * (hours * 60 + minutes)
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
  }
}

/// A commit as read from the repository.
public struct CommitInfo: Sendable, Hashable {
  public var id: ObjectID
  public var tree: ObjectID
  public var parents: [ObjectID]
  public var author: Signature
  public var committer: Signature
  public var message: String

  public var summary: String { message.firstLine }
}

/// Where `HEAD` points: the reference a commit moves (a branch, or `HEAD` itself when
/// detached) and the commit it names now (nil on an unborn branch).
public struct HeadState: Sendable {
  public var reference: String
  public var commit: ObjectID?

  /// The branch name without `refs/heads/`, or nil when detached.
  public var branch: String? {
    reference.hasPrefix("refs/heads/") ? String(reference.dropFirst(11)) : nil
  }
}

extension Repository {
  /// The current `HEAD`.
  public func headState() throws(GitError) -> HeadState {
    try locked { () throws(GitError) -> HeadState in
      var head: OpaquePointer?
      try check(git_reference_lookup(&head, handle, "HEAD"), "git_reference_lookup")
      defer { git_reference_free(head) }
      let name: String
      if let target = git_reference_symbolic_target(head) {
        name = String(cString: target)
      } else {
        name = "HEAD"
      }
      var oid = git_oid()
      let rc = git_reference_name_to_id(&oid, handle, name)
      if rc == GIT_ENOTFOUND.rawValue { return HeadState(reference: name, commit: nil) }
      try check(rc, "git_reference_name_to_id")
      return HeadState(reference: name, commit: ObjectID(oid))
    }
  }

  /// Reads a commit.
  public func commitInfo(_ id: ObjectID) throws(GitError) -> CommitInfo {
    try locked { () throws(GitError) -> CommitInfo in
      var oid = id.raw
      var commit: OpaquePointer?
      try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
      defer { git_commit_free(commit) }
      var parents: [ObjectID] = []
      for index in 0..<git_commit_parentcount(commit) {
        parents.append(ObjectID(git_commit_parent_id(commit, index)!))
      }
      return CommitInfo(
        id: id, tree: ObjectID(git_commit_tree_id(commit)!), parents: parents,
        author: Signature(git_commit_author(commit)!), committer: Signature(git_commit_committer(commit)!),
        message: String(cString: git_commit_message(commit)))
    }
  }

  /// The commits of a range, oldest first: `A..B` (in B, not in A), or one revision and all
  /// its ancestors. `firstParent` follows only first parents.
  public func commits(inRange range: String, firstParent: Bool = false) throws(GitError) -> [ObjectID] {
    try walk { (walk) throws(GitError) in
      if firstParent { try check(git_revwalk_simplify_first_parent(walk), "git_revwalk_simplify_first_parent") }
      if range.contains("..") {
        try check(git_revwalk_push_range(walk, range), "git_revwalk_push_range")
      } else {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, range), "git_revparse_single")
        defer { git_object_free(object) }
        var peeled: OpaquePointer?
        try check(git_object_peel(&peeled, object, GIT_OBJECT_COMMIT), "git_object_peel")
        defer { git_object_free(peeled) }
        try check(git_revwalk_push(walk, git_object_id(peeled)), "git_revwalk_push")
      }
    }
  }

  /// The commits of a revision walk that `setUp` starts and hides, oldest first (parents
  /// before children).
  func walk(_ setUp: (OpaquePointer?) throws(GitError) -> Void) throws(GitError) -> [ObjectID] {
    try locked { () throws(GitError) -> [ObjectID] in
      var walk: OpaquePointer?
      try check(git_revwalk_new(&walk, handle), "git_revwalk_new")
      defer { git_revwalk_free(walk) }
      try check(
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue), "git_revwalk_sorting")
      try setUp(walk)
      var result: [ObjectID] = []
      var oid = git_oid()
      while true {
        let rc = git_revwalk_next(&oid, walk)
        if rc == GIT_ITEROVER.rawValue { break }
        try check(rc, "git_revwalk_next")
        result.append(ObjectID(oid))
      }
      return result
    }
  }

  /// The signature git would use for `role` (`AUTHOR` or `COMMITTER`): `GIT_<role>_NAME`,
  /// `GIT_<role>_EMAIL` and `GIT_<role>_DATE` when set, else `user.name`/`user.email` from
  /// the configuration and the current time. Throws when no name or email can be found, as
  /// git does ("Please tell me who you are").
  public func defaultSignature(_ role: String) throws(GitError) -> Signature {
    let configName = try configString("user.name")
    let configEmail = try configString("user.email")
    let name = getenvString("GIT_\(role)_NAME") ?? configName
    let email = getenvString("GIT_\(role)_EMAIL") ?? configEmail ?? getenvString("EMAIL")
    guard let name, !name.isEmpty, let email, !email.isEmpty else {
      throw GitError(
        code: .notFound,
        message:
          "no \(role.lowercased()) identity: set it with 'git config user.name \"Your Name\"' and 'git config user.email you@example.com'",
        function: "signature")
    }
    if let date = getenvString("GIT_\(role)_DATE"), !date.isEmpty {
      guard let parsed = Signature.parseDate(date) else {
        throw GitError(
          code: .invalidSpec, message: "invalid date in GIT_\(role)_DATE: '\(date)'", function: "signature")
      }
      return Signature(name: name, email: email, time: parsed.time, offsetMinutes: parsed.offsetMinutes)
    }
    let now = Int64(Date().timeIntervalSince1970)
    return Signature(
      name: name, email: email, time: now, offsetMinutes: TimeZone.current.secondsFromGMT() / 60)
  }

  /// Writes a commit object (no reference moves).
  func createCommit(
    tree: ObjectID, parents: [ObjectID], message: String, author: Signature, committer: Signature
  ) throws(GitError) -> ObjectID {
    try locked { () throws(GitError) -> ObjectID in
      var treeOid = tree.raw
      var treeObject: OpaquePointer?
      try check(git_tree_lookup(&treeObject, handle, &treeOid), "git_tree_lookup")
      defer { git_tree_free(treeObject) }
      var parentObjects: [OpaquePointer?] = []
      defer { for parent in parentObjects { git_commit_free(parent) } }
      for parent in parents {
        var oid = parent.raw
        var object: OpaquePointer?
        try check(git_commit_lookup(&object, handle, &oid), "git_commit_lookup")
        parentObjects.append(object)
      }
      let authorSignature = try author.raw()
      defer { git_signature_free(authorSignature) }
      let committerSignature = try committer.raw()
      defer { git_signature_free(committerSignature) }
      var oid = git_oid()
      let rc = parentObjects.withUnsafeMutableBufferPointer { buffer in
        git_commit_create(
          &oid, handle, nil, authorSignature, committerSignature, "UTF-8", message, treeObject, parents.count,
          buffer.baseAddress)
      }
      try check(rc, "git_commit_create")
      return ObjectID(oid)
    }
  }

  /// Moves `reference` to `commit` only if it still names `expected` (nil: it must not exist
  /// yet, an unborn branch). Another process that moved it first makes this fail with
  /// ``GitError/Code/modified``.
  func moveBranch(_ reference: String, to commit: ObjectID?, from expected: ObjectID?, message: String)
    throws(GitError)
  {
    try locked { () throws(GitError) in
      guard let commit else {
        // Back to unborn: delete the branch (only when it still names what we made).
        var ref: OpaquePointer?
        try check(git_reference_lookup(&ref, handle, reference), "git_reference_lookup")
        defer { git_reference_free(ref) }
        try check(git_reference_delete(ref), "git_reference_delete")
        return
      }
      var target = commit.raw
      var out: OpaquePointer?
      let rc: Int32
      if var current = expected?.raw {
        rc = git_reference_create_matching(&out, handle, reference, &target, 1, &current, message)
      } else {
        rc = git_reference_create(&out, handle, reference, &target, 0, message)
      }
      if rc == GIT_EEXISTS.rawValue || rc == GIT_EMODIFIED.rawValue {
        _ = try? check(rc, "git_reference_create_matching")
        throw GitError(
          code: .modified,
          message: "\(reference) moved while this commit was prepared (another commit came first); nothing was changed",
          function: "git_reference_create_matching")
      }
      try check(rc, "git_reference_create_matching")
      git_reference_free(out)
    }
  }
}

extension Signature {
  func raw() throws(GitError) -> UnsafeMutablePointer<git_signature>? {
    var signature: UnsafeMutablePointer<git_signature>?
    try check(git_signature_new(&signature, name, email, time, Int32(offsetMinutes)), "git_signature_new")
    return signature
  }
}

extension Repository {
  /// The commits of every reference (branches, tags, notes; peeled to commits), for leaving
  /// out what a repository already has.
  public func referencedCommits() throws(GitError) -> [ObjectID] {
    try locked { () throws(GitError) -> [ObjectID] in
      var iterator: OpaquePointer?
      try check(git_reference_iterator_new(&iterator, handle), "git_reference_iterator_new")
      defer { git_reference_iterator_free(iterator) }
      var result: [ObjectID] = []
      while true {
        var reference: OpaquePointer?
        let rc = git_reference_next(&reference, iterator)
        if rc == GIT_ITEROVER.rawValue { break }
        try check(rc, "git_reference_next")
        defer { git_reference_free(reference) }
        var peeled: OpaquePointer?
        guard git_reference_peel(&peeled, reference, GIT_OBJECT_COMMIT) == 0 else { continue }
        defer { git_object_free(peeled) }
        result.append(ObjectID(git_object_id(peeled)))
      }
      return result
    }
  }

  /// The commits reachable from `tips` and from none of `hidden`, oldest first (parents
  /// before children): what a push brings that the repository does not have yet.
  public func commits(from tips: [ObjectID], hiding hidden: [ObjectID]) throws(GitError) -> [ObjectID] {
    try walk { (walk) throws(GitError) in
      for tip in tips {
        var oid = tip.raw
        try check(git_revwalk_push(walk, &oid), "git_revwalk_push")
      }
      for id in hidden {
        var oid = id.raw
        // A reference to a commit the object database lacks is not worth failing for.
        _ = git_revwalk_hide(walk, &oid)
      }
    }
  }
}
