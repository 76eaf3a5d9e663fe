/// One commit of a generated history: who, when, why, and the files it writes or removes.
struct HistoryCommit {
  struct Author: Hashable {
    var name: String
    var email: String
  }

  /// A file the commit writes (`content`) or removes (`nil`), relative to the repository.
  struct FileChange {
    var path: String
    var content: [UInt8]?
  }

  var author: Author
  /// Seconds since 1970 (UTC); written with the +08:00 offset of the team's time zone.
  var time: Int
  var message: String
  var changes: [FileChange]
}
