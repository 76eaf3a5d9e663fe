/// What `tally parse` prints of a file: its value as JSON, a JSON Lines entry, or an outline
/// of every value with its position (docs/outputs.md).
extension SyntaxTree {
  /// The file's value as indented JSON, and a line break.
  public func writeJSON(into out: inout [UInt8]) {
    root.writeJSON(into: &out, pretty: true)
    out.append(0x0A)
  }

  /// One JSON Lines entry: `{"path": path, "value": the file's value}` and a line break.
  public func writeJSONLine(path: String, into out: inout [UInt8]) {
    out.append(contentsOf: #"{"path":"#.utf8)
    JSON.writeString(path, into: &out)
    out.append(contentsOf: #","value":"#.utf8)
    root.writeJSON(into: &out)
    out.append(contentsOf: "}\n".utf8)
  }

  /// One line per value: `path = "text"  @line:col style`.
  public func writeOutline(into out: inout [UInt8]) {
    if root.count == 0 {
      out.append(contentsOf: "(root) = {}\n".utf8)
      return
    }
    Self.visit(root, path: FieldPath(), into: &out)
  }

  static func visit(_ node: SyntaxNode, path: FieldPath, into out: inout [UInt8]) {
    if node.isMapping, node.count > 0 {
      for entry in node.entries {
        visit(entry.value, path: path.appending(key: entry.key.text ?? ""), into: &out)
      }
      return
    }
    if node.isSequence, node.count > 0 {
      for (index, item) in node.items.enumerated() {
        visit(item, path: path.appending(index: index), into: &out)
      }
      return
    }
    out.append(contentsOf: path.description.utf8)
    out.append(contentsOf: " = ".utf8)
    switch node.kind {
    case .scalar: _ = node.withUTF8 { JSON.writeString(bytes: $0, into: &out) }
    case .mapping: out.append(contentsOf: "{}".utf8)
    case .sequence: out.append(contentsOf: "[]".utf8)
    case .null: out.append(contentsOf: "null".utf8)
    }
    let start = node.range.start
    out.append(contentsOf: "  @\(start.line):\(start.column)".utf8)
    if node.isScalar, node.style != .plain {
      out.append(contentsOf: " \(node.style.rawValue)".utf8)
    }
    out.append(0x0A)
  }
}
