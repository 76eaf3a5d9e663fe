/// Why an edit could not be made.
public enum EditError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Nothing is at the path (and it cannot be created there).
  case notFound(FieldPath)
  /// The path goes through a value that is not a mapping.
  case notAMapping(FieldPath)
  /// The path goes through a value that is not a list.
  case notAList(FieldPath)
  /// An index is past the end of a list.
  case indexOutOfRange(FieldPath, count: Int)
  /// The key to insert is there already.
  case keyExists(FieldPath)
  /// The root of a record cannot be replaced or removed.
  case rootEdit
  /// The edited text would not parse (a bug: reported, never written).
  case invalidResult([Diagnostic])

  public var description: String {
    switch self {
    case .notFound(let path): "nothing at '\(path)'"
    case .notAMapping(let path): "'\(path)' is not a mapping"
    case .notAList(let path): "'\(path)' is not a list"
    case .indexOutOfRange(let path, let count): "'\(path)' is past the end of a list of \(count)"
    case .keyExists(let path): "'\(path)' is set already"
    case .rootEdit: "the record itself cannot be replaced or removed"
    case .invalidResult(let diagnostics):
      "the edit would produce an invalid file: " + diagnostics.map(\.message).joined(separator: "; ")
    }
  }
}

/// Edits that change one value and keep every other byte of the file as it was: comments,
/// empty lines and formatting elsewhere are untouched. The edited part is written in
/// canonical form. Every edit is checked: the result is parsed again and must mean exactly
/// what the edit asked for.
extension Document {
  /// Sets the value at `path`, creating the key (and missing mappings on the way) when
  /// it is not there. An index equal to a list's length appends.
  public func setting(_ path: FieldPath, to value: Value, printer: CanonicalPrinter = CanonicalPrinter())
    throws(EditError) -> Document
  {
    try edit(.set(Node(value)), at: path, printer: printer)
  }

  /// Inserts `key` with `value` into the mapping at `mappingPath`, after the entry at
  /// `index - 1` (at the end by default).
  public func inserting(
    key: String, value: Value, into mappingPath: FieldPath, at index: Int? = nil,
    printer: CanonicalPrinter = CanonicalPrinter()
  ) throws(EditError) -> Document {
    let target = mappingPath.appending(key: key)
    switch self.value[mappingPath] {
    case .mapping(let pairs)?:
      if pairs.contains(where: { $0.key == key }) { throw .keyExists(target) }
    case .null?, nil:
      break
    default:
      throw .notAMapping(mappingPath)
    }
    return try edit(.insert(Node(value), index: index), at: target, printer: printer)
  }

  /// Appends `value` to the list at `listPath` (creating the list when the key is empty or
  /// missing).
  public func appending(_ value: Value, to listPath: FieldPath, printer: CanonicalPrinter = CanonicalPrinter())
    throws(EditError) -> Document
  {
    try edit(.append(Node(value)), at: listPath, printer: printer)
  }

  /// Removes the key (or list item) at `path`.
  public func removing(_ path: FieldPath, printer: CanonicalPrinter = CanonicalPrinter()) throws(EditError)
    -> Document
  {
    try edit(.remove, at: path, printer: printer)
  }

  // MARK: - Implementation

  enum EditOperation {
    case set(Node)
    case insert(Node, index: Int?)
    case append(Node)
    case remove
  }

  func edit(_ operation: EditOperation, at path: FieldPath, printer: CanonicalPrinter) throws(EditError)
    -> Document
  {
    guard !path.isEmpty else { throw .rootEdit }
    // The meaning after the edit, from the tree: every attempt below must produce it.
    let newRoot = try Node.mapping(root).applying(operation, at: path.components[...], prefix: FieldPath())
    guard case .mapping(let newMapping) = newRoot else { throw .rootEdit }
    let expected = newMapping.value

    if !source.isEmpty {
      if let bytes = spliceFast(operation, at: path, printer: printer), let document = reparse(bytes, expected) {
        return document
      }
      if let bytes = spliceAncestor(operation, at: path, newRoot: newMapping, printer: printer),
        let document = reparse(bytes, expected)
      {
        return document
      }
    }
    var whole = self
    whole.root = newMapping
    let bytes = printer.printBytes(whole)
    let result = Document.parse(bytes, path: self.path)
    guard let document = result.document else { throw .invalidResult(result.diagnostics) }
    guard document.value == expected else {
      throw .invalidResult([
        Diagnostic(
          .error, code: "edit-mismatch", message: "the printed edit does not read back the same", path: self.path)
      ])
    }
    return document
  }

