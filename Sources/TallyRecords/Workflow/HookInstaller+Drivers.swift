import TallyGit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// git's diff and merge drivers for records.
///
/// - Diff: with `customers/*.yaml diff=tally` in `.gitattributes` and `diff.tally.textconv`
///   set to `tally diff --git-textconv`, `git diff`, `git log -p` and `git show` compare
///   records as one `field: value` line per field, so a change shows as the fields that
///   changed, whatever the layout.
/// - Merge: with `merge=tally` on the same lines and `merge.tally.driver` set to
///   `tally merge-driver %O %A %B %L %P`, `git merge`, `pull`, `rebase`, `cherry-pick` and
///   `revert` merge a record both sides changed field by field (``MergeDriver``).
///
/// The attributes go into the records root's `.gitattributes` (committed, so the whole team
/// gets them), as a block that starts with a marker line, scoped to the record directories.
/// The commands go into the repository's own configuration (`.git/config`), which is not
/// shared: everyone runs `tally hook install`. Where a driver is not configured, git ignores
/// the attribute: it diffs the text as usual, which is harmless, and merges the text line by
/// line, which is not what the team expects — ``status()`` reports that clone.
extension HookInstaller {
  /// One of git's drivers tally sets up.
  public enum Driver: String, CaseIterable, Sendable {
    case diff
    case merge

    /// The attribute that names the driver (`diff=tally`, `merge=tally`).
    public var attribute: String { rawValue }
    /// The configuration key of the command git runs.
    public var commandKey: String {
      switch self {
      case .diff: "diff.\(HookInstaller.driverName).textconv"
      case .merge: "merge.\(HookInstaller.driverName).driver"
      }
    }
    /// What follows the `tally` binary in the command tally configures.
    var subcommand: String {
      switch self {
      case .diff: " diff --git-textconv"
      case .merge: " merge-driver %O %A %B %L %P"
      }
    }
  }

  /// The drivers' name in `.gitattributes` and the configuration.
  public static let driverName = "tally"
  /// The diff driver's name (the same as the merge driver's).
  public static let diffDriverName = driverName
  /// The configuration key of the merge driver's description, which git shows.
  static let mergeNameKey = "merge.\(driverName).name"
  /// The merge driver's description.
  static let mergeDriverDescription = "tally: records merged field by field"
  /// The first line of tally's block in `.gitattributes`.
  static let attributesMarker =
    "# tally: git diff and git merge read records field by field (tally diff --git-textconv, tally merge-driver); 'tally hook uninstall' removes these lines"
  /// The first lines of blocks older versions wrote (`diff=tally` only), upgraded by
  /// ``installDrivers()`` and removed by ``uninstallDrivers()``.
  static let olderAttributesMarkers = [
    "# tally: git diff shows records field by field (tally diff --git-textconv); 'tally hook uninstall' removes these lines"
  ]
  /// The attributes of each line of tally's block.
  static let attributesAssignments = " diff=\(driverName) merge=\(driverName)"

  /// The records root's `.gitattributes`.
  public var attributesPath: String { FileSystem.joinPath(root, ".gitattributes") }

  /// The command git runs on each version of a record file (with the file's path appended):
  /// the `tally` that installed it, by its absolute path, as for the hook.
  public var textconvCommand: String { command(for: .diff) }

  /// The command git runs to merge a record file: `%O` base, `%A` ours (the result goes
  /// there), `%B` theirs, `%L` the conflict marker size, `%P` the file's path.
  public var mergeDriverCommand: String { command(for: .merge) }

  /// The command `driver` runs, as ``installDrivers()`` configures it. The merge driver is
  /// `tally-merge-driver` when it is installed beside `tally` (the same merge in a program
  /// that starts several times faster: git starts it once per file), else `tally
  /// merge-driver`.
  public func command(for driver: Driver) -> String {
    if driver == .merge, let fast = fastMergeDriver { return Self.shellQuote(fast) + Self.fastMergeArguments }
    return (executable.map(Self.shellQuote) ?? "tally") + driver.subcommand
  }

