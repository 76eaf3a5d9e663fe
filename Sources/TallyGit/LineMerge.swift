internal import CLibGit2

/// git's own three-way merge of lines (`git merge-file --diff3`), on libgit2's copy of
/// git's xdiff: what a record file falls back to when it cannot be merged as a record.
public enum LineMerge {
  /// The merged bytes, and whether they are free of conflicts.
  public struct Result: Sendable {
    public var bytes: [UInt8]
    public var isClean: Bool
  }

  /// Merges `ours` and `theirs` against `base` line by line; conflicts are written with
  /// diff3 markers (`<<<<<<< ours`, `||||||| base`, `=======`, `>>>>>>> theirs`) of
  /// `markerSize` characters.
  public static func merge(
    base: [UInt8], ours: [UInt8], theirs: [UInt8], markerSize: Int = 7,
    labels: (base: String, ours: String, theirs: String) = ("base", "ours", "theirs")
  ) throws(GitError) -> Result {
    GitLibrary.ensureInitialized()
    var options = git_merge_file_options()
    _ = try check(
      git_merge_file_options_init(&options, UInt32(GIT_MERGE_FILE_OPTIONS_VERSION)), "git_merge_file_options_init")
    options.flags = GIT_MERGE_FILE_STYLE_DIFF3.rawValue
    options.marker_size = UInt16(clamping: max(1, markerSize))
    var output = git_merge_file_result()
    let rc: Int32 = base.withUnsafeBufferPointer { basePointer in
      ours.withUnsafeBufferPointer { oursPointer in
        theirs.withUnsafeBufferPointer { theirsPointer in
          labels.base.withCString { baseLabel in
            labels.ours.withCString { oursLabel in
              labels.theirs.withCString { theirsLabel in
                options.ancestor_label = baseLabel
                options.our_label = oursLabel
                options.their_label = theirsLabel
                var ancestor = input(basePointer)
                var mine = input(oursPointer)
                var other = input(theirsPointer)
                return git_merge_file(&output, &ancestor, &mine, &other, &options)
              }
            }
          }
        }
      }
    }
    defer { git_merge_file_result_free(&output) }
    _ = try check(rc, "git_merge_file")
    var bytes: [UInt8] = []
    if let pointer = output.ptr, output.len > 0 {
      bytes = pointer.withMemoryRebound(to: UInt8.self, capacity: output.len) {
        Array(UnsafeBufferPointer(start: $0, count: output.len))
      }
    }
    return Result(bytes: bytes, isClean: output.automergeable != 0)
  }

  static func input(_ buffer: UnsafeBufferPointer<UInt8>) -> git_merge_file_input {
    var input = git_merge_file_input()
    _ = git_merge_file_input_init(&input, UInt32(GIT_MERGE_FILE_INPUT_VERSION))
    input.ptr = buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
    input.size = buffer.count
    return input
  }
}
