/// Prepares a picture of a handwritten digit the way MNIST's digits were prepared, so a model
/// trained on MNIST sees what it expects:
///
/// 1. Ink is white on black: a picture drawn dark on light (its border brighter than 0.5) is
///    inverted, and the paper's own grey (the border's average) is taken away.
/// 2. Cropped to the bounding box of the ink (values above 0.2 of the brightest).
/// 3. Scaled, keeping the aspect ratio, so the longer side is 80 pixels: four times MNIST's 20, so
///    the stroke can be measured and redrawn before the last reduction.
/// 4. Strokes as MNIST's: a digit drawn with a thin pen on a large canvas shrinks to faint dots
///    (a 3-pixel pen on a 400-pixel-tall digit is 0.15 of a pixel wide at MNIST's size). MNIST's
///    strokes are about 2.4 pixels wide in the 20-pixel box (the median over its training digits
///    of `2 * area / perimeter` of the ink), so a stroke thinner than 2 pixels is redrawn: the
///    ink is made solid and widened by a disc until it is 2.4 pixels wide.
/// 5. Scaled to 20 pixels on the longer side (each new pixel the average of the area it covers,
///    which gives the soft edges MNIST's anti-aliasing has), its contrast stretched so the
///    brightest ink is 1 as in MNIST.
/// 6. Placed in a 28x28 field so that its centre of mass sits at the centre (14, 14).
///
/// The result says what was done and warns when the prepared ink is too little to trust a
/// prediction (fewer pixels above 0.5 than 99.9% of MNIST's training digits have).
///
/// ```swift
/// let digit = try DigitPreparation.prepare(grey: picture.grey, width: picture.width, height: picture.height)
/// // digit.pixels: 784 values in 0...1, ready for a model (after the model's normalisation)
/// if let warning = digit.warning { print(warning) }
/// ```
public enum DigitPreparation {
    public struct NoInkError: Error, CustomStringConvertible {
        public var description: String { "the picture has no ink to read (it is blank)" }
    }

    /// MNIST's typical stroke width, in pixels of the 20-pixel box (median of its training digits).
    public static let mnistStrokeWidth = 2.4
    /// Strokes thinner than this (in pixels of the 20-pixel box; MNIST's 5th percentile is 1.7)
    /// are redrawn at `mnistStrokeWidth`.
    public static let thinStrokeWidth = 2.0
    /// 99.9% of MNIST's training digits have at least this many pixels brighter than 0.5.
    public static let fewestInkPixels = 28

    /// A prepared digit and what preparing it found.
    public struct PreparedDigit: Sendable {
        /// 28x28 values in 0...1, white ink on black, row by row.
        public var pixels: [Float]
        /// The drawn stroke's width before any redrawing, in pixels of the 20-pixel box.
        public var drawnStrokeWidth: Double
        /// True when the strokes were thinner than MNIST's and were redrawn wider.
        public var strokesWidened: Bool
        /// The brightest ink of the picture before contrast stretching (1: pure black on pure white).
        public var inkContrast: Float
        /// Pixels of the prepared digit brighter than 0.5.
        public var inkPixels: Int
        /// The longer side of the ink's bounding box in the picture, in its pixels.
        public var drawnSize: Int

        public init(
            pixels: [Float], drawnStrokeWidth: Double, strokesWidened: Bool, inkContrast: Float, inkPixels: Int,
            drawnSize: Int
        ) {
            self.pixels = pixels
            self.drawnStrokeWidth = drawnStrokeWidth
            self.strokesWidened = strokesWidened
            self.inkContrast = inkContrast
            self.inkPixels = inkPixels
            self.drawnSize = drawnSize
        }

        /// Why the prediction on this digit should not be trusted, or nil.
        public var warning: String? {
            var reasons: [String] = []
            if inkPixels < DigitPreparation.fewestInkPixels {
                reasons.append(
                    "only \(inkPixels) pixels of the prepared digit are brighter than 0.5, where 99.9% of MNIST's "
                        + "digits have at least \(DigitPreparation.fewestInkPixels)")
            }
            if drawnSize < 10 {
                reasons.append("the ink is only \(drawnSize) pixels across in the picture, enlarged to MNIST's 20")
            }
            if inkContrast < 0.25 {
                reasons.append(
                    "the ink is faint (its darkest point is \(Int((inkContrast * 100).rounded()))% of black), "
                        + "so marks on the paper count as much as the digit")
            }
            guard !reasons.isEmpty else { return nil }
            return "warning: " + reasons.joined(separator: "; ")
                + ": do not trust this prediction (draw darker and bigger, and fill the picture)"
        }
    }

