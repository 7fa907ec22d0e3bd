import Foundation

/// Where datasets live: `--data DIR` on the command line, else the `KINDLING_DATA` environment
/// variable, else `./data`. MNIST is then in `DIR/mnist/`, Fashion-MNIST in `DIR/fashion-mnist/`,
/// CIFAR-10 in `DIR/cifar-10-batches-bin/`.
///
/// ```swift
/// let directory = DataDirectory.resolve()            // reads CommandLine.arguments
/// let train = try MNIST(split: .train, directory: directory)
/// ```
public enum DataDirectory {
    /// The data directory for these command-line arguments and this environment.
    public static func resolve(
        arguments: [String] = CommandLine.arguments,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let flag = arguments.firstIndex(of: "--data"), flag + 1 < arguments.count {
            return arguments[flag + 1]
        }
        if let inline = arguments.first(where: { $0.hasPrefix("--data=") }) {
            return String(inline.dropFirst("--data=".count))
        }
        if let variable = environment["KINDLING_DATA"], !variable.isEmpty {
            return variable
        }
        return "data"
    }
}
