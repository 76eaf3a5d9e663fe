import TallyGit

/// git's diff driver for records: with `customers/*.yaml diff=tally` in `.gitattributes` and
/// `diff.tally.textconv` set to `tally diff --git-textconv`, `git diff`, `git log -p` and
/// `git show` compare records as one `field: value` line per field, so a change shows as the
/// fields that changed, whatever the layout.
///
/// The attributes go into the records root's `.gitattributes` (committed, so the whole team
/// gets them), as a block that starts with a marker line, scoped to the record directories.
/// The command goes into the repository's own configuration (`.git/config`), which is not
/// shared: everyone runs `tally hook install`. Where the driver is not configured, git
/// ignores the attribute and diffs the text as usual.
extension HookInstaller {
  /// The diff driver's name in `.gitattributes` and the configuration.
  public static let diffDriverName = "tally"
  /// The configuration key of the driver's command.
  static let textconvKey = "diff.\(diffDriverName).textconv"
  /// The first line of tally's block in `.gitattributes`.
  static let attributesMarker =
    "# tally: git diff shows records field by field (tally diff --git-textconv); 'tally hook uninstall' removes these lines"

  /// The records root's `.gitattributes`.
  public var attributesPath: String { FileSystem.joinPath(root, ".gitattributes") }

  /// The command git runs on each version of a record file (with the file's path appended):
  /// the `tally` that installed it, by its absolute path, as for the hook.
  public var textconvCommand: String {
    (executable.map(Self.shellQuote) ?? "tally") + " diff --git-textconv"
  }

  /// tally's block for `.gitattributes`: the marker, then one line per record directory.
  var attributesBlock: [String] {
    [Self.attributesMarker]
      + recordDirectories.map { Self.attributesPattern(directory: $0) + " diff=\(Self.diffDriverName)" }
  }

  /// The pattern for the record files directly in `directory`, as `.gitattributes` reads
  /// it: wildcard characters of the name escaped, and the whole quoted C-style when it has
  /// spaces or quotes.
  static func attributesPattern(directory: String) -> String {
    var escaped = ""
    for character in directory {
      if "*?[\\".contains(character) { escaped.append("\\") }
      escaped.append(character)
    }
    let text = escaped + "/*.yaml"
    guard text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\"" }) else { return text }
    return "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
  }

  /// `text` without tally's block (the marker line and the `diff=tally` lines after it);
  /// everything else is kept byte for byte.
  static func removingAttributesBlock(_ text: String) -> String {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == attributesMarker }) else { return text }
    var end = start + 1
    while end < lines.count, lines[end].hasSuffix(" diff=\(diffDriverName)") { end += 1 }
    lines.removeSubrange(start..<end)
    return lines.joined(separator: "\n")
  }

  /// `text` with tally's block for these record directories, at its end.
  func addingAttributesBlock(_ text: String) -> String {
    var base = Self.removingAttributesBlock(text)
    if !base.isEmpty, !base.hasSuffix("\n") { base += "\n" }
    return base + attributesBlock.joined(separator: "\n") + "\n"
  }

  /// The driver's command as configured, or nil.
  func configuredTextconv() throws(HookError) -> String? {
    do {
      return try repository.configString(Self.textconvKey)
    } catch {
      throw .git(error)
    }
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

  /// Whether the driver is set up as ``installDiffDriver()`` would set it up now.
  func diffDriverIsCurrent() throws(HookError) -> Bool {
    guard !recordDirectories.isEmpty else { return true }
    let text = try attributesText() ?? ""
    return try configuredTextconv() == textconvCommand && addingAttributesBlock(text) == text
  }

  /// Sets up the diff driver for the record directories (nothing without any).
  ///
  /// - Returns: Whether anything changed.
  @discardableResult
  public func installDiffDriver() throws(HookError) -> Bool {
    guard !recordDirectories.isEmpty else { return false }
    var changed = false
    let text = try attributesText()
    let wanted = addingAttributesBlock(text ?? "")
    if wanted != text {
      do {
        try FileSystem.writeAtomically(attributesPath, Array(wanted.utf8))
      } catch {
        throw .file(error)
      }
      changed = true
    }
    if try configuredTextconv() != textconvCommand {
      do {
        try repository.setConfig(Self.textconvKey, to: textconvCommand)
      } catch {
        throw .git(error)
      }
      changed = true
    }
    return changed
  }

  /// Removes tally's block from `.gitattributes` (the file too when nothing else is left in
  /// it) and the driver's command from the configuration, when it is tally's.
  ///
  /// - Returns: Whether anything was removed.
  @discardableResult
  public func uninstallDiffDriver() throws(HookError) -> Bool {
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
    if let command = try configuredTextconv(), command.hasSuffix(" diff --git-textconv") {
      do {
        try repository.unsetConfig(Self.textconvKey)
      } catch {
        throw .git(error)
      }
      removed = true
    }
    return removed
  }
}
