import TallyGit
import TallySchema
import TallyText

/// What `tally init` creates: a new records repository from a template.
///
/// The steps, all checked before anything is written: the directory must not hold a
/// `tally.yaml` already nor be inside another records repository, and no file the template
/// writes may exist with other content (an existing `README.md` is kept). Then, when the
/// directory is not in a git working tree, a repository is created (`git init`, through
/// libgit2); the schemas, record directories (each with a `.gitkeep`, which `tally check`
/// ignores, so git keeps them while they are empty), a README and a `.gitignore` that keeps
/// `.tally/` (the exported JSON Schemas, made again by `tally schema export`) out of git are
/// written — an existing `.gitignore` gets the line appended, once — and `tally.yaml` last,
/// so an interrupted run can simply be run again. The telesales template also writes the
/// team's `policy.yaml` (who may change which fields of whose records).
public enum RepositoryTemplate: String, CaseIterable, Sendable {
  /// The telesales team's schemas (staff, customers, plans, minutes), their directories and
  /// the team's policy.
  case telesales
  /// Only `tally.yaml` and an empty schema directory.
  case empty

  /// The settings written into `tally.yaml`.
  public struct Settings: Sendable {
    /// The IANA time zone dates from commits are read in.
    public var timeZone: String
    /// The three-letter currency of money fields that do not name one.
    public var currency: String

    public init(timeZone: String = "Asia/Shanghai", currency: String = "CNY") {
      self.timeZone = timeZone
      self.currency = currency
    }

