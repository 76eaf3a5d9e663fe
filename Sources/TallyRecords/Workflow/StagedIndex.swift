import TallyGit

/// The index as a commit's plan reads it: Tally's own read of the file (see ``IndexFile``),
/// whose cache-tree tells which paths differ from `HEAD` without listing `HEAD`'s million
/// files; or libgit2's entries, for an index Tally does not read itself.
public struct StagedIndex: Sendable {
  enum Storage: Sendable {
    case file(IndexFile)
    case entries([IndexEntry])
  }

  let storage: Storage

  public init(file: IndexFile) { storage = .file(file) }
  public init(entries: [IndexEntry]) { storage = .entries(entries) }

  /// The repository's index as it is on disk now.
  public static func read(_ git: Repository) throws -> StagedIndex {
    if let file = try git.indexFile() { return StagedIndex(file: file) }
    return StagedIndex(entries: try git.indexEntries())
  }

  /// The first path in conflict (an entry of stage 1–3), if any.
  var firstConflict: String? {
    switch storage {
    case .file(let index): (0..<index.count).first { index.stage($0) != 0 }.map { index.path($0) }
    case .entries(let entries): entries.first { $0.stage != 0 }?.path
    }
  }
}

/// What a plan compares: the index's files under the records root, `HEAD`'s, and the paths
/// where they differ. Paths are relative to the records root.
struct PlanBase {
  /// The index's files, in its order.
  var indexFiles: [SnapshotFile]
  /// The paths whose index entry differs from `HEAD`'s (added, changed, removed), in order.
  var differing: [String]
  /// `HEAD`'s files when they were listed (an index read through libgit2, or no `HEAD`
  /// records); nil when only the differing paths were looked up.
  var headFiles: [SnapshotFile]?
  /// `HEAD`'s tree under the records root.
  var headRoot: ObjectID?
  let indexEntry: (String) -> (id: ObjectID, mode: UInt32)?
  let headEntry: (String) throws -> (id: ObjectID, mode: UInt32)?
  /// The paths of entries outside a sparse checkout (skip-worktree).
  let sparse: () -> Set<String>

  init(_ staged: StagedIndex, git: Repository, prefix: String, headTree: ObjectID?) throws {
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let headRoot = try headTree.flatMap { tree throws(GitError) in try git.subtree(tree, at: prefix) }
    self.headRoot = headRoot
    switch staged.storage {
    case .file(let index):
      indexFiles = try IndexSource.files(in: index, prefix: prefix, repository: git)
      differing = try git.stagedChanges(in: index, comparedWith: headRoot, under: prefix).map {
        String($0.dropFirst(lead.count))
      }
      headFiles = headRoot == nil ? [] : nil
      indexEntry = { path in index.position(of: lead + path).map { (index.id($0), index.mode($0)) } }
      headEntry = { path in
        guard let headRoot else { return nil }
        return try git.fileEntry(in: headRoot, at: path)
      }
      let leadBytes = Array(lead.utf8)
      sparse = {
        Set(
          index.range(under: leadBytes).lazy.filter(index.skipsWorktree).map {
            index.path($0, dropping: leadBytes.count)
          })
      }
    case .entries(let entries):
      let under = entries.filter { lead.isEmpty || $0.path.hasPrefix(lead) }
      let files = under.map { entry in
        SnapshotFile(
          path: String(entry.path.dropFirst(lead.count)), blob: entry.id, in: git,
          isSymbolicLink: entry.mode == 0o120000)
      }
      let treeFiles = try headRoot.map { root throws(GitError) in try git.files(inTree: root) } ?? []
      let head = treeFiles.map { file in
        SnapshotFile(path: file.path, blob: file.id, in: git, isSymbolicLink: file.isSymlink)
      }
      indexFiles = files
      headFiles = head
      let indexLookup = FileLookup(files)
      let headLookup = FileLookup(head)
      // Blob ids differ, or only the mode (`chmod +x`), as `git diff --cached` lists them.
      var paths = FileLookup.differences(files, head).map(\.path)
      for (position, entry) in under.enumerated() {
        guard let other = headLookup.position(of: files[position].path), treeFiles[other].id == entry.id,
          treeFiles[other].mode != entry.mode
        else { continue }
        paths.append(files[position].path)
      }
      differing = paths.sorted { RepositoryChecker.compareBytes($0, $1) < 0 }
      indexEntry = { path in indexLookup.position(of: path).map { (under[$0].id, under[$0].mode) } }
      headEntry = { path in headLookup.position(of: path).map { (treeFiles[$0].id, treeFiles[$0].mode) } }
      sparse = { Set(under.lazy.filter(\.skipWorktree).map { String($0.path.dropFirst(lead.count)) }) }
    }
  }

  /// `HEAD`'s files: listed, or the index's with the differing paths put back as `HEAD` has
  /// them.
  func allHeadFiles(git: Repository) throws -> [SnapshotFile] {
    if let headFiles { return headFiles }
    var replacements: [String: SnapshotFile?] = [:]
    for path in differing {
      replacements[path] = .some(
        try headEntry(path).map { SnapshotFile(path: path, blob: $0.id, in: git, isSymbolicLink: $0.mode == 0o120000) })
    }
    return try OverlaySource(base: indexFiles, replacing: replacements, name: "HEAD").files()
  }
}
