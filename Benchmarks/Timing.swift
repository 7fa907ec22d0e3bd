import Foundation

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func exitProgram(_ code: Int32) -> Never { exit(code) }

/// Pads `text` on the left to `width` characters, for right-aligned table columns.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
