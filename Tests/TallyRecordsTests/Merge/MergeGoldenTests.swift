import Foundation
import TallySchema
import TallyTestSupport
import TallyText
import Testing

@testable import TallyRecords

/// One golden merge: a folder under `Merge/Golden/` with `base.yaml`, `ours.yaml`,
/// `theirs.yaml` (an empty base is a record both sides added), optionally `schema/` (else
/// the shipped schemas), and what the merge must give: `result.yaml` (the bytes git finds
/// in the file) and `outcome.txt` (the exit status of `tally merge-driver`, how the file
/// was merged, the conflicts).
struct MergeCase: Sendable, CustomTestStringConvertible {
  var name: String
  /// What a user expects, in words.
  var expectation: String
  /// `%P`: where the file is in the repository.
  var path = "customers/C-0001.yaml"
  /// `%L`.
  var markerSize = 7

  var testDescription: String { name }

  init(_ name: String, _ expectation: String, path: String? = nil, markerSize: Int = 7) {
    self.name = name
    self.expectation = expectation
    if let path { self.path = path }
    self.markerSize = markerSize
  }

  static let deal = "deals/D-0001.yaml"
  static let contract = "contracts/K-0001.yaml"

  static let all: [MergeCase] = [
    // One side, the same change, different fields, conflicts on scalars.
    MergeCase("one-side-ours", "theirs did not touch the file: ours' bytes exactly"),
    MergeCase("one-side-theirs", "ours did not touch the file: theirs' bytes exactly"),
    MergeCase(
      "one-side-not-canonical", "theirs' bytes exactly, comments and quoting included: nothing is reformatted"),
    MergeCase("both-identical", "the same bytes on both sides: that file"),
    MergeCase("same-change-plus-another", "tier changed to A on both sides is taken once; ours' loyalty too"),
    MergeCase("different-fields", "ours' tier and theirs' loyalty: both, no conflict"),
    MergeCase("different-fields-far-apart", "ours' owner and theirs' longer needs: both"),
    MergeCase(
      "scalar-conflict", "tier changed two ways: markers around the tier line alone; theirs' loyalty is merged"),
    MergeCase("two-conflicts-apart", "tier and source each changed two ways: two separate hunks"),
    MergeCase("adjacent-conflicts", "tier and status changed two ways on adjacent lines: two hunks, one per field"),
    MergeCase("marker-size-from-L", "git's %L of 10: markers ten characters wide", markerSize: 10),
    MergeCase("field-added-both-same", "scale added with the same value on both sides: once; theirs' tier too"),
    MergeCase("field-added-both-differently", "scale added as small and as large: a conflict on scale"),
    MergeCase("field-removed-one-side", "ours removed loyalty, theirs changed tier: loyalty gone, tier A"),
    MergeCase(
      "field-removed-and-changed", "ours removed loyalty, theirs changed it: a conflict, ours' side empty"),
    MergeCase("field-removed-both-sides", "loyalty removed on both sides: gone; theirs' tier taken"),
    // contacts: unique_by name.
    MergeCase("contacts-different-contacts", "ours changed one contact's phone, theirs another's title: both"),
    MergeCase("contacts-same-contact-different-fields", "ours changed 胡宇轩's phone, theirs added an email: both"),
    MergeCase(
      "contacts-same-field-conflict", "胡宇轩's phone changed two ways: markers around that phone line alone"),
    MergeCase("contacts-added-both", "a contact added on each side: both kept, ours' first"),
    MergeCase(
      "contacts-added-both-same-name", "王磊 added on both sides with different phones: one 王磊, conflict on phone"),
    MergeCase("contact-removed-and-changed", "ours removed 李静, theirs changed her phone: a conflict on 李静"),
    MergeCase("contact-removed-other-changed", "ours removed 李静, theirs changed 胡宇轩: 李静 gone, 胡宇轩 changed"),
    MergeCase(
      "contacts-moved-and-changed", "ours swapped the contacts, theirs changed a phone: ours' order, theirs' phone"),
    MergeCase(
      "contacts-each-side-removes-one",
      "each side removed one of the two contacts: no contact left breaks min_items, a conflict on contacts"),
    // follow_ups: no unique_by, items by content, placed by date.
    MergeCase("follow-ups-appended-both", "a follow-up appended on each side: both kept, by date"),
    MergeCase(
      "follow-ups-appended-both-theirs-earlier", "theirs' appended follow-up is dated earlier: it goes before ours'"),
    MergeCase("follow-ups-appended-same", "the same follow-up appended on both sides: kept once"),
    MergeCase(
      "follow-ups-appended-same-written-differently",
      "the same follow-up appended with other quoting and key order: kept once, as ours wrote it"),
    MergeCase("follow-ups-backdated-entry", "theirs' entry dated 2026-05-20 goes between the May and June calls"),
    MergeCase(
      "follow-up-removed-and-changed", "ours removed the June follow-up, theirs corrected its summary: a conflict"),
    MergeCase(
      "follow-up-edited-both-different-fields",
      "one follow-up: ours changed its outcome, theirs its next contact: one follow-up with both, no duplicate"),
    MergeCase(
      "follow-up-edited-one-appended-other", "ours edited the June follow-up, theirs appended one: both, no duplicate"
    ),
    MergeCase("follow-ups-missing-added-both", "no follow_ups in the base; one added on each side: both, by date"),
    MergeCase("orders-empty-list-added-both", "orders: [] in the base; one order on each side: both, by date"),
    MergeCase(
      "orders-same-order-amount-spelled-differently", "the same order, 12000 and 12000.00: one order, as ours wrote it"
    ),
    MergeCase(
      "follow-ups-emptied-one-side-appended-other",
      "ours emptied follow_ups, theirs appended one: the old ones gone, the new one kept"),
    // Line breaks, byte order marks, Chinese text, comments, block scalars.
    MergeCase("crlf-all-sides", "CRLF files stay CRLF"),
    MergeCase("crlf-theirs-only", "ours is LF, theirs CRLF: the result has ours' line breaks"),
    MergeCase("crlf-ours-only", "ours is CRLF, theirs LF: the result has ours' line breaks"),
    MergeCase("bom-ours", "ours starts with a byte order mark: so does the result"),
    MergeCase("bom-theirs-only", "only theirs has a byte order mark: the result, like ours, has none"),
    MergeCase("cjk-conflict", "the Chinese name changed two ways: a conflict on name; theirs' contact title merged"),
    MergeCase("comments-kept", "comments at the top, beside tier, above a contact and follow_ups all stay"),
    MergeCase(
      "comments-added-on-the-other-side",
      "theirs commented status and a follow-up it did not change, ours changed tier: tier A and both comments"),
    MergeCase("comment-on-conflicting-field", "tier changed two ways beside a comment: the comment stays in the hunk"),
    MergeCase("block-scalar-one-side", "theirs rewrote the multi-line needs: kept as a block"),
    MergeCase("block-scalar-conflict", "needs rewritten two ways: the whole block in the hunk, each side as written"),
    // Files that are not records: a merge of lines, no side lost.
    MergeCase(
      "malformed-ours-clean-lines",
      "ours has a tab-indented line: merged as lines, cleanly (the changes are apart), both kept"),
    MergeCase(
      "malformed-theirs-conflicting-lines", "theirs does not parse and both changed tier: merged as lines, conflict"),
    MergeCase("pre-existing-markers-in-ours", "ours holds markers already: merged as lines, the markers kept"),
    MergeCase(
      "duplicate-key-theirs",
      "theirs has source twice: merged as lines; its loyalty next to ours' tier conflicts, both kept"),
    MergeCase("not-a-record-path", "a file outside the record folders: merged as lines", path: "notes/C-0001.yaml"),
    // Records added on both sides.
    MergeCase("added-both-sides-combined", "added on both sides with one follow-up each: one record, both follow-ups"),
    MergeCase("added-both-sides-conflict", "added on both sides with different tiers: a conflict on tier"),
    // Schema strategies, nested objects, record rules (small schemas of their own).
    MergeCase(
      "atomic-object-both-changed", "address is atomic: city and street changed apart are a conflict on address",
      path: deal),
    MergeCase("atomic-object-one-side", "address changed on one side only: taken whole", path: deal),
    MergeCase("atomic-list-both-appended", "prices is atomic: two appended prices are a conflict", path: deal),
    MergeCase(
      "manual-field-same-change-spelled-differently",
      "amount is manual, but both made the same change (150000, 150000.00): taken once", path: deal),
    MergeCase("manual-field-changed-both", "amount changed two ways: a conflict", path: deal),
    MergeCase(
      "manual-list-both-changed-different-items",
      "targets is manual: changes to different quarters are a conflict on targets", path: deal),
    MergeCase("manual-list-one-side", "targets changed on one side only: taken", path: deal),
    MergeCase("nested-objects-merged", "site.city and site.geo.lat changed apart: both", path: deal),
    MergeCase(
      "nested-objects-conflict", "site.geo.lat changed two ways: a conflict there alone; theirs' lng merged",
      path: deal),
    MergeCase(
      "rule-broken-by-merge",
      "ours moved start later, theirs end earlier: each side valid, together end < start: a conflict on both",
      path: deal),
    MergeCase("text-list-appended-both", "a note appended on each side: both, ours' first", path: deal),
    MergeCase(
      "text-list-item-removed-and-changed", "ours reworded a note, theirs removed it: a conflict on that note",
      path: deal),
    MergeCase(
      "manual-record-type-changed-both", "contract is manual: two different changes conflict on the whole record",
      path: contract),
    MergeCase(
      "manual-record-type-same-change", "both made the same change to a manual record (55000, 55000.00): no conflict",
      path: contract),
  ]
}

