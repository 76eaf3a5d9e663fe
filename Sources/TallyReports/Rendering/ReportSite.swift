import TallyRecords

/// `tally report all --html DIR`: an index page and one page per report, linked to each
/// other, each self-contained.
public enum ReportSite {
  /// Writes the site and returns the files written (relative to `directory`).
  public static func write(_ reports: [Report], to directory: String) throws -> [String] {
    try FileSystem.createDirectory(directory)
    let navigation =
      "<nav><a href=\"index.html\">Index</a>"
      + reports.map { "<a href=\"\($0.name).html\">\(HTMLRenderer.escape($0.name))</a>" }.joined() + "</nav>\n"
    var written: [String] = []
    for report in reports {
      let file = "\(report.name).html"
      try FileSystem.writeAtomically(
        directory + "/" + file, Array(HTMLRenderer.page(report, navigation: navigation).utf8))
      written.append(file)
    }
    var index = "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
    index += "<title>Team reports</title>\n<style>\n\(HTMLRenderer.style)\n</style>\n</head>\n<body>\n"
    index += "<h1>Team reports</h1>\n"
    if let first = reports.first {
      index +=
        "<p class=\"meta\">Computed at <code>\(first.commit.prefix(7))</code> (\(HTMLRenderer.escape(first.commitDate)))</p>\n"
    }
    index += "<ul>\n"
    for report in reports {
      index += "<li><a href=\"\(report.name).html\">\(HTMLRenderer.escape(report.title))</a></li>\n"
    }
    index += "</ul>\n</body>\n</html>\n"
    try FileSystem.writeAtomically(directory + "/index.html", Array(index.utf8))
    return ["index.html"] + written
  }
}
