import TallyText
import Testing

@testable import TallySampleData

@Suite("Sample corpus")
struct SampleCorpusTests {
  @Test func checkRepositoryIsValid() throws {
    let files = SampleCorpus.checkRepository(customers: 400, seed: 42)
    let count = { (prefix: String) in files.keys.filter { $0.hasPrefix(prefix) }.count }
    #expect(count("customers/") == 400)
    #expect((30...45).contains(count("staff/")))
    #expect(count("plans/") == 16)
    #expect(count("minutes/") == 50)
    #expect(files["customers/C-0001.yaml"] != nil && files["customers/C-0400.yaml"] != nil)

    // What tally check and tally fmt --check find: nothing.
    let problems = ShippedChecks(repository: try shippedSchemaRepository()).problems(in: files)
    #expect(problems.isEmpty, "\(problems.prefix(20).joined(separator: "\n"))")

    // Customer references point at people of the right role.
    let roles = Dictionary(
      uniqueKeysWithValues: records(files, under: "staff/").map {
        (String($0.path.dropFirst(6).dropLast(5)), ($0.value["role"]!.text!, $0.value["status"]!.text!))
      })
    for (path, value) in records(files, under: "customers/") {
      let owner = try #require(roles[value["owner"]!.text!])
      #expect(["sales_rep", "team_lead"].contains(owner.0) && owner.1 == "active", "\(path)")
      for followUp in value["follow_ups"]?.items ?? [] {
        let by = try #require(roles[followUp["by"]!.text!])
        #expect(["sales_rep", "team_lead", "cs_rep"].contains(by.0), "\(path)")
      }
      let size = files[path]!.count
      #expect((800...3072).contains(size), "\(path): \(size) bytes")
    }
  }

  @Test func customersDependOnlyOnSeedAndNumber() {
    let small = SampleCorpus.checkRepository(customers: 120, seed: 9)
    let large = SampleCorpus.checkRepository(customers: 240, seed: 9)
    for number in 1...120 {
      let path = "customers/C-\(String(repeating: "0", count: 4 - String(number).count))\(number).yaml"
      #expect(small[path] == large[path])
    }
    #expect(small == SampleCorpus.checkRepository(customers: 120, seed: 9))
    #expect(
      small["customers/C-0001.yaml"] != SampleCorpus.checkRepository(customers: 120, seed: 10)["customers/C-0001.yaml"])
  }

  @Test func idsHaveAtLeastFourDigits() {
    let simulator = Simulator(seed: 1)
    simulator.run()
    let roster = SampleCorpus.Roster(simulator: simulator, seed: 1)
    let (path, content) = SampleCorpus.customer(index: 99_999, seed: 1, roster: roster)
    #expect(path == "customers/C-100000.yaml")
    #expect(Document.parse(content).diagnostics.isEmpty)
    #expect(SampleCorpus.customer(index: 9_999, seed: 1, roster: roster).0 == "customers/C-10000.yaml")
    #expect(SampleCorpus.customer(index: 41, seed: 1, roster: roster).0 == "customers/C-0042.yaml")
  }
}