  func reparse(_ bytes: [UInt8], _ expected: Value) -> Document? {
    let result = Document.parse(bytes, path: path)
    guard let document = result.document, document.value == expected else { return nil }
    return document
  }

  /// Where an element (entry or item) sits: its node, range and indentation.
  struct Located {
    var node: Node
    /// The entry (for mapping members) or item (for list members) holding the node.
    var entry: Node.Mapping.Entry?
    var item: Node.Sequence.Item?
    var container: Node
  }

  /// Finds the element at `path`: the entry or item and its container.
  func locate(_ path: FieldPath) -> Located? {
    var container = Node.mapping(root)
    var located: Located?
    for component in path.components {
      switch (component, container) {
      case (.key(let key), .mapping(let mapping)):
        guard let index = mapping.index(of: key) else { return nil }
        let entry = mapping.entries[index]
        located = Located(node: entry.value, entry: entry, item: nil, container: container)
        container = entry.value
      case (.index(let index), .sequence(let sequence)):
        guard index < sequence.items.count else { return nil }
        let item = sequence.items[index]
        located = Located(node: item.value, entry: nil, item: item, container: container)
        container = item.value
      default:
        return nil
      }
    }
    return located
  }

  /// The offset of the start of the line holding `offset`.
  func lineStart(_ offset: Int) -> Int {
    var i = min(offset, source.count)
    while i > 0, source[i - 1] != 0x0A { i -= 1 }
    return i
  }

  /// The offset of the end of the line holding `offset` (before its line break).
  func lineEnd(_ offset: Int) -> Int {
    var i = min(offset, source.count)
    while i < source.count, source[i] != 0x0A { i += 1 }
    if i > 0, i <= source.count, i > offset, source[i - 1] == 0x0D { i -= 1 }
    return i
  }

  /// The region an element's text takes: from its key (or dash) to the end of its last line.
  func region(of range: SourceRange) -> Range<Int> {
    range.start.offset..<lineEnd(max(range.end.offset, range.start.offset))
  }

  /// The 0-based column (in bytes; indentation is ASCII) at which `offset` sits.
  func indentColumn(_ offset: Int) -> Int {
    offset - lineStart(offset)
  }

  func splice(_ range: Range<Int>, with bytes: [UInt8]) -> [UInt8] {
    var out = source
    out.replaceSubrange(range, with: bytes)
    return out
  }

  /// Text for an element, to replace a region that starts at the element's first character
  /// (so without the first line's indentation and the final line break).
  func stripForRegion(_ printed: [UInt8], indent: Int) -> [UInt8] {
    var bytes = printed
    if bytes.last == 0x0A { bytes.removeLast() }
    if bytes.count >= indent, bytes.prefix(indent).allSatisfy({ $0 == 0x20 }) {
      bytes.removeFirst(indent)
    }
    return bytes
  }

  /// Line breaks as the file uses them.
  var lineBreak: [UInt8] { usedCRLF ? [0x0D, 0x0A] : [0x0A] }

