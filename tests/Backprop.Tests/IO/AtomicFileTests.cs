using Backprop.IO;

namespace Backprop.Tests.IO;

/// <summary>Atomic writes: the old file survives a failed write, and the temporary files of killed writers are cleaned up.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AFailedWriteLeavesTheOldFileAndNoTemporaryFile()
    {
        var path = Path.Combine(_dir, "model.safetensors");
        AtomicFile.Write(path, s => s.WriteByte(1));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(2);
            throw new InvalidOperationException("the writer failed");
        }));
        Assert.Equal([1], File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void TemporaryFilesOfProcessesThatAreGoneAreRemovedByTheNextWrite()
    {
        var path = Path.Combine(_dir, "checkpoint.safetensors");
        var dead = DeadProcessId();
        var abandoned = Path.Combine(_dir, $".checkpoint.safetensors.{dead}.{Guid.NewGuid():N}.tmp");
        var legacy = Path.Combine(_dir, $".checkpoint.safetensors.{Guid.NewGuid():N}.tmp");
        var live = Path.Combine(_dir, $".checkpoint.safetensors.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var other = Path.Combine(_dir, $".history.csv.{dead}.{Guid.NewGuid():N}.tmp");
        foreach (var file in new[] { abandoned, legacy, live, other })
        {
            File.WriteAllBytes(file, [9]);
        }

        File.SetLastWriteTimeUtc(legacy, DateTime.UtcNow.AddHours(-1));
        AtomicFile.Write(path, s => s.WriteByte(1));
        Assert.False(File.Exists(abandoned));
        Assert.False(File.Exists(legacy));
        Assert.True(File.Exists(live), "a running writer's temporary file must stay");
        Assert.True(File.Exists(other), "only the temporary files of the file written are looked at");
    }

    private static int DeadProcessId()
    {
        for (var pid = 4_000_000; ; pid--)
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return pid;
            }
        }
    }
}
