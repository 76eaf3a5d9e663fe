// tally-merge-driver: `tally merge-driver %O %A %B %L %P` in a small program.
//
// git starts the driver once for every record file both branches changed, so its start-up
// is most of its cost. `tally` links libgit2 (and the 20 libraries it pulls in) and
// Foundation; this program is built on TallyText and TallySchema alone and starts several
// times faster. It merges exactly as `tally merge-driver` does (the same RecordMerge; a test
// compares the two on every golden case); for a file it cannot read as a record it runs git's
// own `git merge-file --diff3` (git is there: git called it). `tally hook install` configures
// it when it is installed beside `tally`, else `tally merge-driver`.
//
// Exit status: 0 clean, 1 conflicts left, 2 a file could not be read or written (ours is left
// as it was, and git reports the file as conflicted).
import TallySchema
import TallyText

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

func fail(_ message: String) -> Never {
  printError("tally merge-driver: \(message); left as ours for git to report")
  exit(2)
}

func printError(_ message: String) {
  let bytes = Array((message + "\n").utf8)
  _ = bytes.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
}

func read(_ path: String) -> [UInt8]? {
  let fd = open(path, O_RDONLY | O_CLOEXEC)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var bytes: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65536)
  while true {
    let n = buffer.withUnsafeMutableBufferPointer { Glibc.read(fd, $0.baseAddress, $0.count) }
    if n < 0 {
      if errno == EINTR { continue }
      return nil
    }
    if n == 0 { return bytes }
    bytes += buffer[0..<n]
  }
}

/// Writes `bytes` over `path` all at once: a temporary file beside it, renamed over it.
func writeAtomically(_ path: String, _ bytes: [UInt8]) -> Bool {
  let temporary = path + ".tally-\(getpid()).tmp"
  let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
  guard fd >= 0 else { return false }
  var info = stat()
  if stat(path, &info) == 0 { _ = fchmod(fd, info.st_mode & 0o7777) }
  var written = 0
  while written < bytes.count {
    let n = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress! + written, $0.count - written) }
    if n < 0, errno == EINTR { continue }
    if n <= 0 {
      close(fd)
      unlink(temporary)
      return false
    }
    written += n
  }
  guard close(fd) == 0, rename(temporary, path) == 0 else {
    unlink(temporary)
    return false
  }
  return true
}

func isFile(_ path: String) -> Bool {
  var info = stat()
  return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}

func parent(_ path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "." }
  return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// The `.yaml` files under `directory`, relative to `base`, sorted.
func schemaFiles(_ directory: String, relativeTo base: String) -> [String] {
  var result: [String] = []
  guard let stream = opendir(directory) else { return [] }
  defer { closedir(stream) }
  while let entry = readdir(stream) {
    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
      String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    if name.hasPrefix(".") { continue }
    let full = directory + "/" + name
    var info = stat()
    guard lstat(full, &info) == 0 else { continue }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      result += schemaFiles(full, relativeTo: base)
    } else if (info.st_mode & S_IFMT) == S_IFREG, name.hasSuffix(".yaml") {
      result.append(String(full.dropFirst(base.count + 1)))
    }
  }
  return result.sorted()
}

/// The day in the repository's time zone (TALLY_TODAY, YYYY-MM-DD, for reproducible runs).
func today(timeZone: String) -> CivilDate? {
  if let fixed = getenv("TALLY_TODAY"), let date = CivilDate(String(cString: fixed)) { return date }
  setenv("TZ", timeZone, 1)
  tzset()
  var now = time(nil)
  var parts = tm()
  guard localtime_r(&now, &parts) != nil else { return nil }
  return CivilDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
}

/// The record merge for the file at `path` (relative to the working tree's top), or why
/// there is none.
struct NotARecord: Error {
  var reason: String
}

