import Foundation

/// Runs `body` repeatedly until at least `minimumSeconds` have passed (and at least `minimumRuns`
/// times) and returns the fastest single run in seconds: the best run is the one least disturbed
/// by the rest of the machine.
func bestTime(minimumSeconds: Double = 0.3, minimumRuns: Int = 3, _ body: () -> Void) -> Double {
    var best = Double.infinity
    var total = 0.0
    var runs = 0
    while runs < minimumRuns || total < minimumSeconds {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        best = min(best, seconds)
        total += seconds
        runs += 1
    }
    return best
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}

func exitProgram(_ code: Int32) -> Never { exit(code) }

/// Pads `text` on the left to `width` characters, for right-aligned table columns.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}
