/// What path arguments stand for: the one expansion behind `tally fmt FILE|DIR...` and
/// `tally check FILE|DIR...`. A file stands for itself; a directory for every file under it
/// whose name ends with one of the suffixes (hidden directories skipped, symbolic links not
/// followed), in order.
public enum PathExpansion {
  /// A path argument that names nothing.
  public struct Missing: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var description: String { "no such file or directory: \(path)" }
  }

  /// The files `arguments` stand for, as paths that start with the argument they came from.
  ///
  /// - Parameter suffixes: Which files of a directory count (`[""]`: all).
  /// - Throws: ``Missing`` for an argument that names nothing; a `FileError` when a
  ///   directory cannot be read.
  public static func files(_ arguments: [String], suffixes: [String]) throws -> [String] {
    var result: [String] = []
    for path in arguments {
      switch FileSystem.entryKind(of: path) {
      case .directory:
        result += try FileSystem.files(under: path, suffixes: suffixes)
      case .none:
        throw Missing(path: path)
      default:
        result.append(path)
      }
    }
    return result
  }
}
