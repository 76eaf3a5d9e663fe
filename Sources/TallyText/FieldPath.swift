/// A path to a value inside a record: `follow_ups[3].outcome`.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, Comparable {
  public enum Component: Hashable, Sendable {
    case key(String)
    case index(Int)
  }

  public var components: [Component]

  public init(_ components: [Component] = []) {
    self.components = components
  }

  /// Parses `a.b[2].c` (also `[0]` and `a[1][2]`). Returns nil for malformed paths:
  /// empty keys, bad or negative indices, text right after `]`.
  public init?(parsing text: String) {
    enum State { case start, afterKey, afterIndex, afterDot }
    let chars = Array(text)
    var components: [Component] = []
    var state = State.start
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "[" {
        guard state != .afterDot,
          let close = chars[i...].firstIndex(of: "]"), close > i + 1,
          let index = Int(String(chars[(i + 1)..<close])), index >= 0
        else { return nil }
        components.append(.index(index))
        state = .afterIndex
        i = close + 1
      } else if c == "." {
        guard state == .afterKey || state == .afterIndex else { return nil }
        state = .afterDot
        i += 1
      } else {
        guard state == .start || state == .afterDot else { return nil }
        var key = ""
        while i < chars.count, chars[i] != ".", chars[i] != "[" {
          if chars[i] == "]" { return nil }
          key.append(chars[i])
          i += 1
        }
        components.append(.key(key))
        state = .afterKey
      }
    }
    guard state == .afterKey || state == .afterIndex else { return nil }
    self.components = components
  }

  public var isEmpty: Bool { components.isEmpty }

  public func appending(_ component: Component) -> FieldPath {
    FieldPath(components + [component])
  }

  public func appending(key: String) -> FieldPath { appending(.key(key)) }
  public func appending(index: Int) -> FieldPath { appending(.index(index)) }

  public var parent: FieldPath? {
    components.isEmpty ? nil : FieldPath(Array(components.dropLast()))
  }

  public var last: Component? { components.last }

  /// The path with list indices removed: `follow_ups.outcome` (a schema field path).
  public var withoutIndices: FieldPath {
    FieldPath(components.filter { if case .key = $0 { return true } else { return false } })
  }

  public var description: String {
    var out = ""
    for component in components {
      switch component {
      case .key(let key):
        if !out.isEmpty { out += "." }
        out += key
      case .index(let index):
        out += "[\(index)]"
      }
    }
    return out
  }

  public static func < (lhs: FieldPath, rhs: FieldPath) -> Bool {
    lhs.description < rhs.description
  }
}

extension Value {
  /// The value at `path`, or nil when the path leads nowhere.
  public subscript(path: FieldPath) -> Value? {
    var current = self
    for component in path.components {
      switch component {
      case .key(let key):
        guard let next = current[key] else { return nil }
        current = next
      case .index(let index):
        guard case .sequence(let items) = current, index < items.count else { return nil }
        current = items[index]
      }
    }
    return current
  }
}
