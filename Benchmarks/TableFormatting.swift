import Foundation

/// Pads `text` on the left to `width` characters, for right-aligned table columns.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
