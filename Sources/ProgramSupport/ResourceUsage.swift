import Foundation

/// What the process has used so far, for the figures the programs and benchmarks print.
public enum ResourceUsage {
    /// The largest resident memory of the process so far, in bytes: Linux's VmHWM (the high-water
    /// mark of this program's own memory), else `getrusage`'s ru_maxrss. (ru_maxrss survives
    /// `exec`: under `swift run`, or started by a large Python process, it would report the
    /// parent's memory, 900 MB where this program used 180.)
    public static var peakResidentBytes: Int {
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        {
            return kilobytes * 1024
        }
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
