import TallySchema
import TallyText

/// One commit of the sample history.
public struct SampleEvent: Sendable, Hashable {
  /// How the commit was made.
  public enum Via: String, Sendable, Hashable {
    /// Through `tally` commands (`tally add`, `tally set`...), which commit for the user.
    case tally
    /// By editing the files and committing with git.
    case git
  }

  /// `2026-05-06T10:23:00+08:00`.
  public var timestamp: String
  public var authorName: String
  /// The author's staff record's email.
  public var authorEmail: String
  public var message: String
  public var via: Via
  /// The files the commit adds, changes or deletes, in the order they were touched.
  public var changes: [SampleChange]

  public init(
    timestamp: String, authorName: String, authorEmail: String, message: String, via: Via,
    changes: [SampleChange]
  ) {
    self.timestamp = timestamp
    self.authorName = authorName
    self.authorEmail = authorEmail
    self.message = message
    self.via = via
    self.changes = changes
  }

  /// The moment of `timestamp`, in seconds since 1970-01-01T00:00:00Z; nil when it is not a
  /// date and time.
  public var epochSeconds: Int? { CivilDateTime(timestamp)?.epochSeconds() }

  /// The commit as one line of JSON: `{"timestamp", "author_name", "author_email", "message",
  /// "via", "changes": [{"path", "content"}]}`, content being the file's text or null for a
  /// deletion.
  public var jsonLine: String {
    var out: [UInt8] = []
    jsonLine(into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends the commit's JSON line (without a line break) to `out`.
  public func jsonLine(into out: inout [UInt8]) {
    func key(_ name: String) {
      JSON.writeString(name, into: &out)
      out.append(UInt8(ascii: ":"))
    }
    out.append(UInt8(ascii: "{"))
    key("timestamp")
    JSON.writeString(timestamp, into: &out)
    out.append(UInt8(ascii: ","))
    key("author_name")
    JSON.writeString(authorName, into: &out)
    out.append(UInt8(ascii: ","))
    key("author_email")
    JSON.writeString(authorEmail, into: &out)
    out.append(UInt8(ascii: ","))
    key("message")
    JSON.writeString(message, into: &out)
    out.append(UInt8(ascii: ","))
    key("via")
    JSON.writeString(via.rawValue, into: &out)
    out.append(UInt8(ascii: ","))
    key("changes")
    out.append(UInt8(ascii: "["))
    for (index, change) in changes.enumerated() {
      if index > 0 { out.append(UInt8(ascii: ",")) }
      out.append(UInt8(ascii: "{"))
      key("path")
      JSON.writeString(change.path, into: &out)
      out.append(UInt8(ascii: ","))
      key("content")
      if let content = change.content {
        JSON.writeString(String(decoding: content, as: UTF8.self), into: &out)
      } else {
        out.append(contentsOf: Array("null".utf8))
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(UInt8(ascii: "]"))
    out.append(UInt8(ascii: "}"))
  }
}

/// One file a commit touches.
public struct SampleChange: Sendable, Hashable {
  /// Relative to the records root: `customers/C-0042.yaml`.
  public var path: String
  /// The file's new content; nil when the commit deletes it.
  public var content: [UInt8]?

  public init(path: String, content: [UInt8]?) {
    self.path = path
    self.content = content
  }
}
