import TallySchema
import TallyText

/// Who is who for the pipeline, plan and call-back reports: staff teams and roles (from the
/// staff records at the report's commit), the `--team` / `--owner` filters, and the labels
/// the schema gives enum values.
struct PipelineStaff {
  let staff: RecordSet
  let context: ReportContext

  init(_ context: ReportContext) throws {
    self.context = context
    self.staff = try context.current("staff")
  }

  func team(of id: String?) -> String? { id.flatMap { staff[$0]?.string("team") } }
  func role(of id: String?) -> String? { id.flatMap { staff[$0]?.string("role") } }

  /// Staff ids of a team, in id order.
  func members(of team: String) -> [String] { staff.ids.filter { staff[$0]?.string("team") == team } }

  /// Whether a staff member passes `--owner` and `--team` (nobody does when a filter is set
  /// and there is no one).
  func keeps(_ id: String?) -> Bool {
    if let owner = context.owner, id != owner { return false }
    if let team = context.team, self.team(of: id) != team { return false }
    return true
  }

  /// "王芳", or "–" for nobody.
  func name(_ id: String?) -> String { id.map { context.name("staff", $0) } ?? "–" }

  /// " (华东一组)", " (王芳)": the filters, for report titles.
  var filterSuffix: String {
    var parts: [String] = []
    if let team = context.team { parts.append(team) }
    if let owner = context.owner { parts.append(context.name("staff", owner)) }
    return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
  }

  /// The values of an enum field in schema order, with their labels ("lead" → "线索");
  /// `fallback` when the schema has no such enum.
  func enumValues(_ type: String, _ path: String, fallback: [String]) -> [(value: String, label: String)] {
    guard let fieldPath = FieldPath(parsing: path),
      case .enumeration(let spec)? = context.records.schema.type(named: type)?.object.field(at: fieldPath)?.type
    else { return fallback.map { ($0, $0) } }
    return spec.values.map { ($0, spec.labels[$0] ?? $0) }
  }

  /// The label of one enum value, or the value itself.
  func label(_ type: String, _ path: String, _ value: String?) -> String {
    labeler(type, path)(value)
  }

  /// ``label(_:_:_:)`` for one enum, with the schema read once: for labelling every record.
  func labeler(_ type: String, _ path: String) -> (String?) -> String {
    var labels: [String: String] = [:]
    for (value, label) in enumValues(type, path, fallback: []) where labels[value] == nil { labels[value] = label }
    return { value in value.map { labels[$0] ?? $0 } ?? "" }
  }
}