    public static func prepare(grey: [Float], width: Int, height: Int) throws -> PreparedDigit {
        precondition(grey.count == width * height, "DigitPreparation: \(grey.count) values for \(width)x\(height)")
        // 1. Polarity from the border: paper is what surrounds the digit.
        var border: [Float] = []
        for x in 0..<width { border += [grey[x], grey[(height - 1) * width + x]] }
        for y in 0..<height { border += [grey[y * width], grey[y * width + width - 1]] }
        let paperLevel = border.reduce(0, +) / Float(border.count)
        let paperIsLight = paperLevel > 0.5
        // Ink is what differs from the paper: grey paper (a photo, a scan) becomes black.
        let paper = paperIsLight ? 1 - paperLevel : paperLevel
        let ink = Plane(
            width: width, height: height,
            values: grey.map { Swift.max(0, (paperIsLight ? 1 - $0 : $0) - paper) })
        // 2. Bounding box of the ink.
        let brightest = ink.values.max() ?? 0
        guard brightest > 0.05 else { throw NoInkError() }
        let box = ink.boundingBox(above: 0.2 * brightest)!
        // 3. Four times MNIST's size, where a stroke can be measured.
        let supersampling = 4
        var large = ink.scaled(box: box, longerSide: 20 * supersampling)
        // 4. Stroke width: the ink's area over half its perimeter. Area-average scaling keeps the
        //    ink's total, so a thin faint line still weighs its true width times its length.
        let drawnWidth = large.strokeWidth(above: 0.1 * (large.values.max() ?? 1)) / Double(supersampling)
        let widen = drawnWidth < thinStrokeWidth
        if widen {
            // Solid ink, then a disc that brings the measured width to MNIST's.
            let solid = large.values.max()! * 0.25
            large = Plane(width: large.width, height: large.height, values: large.values.map { $0 > solid ? 1 : 0 })
            let solidWidth = large.strokeWidth(above: 0.5)
            let radius = Int(((mnistStrokeWidth * Double(supersampling) - solidWidth) / 2).rounded())
            if radius > 0 { large = large.dilated(radius: radius) }
        }
        // 5. MNIST's size, and contrast: its brightest ink is 1.
        var small = large.scaled(box: large.boundingBox(above: 0.2 * (large.values.max() ?? 1))!, longerSide: 20)
        let strongest = small.values.max() ?? 1
        if strongest > 0 { small.values = small.values.map { Swift.min(1, $0 / strongest) } }
        // 6. Centre of mass to (14, 14).
        let pixels = small.centred(in: 28)
        return PreparedDigit(
            pixels: pixels, drawnStrokeWidth: drawnWidth, strokesWidened: widen, inkContrast: brightest,
            inkPixels: pixels.filter { $0 > 0.5 }.count, drawnSize: Swift.max(box.width, box.height))
    }
}

/// A grey picture, row by row: the steps of `DigitPreparation`.
private struct Plane {
    var width: Int
    var height: Int
    var values: [Float]

    subscript(x: Int, y: Int) -> Float { values[y * width + x] }

    /// The smallest rectangle holding every value above `threshold`, or nil if none is.
    func boundingBox(above threshold: Float) -> (left: Int, top: Int, width: Int, height: Int)? {
        var (left, right, top, bottom) = (width, -1, height, -1)
        for y in 0..<height {
            for x in 0..<width where self[x, y] > threshold {
                left = Swift.min(left, x)
                right = Swift.max(right, x)
                top = Swift.min(top, y)
                bottom = Swift.max(bottom, y)
            }
        }
        return right < 0 ? nil : (left, top, right - left + 1, bottom - top + 1)
    }

