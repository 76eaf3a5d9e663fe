/// One parsed record file: its syntax tree and the bytes it came from.
public struct Document: Sendable, Hashable {
  /// The record's fields. A record file always holds exactly one mapping.
  public var root: Node.Mapping
  /// Comments at the top of the file that are separated from the first key by an empty
  /// line (a file header, e.g. `# yaml-language-server: $schema=...`).
  public var headerComments: [LeadingComment]
  /// The path the document was read from, as given to the parser.
  public var path: String
  /// The source bytes (empty for documents built in code).
  public var source: [UInt8]
  /// Whether the source started with a UTF-8 byte order mark (which is skipped).
  public var hadByteOrderMark: Bool
  /// Whether the source used CRLF line endings (the printer writes LF).
  public var usedCRLF: Bool

  public init(
    root: Node.Mapping, headerComments: [LeadingComment] = [], path: String = "",
    source: [UInt8] = [], hadByteOrderMark: Bool = false, usedCRLF: Bool = false
  ) {
    self.root = root
    self.headerComments = headerComments
    self.path = path
    self.source = source
    self.hadByteOrderMark = hadByteOrderMark
    self.usedCRLF = usedCRLF
  }

  /// A document that means `value`, which must be a mapping.
  public init?(value: Value, path: String = "") {
    guard case .mapping(let mapping) = Node(value) else { return nil }
    self.init(root: mapping, path: path)
  }

  /// What the file means.
  public var value: Value { root.value }

  /// The source as a `SourceFile`, for rendering diagnostics.
  public var sourceFile: SourceFile { SourceFile(path: path, bytes: source) }
}

/// The outcome of parsing one file: a document when the file is accepted, and every
/// diagnostic found (warnings may come with a document; errors never do).
public struct ParseResult: Sendable {
  public var document: Document?
  public var diagnostics: [Diagnostic]

  public init(document: Document?, diagnostics: [Diagnostic]) {
    self.document = document
    self.diagnostics = diagnostics
  }
}

extension Document {
  /// Parses a record file.
  ///
  /// - Parameters:
  ///   - bytes: The file's content.
  ///   - path: The path to name in diagnostics.
  ///   - options: Size, depth and key-length limits.
  /// - Returns: The document when the file is in the Tally subset, and all diagnostics.
  ///   Never traps, whatever the input.
  public static func parse(
    _ bytes: [UInt8], path: String = "", options: ParseOptions = .default
  ) -> ParseResult {
    let result = SyntaxTree.parse(bytes, path: path, options: options)
    return ParseResult(document: result.tree?.document(), diagnostics: result.diagnostics)
  }

  /// Parses a record file from text.
  public static func parse(
    _ text: String, path: String = "", options: ParseOptions = .default
  ) -> ParseResult {
    parse(Array(text.utf8), path: path, options: options)
  }
}
