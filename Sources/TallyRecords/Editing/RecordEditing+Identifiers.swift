import TallySchema
import TallyText

extension RecordEditing {
  /// The id `tally new` gives a record when none is given.
  ///
  /// - When the id pattern ends in a run of digits (`^C-[0-9]{4,}$`, `^S-[0-9]{4}$`,
  ///   `^P-[0-9]{4}(Q[1-4]|M[0-9]{2})-[0-9]{2}$`), ids are numbered: the next id is the
  ///   highest existing one plus one, with the same zero padding (`C-0152` → `C-0153`).
  ///   When the text before the digits is fixed (`C-`), only ids with it count; when it
  ///   varies (plans), the highest id is the one with the highest text before the digits,
  ///   then the highest number. Without records, numbering starts at 1 from the schema's
  ///   example (`C-0001`), or from the pattern's fixed text and digit count.
  /// - Otherwise (`^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9-]+$`), the id is a slug of the
  ///   record's required date and enum values in schema order (`2026-03-02-weekly`), or of
  ///   its first required text when it has none; `-2`, `-3`, ... are added when it is
  ///   taken.
  ///
  /// The id must match the pattern and not be taken; when no such id can be made, the
  /// failure asks for one.
  public func nextID(for type: RecordType, value: Value) throws(Failure) -> String {
    let existing = existingIDs(of: type)
    let taken = Set(existing)
    let giveOne = "give the id after the type, e.g. 'tally new \(type.name) \(type.idExample ?? "ID") …'"
    if let counter = CounterPattern(type.idPattern.pattern) {
      let numbered = existing.filter { type.idPattern.matches($0) }.compactMap(NumberedID.init)
      var start: NumberedID?
      if let stem = counter.literalStem {
        start = numbered.filter { $0.stem == stem }.max { $0.number < $1.number }
        if start == nil {
          let width = type.idExample.flatMap(NumberedID.init).map(\.width) ?? counter.minimumWidth
          start = NumberedID(stem: stem, number: 0, width: max(width, counter.minimumWidth))
        }
      } else {
        start = numbered.max { ($0.stem, $0.number) < ($1.stem, $1.number) }
        if start == nil, let example = type.idExample, type.idPattern.matches(example),
          let numberedExample = NumberedID(example)
        {
          start = NumberedID(stem: numberedExample.stem, number: 0, width: numberedExample.width)
        }
      }
      guard var candidate = start else {
        throw .usage([Problem("there are no \(type.name) records to number a new one after", hint: giveOne)])
      }
      while true {
        candidate.number += 1
        let id = candidate.text
        guard type.idPattern.matches(id) else {
          throw .usage([
            Problem(
              "no free \(type.name) id after \(candidate.stem)\(candidate.padded(candidate.number - 1))", hint: giveOne)
          ])
        }
        if !taken.contains(id) { return id }
      }
    }
    var parts: [String] = []
    for field in type.object.fields where field.required {
      switch field.type {
      case .date, .enumeration:
        if let text = value[field.name]?.text, !text.isEmpty { parts.append(text) }
      default:
        break
      }
    }
    if parts.isEmpty,
      let field = type.object.fields.first(where: { field in
        guard field.required, case .text = field.type else { return false }
        return true
      }), let text = value[field.name]?.text
    {
      parts.append(text)
    }
    let slug = Self.slug(parts.joined(separator: "-"))
    guard !slug.isEmpty else {
      throw .usage([Problem("cannot make a \(type.name) id from the record's values", hint: giveOne)])
    }
    guard type.idPattern.matches(slug) else {
      throw .usage([
        Problem("'\(slug)', made from the record's values, is not a valid \(type.name) id", hint: giveOne)
      ])
    }
    var id = slug
    var counter = 1
    while taken.contains(id) {
      counter += 1
      id = "\(slug)-\(counter)"
      guard type.idPattern.matches(id) else {
        throw .usage([Problem("'\(slug)' is taken", hint: giveOne)])
      }
    }
    return id
  }

  /// Lower-case ASCII letters and digits, other characters turned into single dashes.
  static func slug(_ text: String) -> String {
    var out = ""
    var dash = false
    for scalar in text.unicodeScalars {
      if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
        if dash, !out.isEmpty { out += "-" }
        dash = false
        out.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
      } else {
        dash = true
      }
    }
    return out
  }

  /// An id that ends in a number: `C-0152` is `C-` and 152, four digits wide.
  struct NumberedID: Sendable {
    var stem: String
    var number: Int
    var width: Int

    init(stem: String, number: Int, width: Int) {
      self.stem = stem
      self.number = number
      self.width = width
    }

    init?(_ id: String) {
      let digits = id.reversed().prefix { $0.isASCII && $0.isNumber }
      guard !digits.isEmpty, digits.count <= 18, let number = Int(String(digits.reversed())) else { return nil }
      stem = String(id.dropLast(digits.count))
      self.number = number
      width = digits.count
    }

    func padded(_ number: Int) -> String {
      let digits = String(number)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    var text: String { stem + padded(number) }
  }

  /// An id pattern that ends in a run of digits: `^C-[0-9]{4,}$`.
  struct CounterPattern: Sendable {
    /// The text before the digits when it is fixed (`C-`).
    var literalStem: String?
    /// The fewest digits the pattern allows.
    var minimumWidth: Int

    init?(_ pattern: String) {
      var rest = Substring(pattern)
      if rest.hasPrefix("^") { rest = rest.dropFirst() } else { return nil }
      if rest.hasSuffix("$") { rest = rest.dropLast() } else { return nil }
      let atoms = ["[0-9]", "\\d"]
      var width = 0
      // One quantified digit atom: [0-9]{4}, [0-9]{4,}, [0-9]{2,6}, [0-9]+.
      if rest.hasSuffix("}"), let open = rest.lastIndex(of: "{") {
        let inside = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
        let bounds = inside.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let minimum = Int(bounds[0]),
          let atom = atoms.first(where: { rest[..<open].hasSuffix($0) })
        else { return nil }
        width = minimum
        rest = rest[..<open].dropLast(atom.count)
      } else if rest.hasSuffix("+"), let atom = atoms.first(where: { rest.dropLast().hasSuffix($0) }) {
        width = 1
        rest = rest.dropLast().dropLast(atom.count)
      }
      // Single digit atoms: [0-9][0-9].
      while let atom = atoms.first(where: { rest.hasSuffix($0) }) {
        width += 1
        rest = rest.dropLast(atom.count)
      }
      guard width > 0 else { return nil }
      minimumWidth = width
      literalStem = Self.literal(rest)
    }

    /// The text a pattern fragment matches when it matches only one text.
    static func literal(_ fragment: Substring) -> String? {
      var out = ""
      var escaped = false
      for c in fragment {
        if escaped {
          guard c.isPunctuation || c.isSymbol else { return nil }
          out.append(c)
          escaped = false
        } else if c == "\\" {
          escaped = true
        } else if c.isLetter || c.isNumber || c == "-" || c == "_" || c == "~" || c == "@" || c == "#" {
          out.append(c)
        } else {
          return nil
        }
      }
      return escaped ? nil : out
    }
  }
}
