import TallyText

/// What `tally hook status` prints: for people (one block per hook and driver, each with what
/// to do), and for programs (`--format json`, documented in docs/outputs.md).
extension HookInstaller.Status {
  /// The report for people, with `attributesPath` (the records root's `.gitattributes`) named
  /// where the attributes are out of date.
  public func text(attributesPath: String) -> String {
    var lines: [String] = []
    for hook in hooks {
      let label = "\(hook.kind.name) hook"
      switch hook.state {
      case .notInstalled:
        lines.append("\(label): not installed: there is no \(hook.hook) (run 'tally hook install')")
      case .foreign:
        lines.append(
          "\(label): not installed: \(hook.hook) is another hook (run 'tally hook install' to chain to it)")
      case .installed(let current):
        lines.append("\(label): installed: \(hook.hook)")
        if let directory = hook.recordsDirectory { lines.append("  checks the records in: \(directory)") }
        if let executable = hook.executable {
          lines.append(
            "  runs: \(executable)" + (hook.executableExists ? "" : " (missing: falls back to tally on PATH)"))
        }
        if let chained = hook.chained { lines.append("  runs first: \(chained)") }
        if !current { lines.append("  out of date: run 'tally hook install' to update it") }
      }
    }
    for driver in [diffDriver, mergeDriver] {
      let label = "\(driver.kind.rawValue) driver"
      let key = driver.kind.commandKey
      switch driver.state {
      case .installed:
        lines.append("\(label): installed: \(key) = \(driver.command ?? "")")
      case .outOfDate:
        lines.append("\(label): out of date: \(key) = \(driver.command ?? "")")
        lines.append("  run 'tally hook install' to set it up for \(attributesPath)")
      case .notInstalled:
        lines.append("\(label): not installed (run 'tally hook install')")
      case .notConfigured:
        let directories = driver.attributedDirectories.map { $0 + "/" }.joined(separator: ", ")
        lines.append(
          "\(label): not configured: the records (\(directories)) have \(driver.kind.attribute)=tally, but \(key) is not set in this clone"
        )
        lines.append("  " + Self.consequence(of: driver.kind))
      }
      if let executable = driver.executable, !driver.executableExists {
        lines.append("  runs: \(executable) (missing: run 'tally hook install' again)")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Warnings worth a line of their own on standard error: a record type's attribute names a
  /// merge driver this clone does not have.
  public var warnings: [String] {
    guard mergeDriver.state == .notConfigured else { return [] }
    return [
      "merge=tally is set for the records but \(HookInstaller.Driver.merge.commandKey) is not configured: "
        + Self.consequence(of: .merge)
    ]
  }

  /// What git does with the attribute of a driver it does not have, and what to run.
  static func consequence(of driver: HookInstaller.Driver) -> String {
    switch driver {
    case .diff: "git then shows changes to these files as text: run 'tally hook install'"
    case .merge: "git then silently merges these files as text: run 'tally hook install'"
    }
  }

  /// `{"version":1,"ok","hooks":{"pre-commit":{...},"pre-merge-commit":{...}},
  /// "drivers":{"diff":{...},"merge":{...}},"attributes"}` (docs/outputs.md).
  public func json(attributesPath: String) -> [UInt8] {
    var out = JSONWriter()
    out.raw("{\"version\":1,\"ok\":\(isHealthy),\"hooks\":{")
    for hook in hooks {
      out.key(hook.kind.name)
      out.raw("{\"state\":")
      switch hook.state {
      case .notInstalled: out.string("not_installed")
      case .foreign: out.string("foreign")
      case .installed(let current): out.string(current ? "installed" : "out_of_date")
      }
      out.raw(",\"path\":")
      out.string(hook.hook)
      out.raw(",\"chained\":")
      out.string(orNull: hook.chained)
      out.raw(",\"executable\":")
      out.string(orNull: hook.executable)
      out.raw(",\"executable_exists\":")
      out.bool(hook.executableExists)
      out.raw(",\"records_dir\":")
      out.string(orNull: hook.recordsDirectory)
      out.raw("}")
    }
    out.raw("},\"drivers\":{")
    for driver in [diffDriver, mergeDriver] {
      out.key(driver.kind.rawValue)
      out.raw("{\"state\":")
      out.string(driver.state.rawValue)
      out.raw(",\"key\":")
      out.string(driver.kind.commandKey)
      out.raw(",\"command\":")
      out.string(orNull: driver.command)
      out.raw(",\"executable\":")
      out.string(orNull: driver.executable)
      out.raw(",\"executable_exists\":")
      out.bool(driver.executableExists)
      out.raw(",\"attributed\":[")
      for directory in driver.attributedDirectories {
        out.separate()
        out.string(directory)
      }
      out.raw("]}")
    }
    out.raw("},\"attributes\":")
    out.string(attributesPath)
    out.raw("}\n")
    return out.bytes
  }
}
