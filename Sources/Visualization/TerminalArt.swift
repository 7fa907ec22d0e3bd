/// Draws grey images as text, so a digit can be looked at in any terminal.
///
/// A terminal cell is about twice as tall as it is wide, so each character stands for one pixel
/// across and two pixels down (their average), which keeps a 28x28 digit square in 28 columns and
/// 14 lines. Darkness comes from a ramp of increasingly dense characters: blank for no ink, `@` for
/// full ink.
///
/// ```swift
/// print(TerminalArt.render(image, width: 28, height: 28))
/// print(TerminalArt.render([a, b, c], width: 28, height: 28, captions: ["5", "0", "4"]))
/// ```
public enum TerminalArt {
    /// From no ink to full ink.
    public static let ramp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    /// One image of `height` rows of `width` values in 0...1 (values outside are clamped).
    public static func render(_ image: [Float], width: Int, height: Int) -> String {
        render([image], width: width, height: height, captions: nil)
    }

    /// Several images side by side, two columns apart, each with an optional caption underneath.
    public static func render(_ images: [[Float]], width: Int, height: Int, captions: [String]? = nil) -> String {
        for (index, image) in images.enumerated() {
            precondition(
                image.count == width * height,
                "TerminalArt.render: image \(index) has \(image.count) values, expected \(width)x\(height) = \(width * height)"
            )
        }
        var lines: [String] = []
        for row in stride(from: 0, to: height, by: 2) {
            let parts = images.map { image in
                String(
                    (0..<width).map { column -> Character in
                        let top = image[row * width + column]
                        let bottom = row + 1 < height ? image[(row + 1) * width + column] : top
                        return shade((top + bottom) / 2)
                    })
            }
            lines.append(parts.joined(separator: "  "))
        }
        if let captions {
            let cells = captions.map { caption -> String in
                let text = String(caption.prefix(width))
                let left = (width - text.count) / 2
                return String(repeating: " ", count: left) + text
                    + String(repeating: " ", count: width - left - text.count)
            }
            lines.append(cells.joined(separator: "  "))
        }
        return lines.map { line in String(line.reversed().drop(while: { $0 == " " }).reversed()) }
            .joined(separator: "\n")
    }

    /// The ramp character for a value in 0...1: NaN and values at or below 0 are blank.
    public static func shade(_ value: Float) -> Character {
        let clamped = Swift.min(1, Swift.max(0, value.isNaN ? 0 : value))
        return ramp[Swift.min(ramp.count - 1, Int(clamped * Float(ramp.count)))]
    }
}
