import TallyText

extension ObjectSpec {
  /// `mapping` with its entries in the schema's field order (fields the schema does not
  /// know keep their order, after the known ones), recursively. Comments move with their
  /// entries.
  public func ordering(_ mapping: Node.Mapping) -> Node.Mapping {
    var result = mapping
    var known: [(Int, Node.Mapping.Entry)] = []
    var unknown: [Node.Mapping.Entry] = []
    for entry in mapping.entries {
      var entry = entry
      if let field = self[entry.key.text] {
        entry.value = field.type.ordering(entry.value)
        known.append((position(of: field.name)!, entry))
      } else {
        unknown.append(entry)
      }
    }
    // A stable sort keeps duplicate keys (never accepted, but harmless) in order.
    let ordered = known.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element.1)
    result.entries = ordered + unknown
    if result.entries.map(\.key.text) != mapping.entries.map(\.key.text), let first = mapping.entries.first {
      // The first entry keeps the comments that were at the top of the mapping.
      if let newFirst = result.entries.first, newFirst.key.text != first.key.text {
        var leading = result.entries[0].trivia
        leading.blankLineBefore = first.trivia.blankLineBefore
        result.entries[0].trivia = leading
      }
    }
    return result
  }
}

extension FieldType {
  func ordering(_ node: Node) -> Node {
    switch (self, node) {
    case (.object(let object), .mapping(let mapping)):
      return .mapping(object.ordering(mapping))
    case (.list(let list), .sequence(var sequence)):
      for index in sequence.items.indices {
        sequence.items[index].value = list.items.type.ordering(sequence.items[index].value)
      }
      return .sequence(sequence)
    default:
      return node
    }
  }
}

extension RecordType {
  /// The document in the schema's key order.
  public func ordering(_ document: Document) -> Document {
    var result = document
    result.root = object.ordering(document.root)
    return result
  }

  /// The canonical printer for this type's records: numbers, dates and booleans stay plain.
  public var printer: CanonicalPrinter {
    let object = self.object
    return CanonicalPrinter(isTyped: { path in object.field(at: path)?.type.isTypedScalar ?? false })
  }
}