  func convertBreaks(_ bytes: [UInt8]) -> [UInt8] {
    guard usedCRLF else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + bytes.count / 20)
    for b in bytes {
      if b == 0x0A { out.append(0x0D) }
      out.append(b)
    }
    return out
  }

  /// The common edits, done as small splices: replace an existing element, add a key after
  /// the last entry of a block mapping, append to a block list, remove an element that has
  /// lines of its own.
  func spliceFast(_ operation: EditOperation, at path: FieldPath, printer: CanonicalPrinter) -> [UInt8]? {
    switch operation {
    case .set(let node):
      if let located = locate(path) {
        return replaceElement(located, with: node, path: path, printer: printer)
      }
      guard let parentPath = path.parent, case .key(let key) = path.last! else { return nil }
      return insertEntry(key: key, value: node, into: parentPath, at: nil, printer: printer)
    case .insert(let node, let index):
      guard let parentPath = path.parent, case .key(let key) = path.last! else { return nil }
      return insertEntry(key: key, value: node, into: parentPath, at: index, printer: printer)
    case .append(let node):
      return appendItem(node, to: path, printer: printer)
    case .remove:
      return removeElement(at: path)
    }
  }

  func replaceElement(_ located: Located, with node: Node, path: FieldPath, printer: CanonicalPrinter) -> [UInt8]? {
    if var entry = located.entry, let range = entry.range {
      let indent = indentColumn(range.start.offset)
      entry.value = node
      entry.trivia.leadingComments = []
      entry.trivia.blankLineBefore = false
      let printed = printer.printEntry(entry, indent: indent, path: path.parent ?? FieldPath())
      return splice(region(of: range), with: convertBreaks(stripForRegion(printed, indent: indent)))
    }
    if var item = located.item, let range = item.range {
      guard case .sequence(let sequence) = located.container, !sequence.isFlow else { return nil }
      let indent = indentColumn(range.start.offset)
      item.value = node
      item.trivia.leadingComments = []
      item.trivia.blankLineBefore = false
      let printed = printer.printItem(item, indent: indent, path: path)
      return splice(region(of: range), with: convertBreaks(stripForRegion(printed, indent: indent)))
    }
    return nil
  }

  func insertEntry(key: String, value: Node, into mappingPath: FieldPath, at index: Int?, printer: CanonicalPrinter)
    -> [UInt8]?
  {
    let mapping: Node.Mapping
    if mappingPath.isEmpty {
      mapping = root
    } else {
      guard let located = locate(mappingPath), case .mapping(let m) = located.node else { return nil }
      mapping = m
    }
    guard !mapping.isFlow, !mapping.entries.isEmpty else { return nil }
    let position = min(index ?? mapping.entries.count, mapping.entries.count)
    guard position > 0, let previous = mapping.entries[position - 1].range,
      let firstKey = mapping.entries[0].key.range
    else { return nil }
    let indent = indentColumn(firstKey.start.offset)
    let entry = Node.Mapping.Entry(key: Node.Scalar(text: key), value: value)
    var printed = printer.printEntry(entry, indent: indent, path: mappingPath)
    if printed.last == 0x0A { printed.removeLast() }
    let at = region(of: previous).upperBound
    return splice(at..<at, with: lineBreak + convertBreaks(printed))
  }

  func appendItem(_ value: Node, to listPath: FieldPath, printer: CanonicalPrinter) -> [UInt8]? {
    guard let located = locate(listPath), case .sequence(let sequence) = located.node,
      !sequence.isFlow, let last = sequence.items.last?.range, let first = sequence.items.first?.range
    else { return nil }
    let indent = indentColumn(first.start.offset)
    let item = Node.Sequence.Item(value: value)
    var printed = printer.printItem(item, indent: indent, path: listPath.appending(index: sequence.items.count))
    if printed.last == 0x0A { printed.removeLast() }
    let at = region(of: last).upperBound
    return splice(at..<at, with: lineBreak + convertBreaks(printed))
  }

  func removeElement(at path: FieldPath) -> [UInt8]? {
    guard let located = locate(path) else { return nil }
    let range: SourceRange
    let trivia: Trivia
    if let entry = located.entry, let r = entry.range {
      range = r
      trivia = entry.trivia
      guard case .mapping(let mapping) = located.container, mapping.entries.count > 1 else { return nil }
    } else if let item = located.item, let r = item.range {
      range = r
      trivia = item.trivia
      guard case .sequence(let sequence) = located.container, !sequence.isFlow, sequence.items.count > 1
      else { return nil }
    } else {
      return nil
    }
    // Only elements that start their own line can go line by line.
    let start = lineStart(range.start.offset)
    guard source[start..<range.start.offset].allSatisfy({ $0 == 0x20 }) else { return nil }
    var from = start
    if let firstComment = trivia.leadingComments.first?.comment.range {
      from = lineStart(firstComment.start.offset)
    }
    var to = region(of: range).upperBound
    if to < source.count, source[to] == 0x0D { to += 1 }
    if to < source.count, source[to] == 0x0A { to += 1 }
    return splice(from..<to, with: [])
  }

  /// Replaces the deepest element on the path that exists with its edited subtree.
  func spliceAncestor(_ operation: EditOperation, at path: FieldPath, newRoot: Node.Mapping, printer: CanonicalPrinter)
    -> [UInt8]?
  {
    var components = path.components
    while !components.isEmpty {
      let ancestor = FieldPath(components)
      if let located = locate(ancestor), let newNode = node(at: ancestor, in: newRoot) {
        return replaceElement(located, with: newNode, path: ancestor, printer: printer)
      }
      components.removeLast()
    }
    return nil
  }

  /// The node at `path` in a tree.
  func node(at path: FieldPath, in mapping: Node.Mapping) -> Node? {
    var current = Node.mapping(mapping)
    for component in path.components {
      switch (component, current) {
      case (.key(let key), .mapping(let m)):
        guard let next = m[key] else { return nil }
        current = next
      case (.index(let index), .sequence(let s)):
        guard index < s.items.count else { return nil }
        current = s.items[index].value
      default:
        return nil
      }
    }
    return current
  }
}

