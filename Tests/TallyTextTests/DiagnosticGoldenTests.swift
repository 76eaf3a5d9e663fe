import Foundation
import TallyTestSupport
import Testing

@testable import TallyText

/// One reproducer file per diagnostic code, with its rendering as a golden file.
@Suite("Diagnostics: one reproducer per code")
struct DiagnosticGoldenTests {
  static let directory = Golden.directory() + "/Golden/diagnostics"
  /// Codes whose reproducers are built in code (a 4 MiB file does not belong in git).
  static let builtInCode: Set<String> = ["file-too-large", "too-many-errors"]

  static var fileCodes: [String] {
    TextDiagnosticCodes.all.map(\.code).filter { !builtInCode.contains($0) }
  }

  @Test(arguments: fileCodes)
  func reproducerReportsItsCode(code: String) throws {
    let path = Self.directory + "/\(code).yaml"
    let bytes = try #require(FileManager.default.contents(atPath: path), "missing reproducer \(code).yaml")
    let result = Document.parse([UInt8](bytes), path: "\(code).yaml")
    #expect(result.document == nil)
    #expect(result.diagnostics.contains { $0.code == code }, "got \(result.diagnostics.map(\.code))")
    let rendered = DiagnosticRenderer(color: false).render(
      result.diagnostics, file: SourceFile(path: "\(code).yaml", bytes: [UInt8](bytes)))
    Golden.check(rendered, against: Self.directory + "/\(code).txt")
  }

  @Test func everyReproducerNamesAKnownCode() throws {
    let known = Set(TextDiagnosticCodes.all.map(\.code))
    for name in try FileManager.default.contentsOfDirectory(atPath: Self.directory) where name.hasSuffix(".yaml") {
      #expect(known.contains(String(name.dropLast(5))), "\(name) is not a known code")
    }
  }

  @Test func fileTooLarge() {
    let result = Document.parse([UInt8](repeating: 0x61, count: 4 * 1024 * 1024 + 1), path: "big.yaml")
    #expect(result.diagnostics.map(\.code) == ["file-too-large"])
    #expect(result.diagnostics[0].message.contains("4194305 bytes"))
  }

  @Test func tooManyErrors() {
    let result = Document.parse(String(repeating: "a: &x 1\n", count: 300))
    #expect(result.diagnostics.last?.code == "too-many-errors")
  }

  @Test func underlinesAreSizedForWideCharacters() {
    let text = "name: 华信贸易\n名字: 王芳 \u{7}\n"
    let result = Document.parse(text, path: "w.yaml")
    let rendered = DiagnosticRenderer().render(result.diagnostics, file: SourceFile(path: "w.yaml", text: text))
    // The caret sits under the control character, after "名字: 王芳 " (4+2+4+1 = 11 columns).
    #expect(rendered.contains("  2 | 名字: 王芳 \u{2407}\n    |            ^ "))
  }

  @Test func jsonAndGitHubPrinters() {
    let result = Document.parse("a: 1\na: 2\n", path: "d.yaml")
    var out: [UInt8] = []
    result.diagnostics[0].writeJSON(into: &out)
    let json = String(decoding: out, as: UTF8.self)
    #expect(
      json.hasPrefix(
        #"{"file":"d.yaml","line":2,"column":1,"end_line":2,"end_column":2,"severity":"error","code":"duplicate-key""#))
    #expect(
      result.diagnostics[0].githubAnnotation.hasPrefix(
        "::error file=d.yaml,line=2,col=1,endLine=2,endColumn=2,title=tally duplicate-key::duplicate key 'a'"))
  }
}

@Suite struct DiagnosticDocsTests {
  @Test func everyCodeIsDocumented() throws {
    let root = Golden.directory() + "/../.."
    let docs = try String(contentsOfFile: root + "/docs/diagnostics.md", encoding: .utf8)
    for (code, _) in TextDiagnosticCodes.all {
      #expect(docs.contains("| `\(code)` |"), "docs/diagnostics.md does not list \(code)")
    }
  }
}
