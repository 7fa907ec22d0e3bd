#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The thin layer over the operating system's file calls that `FileReading` and `FileWriting`
/// share: what kind of thing a path is, and errno as words.
enum POSIXFile {
    /// What stands at a path, without following a final symbolic link.
    enum Kind: Equatable {
        case missing
        case regular(size: Int, mode: mode_t)
        case directory, symbolicLink, pipe, device, socket, other

        /// Why a program cannot use this as a file, or nil for a regular file.
        var refusal: String? {
            switch self {
            case .regular: nil
            case .missing: "file not found"
            case .directory: "it is a directory, not a file"
            case .symbolicLink: "it is a symbolic link; name the file it points to"
            case .pipe: "it is a pipe (FIFO), not a file"
            case .device: "it is a device, not a file"
            case .socket: "it is a socket, not a file"
            case .other: "it is not a regular file"
            }
        }
    }

    static func kind(_ path: String, followingLinks: Bool = false) -> Kind {
        var status = stat()
        let result = followingLinks ? stat(path, &status) : lstat(path, &status)
        guard result == 0 else { return .missing }
        return kind(of: status)
    }

    static func kind(of status: stat) -> Kind {
        switch status.st_mode & S_IFMT {
        case S_IFREG: .regular(size: Int(status.st_size), mode: status.st_mode & 0o7777)
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        case S_IFIFO: .pipe
        case S_IFCHR, S_IFBLK: .device
        case S_IFSOCK: .socket
        default: .other
        }
    }

    /// The current errno as a short reason: "permission denied", "no space left on device".
    static func reason(_ code: Int32 = errno) -> String {
        switch code {
        case ENOENT: "file not found"
        case EACCES, EPERM: "permission denied"
        case ENOSPC: "no space left on device"
        case EDQUOT: "disk quota exceeded"
        case EROFS: "the file system is read-only"
        case EISDIR: "it is a directory, not a file"
        case ENOTDIR: "a part of the path is not a directory"
        case ENAMETOOLONG: "the name is too long"
        case EIO: "input/output error"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    /// The folder a path is in ("." for a bare file name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    /// The last component of a path.
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