  /// `tally-merge-driver` beside the `tally` that installs, when it is there.
  var fastMergeDriver: String? {
    guard let executable else { return nil }
    let path = FileSystem.joinPath(FileSystem.parentDirectory(of: executable), "tally-merge-driver")
    return access(path, X_OK) == 0 ? path : nil
  }

  /// What follows `tally-merge-driver` in the merge driver's command.
  static let fastMergeArguments = " %O %A %B %L %P"

  /// What follows tally's program in `command` when it is a command tally configures for
  /// `driver` (`tally … merge-driver %O %A %B %L %P`, `tally-merge-driver %O %A %B %L %P`),
  /// or nil when it is someone else's.
  static func tallysArguments(_ command: String, driver: Driver) -> String? {
    if command.hasSuffix(driver.subcommand) { return driver.subcommand }
    guard driver == .merge, command.hasSuffix(fastMergeArguments) else { return nil }
    var program = command.dropLast(fastMergeArguments.count)
    if program.hasSuffix("'") { program = program.dropLast() }
    return program.hasSuffix("tally-merge-driver") ? fastMergeArguments : nil
  }

  /// tally's block for `.gitattributes`: the marker, then one line per record directory.
  var attributesBlock: [String] {
    [Self.attributesMarker]
      + recordDirectories.map {
        Self.attributesPattern(directory: $0, sharded: shardedDirectories.contains($0)) + Self.attributesAssignments
      }
  }

  /// The pattern for the record files directly in `directory` (in its shard folders when
  /// `sharded`: `customers/*/*.yaml`), as `.gitattributes` reads it: wildcard characters of
  /// the name escaped, and the whole quoted C-style when it has spaces or quotes.
  static func attributesPattern(directory: String, sharded: Bool = false) -> String {
    var escaped = ""
    for character in directory {
      if "*?[\\".contains(character) { escaped.append("\\") }
      escaped.append(character)
    }
    let text = escaped + (sharded ? "/*/*.yaml" : "/*.yaml")
    guard text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" }) else { return text }
    return "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
  }

  /// The lines of tally's block in `lines` (its marker, this version's or an older one, and
  /// the attribute lines after it), or nil when there is none. A line's `\r` is looked past.
  static func attributesBlockRange(in lines: [Substring]) -> Range<Int>? {
    func bare(_ line: Substring) -> Substring { line.hasSuffix("\r") ? line.dropLast() : line }
    let markers = [attributesMarker] + olderAttributesMarkers
    guard let start = lines.firstIndex(where: { markers.contains(String(bare($0))) }) else { return nil }
    var end = start + 1
    while end < lines.count {
      let line = bare(lines[end])
      guard line.hasSuffix(attributesAssignments) || line.hasSuffix(" diff=\(driverName)") else { break }
      end += 1
    }
    return start..<end
  }

  /// `text` without tally's block; everything else is kept byte for byte.
  static func removingAttributesBlock(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let range = attributesBlockRange(in: lines) else { return text }
    lines.removeSubrange(range)
    return lines.joined(separator: "\n")
  }

  /// `text` with tally's block for these record directories: in place of the block that is
  /// there (an older one is upgraded where it stands), or at the end.
  func addingAttributesBlock(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if let range = Self.attributesBlockRange(in: lines) {
      lines.replaceSubrange(range, with: attributesBlock.map { Substring($0) })
      return lines.joined(separator: "\n")
    }
    var base = text
    if !base.isEmpty, !base.hasSuffix("\n") { base += "\n" }
    return base + attributesBlock.joined(separator: "\n") + "\n"
  }

  /// A configuration value of the repository, or nil.
  func configured(_ key: String) throws(HookError) -> String? {
    do {
      return try repository.configString(key)
    } catch {
      throw .git(error)
    }
  }

  /// The diff driver's command as configured, or nil.
  func configuredTextconv() throws(HookError) -> String? {
    try configured(Driver.diff.commandKey)
  }

  /// The text of `.gitattributes`, or nil when there is none.
  func attributesText() throws(HookError) -> String? {
    guard FileSystem.exists(attributesPath) else { return nil }
    do {
      return String(decoding: try FileSystem.read(attributesPath), as: UTF8.self)
    } catch {
      throw .file(error)
    }
  }

