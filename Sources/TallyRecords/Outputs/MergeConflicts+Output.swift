import TallySchema
import TallyText

/// What `tally conflicts` prints: a table for people, JSON for programs (docs/outputs.md).
extension MergeConflicts {
  /// The conflicts as a table (one row per field, lines or record), notes for files that
  /// need something else, and what to run next. `display` names files as the user sees them.
  ///
  /// - Parameter width: The display columns to fit the table to (nil: nothing is cut).
  public func text(width: Int?, display: (String) -> String) -> String {
    guard !files.isEmpty else { return Self.nothingLeftMessage(operation) + "\n" }
    var table = TextTable(columns: [
      .init("Record", cuttable: false), .init("Field"), .init("Lines", alignRight: true), .init("Base"), .init("Ours"),
      .init("Theirs"),
    ])
    var notes: [String] = []
    var fieldExample: (String, String)?
    var recordExample: String?
    for file in files {
      if file.conflicts.isEmpty {
        notes.append(
          "\(file.name): no conflict markers left (\(file.state.explanation)); check it, then stage it: git add \(display(file.path))"
        )
        continue
      }
      if file.state == .markers {
        notes.append("\(file.name): \(file.state.explanation)")
      }
      for conflict in file.conflicts {
        let lines =
          conflict.lines.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" } ?? ""
        let field: String
        if let path = conflict.field {
          field = path.description
          if fieldExample == nil { fieldExample = (file.name, field) }
        } else if conflict.lines == nil {
          field = "(\(file.state.explanation))"
          if recordExample == nil { recordExample = file.name }
        } else {
          field = "(\(conflict.note ?? "lines"))"
        }
        let sides =
          conflict.lines == nil
          ? Self.recordCells(conflict) : [conflict.base, conflict.ours, conflict.theirs].map(Self.cell)
        let base = conflict.baseKnown ? sides[0] : "?"
        table.rows.append([file.name, field, lines, base, sides[1], sides[2]])
      }
    }
    var out = ""
    if !table.rows.isEmpty { out += table.render(width: width) }
    for note in notes { out += note + "\n" }
    let records = files.count
    out += "\(Wording.count(conflictCount, "conflict")) in \(Wording.count(records, "file"))"
    out += operation.map { " (\($0) in progress)\n" } ?? "\n"
    if let (name, field) = fieldExample {
      out += "resolve a field:  tally resolve \(name) \(field) --ours | --theirs | --base | --value VALUE\n"
      out += "resolve a file:   tally resolve \(name) --all --ours | --theirs\n"
    }
    if let name = recordExample {
      out += "keep or delete a record: tally resolve \(name) --ours | --theirs\n"
    }
    return out
  }

  /// What to say when nothing is left to resolve, for `operation` (nil: none in progress).
  public static func nothingLeftMessage(_ operation: String?) -> String {
    switch operation {
    case nil: "there is no merge in progress, and no conflict left"
    case "merge"?: "no conflicts left: finish the merge with 'tally commit'"
    case "rebase"?: "no conflicts left: go on with 'git rebase --continue'"
    case "cherry-pick"?: "no conflicts left: go on with 'git cherry-pick --continue'"
    case "revert"?: "no conflicts left: go on with 'git revert --continue'"
    case let other?: "no conflicts left in the \(other) in progress"
    }
  }

  /// A value in a cell: its text, `(none)` where a version has none, a list by its size, an
  /// object by its fields.
  static func cell(_ value: Value?) -> String {
    switch value {
    case nil: "(none)"
    case .null?: "(empty)"
    case .scalar(let text, _)?: text.hasSuffix("\n") ? String(text.dropLast()) : text
    case .sequence(let items)?: Wording.count(items.count, "item")
    case .mapping(let pairs)?:
      pairs.map { pair in "\(pair.key): \(pair.value.text ?? cell(pair.value))" }.joined(separator: ", ")
    }
  }

  /// A record-level conflict's cells: each version as `(deleted)`, or which fields it
  /// changed from the base.
  static func recordCells(_ conflict: ConflictedFile.Conflict) -> [String] {
    var spec: ObjectSpec?
    if case .object(let object)? = conflict.type { spec = object }
    func side(_ value: Value?) -> String {
      guard let value else { return "(deleted)" }
      guard let base = conflict.base else { return "(record)" }
      let changed = FieldDiff.differences(from: base, to: value, spec: spec, lists: .byContent)
      var names: [String] = []
      for difference in changed {
        guard case .key(let key)? = difference.path.components.first, !names.contains(key) else { continue }
        names.append(key)
      }
      return names.isEmpty ? "(unchanged)" : "changed " + names.joined(separator: ", ")
    }
    return [conflict.base == nil ? "(none)" : "(record)", side(conflict.ours), side(conflict.theirs)]
  }

  // MARK: - JSON

