/// Limits that keep the parser's time and memory bounded on any input.
public struct ParseOptions: Sendable, Hashable {
  /// Files larger than this are refused before parsing (4 MiB).
  public var maxFileSize: Int
  /// Mappings and sequences may nest at most this deep (64).
  public var maxDepth: Int
  /// Keys may be at most this many bytes long (256).
  public var maxKeyLength: Int

  public init(maxFileSize: Int = 4 * 1024 * 1024, maxDepth: Int = 64, maxKeyLength: Int = 256) {
    self.maxFileSize = maxFileSize
    self.maxDepth = maxDepth
    self.maxKeyLength = maxKeyLength
  }

  public static let `default` = ParseOptions()
}
