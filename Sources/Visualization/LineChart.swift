import Foundation

/// Line charts as SVG, which every browser opens: loss curves and accuracy per epoch.
///
/// A chart has a title, labelled axes with round-numbered ticks, and one or more named series of
/// (x, y) points; `LineChart.svg(_:)` stacks several charts in one file.
///
/// ```swift
/// var loss = LineChart(title: "Training loss", xLabel: "step", yLabel: "loss")
/// loss.add("train", points: [(1, 2.3), (100, 0.4)])
/// try FileWriting.write(LineChart.svg([loss]), to: "loss.svg")
/// ```
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let points: [(x: Double, y: Double)]
        public let color: String
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public private(set) var series: [Series] = []

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// The largest magnitude drawn: a point beyond ±1e12 (a loss that exploded) is drawn at that
    /// edge, so one wild value neither hides the rest of the curve nor breaks the axis arithmetic.
    public static let largestValue = 1e12

    /// Adds a series; points with a non-finite coordinate are left out, and coordinates beyond
    /// ±`largestValue` are drawn at that edge.
    public mutating func add(_ name: String, points: [(x: Double, y: Double)], color: String? = nil) {
        func clip(_ value: Double) -> Double { Swift.min(Swift.max(value, -Self.largestValue), Self.largestValue) }
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }.map { (x: clip($0.x), y: clip($0.y)) }
        series.append(
            Series(name: name, points: finite, color: color ?? Self.palette[series.count % Self.palette.count]))
    }

    /// An SVG document with `charts` one above the other, each `width` x `height` pixels.
    public static func svg(_ charts: [LineChart], width: Int = 720, height: Int = 360) -> String {
        var body = ""
        for (index, chart) in charts.enumerated() {
            body += chart.group(width: width, height: height, top: index * height)
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height * charts.count)" \
            viewBox="0 0 \(width) \(height * charts.count)" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            \(body)</svg>

            """
    }

    /// The chart as an SVG group at vertical offset `top`.
    func group(width: Int, height: Int, top: Int) -> String {
        let left = 70.0, right = Double(width) - 20, upper = Double(top) + 40, lower = Double(top + height) - 50
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xTicks = Self.ticks(xs.min() ?? 0, xs.max() ?? 1)
        let yTicks = Self.ticks(ys.min() ?? 0, ys.max() ?? 1)
        let (x0, x1) = (xTicks.first!, xTicks.last!), (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / Swift.max(x1 - x0, 1e-12) * (right - left) }
        func py(_ y: Double) -> Double { lower - (y - y0) / Swift.max(y1 - y0, 1e-12) * (lower - upper) }
        var svg = "<g>\n"
        svg +=
            "<text x=\"\(Int(Double(width) / 2))\" y=\"\(top + 22)\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Self.escape(title))</text>\n"
        for tick in xTicks {
            svg +=
                "<line x1=\"\(f(px(tick)))\" y1=\"\(f(upper))\" x2=\"\(f(px(tick)))\" y2=\"\(f(lower))\" stroke=\"#e4e4e4\"/>\n"
            svg +=
                "<text x=\"\(f(px(tick)))\" y=\"\(f(lower + 16))\" text-anchor=\"middle\">\(Self.label(tick))</text>\n"
        }
        for tick in yTicks {
            svg +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(right))\" y2=\"\(f(py(tick)))\" stroke=\"#e4e4e4\"/>\n"
            svg +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>\n"
        }
        svg +=
            "<rect x=\"\(f(left))\" y=\"\(f(upper))\" width=\"\(f(right - left))\" height=\"\(f(lower - upper))\" fill=\"none\" stroke=\"#444\"/>\n"
        svg +=
            "<text x=\"\(f((left + right) / 2))\" y=\"\(f(lower + 36))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        svg +=
            "<text transform=\"translate(\(f(left - 50)) \(f((upper + lower) / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let path = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.8\"/>\n"
            if line.points.count <= 40 {
                for point in line.points {
                    svg +=
                        "<circle cx=\"\(f(px(point.x)))\" cy=\"\(f(py(point.y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
                }
            }
            let legendY = upper + 16 + Double(index) * 16
            svg +=
                "<line x1=\"\(f(right - 150))\" y1=\"\(f(legendY - 4))\" x2=\"\(f(right - 130))\" y2=\"\(f(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(f(right - 124))\" y=\"\(f(legendY))\">\(Self.escape(line.name))</text>\n"
        }
        return svg + "</g>\n"
    }

    /// Round-numbered ticks (steps of 1, 2 or 5 times a power of ten) covering [low, high]: about
    /// five of them, never more than a dozen, whatever the values.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        guard low.isFinite, high.isFinite, low <= high else { return [0, 1] }
        var (low, high) = (low, high)
        // A flat series: a range around it, relative to its size (1 +- 1e-12 would give no ticks).
        let flat = Swift.max(1e-9 * Swift.max(Swift.abs(low), Swift.abs(high)), 1e-12)
        if high - low < flat {
            (low, high) = (low - Swift.max(1, Swift.abs(low) * 0.1), high + Swift.max(1, Swift.abs(high) * 0.1))
        }
        let rough = (high - low) / 5
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(rough)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let first = Foundation.floor(low / step) * step, last = Foundation.ceil(high / step) * step
        guard step.isFinite, step > 0, (last - first) / step <= 12 else { return [low, high] }
        return stride(from: first, through: last + step / 2, by: step).map { $0 }
    }

    static func label(_ value: Double) -> String {
        if value == value.rounded() && Swift.abs(value) < 1e7 { return String(Int(value)) }
        return String(format: "%g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