  /// Whether the attributes are as ``installDrivers()`` would write them now.
  func attributesAreCurrent() throws(HookError) -> Bool {
    guard !recordDirectories.isEmpty else { return true }
    let text = try attributesText() ?? ""
    return addingAttributesBlock(text) == text
  }

  /// The configuration ``installDrivers()`` writes: each key and its value.
  var driverConfiguration: [(key: String, value: String)] {
    [
      (Driver.diff.commandKey, textconvCommand),
      (Self.mergeNameKey, Self.mergeDriverDescription),
      (Driver.merge.commandKey, mergeDriverCommand),
    ]
  }

  /// What ``installDrivers()`` changed.
  public struct DriversChange: Sendable, Equatable {
    /// tally's block in `.gitattributes` was written (the team should commit it).
    public var attributes: Bool
    /// The repository's configuration was written.
    public var configuration: Bool

    /// Whether anything changed.
    public var any: Bool { attributes || configuration }
  }

  /// Sets up the diff and merge drivers for the record directories (nothing without any):
  /// tally's block in `.gitattributes` (an older block is upgraded) and the commands in the
  /// repository's configuration.
  ///
  /// - Returns: What changed.
  @discardableResult
  public func installDrivers() throws(HookError) -> DriversChange {
    var change = DriversChange(attributes: false, configuration: false)
    guard !recordDirectories.isEmpty else { return change }
    let text = try attributesText()
    let wanted = addingAttributesBlock(text ?? "")
    if wanted != text {
      do {
        try FileSystem.writeAtomically(attributesPath, Array(wanted.utf8))
      } catch {
        throw .file(error)
      }
      change.attributes = true
    }
    for (key, value) in driverConfiguration {
      guard try configured(key) != value else { continue }
      do {
        try repository.setConfig(key, to: value)
      } catch {
        throw .git(error)
      }
      change.configuration = true
    }
    return change
  }

  /// Removes tally's block from `.gitattributes` (the file too when nothing else is left in
  /// it) and the drivers' configuration, where it is tally's: a command that is not
  /// `tally ... diff --git-textconv` or `tally ... merge-driver %O %A %B %L %P` is left, and so
  /// is a merge driver's description that is not tally's.
  ///
  /// - Returns: Whether anything was removed.
  @discardableResult
  public func uninstallDrivers() throws(HookError) -> Bool {
    var removed = false
    if let text = try attributesText() {
      let rest = Self.removingAttributesBlock(text)
      if rest != text {
        do {
          if rest.isEmpty {
            try FileSystem.remove(attributesPath)
          } else {
            try FileSystem.writeAtomically(attributesPath, Array(rest.utf8))
          }
        } catch {
          throw .file(error)
        }
        removed = true
      }
    }
    var keys: [String] = []
    for driver in Driver.allCases {
      if let command = try configured(driver.commandKey), Self.tallysArguments(command, driver: driver) != nil {
        keys.append(driver.commandKey)
      }
    }
    if try configured(Self.mergeNameKey) == Self.mergeDriverDescription { keys.append(Self.mergeNameKey) }
    for key in keys {
      do {
        try repository.unsetConfig(key)
      } catch {
        throw .git(error)
      }
      removed = true
    }
    return removed
  }

  // MARK: - Status

