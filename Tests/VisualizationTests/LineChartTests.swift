import Foundation
import Testing

@testable import Visualization

@Suite("SVG line charts")
struct LineChartTests {
    @Test("Ticks are round numbers covering the data: 0.13...0.97 gives 0, 0.2, ..., 1")
    func ticks() {
        var chart = LineChart(title: "t", xLabel: "epoch", yLabel: "accuracy")
        chart.add("a", points: [(1, 0.13), (5, 0.97)])
        let svg = LineChart.svg([chart])
        for label in [">0<", ">0.2<", ">0.4<", ">1<", ">5<"] { #expect(svg.contains(label), "missing tick \(label)") }
    }

    @Test(
        "The SVG is well-formed XML with the title, both axis labels, a polyline per series and a legend",
        .enabled(
            if: FileManager.default.fileExists(atPath: "/usr/bin/python3")
                || FileManager.default.fileExists(atPath: "/usr/local/bin/python3"), "needs python3 to parse XML"))
    func wellFormed() throws {
        var loss = LineChart(title: "Loss & accuracy <test>", xLabel: "step", yLabel: "loss")
        loss.add("train", points: (0..<100).map { (Double($0), 2.3 * Foundation.exp(-Double($0) / 30)) })
        loss.add("test", points: [(0, 2.3), (50, .nan), (99, 0.2)])
        let svg = LineChart.svg([loss, loss])
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(svg.contains("Loss &amp; accuracy &lt;test&gt;") && svg.contains(">step<") && svg.contains(">loss<"))
        let path = NSTemporaryDirectory() + "kindling-\(UUID().uuidString).svg"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try svg.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            "import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); print(d.documentElement.tagName)", path,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("svg"))
    }
}

@Suite("Line charts of hostile values")
struct HostileChartTests {
    @Test("Losses of 1e308, -1e308 and 9e15 draw a chart at once instead of spinning or trapping")
    func extremeValues() {
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y")
        chart.add("loss", points: [(1, 1e308), (2, -1e308), (3, 9e15), (4, .nan), (Double.greatestFiniteMagnitude, 1)])
        let svg = LineChart.svg([chart])
        #expect(svg.contains("<polyline"))
        #expect(LineChart.ticks(-1e12, 1e12).count <= 13)
        #expect(LineChart.ticks(5, 5).count >= 2)
    }
}
