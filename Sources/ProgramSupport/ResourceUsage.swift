import Foundation

/// What the process has used so far, for the figures the programs and benchmarks print.
public enum ResourceUsage {
    /// The largest resident memory of the process so far, in bytes (`getrusage`'s ru_maxrss).
    public static var peakResidentBytes: Int {
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        #if os(macOS)
        return Int(usage.ru_maxrss)  // bytes on macOS
        #else
        return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
        #endif
    }

    /// The current resident memory in bytes, from /proc/self/statm where it exists (Linux), else
    /// the peak.
    public static var currentResidentBytes: Int {
        if let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
        return peakResidentBytes
    }
}