  /// One driver as it is.
  public struct DriverStatus: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
      /// Configured, with the attributes, as ``HookInstaller/installDrivers()`` would set it
      /// up now.
      case installed
      /// Configured, but not as it would be set up now (another binary, an older block of
      /// attributes, a record directory the attributes miss).
      case outOfDate = "out_of_date"
      /// Neither configured nor named by the attributes of record files.
      case notInstalled = "not_installed"
      /// The attributes of record files name it, but the command is not configured in this
      /// clone (a fresh `git clone`): git ignores the attribute and diffs or merges the
      /// text line by line.
      case notConfigured = "not_configured"
    }

    /// Which driver.
    public var kind: Driver
    public var state: State
    /// The command as configured (`diff.tally.textconv`, `merge.tally.driver`), or nil.
    public var command: String?
    /// The `tally` binary the command runs, when it names one by its path.
    public var executable: String?
    /// Whether that binary is there and executable (true when the command runs `tally` on
    /// `PATH`, or is not configured).
    public var executableExists: Bool
    /// The record directories whose files git gives the attribute (`diff=tally`,
    /// `merge=tally`), relative to the records root.
    public var attributedDirectories: [String]

    /// Set up as install would set it up now, and its binary is there.
    public var isHealthy: Bool { state == .installed && executableExists }
  }

  /// Describes `driver` as it is now, as git sees it: the configuration, and the attribute
  /// of a file in each record directory (from every attributes file git reads, not only
  /// tally's block).
  public func driverStatus(_ driver: Driver) throws(HookError) -> DriverStatus {
    let command = try configured(driver.commandKey)
    var attributed: [String] = []
    let lead = prefix.isEmpty ? "" : prefix + "/"
    let block = Self.blockAttributes(try attributesText() ?? "")
    let values: [AttributeValue]
    do {
      values = try repository.attributes(
        driver.attribute, of: recordDirectories.map { lead + $0 + "/" + sampleFile(in: $0) })
    } catch {
      throw .git(error)
    }
    for (directory, value) in zip(recordDirectories, values) {
      // libgit2 (1.5) does not read quoted patterns, which tally writes for a directory
      // whose name has a space; git does, so tally's own line for it counts where libgit2
      // sees nothing.
      let pattern = Self.attributesPattern(directory: directory, sharded: shardedDirectories.contains(directory))
      let fromBlock = block[pattern]?.contains(driver.attribute) ?? false
      if value == .value(Self.driverName) || (value == .unspecified && fromBlock) {
        attributed.append(directory)
      }
    }
    var status = DriverStatus(
      kind: driver, state: .notInstalled, command: command, executable: nil, executableExists: true,
      attributedDirectories: attributed)
    guard let command else {
      status.state = attributed.isEmpty ? .notInstalled : .notConfigured
      return status
    }
    if let word = command.split(separator: " ", maxSplits: 1).first, word.hasPrefix("'"),
      let arguments = Self.tallysArguments(command, driver: driver)
    {
      let quoted = command.dropLast(arguments.count)
      if let path = Self.unquoted(quoted) {
        status.executable = path
        status.executableExists = access(path, X_OK) == 0
      }
    }
    let attributesCurrent = try attributesAreCurrent()
    var described = true
    if driver == .merge { described = try configured(Self.mergeNameKey) == Self.mergeDriverDescription }
    let current = command == self.command(for: driver) && attributesCurrent && described
    status.state = current ? .installed : .outOfDate
    return status
  }

  /// The lines of tally's block in `text`: for each pattern, the drivers it names
  /// (`diff`, `merge`).
  static func blockAttributes(_ text: String) -> [String: Set<String>] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let range = attributesBlockRange(in: lines) else { return [:] }
    var result: [String: Set<String>] = [:]
    for line in lines[range].dropFirst() {
      let bare = line.hasSuffix("\r") ? line.dropLast() : line
      // This version's lines name both drivers; older ones the diff driver only.
      let assignments = bare.hasSuffix(attributesAssignments) ? attributesAssignments : " diff=\(driverName)"
      let pattern = String(bare.dropLast(assignments.count))
      for driver in Driver.allCases where assignments.contains(" \(driver.attribute)=\(driverName)") {
        result[pattern, default: []].insert(driver.attribute)
      }
    }
    return result
  }

  /// A file name to ask git the attributes of, in a record directory: its first record file
  /// (so that a hand-written pattern such as `customers/C-*.yaml` is matched too), or a
  /// made-up one when it has none.
  func sampleFile(in directory: String) -> String {
    guard shardedDirectories.contains(directory) else {
      let names = (try? FileSystem.contents(of: FileSystem.joinPath(root, directory))) ?? []
      return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.min() ?? "record.yaml"
    }
    // Sharded: a record of the first shard folder that has one.
    let folders = ((try? FileSystem.contents(of: FileSystem.joinPath(root, directory))) ?? []).sorted()
    for folder in folders where !folder.hasPrefix(".") {
      let names = (try? FileSystem.contents(of: FileSystem.joinPath(root, directory + "/" + folder))) ?? []
      if let name = names.filter({ $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }).min() { return folder + "/" + name }
    }
    return "000/record.yaml"
  }
}
