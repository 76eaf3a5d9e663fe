import TallyText

extension RecordEditing.Outcome {
  /// The outcome as one JSON object (documented in docs/commands.md):
  ///
  /// ```json
  /// {"version": 1, "action": "edited", "path": "customers/C-0042.yaml", "type": "customer",
  ///  "id": "C-0042", "written": true, "dry_run": false,
  ///  "changes": [{"field": "status", "old": "prospect", "new": "active"}],
  ///  "errors": 0, "warnings": 0, "diagnostics": []}
  /// ```
  ///
  /// Values are as `tally parse --format json` gives them: text as strings, an item as an
  /// object, a missing value as `null`. With `dryRun`, `"text"` holds the new file.
  ///
  /// - Parameters:
  ///   - written: Whether the file was written.
  ///   - dryRun: Whether the command only showed what it would do.
  public func writeJSON(into out: inout [UInt8], written: Bool, dryRun: Bool) {
    func key(_ name: String) {
      JSON.writeString(name, into: &out)
      out.append(UInt8(ascii: ":"))
    }
    func value(_ value: Value?) {
      if let value { value.writeJSON(into: &out) } else { out.append(contentsOf: "null".utf8) }
    }
    out.append(contentsOf: "{\"version\":1,".utf8)
    key("action")
    JSON.writeString(kind.rawValue, into: &out)
    out.append(UInt8(ascii: ","))
    key("path")
    JSON.writeString(displayPath, into: &out)
    out.append(UInt8(ascii: ","))
    key("type")
    JSON.writeString(type, into: &out)
    out.append(UInt8(ascii: ","))
    key("id")
    JSON.writeString(id, into: &out)
    out.append(contentsOf: ",\"written\":\(written),\"dry_run\":\(dryRun),".utf8)
    key("changes")
    out.append(UInt8(ascii: "["))
    for (index, change) in changes.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out.append(UInt8(ascii: "{"))
      key("field")
      JSON.writeString(change.field.description, into: &out)
      out.append(UInt8(ascii: ","))
      key("old")
      value(change.old)
      out.append(UInt8(ascii: ","))
      key("new")
      value(change.new)
      out.append(UInt8(ascii: "}"))
    }
    out.append(contentsOf: "],\"errors\":\(report.errorCount),\"warnings\":\(report.warningCount),".utf8)
    key("diagnostics")
    out.append(UInt8(ascii: "["))
    for (index, diagnostic) in report.diagnostics.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      diagnostic.writeJSON(into: &out)
    }
    out.append(UInt8(ascii: "]"))
    if dryRun {
      out.append(UInt8(ascii: ","))
      key("text")
      JSON.writeString(String(decoding: text, as: UTF8.self), into: &out)
    }
    out.append(contentsOf: "}\n".utf8)
  }
}
