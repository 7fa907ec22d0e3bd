/// `text` made safe to print in a terminal: control characters (escape sequences, carriage
/// returns, NUL) shown as `\u{1B}`-style escapes, so a name read from a hostile file can neither
/// redraw the screen nor hide part of a message.
///
/// ```swift
/// printable("fc1\u{1B}[2J.weight")     // "fc1\u{1B}[2J.weight", printed literally
/// ```
public func printable(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned:
            result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default:
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}