    /// What is wrong with the settings, or nil when they are fine.
    public var problem: String? {
      if TimeZones.offsetMinutes(timeZone) == nil {
        return
          "'\(timeZone)' is not a time zone Tally knows: use an IANA name such as Asia/Shanghai, UTC, or an offset like +08:00"
      }
      if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
        return "'\(currency)' is not a currency code: use three capital letters such as CNY"
      }
      return nil
    }
  }

  /// The directory (relative to the records root) that holds the schemas.
  public static let schemaDirectory = "schema"
  /// The policy file, at the records root beside `tally.yaml`.
  public static let policyFile = "policy.yaml"
  /// The empty file that keeps an empty directory in git.
  public static let keepFile = ".gitkeep"
  /// The file that keeps generated files out of git.
  public static let ignoreFile = ".gitignore"
  /// The directory of generated files (`tally schema export --json-schema .tally/json-schema`),
  /// as `.gitignore` names it.
  public static let generatedDirectory = ".tally/"

  /// Why a repository could not be created.
  public enum InitError: Error, CustomStringConvertible, Sendable {
    /// The directory already holds `tally.yaml`.
    case alreadyInitialized(String)
    /// The directory is inside another records repository.
    case insideRecordsRepository(directory: String, root: String)
    /// The directory is inside a bare repository or a `.git` directory.
    case insideGitDirectory(directory: String, gitDirectory: String)
    /// Files the template writes exist with other content.
    case wouldOverwrite([String])
    case badSettings(String)
    case git(GitError)
    case file(FileError)
    /// A signal stopped it between two files (each file is whole); run it again to finish.
    case interrupted(Int32)

    public var description: String {
      switch self {
      case .alreadyInitialized(let directory):
        return
          "\(FileSystem.joinPath(directory, RecordsRoot.markerFile)) exists: \(directory) is a records repository already"
      case .insideRecordsRepository(let directory, let root):
        return
          "\(directory) is inside the records repository at \(root); one records repository cannot hold another"
      case .insideGitDirectory(let directory, let gitDirectory):
        return "\(directory) is inside the git directory \(gitDirectory), not in a working tree"
      case .wouldOverwrite(let paths):
        return "these files exist and differ from what tally init writes; move them away first: "
          + paths.joined(separator: ", ")
      case .badSettings(let problem): return problem
      case .git(let error): return error.description
      case .file(let error): return error.description
      case .interrupted(let signal):
        return "interrupted by \(Interrupts.name(of: signal)) before it was finished; run tally init again to finish"
      }
    }
  }

  /// What ``create(at:settings:)`` did.
  public struct Result: Sendable {
    /// The records root (absolute).
    public var root: String
    /// The top of the git working tree the records are in.
    public var gitTopLevel: String
    /// Whether a git repository was created.
    public var createdGitRepository: Bool
    /// Files written, relative to the root, in the order written.
    public var written: [String]
    /// Files that were there already and were kept (an existing README.md).
    public var kept: [String]
    /// Files that were there already and were added to (`.tally/` appended to an existing
    /// `.gitignore`).
    public var appended: [String] = []
  }

  // MARK: - Contents

  /// The schema files of the template (name, text).
  public var schemaFiles: [(name: String, text: String)] {
    switch self {
    case .telesales: BundledSchemas.files
    case .empty: []
    }
  }

  /// The template's `policy.yaml` (who may change what), or nil when it has none.
  public var policy: String? {
    switch self {
    case .telesales: BundledPolicy.text
    case .empty: nil
    }
  }

  /// The record types the template's schemas define, in the order a team meets them.
  public var recordTypes: [RecordType] {
    let files = schemaFiles.map { (path: Self.schemaDirectory + "/" + $0.name, bytes: Array($0.text.utf8)) }
    let types = SchemaLoader.load(files: files).0.types
    let order = ["staff", "customer", "plan", "minutes"]
    return types.sorted { a, b in
      (order.firstIndex(of: a.name) ?? order.count, a.name) < (order.firstIndex(of: b.name) ?? order.count, b.name)
    }
  }

  /// Every file the template writes (paths relative to the records root), `tally.yaml` last.
  public func files(settings: Settings) -> [(path: String, bytes: [UInt8])] {
    var files: [(path: String, bytes: [UInt8])] = []
    for schema in schemaFiles {
      files.append((Self.schemaDirectory + "/" + schema.name, Array(schema.text.utf8)))
    }
    if schemaFiles.isEmpty {
      files.append((Self.schemaDirectory + "/" + Self.keepFile, []))
    }
    if let policy {
      files.append((Self.policyFile, Array(policy.utf8)))
    }
    for type in recordTypes {
      files.append((type.directory + "/" + Self.keepFile, []))
    }
    files.append(("README.md", Array(readme.utf8)))
    files.append((RecordsRoot.markerFile, configuration(settings)))
    return files
  }

  /// `tally.yaml`, in canonical form (so `tally fmt --check` passes on it).
  public func configuration(_ settings: Settings) -> [UInt8] {
    var text = """
      # Tally records repository: settings. See README.md.
      version: 1
      schema_dir: \(Self.schemaDirectory)
      # The time zone dates from commits are read in.
      time_zone: \(settings.timeZone)
      # The currency of money fields that do not name one.
      currency: \(settings.currency)

      """
    if self == .telesales {
      text += """
        # Days between contacts per customer tier (the call-back report).
        follow_up_intervals:
          A: 14
          B: 30
          C: 60

        """
    }
    let parsed = Document.parse(text, path: RecordsRoot.markerFile)
    guard let document = parsed.document else { return Array(text.utf8) }
    return FormattingPolicy(repository: nil).format(document, absolutePath: "/" + RecordsRoot.markerFile)
  }

  // MARK: - Creating

  /// Creates a records repository in `directory` (created when missing).
  ///
  /// - Parameters:
  ///   - directory: The new records root.
  ///   - settings: What goes into `tally.yaml`.
  /// - Returns: What was created.
  /// - Throws: ``InitError``; when the checks fail, nothing has been written.
  public func create(at directory: String, settings: Settings) throws(InitError) -> Result {
    if let problem = settings.problem { throw .badSettings(problem) }
    let root = FileSystem.absolute(directory)
    if FileSystem.exists(FileSystem.joinPath(root, RecordsRoot.markerFile)) {
      throw .alreadyInitialized(root)
    }
    let existing = Self.nearestExistingDirectory(root)
    if let outer = RecordsRoot.find(from: existing) {
      throw .insideRecordsRepository(directory: root, root: outer)
    }
    // The git repository the records will be in, if there is one already.
    var repository: Repository?
    do {
      repository = try Repository.discover(from: existing)
    } catch  where error.code == .notFound {
      repository = nil
    } catch {
      throw .git(error)
    }
    if let repository {
      let resolvedRoot = HookInstaller.resolved(existing) + root.dropFirst(existing.count)
      guard let top = repository.workingDirectory else {
        throw .insideGitDirectory(directory: root, gitDirectory: repository.gitDirectory)
      }
      let gitDirectory = HookInstaller.resolved(repository.gitDirectory)
      let resolvedTop = HookInstaller.resolved(top)
      if resolvedRoot == gitDirectory || resolvedRoot.hasPrefix(gitDirectory + "/")
        || !(resolvedRoot == resolvedTop || resolvedRoot.hasPrefix(resolvedTop + "/"))
      {
        throw .insideGitDirectory(directory: root, gitDirectory: repository.gitDirectory)
      }
    }
    let files = files(settings: settings)
    var toWrite: [(path: String, bytes: [UInt8])] = []
    var kept: [String] = []
    var conflicts: [String] = []
    for file in files {
      let path = FileSystem.joinPath(root, file.path)
      guard FileSystem.exists(path) else {
        toWrite.append(file)
        continue
      }
      if (try? FileSystem.read(path)) == file.bytes { continue }
      if file.path == "README.md" {
        kept.append(file.path)
      } else {
        conflicts.append(file.path)
      }
    }
    if !conflicts.isEmpty { throw .wouldOverwrite(conflicts) }
    let ignorePath = FileSystem.joinPath(root, Self.ignoreFile)
    let existingIgnore: [UInt8]?
    do {
      existingIgnore = FileSystem.exists(ignorePath) ? try FileSystem.read(ignorePath) : nil
    } catch {
      throw .file(error)
    }
    let ignore = Self.gitignore(appendingTo: existingIgnore)

    var created = false
    let topLevel: String
    if let repository, let top = repository.workingDirectory {
      topLevel = top
    } else {
      do {
        // git's directory is made whole or not at all, whatever signal comes.
        let new = try Interrupts.critical { () throws(GitError) in try Repository.create(at: root) }
        created = true
        topLevel = new.workingDirectory ?? root
      } catch {
        throw .git(error)
      }
    }
    // The .gitignore goes before tally.yaml (the last file), so a run that stopped is
    // finished by running it again, and the line is not appended twice.
    if let ignore {
      toWrite.insert(
        (Self.ignoreFile, ignore), at: toWrite.count - (toWrite.last?.path == RecordsRoot.markerFile ? 1 : 0))
    }
    do {
      for file in toWrite {
        // Ctrl-C stops between files; tally.yaml comes last, so an unfinished repository is
        // not taken for a records repository, and running init again finishes it.
        if let signal = Interrupts.pending { throw InitError.interrupted(signal) }
        let path = FileSystem.joinPath(root, file.path)
        try FileSystem.createDirectory(FileSystem.parentDirectory(of: path))
        try FileSystem.writeAtomically(path, file.bytes)
      }
    } catch let error as InitError {
      throw error
    } catch let error as FileError {
      throw .file(error)
    } catch {
      throw .file(FileError(path: root, operation: "write", reason: String(describing: error)))
    }
    var result = Result(
      root: root, gitTopLevel: topLevel, createdGitRepository: created, written: toWrite.map(\.path), kept: kept)
    if existingIgnore != nil, ignore != nil {
      result.written.removeAll { $0 == Self.ignoreFile }
      result.appended = [Self.ignoreFile]
    }
    return result
  }

  /// The `.gitignore` that keeps ``generatedDirectory`` out of git: `existing` with the
  /// line appended, or a new file when there is none; nil when `existing` already ignores
  /// it (`.tally/`, `.tally`, `/.tally/` or `/.tally` on a line of its own).
  static func gitignore(appendingTo existing: [UInt8]?) -> [UInt8]? {
    let entry = "# Generated by tally (JSON Schemas for editors: tally schema export)\n\(generatedDirectory)\n"
    guard let existing else { return Array(entry.utf8) }
    let name = generatedDirectory.dropLast()
    let ignored = existing.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).contains { line in
      var text = Substring(String(decoding: line, as: UTF8.self))
      while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
      if text.hasPrefix("/") { text.removeFirst() }
      if text.hasSuffix("/") { text.removeLast() }
      return text == name
    }
    if ignored { return nil }
    var bytes = existing
    if let last = bytes.last, last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
    bytes += Array(entry.utf8)
    return bytes
  }

  /// `path` or its nearest ancestor that exists.
  static func nearestExistingDirectory(_ path: String) -> String {
    var current = path
    while !FileSystem.isDirectory(current), current != "/" {
      current = FileSystem.parentDirectory(of: current)
    }
    return current
  }

  // MARK: - README

  /// The README for the team, in Chinese and English.
  public var readme: String {
    var text = """
      # 团队档案 · Team records

      这个仓库用 Tally 管理团队的档案：每条记录是一个文本文件（YAML 格式），保存在 git 里，
      每次提交前自动检查。
      This repository keeps the team's records with Tally: one text file (YAML) per record,
      kept in git and checked before every commit.

      ## 目录 · Layout

      | 目录 Directory | 内容 Contents | 文件名 File name |
      | --- | --- | --- |

      """
    for type in recordTypes {
      let example = type.idExample.map { "`\($0).yaml`" } ?? "`<id>.yaml`"
      text += "| `\(type.directory)/` | \(type.title ?? type.name) (\(type.name)) | \(example) |\n"
    }
    text += """
      | `\(Self.schemaDirectory)/` | 每类记录的字段和规则 · the fields and rules of each record type | |
      | `tally.yaml` | 仓库设置：时区、币种 · settings: time zone, currency | |

      """
    if policy != nil {
      text += """
        | `\(Self.policyFile)` | 谁可以修改哪些记录 · who may change which records | |

        """
    }
    text += "\n"
    if recordTypes.isEmpty {
      text += """
        还没有记录类型：先在 `\(Self.schemaDirectory)/` 里为每类记录写一个 schema 文件（说明见 Tally 的
        docs/schema.md），再建立它的目录。
        There are no record types yet: write a schema file in `\(Self.schemaDirectory)/` for each
        kind of record (see docs/schema.md in Tally), then create its directory.


        """
    }
    text += """
      ## 新增记录 · Adding a record

      1. 在对应目录里新建文件，文件名就是记录编号，例如 `customers/C-0043.yaml`。
         Create a file in the record's directory, named by its id, e.g. `customers/C-0043.yaml`.
      2. 照着同目录里的其他文件写，字段和取值见 `\(Self.schemaDirectory)/` 里的说明。
         Follow the other files of the directory; `\(Self.schemaDirectory)/` lists the fields and
         the values each one allows.
      3. 用两个空格缩进，不要用 Tab；一个文件只写一条记录。
         Indent with two spaces, never tabs; one record per file.

      ## 修改记录 · Editing a record

      用任何文本编辑器打开文件修改即可。`tally fmt` 会把文件整理成统一格式（保留注释）。
      Open the file in any text editor. `tally fmt` puts files into the canonical layout
      (comments are kept).

      ## 检查 · Checking

      ```sh
      tally check          # 检查所有记录，列出每个问题的位置 · check every record, with positions
      tally fmt --check    # 列出格式不统一的文件 · list the files not in canonical form
      ```

      ## 提交 · Committing

      ```sh
      git add customers/C-0043.yaml
      git commit -m "新客户 C-0043"
      ```

      提交前，git 的 pre-commit 钩子会运行 `tally check --staged`：有问题时提交会被拒绝，
      并显示出错的文件、行号和原因。改好后重新 `git add`、再提交。
      Before each commit, git's pre-commit hook runs `tally check --staged`: when a record has a
      problem the commit is refused, with the file, line and reason. Fix it, `git add` it again,
      and commit again.

      ## 合并 · Merging

      两人在不同分支上改同一个客户时，`git merge`（以及 `pull`、`rebase`、`cherry-pick`）按字段
      合并记录：改了不同字段、各自追加了跟进记录，都会自动合并；只有同一个字段被改成不同的值
      才算冲突。合并结果在提交前也会被检查（pre-merge-commit 钩子）：有问题时合并会停下，
      改好后 `git add`，再运行 `tally commit` 完成合并。
      When two people change the same customer on different branches, `git merge` (and `pull`,
      `rebase`, `cherry-pick`) merges the record field by field: different fields and follow-ups
      appended on both sides merge by themselves; only the same field changed two ways is a
      conflict. The merged result is checked before it is committed (the pre-merge-commit hook):
      when it has a problem the merge stops; fix it, `git add` it, and finish with `tally commit`.
      GitHub、GitLab 网页上的合并按钮不会按字段合并，也不运行钩子：请在本地合并。
      The merge button of GitHub or GitLab does neither: merge on your own machine.

      钩子和合并设置不会随 `git clone` 复制：克隆仓库后，每个人运行一次 `tally hook install`
      （`tally hook status` 会提示尚未设置的克隆）。
      Hooks and the merge set-up do not travel with `git clone`: after cloning, everyone runs
      `tally hook install` once (`tally hook status` says when a clone still needs it).

      """
    if policy != nil {
      text += """

        ## 权限 · Who may change what

        `\(Self.policyFile)` 规定谁可以修改哪些记录的哪些字段：销售代表只管自己的客户，组长在组内
        分配客户，主管负责本部门的计划，客服代表处理投诉，跟进记录在跟进日期 7 天后不能再修改，
        `\(Self.policyFile)` 和岗位只有经理能改。每个人的员工档案里，`email` 和 `git_identities`
        要写上自己提交和推送时用的邮箱和账号。请在第一次提交里就放进员工档案（至少经理的），
        否则之后谁都不能修改任何记录。git 服务器上的钩子（`tally hook install --server`）会拒绝
        违反规则的推送；本地的 `tally check --staged` 只提示警告。
        `\(Self.policyFile)` says who may change which fields of whose records: sales reps their own
        customers, team leads reassign customers within their team, supervisors own their teams'
        plans, customer-service reps handle complaints, follow-ups are locked 7 days after their
        date, and only the manager changes `\(Self.policyFile)` and roles. Everyone's staff record
        lists the e-mail addresses and logins they commit and push with (`email`,
        `git_identities`). Put the staff records (the manager's at least) in the first commit:
        after that, nobody without one may change anything. The git server's hook
        (`tally hook install --server`) refuses pushes that break the rules; locally,
        `tally check --staged` only warns.

        """
    }
    return text
  }
}