  /// `{"version":1,"operation","conflicts","files":[{"path","type","id","state","conflicts":
  /// [{"field","field_type","lines","base","ours","theirs","base_known","note"}]}]}`: values typed by the
  /// schema (see ``writeTyped(_:type:into:)``).
  public func json() -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"operation\":")
    out.string(orNull: operation)
    out.raw(",\"conflicts\":\(conflictCount),\"files\":[")
    for file in files {
      out.separate()
      out.raw("{\"path\":")
      out.string(file.path)
      out.raw(",\"type\":")
      out.string(orNull: file.type)
      out.raw(",\"id\":")
      out.string(orNull: file.id)
      out.raw(",\"state\":\"\(file.state.rawValue)\",\"conflicts\":[")
      for conflict in file.conflicts {
        out.separate()
        out.raw("{\"field\":")
        out.string(orNull: conflict.field?.description)
        out.raw(",\"field_type\":")
        out.string(orNull: conflict.field == nil ? nil : conflict.type?.name)
        out.raw(",\"lines\":")
        if let lines = conflict.lines {
          out.raw("{\"start\":\(lines.lowerBound),\"end\":\(lines.upperBound)}")
        } else {
          out.null()
        }
        let type = conflict.field == nil && conflict.lines != nil ? nil : conflict.type
        for (key, value) in [("base", conflict.base), ("ours", conflict.ours), ("theirs", conflict.theirs)] {
          out.key(key)
          Self.writeTyped(value, type: type, into: &out)
        }
        out.raw(",\"base_known\":\(conflict.baseKnown),\"note\":")
        out.string(orNull: conflict.note)
        out.raw("}")
      }
      out.raw("]}")
    }
    out.raw("]}\n")
    return out.bytes
  }

  /// A value as JSON, typed by its field's type: whole numbers and decimals as numbers, a
  /// percentage as a fraction (`85%` is `0.85`), `true` and `false` as booleans, amounts,
  /// dates and every other scalar as strings (as reports write them); lists and objects
  /// with their items and fields typed in turn. A scalar that is not of its type stays a
  /// string; an absent value is `null`.
  public static func writeTyped(_ value: Value?, type: FieldType?, into out: inout JSONWriter) {
    guard let value else { return out.null() }
    switch (value, type) {
    case (.null, _):
      out.null()
    case (.scalar(let text, _), let type?):
      switch type {
      case .int, .decimal:
        if case .success = TypedScalar.check(text, type: type), let number = ExactDecimal(text) {
          out.raw(number.description)
        } else {
          out.string(text)
        }
      case .percent:
        if case .success(.number(let number)) = TypedScalar.check(text, type: type) {
          out.raw(ExactDecimal(units: number.units, scale: number.scale + 2).description)
        } else {
          out.string(text)
        }
      case .bool where text == "true" || text == "false":
        out.raw(text)
      default:
        out.string(text)
      }
    case (.sequence(let items), _):
      var itemType: FieldType?
      if case .list(let list)? = type { itemType = list.items.type }
      out.raw("[")
      for item in items {
        out.separate()
        writeTyped(item, type: itemType, into: &out)
      }
      out.raw("]")
    case (.mapping(let pairs), _):
      var object: ObjectSpec?
      if case .object(let spec)? = type { object = spec }
      out.raw("{")
      for pair in pairs {
        out.key(pair.key)
        writeTyped(pair.value, type: object?[pair.key]?.type, into: &out)
      }
      out.raw("}")
    default:
      out.value(value)
    }
  }
}

extension ConflictResolver.Outcome {
  /// What `tally resolve` did to the file, one line each: the conflicts settled and the
  /// value each took, then whether the file is resolved and staged, or what is left.
  public var summary: String {
    var out = ""
    if file.state.isWholeFile {
      let kept = deletes ? "deleted" : "kept"
      out += "\(displayPath): \(kept) (\(choice) of \(file.name), which was \(file.state.explanation))\n"
    } else {
      for conflict in resolved {
        let name = conflict.field?.description ?? conflict.lines.map { "lines \($0.lowerBound)-\($0.upperBound)" } ?? ""
        let value: Value?
        switch choice {
        case .ours: value = conflict.ours
        case .theirs: value = conflict.theirs
        case .base: value = conflict.base
        case .value(let text): value = text.isEmpty ? nil : .text(text)
        }
        if case .value("") = choice {
          out += "\(displayPath): \(name) removed\n"
          continue
        }
        let shown = conflict.field == nil ? "" : ": " + MergeConflicts.cell(value)
        out += "\(displayPath): \(name) ← \(choice)\(shown)\n"
      }
    }
    if !remaining.isEmpty {
      let count = Wording.count(remaining.count, "conflict")
      out += "\(displayPath): \(count) left: \(ConflictResolver.names(remaining))\n"
    } else if stages {
      out += "\(displayPath): resolved and staged\n"
    } else {
      out += "\(displayPath): resolved (not staged: git had no conflict for it)\n"
    }
    return out
  }
}
