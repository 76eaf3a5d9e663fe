import Foundation
import TallyTestSupport
import Testing

/// The module graph is the one docs/architecture.md draws, and the compiler's view of it
/// holds: no source file imports a module of the package that its target does not declare
/// (SwiftPM lets a target import anything it reaches transitively; this does not).
@Suite("The module graph (docs/architecture.md)")
struct ArchitectureTests {
  static let root = Golden.directory() + "/../.."

  /// Target → its direct dependencies, as `swift package dump-package` gives them, for the
  /// targets that are not tests.
  static func declaredGraph() throws -> [String: [String]] { try graph.get() }

  static let graph = Result(catching: readGraph)

  static func readGraph() throws -> [String: [String]] {
    // A scratch path of its own: `swift test` holds the package's .build while it runs.
    let scratch = try TemporaryDirectory(prefix: "dump-package")
    let dump = try TallyProcess.runProgram(
      "swift", ["package", "--scratch-path", scratch.path, "dump-package"], in: root)
    #expect(dump.status == 0, "\(dump.stderr)")
    let package = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var graph: [String: [String]] = [:]
    for target in package["targets"] as? [[String: Any]] ?? [] {
      guard let name = target["name"] as? String, (target["type"] as? String) != "test" else { continue }
      var dependencies: [String] = []
      for dependency in target["dependencies"] as? [[String: Any]] ?? [] {
        for (_, value) in dependency {
          if let parts = value as? [Any], let first = parts.first as? String { dependencies.append(first) }
        }
      }
      graph[name] = dependencies
    }
    return graph
  }

  /// The ```dependencies block of docs/architecture.md.
  static func documentedGraph() throws -> [String: [String]] {
    let text = try String(contentsOfFile: root + "/docs/architecture.md", encoding: .utf8)
    let block = try #require(text.firstMatch(of: /```dependencies\n(.*?)```/.dotMatchesNewlines())?.1)
    var graph: [String: [String]] = [:]
    for line in block.split(separator: "\n") {
      let parts = line.split(separator: ":", maxSplits: 1)
      let dependencies =
        parts.count > 1 ? parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : []
      graph[String(parts[0])] = dependencies.filter { !$0.isEmpty }
    }
    return graph
  }

  @Test func theDocumentedGraphIsThePackagesGraph() throws {
    let declared = try Self.declaredGraph()
    let documented = try Self.documentedGraph()
    #expect(Set(declared.keys) == Set(documented.keys))
    for (target, dependencies) in declared {
      #expect(Set(dependencies) == Set(documented[target] ?? []), "\(target)")
    }
  }

  @Test func onlyTheRecordsAndHistoryLayersReachGit() throws {
    let declared = try Self.declaredGraph()
    let users = declared.filter { $0.value.contains("TallyGit") }.keys.sorted()
    #expect(users == ["TallyHistory", "TallyRecords"])
  }

  /// Every `import X` of a package module in `Sources/T/` names a declared dependency of `T`.
  @Test func noTargetImportsWhatItDoesNotDeclare() throws {
    let declared = try Self.declaredGraph()
    let modules = Set(declared.keys.map { $0.replacing("-", with: "_") })
    var checked = 0
    for (target, dependencies) in declared {
      let directory = Self.root + "/Sources/" + target
      guard let files = FileManager.default.enumerator(atPath: directory) else { continue }
      let allowed = Set(dependencies.map { $0.replacing("-", with: "_") })
      for case let file as String in files where file.hasSuffix(".swift") {
        let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
        for match in text.matches(of: /(?m)^\s*(?:@\w+\s+)?(?:internal |public |package )?import (\w+)/) {
          let module = String(match.1)
          guard modules.contains(module) else { continue }
          checked += 1
          #expect(
            allowed.contains(module), "Sources/\(target)/\(file) imports \(module), which \(target) does not declare")
        }
      }
    }
    #expect(checked > 100, "only \(checked) imports were checked")
  }
}