extension Node {
  /// The tree with `operation` applied at `path` (relative to this node).
  func applying(_ operation: Document.EditOperation, at path: ArraySlice<FieldPath.Component>, prefix: FieldPath)
    throws(EditError) -> Node
  {
    guard let component = path.first else {
      switch operation {
      case .set(let node): return node
      case .append(let node):
        switch self {
        case .sequence(var sequence):
          if sequence.isFlow, node.asScalar == nil { sequence.isFlow = false }
          sequence.items.append(Sequence.Item(value: node))
          return .sequence(sequence)
        case .null:
          return .sequence(Sequence(items: [Sequence.Item(value: node)]))
        default:
          throw .notAList(prefix)
        }
      case .insert, .remove:
        throw .rootEdit
      }
    }
    let rest = path.dropFirst()
    let here = prefix.appending(component)
    switch component {
    case .key(let key):
      var mapping: Mapping
      switch self {
      case .mapping(let m): mapping = m
      case .null: mapping = Mapping()
      default: throw .notAMapping(prefix)
      }
      if mapping.isFlow { mapping.isFlow = false }
      if let index = mapping.index(of: key) {
        if rest.isEmpty {
          switch operation {
          case .remove:
            mapping.entries.remove(at: index)
            if mapping.entries.isEmpty { mapping.isFlow = true }
            return .mapping(mapping)
          case .insert:
            throw .keyExists(here)
          default:
            break
          }
        }
        mapping.entries[index].value = try mapping.entries[index].value.applying(operation, at: rest, prefix: here)
        return .mapping(mapping)
      }
      // The key is not there.
      switch operation {
      case .remove:
        throw .notFound(here)
      case .set(let node) where rest.isEmpty:
        mapping.entries.append(Mapping.Entry(key: Scalar(text: key), value: node))
      case .insert(let node, let index) where rest.isEmpty:
        let at = min(max(index ?? mapping.entries.count, 0), mapping.entries.count)
        mapping.entries.insert(Mapping.Entry(key: Scalar(text: key), value: node), at: at)
      default:
        // Create what is missing on the way.
        let created = try Node.null(nil).applying(operation, at: rest, prefix: here)
        mapping.entries.append(Mapping.Entry(key: Scalar(text: key), value: created))
      }
      return .mapping(mapping)
    case .index(let index):
      var sequence: Sequence
      switch self {
      case .sequence(let s): sequence = s
      case .null: sequence = Sequence()
      default: throw .notAList(prefix)
      }
      if index < sequence.items.count {
        if rest.isEmpty, case .remove = operation {
          sequence.items.remove(at: index)
          return .sequence(sequence)
        }
        let value = try sequence.items[index].value.applying(operation, at: rest, prefix: here)
        if sequence.isFlow, value.asScalar == nil { sequence.isFlow = false }
        sequence.items[index].value = value
        return .sequence(sequence)
      }
      if index == sequence.items.count, case .set(let node) = operation, rest.isEmpty {
        if sequence.isFlow, node.asScalar == nil { sequence.isFlow = false }
        sequence.items.append(Sequence.Item(value: node))
        return .sequence(sequence)
      }
      if case .remove = operation { throw .notFound(here) }
      throw .indexOutOfRange(here, count: sequence.items.count)
    }
  }
}