/// The golden merges, through ``MergeDriver`` as git calls it, in a records repository on
/// disk.
@Suite("Record merge (golden triples)")
struct MergeGoldenTests {
  static let folder = Golden.directory() + "/Golden"
  static let shippedSchemas = Golden.directory() + "/../../../example-repo/schema"

  @Test(arguments: MergeCase.all)
  func merge(_ merge: MergeCase) throws {
    let folder = Self.folder + "/" + merge.name
    let files = FileManager.default
    let base = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/base.yaml")))
    let ours = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/ours.yaml")))
    let theirs = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/theirs.yaml")))

    let directory = try TemporaryDirectory(prefix: "tally-merge")
    let schemas = files.fileExists(atPath: folder + "/schema") ? folder + "/schema" : Self.shippedSchemas
    for name in try files.contentsOfDirectory(atPath: schemas) where name.hasSuffix(".yaml") {
      try directory.write(
        "schema/" + name, bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: schemas + "/" + name))))
    }
    try directory.write("tally.yaml", "version: 1\nschema_dir: schema\ntime_zone: Asia/Shanghai\n")
    // git writes the three versions to temporary files at the top of the working tree.
    let input = MergeDriver.Input(
      base: try directory.write(".merge_file_base", bytes: base),
      ours: try directory.write(".merge_file_ours", bytes: ours),
      theirs: try directory.write(".merge_file_theirs", bytes: theirs), markerSize: merge.markerSize,
      path: merge.path)
    let driver = MergeDriver(workTree: directory.path, today: { _ in CivilDate(year: 2026, month: 11, day: 1) })

    var report = "# \(merge.expectation)\n"
    let status: Int
    var outcome: MergeDriver.Outcome?
    do {
      outcome = try driver.run(input)
      status = outcome!.hasConflicts ? 1 : 0
    } catch {
      status = 2
      report += "failure: \(error)\n"
    }
    let result = try directory.bytes(".merge_file_ours")
    report += "exit: \(status)\n"
    if let outcome {
      switch outcome.method {
      case .record(let type): report += "merged as: a \(type) record\n"
      case .lines(let reason): report += "merged as: lines (\(reason))\n"
      }
      if let side = outcome.takenWhole { report += "taken whole: \(side)\n" }
      for conflict in outcome.conflicts {
        report += "conflict: \(conflict) [\(conflict.identity)]\n"
      }
    }
    Golden.check(bytes: result, against: folder + "/result.yaml")
    Golden.check(report, against: folder + "/outcome.txt")

    // The same merge through tally-merge-driver, the small program `tally hook install`
    // gives git when it is installed beside tally: the same bytes, the same exit status.
    let lean = URL(fileURLWithPath: TallyProcess.binary).deletingLastPathComponent()
      .appendingPathComponent("tally-merge-driver").path
    try directory.write(".lean_ours", bytes: ours)
    let leanRun = try TallyProcess.runProgram(
      lean, [".merge_file_base", ".lean_ours", ".merge_file_theirs", "\(merge.markerSize)", merge.path],
      in: directory.path, environment: ["TALLY_TODAY": "2026-11-01"])
    #expect(Int(leanRun.status) == status, "tally-merge-driver: \(leanRun.stderr)")
    #expect(try directory.bytes(".lean_ours") == result, "tally-merge-driver wrote other bytes")

    // What holds for every merge, golden or not. Markers of another size than git's
    // default are read as the default size, as git would with that `%L`.
    let conflicts = MergeConflict.find(in: Self.markersResized(result, from: merge.markerSize))
    #expect(conflicts.isEmpty == (status == 0), "exit \(status) with \(conflicts.count) conflicts")
    switch outcome?.method {
    case .record?:
      // Every conflict is complete (diff3), with markers of the size git asked for.
      for conflict in conflicts {
        #expect(conflict.isComplete && conflict.marker(.base) != nil)
      }
      #expect(Self.markersResized(result, from: merge.markerSize) != result || merge.markerSize == 7 || status == 0)
      // Everything around the conflicts is merged and readable: taking any one side of
      // every hunk gives a record file.
      for side in [MergeConflict.Marker.Kind.ours, .base, .separator] {
        let resolved = Self.resolve(result, conflicts, taking: side)
        let parsed = Document.parse(resolved, path: merge.path)
        #expect(parsed.document != nil, "taking \(side) does not parse: \(parsed.diagnostics)")
      }
      if status == 0 { #expect(outcome?.conflicts.isEmpty == true) }
    case .lines?:
      // No side lost: every line either side added is in the result.
      let resultLines = Set(Self.lines(result))
      for side in [ours, theirs] {
        for line in Set(Self.lines(side)).subtracting(Self.lines(base)) {
          #expect(resultLines.contains(line), "lost: \(String(decoding: line, as: UTF8.self))")
        }
      }
    case nil:
      break
    }
  }

  /// Every case has its folder, every folder its case.
  @Test func everyFolderIsACase() throws {
    let folders = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { !$0.hasPrefix(".") }
    #expect(Set(folders) == Set(MergeCase.all.map(\.name)))
    #expect(MergeCase.all.count >= 40)
  }

  /// `bytes` with marker lines of `size` characters written with git's default seven.
  static func markersResized(_ bytes: [UInt8], from size: Int) -> [UInt8] {
    guard size != 7 else { return bytes }
    var out: [ArraySlice<UInt8>] = []
    for line in lines(bytes) {
      if let first = line.first, Array("<|=>".utf8).contains(first), line.prefix(size).allSatisfy({ $0 == first }),
        line.count == size || line[line.startIndex + size] == 0x20
      {
        out.append(line.prefix(7) + line.dropFirst(size))
      } else {
        out.append(line)
      }
    }
    return Array(out.joined(separator: [0x0A]))
  }

  static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
    bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
  }

  /// `bytes` with each conflict replaced by one of its sides (`.ours`, `.base` or
  /// `.separator` for theirs).
  static func resolve(_ bytes: [UInt8], _ conflicts: [MergeConflict], taking side: MergeConflict.Marker.Kind)
    -> [UInt8]
  {
    var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) + [0x0A] }
    if bytes.last == 0x0A { lines.removeLast() }
    var keep = Array(repeating: true, count: lines.count)
    for conflict in conflicts {
      let chosen: Range<Int> =
        switch side {
        case .ours: conflict.ours
        case .base: conflict.base
        default: conflict.theirs
        }
      for line in conflict.lines where !chosen.contains(line) { keep[line - 1] = false }
    }
    return zip(lines, keep).filter(\.1).flatMap(\.0)
  }
}