func recordMerge(path: String, markerSize: Int) -> Result<RecordMerge, NotARecord> {
  func notARecord(_ reason: String) -> Result<RecordMerge, NotARecord> { .failure(NotARecord(reason: reason)) }
  var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
  guard getcwd(&cwd, cwd.count) != nil else { return notARecord("the working directory cannot be read") }
  let top = String(cString: cwd)
  let absolute = path.hasPrefix("/") ? path : top + "/" + path
  var root = parent(absolute)
  while !isFile(root + "/tally.yaml") {
    if root == "/" { return notARecord("no tally.yaml above \(path)") }
    root = parent(root)
  }
  guard let configBytes = read(root + "/tally.yaml"), let config = Document.parse(configBytes).document?.value
  else { return notARecord("tally.yaml cannot be read") }
  var schemaDirectory = config["schema_dir"]?.text ?? "schema"
  if schemaDirectory.hasSuffix("/") { schemaDirectory.removeLast() }
  var files: [(path: String, bytes: [UInt8])] = []
  for file in schemaFiles(root + "/" + schemaDirectory, relativeTo: root) {
    guard let bytes = read(root + "/" + file) else { return notARecord("\(file) cannot be read") }
    files.append((file, bytes))
  }
  let (schema, diagnostics) = SchemaLoader.load(files: files)
  let relative = String(absolute.dropFirst(root.count + 1))
  guard let (type, _) = schema.classify(relative), !relative.hasPrefix(schemaDirectory + "/") else {
    return notARecord("\(path) is not a record of any type in the schemas")
  }
  if diagnostics.contains(where: { $0.severity == .error && $0.path == type.location.path }) {
    return notARecord("the schema of \(type.name) (\(type.location.path)) has errors")
  }
  let day = today(timeZone: config["time_zone"]?.text ?? "UTC")
  return .success(RecordMerge(type: type, schema: schema, today: day, markerSize: markerSize))
}

/// git's own merge of lines, into `ours`: 0 clean, 1 conflicts, 2 failed.
func mergeLines(base: String, ours: String, theirs: String, markerSize: Int) -> Int32 {
  let arguments = [
    "git", "merge-file", "--diff3", "-L", "ours", "-L", "base", "-L", "theirs", "--marker-size=\(markerSize)", ours,
    base, theirs,
  ]
  var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
  defer { for pointer in argv { free(pointer) } }
  var pid: pid_t = 0
  guard posix_spawnp(&pid, "git", nil, nil, &argv, environ) == 0 else { return 2 }
  var status: Int32 = 0
  while waitpid(pid, &status, 0) < 0 {
    if errno != EINTR { return 2 }
  }
  guard status & 0x7f == 0 else { return 2 }
  let code = (status >> 8) & 0xff
  return code == 0 ? 0 : (code < 128 ? 1 : 2)
}

let arguments = CommandLine.arguments
guard arguments.count == 5 || arguments.count == 6, let markerSize = Int(arguments[4]) else {
  printError("usage: tally-merge-driver BASE OURS THEIRS MARKER-SIZE [PATH]  (git's %O %A %B %L %P)")
  exit(64)
}
let (basePath, oursPath, theirsPath) = (arguments[1], arguments[2], arguments[3])
let path = arguments.count == 6 ? arguments[5] : oursPath
guard let base = read(basePath), let ours = read(oursPath), let theirs = read(theirsPath) else {
  fail("\(path): \(String(cString: strerror(errno)))")
}
var reason: String
switch recordMerge(path: path, markerSize: markerSize) {
case .success(let merge):
  do {
    let result = try merge.merge(base: base, ours: ours, theirs: theirs, path: path)
    if result.bytes != ours, !writeAtomically(oursPath, result.bytes) {
      fail("\(path): cannot write \(oursPath): \(String(cString: strerror(errno)))")
    }
    for conflict in result.conflicts { printError("tally: conflict in \(path): \(conflict)") }
    exit(result.isClean ? 0 : 1)
  } catch {
    reason = "\(error)"
  }
case .failure(let why):
  reason = why.reason
}
printError("tally: \(path) merged line by line: \(reason)")
exit(mergeLines(base: basePath, ours: oursPath, theirs: theirsPath, markerSize: markerSize))