    /// The part inside `box`, scaled (keeping its aspect ratio) so its longer side is `longerSide`
    /// pixels; each new pixel is the average of the area it covers.
    func scaled(box: (left: Int, top: Int, width: Int, height: Int), longerSide: Int) -> Plane {
        let scale = Double(longerSide) / Double(Swift.max(box.width, box.height))
        let newWidth = Swift.max(1, Int((Double(box.width) * scale).rounded()))
        let newHeight = Swift.max(1, Int((Double(box.height) * scale).rounded()))
        var result = [Float](repeating: 0, count: newWidth * newHeight)
        for ny in 0..<newHeight {
            // The source rows this row covers, in box coordinates.
            let y0 = Double(ny) / scale, y1 = Double(ny + 1) / scale
            for nx in 0..<newWidth {
                let x0 = Double(nx) / scale, x1 = Double(nx + 1) / scale
                var total = 0.0, area = 0.0
                for sy in Int(y0)..<Swift.min(box.height, Int(y1.rounded(.up))) {
                    let overlapY = Swift.min(y1, Double(sy + 1)) - Swift.max(y0, Double(sy))
                    for sx in Int(x0)..<Swift.min(box.width, Int(x1.rounded(.up))) {
                        let overlap = overlapY * (Swift.min(x1, Double(sx + 1)) - Swift.max(x0, Double(sx)))
                        guard overlap > 0 else { continue }
                        total += overlap * Double(self[box.left + sx, box.top + sy])
                        area += overlap
                    }
                }
                result[ny * newWidth + nx] = area > 0 ? Float(total / area) : 0
            }
        }
        return Plane(width: newWidth, height: newHeight, values: result)
    }

    /// The width of the strokes in pixels: 2 x area / perimeter, where the area is the total ink
    /// and the perimeter counts the edges between pixels above `threshold` and the others (or the
    /// border). A stroke of length L and width w has area L w and perimeter about 2 L.
    func strokeWidth(above threshold: Float) -> Double {
        var perimeter = 0
        var area = 0.0
        for y in 0..<height {
            for x in 0..<width {
                let inside = self[x, y] > threshold
                area += Double(self[x, y])
                guard inside else { continue }
                if x == 0 || self[x - 1, y] <= threshold { perimeter += 1 }
                if x == width - 1 || self[x + 1, y] <= threshold { perimeter += 1 }
                if y == 0 || self[x, y - 1] <= threshold { perimeter += 1 }
                if y == height - 1 || self[x, y + 1] <= threshold { perimeter += 1 }
            }
        }
        return perimeter == 0 ? 0 : 2 * area / Double(perimeter)
    }

    /// Grey dilation by a disc of `radius` pixels: each pixel becomes the brightest within the disc
    /// around it. The plane grows by `radius` on every side so nothing is cut off.
    func dilated(radius: Int) -> Plane {
        let newWidth = width + 2 * radius, newHeight = height + 2 * radius
        var result = [Float](repeating: 0, count: newWidth * newHeight)
        var offsets: [(Int, Int)] = []
        for dy in -radius...radius {
            for dx in -radius...radius where dx * dx + dy * dy <= radius * radius { offsets.append((dx, dy)) }
        }
        for y in 0..<height {
            for x in 0..<width where self[x, y] > 0 {
                let value = self[x, y]
                for (dx, dy) in offsets {
                    let index = (y + radius + dy) * newWidth + x + radius + dx
                    result[index] = Swift.max(result[index], value)
                }
            }
        }
        return Plane(width: newWidth, height: newHeight, values: result)
    }

    /// A `side` x `side` field holding this plane placed so its centre of mass is at the centre.
    func centred(in side: Int) -> [Float] {
        var mass = 0.0, cx = 0.0, cy = 0.0
        for y in 0..<height {
            for x in 0..<width {
                let value = Double(self[x, y])
                mass += value
                cx += value * (Double(x) + 0.5)
                cy += value * (Double(y) + 0.5)
            }
        }
        let centre = Double(side) / 2
        let offsetX = Int((centre - cx / mass).rounded()), offsetY = Int((centre - cy / mass).rounded())
        var result = [Float](repeating: 0, count: side * side)
        for y in 0..<height {
            for x in 0..<width {
                let tx = x + offsetX, ty = y + offsetY
                if tx >= 0 && tx < side && ty >= 0 && ty < side { result[ty * side + tx] = self[x, y] }
            }
        }
        return result
    }
}
