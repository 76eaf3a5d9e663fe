import Testing

@testable import TallyGit

@Suite struct GitLibraryTests {
  @Test func linksAgainstLibgit2() {
    let parts = GitLibrary.version.split(separator: ".").compactMap { Int($0) }
    #expect(parts.count == 3)
    #expect(parts[0] >= 1)
  }
}
