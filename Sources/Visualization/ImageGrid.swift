/// A grid of small images with a caption under each, drawn into one PNG: a page of digits with
/// their labels, or of test images with true and predicted classes.
///
/// ```swift
/// var grid = ImageGrid(columns: 8, imageWidth: 28, imageHeight: 28, scale: 3)
/// grid.add(grey: image, caption: "7")
/// try grid.render().write(to: "digits.png")
/// ```
public struct ImageGrid {
    public let columns: Int
    public let imageWidth: Int
    public let imageHeight: Int
    /// Each image pixel becomes scale x scale pixels.
    public let scale: Int
    private var cells: [(rgb: [UInt8], caption: String, color: [UInt8])] = []

    public init(columns: Int, imageWidth: Int, imageHeight: Int, scale: Int = 2) {
        precondition(
            columns > 0 && imageWidth > 0 && imageHeight > 0 && scale > 0,
            "ImageGrid: sizes must be positive")
        self.columns = columns
        self.imageWidth = imageWidth
        self.imageHeight = imageHeight
        self.scale = scale
    }

    public var count: Int { cells.count }

    /// Adds a grey image (values in 0...1, row-major), shown white ink on black as MNIST stores it.
    public mutating func add(grey values: [Float], caption: String = "", color: [UInt8] = [255, 255, 255]) {
        precondition(
            values.count == imageWidth * imageHeight,
            "ImageGrid.add: \(values.count) values for a \(imageWidth)x\(imageHeight) image")
        let bytes = values.map(Self.byte)
        cells.append((bytes.flatMap { [$0, $0, $0] }, caption, color))
    }

    /// Adds a colour image given as three planes (R, G, B), values in 0...1 (CIFAR-10's layout).
    public mutating func add(planes values: [Float], caption: String = "", color: [UInt8] = [255, 255, 255]) {
        let plane = imageWidth * imageHeight
        precondition(
            values.count == 3 * plane,
            "ImageGrid.add: \(values.count) values for 3 planes of \(imageWidth)x\(imageHeight)")
        let rgb = (0..<plane).flatMap {
            [Self.byte(values[$0]), Self.byte(values[plane + $0]), Self.byte(values[2 * plane + $0])]
        }
        cells.append((rgb, caption, color))
    }

    /// The whole grid as an RGB image on a dark grey background.
    public func render() -> PNGImage {
        // Captions at twice the font's size whenever the widest one fits under its image (a 5x7
        // font is too small to read at 100% on a screen); at the font's size otherwise.
        let widest = cells.map { BitmapFont.width(of: $0.caption, scale: 2) }.max() ?? 0
        let captionScale = widest <= imageWidth * scale ? 2 : 1
        let captionHeight = cells.contains { !$0.caption.isEmpty } ? BitmapFont.glyphHeight * captionScale + 4 : 0
        let cellWidth = imageWidth * scale + 4, cellHeight = imageHeight * scale + 4 + captionHeight
        let rows = Swift.max(1, (cells.count + columns - 1) / columns)
        var image = PNGImage(
            width: Swift.min(columns, Swift.max(cells.count, 1)) * cellWidth, height: rows * cellHeight,
            channels: .rgb, fill: [40, 40, 40])
        for (index, cell) in cells.enumerated() {
            let left = (index % columns) * cellWidth + 2, top = (index / columns) * cellHeight + 2
            for y in 0..<(imageHeight * scale) {
                for x in 0..<(imageWidth * scale) {
                    let source = ((y / scale) * imageWidth + x / scale) * 3
                    image[left + x, top + y] = Array(cell.rgb[source..<source + 3])
                }
            }
            let textLeft = left + (imageWidth * scale - BitmapFont.width(of: cell.caption, scale: captionScale)) / 2
            BitmapFont.draw(
                cell.caption, into: &image, x: textLeft, y: top + imageHeight * scale + 2, color: cell.color,
                scale: captionScale)
        }
        return image
    }

    private static func byte(_ value: Float) -> UInt8 {
        UInt8(Swift.max(0, Swift.min(255, (value.isNaN ? 0 : value) * 255).rounded()))
    }
}
