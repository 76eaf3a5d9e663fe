import ArgumentParser
import TallyRecords
import TallyReports

/// Shell completion of record types, record names and report names. The shell runs
/// `tally ---completion <command> -- <argument> ...` for each completion and shows what it
/// prints, so these print nothing but candidates: outside a records repository, or when it
/// cannot be read, they complete nothing.
enum Completions {
  /// `TYPE/ID` arguments (set, add, show, log, blame).
  static let recordName = CompletionKind.custom { arguments, _, prefix in
    RecordsRepository.forCompletion(arguments: arguments, from: FileSystem.currentDirectory)?
      .recordNameCompletions(prefix) ?? []
  }

  /// `TYPE` arguments (new).
  static let recordType = CompletionKind.custom { arguments, _, prefix in
    RecordsRepository.forCompletion(arguments: arguments, from: FileSystem.currentDirectory)?
      .typeCompletions(prefix) ?? []
  }

  /// `tally report NAME`: the reports, and `all` (the site). Asked of the binary rather than
  /// written into the script, so a script generated once stays right when reports are added.
  static let reportName = CompletionKind.custom { _, _, prefix in
    (Reports.all.map { $0.name } + ["all"]).filter { $0.hasPrefix(prefix) }
  }
}
