import TallyTestSupport
import Testing

@testable import TallyText

@Suite("Flat syntax tree")
struct SyntaxTreeTests {
  let text = """
    # header

    # about name
    name: 王芳 # trailing
    tags: [a, "b c"]
    follow_ups:
      - date: 2026-03-02
        notes: |
          第一行
      -
    empty:
    """

  func tree() throws -> SyntaxTree {
    try #require(SyntaxTree.parse(Array((text + "\n").utf8), path: "t.yaml").tree)
  }

  @Test func viewsMatchTheNodeTree() throws {
    let tree = try tree()
    let root = tree.root
    #expect(root.isMapping)
    #expect(root.count == 4)
    #expect(root.entries.map { $0.key.text } == ["name", "tags", "follow_ups", "empty"])
    #expect(root["name"]?.text == "王芳")
    #expect(root["name"]?.style == .plain)
    #expect(root["tags"]?.isFlow == true)
    #expect(root["tags"]?.items.map { $0.text } == ["a", "b c"])
    #expect(root["tags"]?.items.map { $0.style } == [.plain, .doubleQuoted])
    let followUps = try #require(root["follow_ups"])
    #expect(followUps.count == 2)
    let first = Array(followUps.items)[0]
    #expect(first["notes"]?.text == "第一行\n")
    #expect(first["notes"]?.style == .literal)
    #expect(Array(followUps.items)[1].isNull)
    #expect(root["empty"]?.isNull == true)
    #expect(root["missing"] == nil)
    #expect(tree.value == Document.parse(text + "\n").document?.value)
  }

  @Test func positionsAndComments() throws {
    let tree = try tree()
    let name = try #require(tree.root.entries.first { $0.key.hasText("name") })
    #expect(name.value.range.start.line == 4)
    #expect(name.value.range.start.column == 7)
    #expect(name.leadingComments.map(\.comment.text) == [" about name"])
    #expect(name.trailingComment?.text == " trailing")
    let document = tree.document()
    #expect(document.headerComments.map(\.comment.text) == [" header"])
  }

  @Test func columnsCountCharactersOnNonASCIILines() throws {
    let tree = try #require(SyntaxTree.parse(Array("名字: 王芳\n".utf8)).tree)
    #expect(tree.root["名字"]?.range.start.column == 5)
    #expect(tree.position(of: 0).column == 1)
  }
}
