/// Prepares a picture of a handwritten digit the way MNIST's digits were prepared, so a model
/// trained on MNIST sees what it expects:
///
/// 1. Ink is white on black: a picture drawn dark on light (its border brighter than 0.5) is
///    inverted.
/// 2. Cropped to the bounding box of the ink (values above 0.2 of the brightest).
/// 3. Scaled, keeping the aspect ratio, so the longer side is 20 pixels (each new pixel the
///    average of the area it covers).
/// 4. Placed in a 28x28 field so that its centre of mass sits at the centre (14, 14).
///
/// ```swift
/// let pixels = try DigitPreparation.prepare(grey: picture.grey, width: picture.width, height: picture.height)
/// // 784 values in 0...1, ready for a model (after the model's normalisation)
/// ```
public enum DigitPreparation {
    public struct NoInkError: Error, CustomStringConvertible {
        public var description: String { "the picture has no ink to read (it is blank)" }
    }

    public static func prepare(grey: [Float], width: Int, height: Int) throws -> [Float] {
        precondition(grey.count == width * height, "DigitPreparation: \(grey.count) values for \(width)x\(height)")
        // 1. Polarity from the border: paper is what surrounds the digit.
        var border: [Float] = []
        for x in 0..<width { border += [grey[x], grey[(height - 1) * width + x]] }
        for y in 0..<height { border += [grey[y * width], grey[y * width + width - 1]] }
        let paperIsLight = border.reduce(0, +) / Float(border.count) > 0.5
        let ink = paperIsLight ? grey.map { 1 - $0 } : grey
        // 2. Bounding box of the ink.
        let brightest = ink.max() ?? 0
        guard brightest > 0.05 else { throw NoInkError() }
        let threshold = 0.2 * brightest
        var (left, right, top, bottom) = (width, -1, height, -1)
        for y in 0..<height {
            for x in 0..<width where ink[y * width + x] > threshold {
                left = Swift.min(left, x)
                right = Swift.max(right, x)
                top = Swift.min(top, y)
                bottom = Swift.max(bottom, y)
            }
        }
        let boxWidth = right - left + 1, boxHeight = bottom - top + 1
        // 3. Area-average scaling so the longer side becomes 20.
        let scale = 20 / Double(Swift.max(boxWidth, boxHeight))
        let newWidth = Swift.max(1, Int((Double(boxWidth) * scale).rounded()))
        let newHeight = Swift.max(1, Int((Double(boxHeight) * scale).rounded()))
        var small = [Float](repeating: 0, count: newWidth * newHeight)
        for ny in 0..<newHeight {
            for nx in 0..<newWidth {
                // The source rectangle this pixel covers, in box coordinates.
                let x0 = Double(nx) / scale, x1 = Double(nx + 1) / scale
                let y0 = Double(ny) / scale, y1 = Double(ny + 1) / scale
                var total = 0.0, area = 0.0
                for sy in Int(y0)..<Swift.min(boxHeight, Int(y1.rounded(.up))) {
                    let overlapY = Swift.min(y1, Double(sy + 1)) - Swift.max(y0, Double(sy))
                    for sx in Int(x0)..<Swift.min(boxWidth, Int(x1.rounded(.up))) {
                        let overlap = overlapY * (Swift.min(x1, Double(sx + 1)) - Swift.max(x0, Double(sx)))
                        guard overlap > 0 else { continue }
                        total += overlap * Double(ink[(top + sy) * width + left + sx])
                        area += overlap
                    }
                }
                small[ny * newWidth + nx] = area > 0 ? Float(total / area) : 0
            }
        }
        // 4. Centre of mass to (14, 14).
        var mass = 0.0, cx = 0.0, cy = 0.0
        for y in 0..<newHeight {
            for x in 0..<newWidth {
                let value = Double(small[y * newWidth + x])
                mass += value
                cx += value * (Double(x) + 0.5)
                cy += value * (Double(y) + 0.5)
            }
        }
        let offsetX = Int((14 - cx / mass).rounded()), offsetY = Int((14 - cy / mass).rounded())
        var result = [Float](repeating: 0, count: 784)
        for y in 0..<newHeight {
            for x in 0..<newWidth {
                let tx = x + offsetX, ty = y + offsetY
                if tx >= 0 && tx < 28 && ty >= 0 && ty < 28 {
                    result[ty * 28 + tx] = Swift.min(1, small[y * newWidth + x])
                }
            }
        }
        return result
    }
}
