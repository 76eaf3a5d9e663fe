/// Where a record type's files are in its directory: directly (`customers/C-0042.yaml`), or in
/// shard folders named by the id's last digits (`customers/042/C-1000042.yaml`), so that no
/// folder — and no git tree — holds more than a few thousand files however many records there
/// are. Ids name records; the path is worked out from the id, never stored.
public enum RecordLayout: Sendable, Equatable {
  /// Every record directly in the type's directory.
  case flat
  /// Records in folders named by the id's last `digits` digits, zero-padded (`C-7` → `007`
  /// with three).
  case lastDigits(Int)

  /// The most digits a shard name may have (10,000 folders).
  public static let maximumDigits = 4

  /// The shard folder of the record `id`: nil for a flat layout, or for an id that does not
  /// end in a digit (it has no shard; the checker says so).
  public func shard(of id: some StringProtocol) -> String? {
    guard case .lastDigits(let count) = self else { return nil }
    var digits: [UInt8] = []
    for byte in id.utf8.reversed() {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits.count < count else { break }
      digits.append(byte)
    }
    guard !digits.isEmpty else { return nil }
    return String(repeating: "0", count: count - digits.count) + String(decoding: digits.reversed(), as: UTF8.self)
  }

  /// Whether `folder` is the shard folder of the record `id`: `shard(of: id) == folder`,
  /// compared in place. Listing a million records asks it of each, and making the shard's
  /// name to compare was a twentieth of reading a snapshot.
  public func isShard(_ folder: some StringProtocol, of id: some StringProtocol) -> Bool {
    isShard(utf8: Substring(folder).utf8, of: id)
  }

  /// ``isShard(_:of:)`` for a folder name given as its UTF-8 bytes.
  public func isShard<Folder: BidirectionalCollection<UInt8>>(utf8 folder: Folder, of id: some StringProtocol) -> Bool {
    guard case .lastDigits(let count) = self else { return false }
    var folderBytes = folder.reversed().makeIterator()
    var digits = 0
    // The id's last digits (at most `count`) end the folder's name…
    // (Through a Substring: a StringProtocol's UTF-8 view is not bidirectional, and reversing
    // it would copy it into an array.)
    for byte in Substring(id).utf8.reversed() {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < count else { break }
      guard folderBytes.next() == byte else { return false }
      digits += 1
    }
    guard digits > 0 else { return false }
    // …after zeros that make it `count` long.
    var length = digits
    while let byte = folderBytes.next() {
      guard byte == UInt8(ascii: "0") else { return false }
      length += 1
    }
    return length == count
  }

  /// Whether `name` can name a shard folder of this layout (`042` with three digits).
  public func isShardName(_ name: some StringProtocol) -> Bool {
    guard case .lastDigits(let count) = self else { return false }
    return name.utf8.count == count && name.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
  }

  /// How many folders deep below the type's directory its records are (0 or 1).
  public var depth: Int { self == .flat ? 0 : 1 }

  /// The layout as the schema writes it (`digits: 3`), for messages.
  public var description: String {
    switch self {
    case .flat: "flat"
    case .lastDigits(let count): "sharded by the id's last \(count) digits"
    }
  }
}

extension RecordType {
  /// The file of the record `id`, relative to the records root: where `tally new` writes it
  /// and where every command looks for it (`customers/042/C-1000042.yaml` when sharded; an id
  /// that cannot be sharded is looked for directly in the directory, where the checker
  /// reports it).
  public func path(of id: some StringProtocol) -> String {
    if let shard = layout.shard(of: id) { return directory + "/" + shard + "/" + id + ".yaml" }
    return directory + "/" + id + ".yaml"
  }

  /// Where the record `id` may be in a commit, most likely first: its path, then where the
  /// flat layout puts it, for a sharded type (a commit from before `tally migrate layout`).
  public func paths(of id: some StringProtocol) -> [String] {
    let path = path(of: id)
    let flat = directory + "/" + id + ".yaml"
    return path == flat ? [path] : [path, flat]
  }

  /// The folder that holds (or would hold) the record `id`, relative to the records root.
  public func folder(of id: some StringProtocol) -> String {
    if let shard = layout.shard(of: id) { return directory + "/" + shard }
    return directory
  }
}
