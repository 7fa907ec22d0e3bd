import Foundation

/// Prints a declaration from the package's own source files, so that a tutorial shows the code
/// that really runs (the library's `MLP`, say) instead of a copy that could drift from it.
///
/// The package is found from the tutorial's own source path (`#filePath`, fixed when it was
/// compiled): the nearest folder above it that holds `Package.swift`. When the sources are not
/// there (a binary copied elsewhere), it says which file to open instead.
///
/// ```swift
/// SourceListing.show("final class MLP", in: "Sources/Models/MLP.swift")
/// ```
public enum SourceListing {
    /// Prints the declaration of `relativePath` whose first line contains `declaration`, up to
    /// its closing brace in the first column, indented by four spaces under the file's name.
    public static func show(_ declaration: String, in relativePath: String, callerFile: String = #filePath) {
        guard let text = source(relativePath, callerFile: callerFile) else {
            print("    (open \(relativePath) to read it)")
            return
        }
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.contains(declaration) }) else {
            print("    (open \(relativePath) to read it)")
            return
        }
        let end = lines[start...].firstIndex(where: { $0 == "}" }) ?? lines.count - 1
        print("\(relativePath):")
        for line in lines[start...end] { print(line.isEmpty ? "" : "    " + line) }
    }

    /// The text of `relativePath` in the package that `callerFile` belongs to.
    static func source(_ relativePath: String, callerFile: String) -> String? {
        var folder = URL(fileURLWithPath: callerFile).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return try? String(contentsOf: folder.appendingPathComponent(relativePath), encoding: .utf8)
            }
            folder.deleteLastPathComponent()
        }
        return nil
    }
}
