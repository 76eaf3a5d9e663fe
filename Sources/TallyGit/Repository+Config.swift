internal import CLibGit2

extension Repository {
  /// A configuration value as git sees it (repository, global and system files merged),
  /// or nil when it is not set (`git_config_get_string_buf`).
  public func configString(_ name: String) throws(GitError) -> String? {
    try locked { () throws(GitError) -> String? in
      var config: OpaquePointer?
      try check(git_repository_config_snapshot(&config, handle), "git_repository_config_snapshot")
      defer { git_config_free(config) }
      var buffer = git_buf()
      defer { git_buf_dispose(&buffer) }
      let rc = git_config_get_string_buf(&buffer, config, name)
      if rc == GIT_ENOTFOUND.rawValue { return nil }
      try check(rc, "git_config_get_string_buf")
      return String(cString: buffer.ptr)
    }
  }

  /// A boolean configuration value (`true`, `yes`, `on`, `1`...), or nil when unset.
  public func configBool(_ name: String) throws(GitError) -> Bool? {
    try locked { () throws(GitError) -> Bool? in
      var config: OpaquePointer?
      try check(git_repository_config_snapshot(&config, handle), "git_repository_config_snapshot")
      defer { git_config_free(config) }
      var value: Int32 = 0
      let rc = git_config_get_bool(&value, config, name)
      if rc == GIT_ENOTFOUND.rawValue { return nil }
      try check(rc, "git_config_get_bool")
      return value != 0
    }
  }

  /// Sets a value in the repository's own configuration (`.git/config`). libgit2 writes
  /// `config.lock` and renames it; signals wait until that is done (see ``Signals``).
  public func setConfig(_ name: String, to value: String) throws(GitError) {
    try Signals.checkpoint()
    try Signals.critical { () throws(GitError) in
      try locked { () throws(GitError) in
        let config = try localConfig()
        defer { git_config_free(config) }
        try check(git_config_set_string(config, name, value), "git_config_set_string")
      }
    }
  }

  /// Removes a value from the repository's own configuration; nothing happens when it is not
  /// set there.
  public func unsetConfig(_ name: String) throws(GitError) {
    try Signals.checkpoint()
    try Signals.critical { () throws(GitError) in
      try locked { () throws(GitError) in
        let config = try localConfig()
        defer { git_config_free(config) }
        let rc = git_config_delete_entry(config, name)
        if rc == GIT_ENOTFOUND.rawValue { return }
        try check(rc, "git_config_delete_entry")
      }
    }
  }

  /// The repository-level config file (`.git/config`) alone, for writing.
  private func localConfig() throws(GitError) -> OpaquePointer? {
    var all: OpaquePointer?
    try check(git_repository_config(&all, handle), "git_repository_config")
    defer { git_config_free(all) }
    var local: OpaquePointer?
    try check(git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL), "git_config_open_level")
    return local
  }

  /// The directory git runs hooks from: `core.hooksPath` (relative paths are taken from the
  /// working directory, as git does), or `hooks` in the git directory.
  public func hooksDirectory() throws(GitError) -> String {
    if let configured = try configString("core.hooksPath"), !configured.isEmpty {
      var path = configured
      if path.hasPrefix("~/"), let home = getenvString("HOME") { path = home + path.dropFirst(1) }
      if path.hasPrefix("/") { return path.trimmingSuffix("/") }
      return ((workingDirectory ?? gitDirectory) + "/" + path).trimmingSuffix("/")
    }
    return gitDirectory + "/hooks"
  }
}

func getenvString(_ name: String) -> String? {
  guard let value = getenv(name) else { return nil }
  return String(cString: value)
}
