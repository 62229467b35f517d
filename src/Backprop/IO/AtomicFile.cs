using System.Diagnostics;
using System.Globalization;

namespace Backprop.IO;

/// <summary>
/// Writes a file whole or not at all: to a temporary name beside it (".NAME.PID.GUID.tmp"), then renamed into
/// place. A temporary file that a killed process left behind (its process is gone) is removed by the next
/// write of the same file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>; on any failure the old file (if any) is untouched.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the whole content to the stream.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        RemoveAbandoned(directory, Path.GetFileName(full));
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Deletes the temporary files of <paramref name="name"/> whose writer is no longer running: those naming a
    /// process that has exited, and those of the older ".NAME.GUID.tmp" form (no process) more than a minute old.
    /// </summary>
    private static void RemoveAbandoned(string directory, string name)
    {
        foreach (var file in Directory.EnumerateFiles(directory, $".{name}.*.tmp"))
        {
            var middle = Path.GetFileName(file)[(name.Length + 2)..^4];
            var dot = middle.IndexOf('.', StringComparison.Ordinal);
            var abandoned = dot < 0
                ? File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-1)
                : int.TryParse(middle[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid);
            if (abandoned)
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another writer removed or holds it; it is not ours to keep.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to remove.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
