import ArgumentParser
import TallyRecords
import TallySchema

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `--repo DIR`, shared by the commands that work on a records repository.
struct RepositoryOptions: ParsableArguments {
  @Option(
    name: .customLong("repo"),
    help: ArgumentHelp(
      "The records repository (the directory holding tally.yaml); by default the one containing the current directory.",
      valueName: "dir"),
    completion: .directory)
  var repo: String?

  /// Opens the repository, or exits 2 with the reason.
  func open() throws -> RecordsRepository {
    let cwd = FileSystem.currentDirectory
    do {
      return try RecordsRepository.open(root: repo, from: cwd, displayBase: cwd)
    } catch {
      Console.err("tally: \(error)\n")
      throw Exit.failure
    }
  }
}

/// "Today", for rules that use today(): the real date in the repository's time zone, or
/// TALLY_TODAY (YYYY-MM-DD) for reproducible runs.
func today(in repository: RecordsRepository) -> CivilDate {
  if let fixed = Console.environment("TALLY_TODAY"), let date = CivilDate(fixed) { return date }
  let offset = TimeZones.offsetMinutes(repository.config.timeZone) ?? 0
  let seconds = Int(time(nil)) + offset * 60
  return CivilDate(dayNumber: seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
}
