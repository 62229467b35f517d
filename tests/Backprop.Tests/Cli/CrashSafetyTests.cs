using System.Diagnostics;
using System.Globalization;
using Backprop.Cli.Training;
using Backprop.IO;
using Xunit.Abstractions;

namespace Backprop.Tests.Cli;

/// <summary>
/// `backprop train` killed with SIGKILL: half the trials at a random moment of the run, half the moment a file
/// write begins (a temporary file appears). After each kill every real file in the run folder is whole, and the
/// run finished from its checkpoint (or from the start, when none was written yet) ends with the history and
/// model of a run that was never killed, leaving no temporary file. BACKPROP_CRASH_TRIALS trials (4 by default).
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A short run whose checkpoints (weights and Adam's moments of 0.5M parameters, 6 MB) take long enough to write that a kill can land inside one.</summary>
    private static string[] Run => ["train", "--layers", "784,512,256,10", "--limit", "1200", "--epochs", "4", "--batch-size", "100", "--threads", "1", "--optimizer", "adam", "--lr", "0.001", "--data", TrainingData.DefaultMnistDirectory()];

    [Fact]
    public void KilledRunsLoseNothingAndResumeToTheSameResults()
    {
        var trials = int.TryParse(Environment.GetEnvironmentVariable("BACKPROP_CRASH_TRIALS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 4;
        var straight = Path.Combine(_dir, "straight");
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, Start([.. Run, "--out", straight]).Finish());
        var duration = watch.Elapsed;
        var g = new Generator(17);
        var (duringWrites, withCheckpoint) = (0, 0);
        for (var trial = 0; trial < trials; trial++)
        {
            var dir = Path.Combine(_dir, $"trial{trial}");
            var child = Start([.. Run, "--out", dir]);
            var atWrite = trial % 2 == 1;
            if (atWrite)
            {
                // Wait for the run's first, second or third write (its temporary file appearing), then kill at once.
                var writes = 1 + g.NextInt(3);
                var inWrite = false;
                while (!child.Process.HasExited)
                {
                    var now = Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.tmp").Any();
                    if (now && !inWrite && --writes == 0)
                    {
                        break;
                    }

                    inWrite = now;
                    Thread.SpinWait(200);
                }
            }
            else
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(duration.TotalMilliseconds * (0.1 + (0.9 * g.NextDouble()))));
            }

            child.Kill();
            var tmpAfterKill = Directory.Exists(dir) && Directory.GetFiles(dir, "*.tmp").Length > 0;
            duringWrites += tmpAfterKill ? 1 : 0;
            AssertWhole(dir);

            var checkpoint = Path.Combine(dir, "checkpoint.safetensors");
            withCheckpoint += File.Exists(checkpoint) ? 1 : 0;
            var code = File.Exists(checkpoint) ? Start(["train", "--resume", checkpoint, "--threads", "1"]).Finish() : Start([.. Run, "--out", dir]).Finish();
            Assert.True(code == 0, $"trial {trial}: the run after the kill ended with {code}");
            Assert.Equal(Losses(straight), Losses(dir));
            Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.safetensors")), File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }

        output.WriteLine($"{trials} trials: {duringWrites} killed with a write under way, {withCheckpoint} resumed from a checkpoint; all lost nothing.");
    }

    /// <summary>The history's epochs, losses and accuracies (times differ between runs).</summary>
    private static string[] Losses(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "history.csv")).Select(l => string.Join(',', l.Split(',')[..5]))];

    /// <summary>Every real file of a run folder reads whole.</summary>
    private static void AssertWhole(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(dir).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            switch (Path.GetExtension(file))
            {
                case ".safetensors":
                    Safetensors.Load(file);
                    break;
                case ".csv":
                    var lines = File.ReadAllLines(file);
                    Assert.StartsWith("epoch,", lines[0], StringComparison.Ordinal);
                    Assert.All(lines.Skip(1), l => Assert.Equal(8, l.Split(',').Length));
                    break;
                case ".png":
                    Assert.NotNull(SkiaSharp.SKBitmap.Decode(file));
                    break;
                default:
                    Assert.Fail($"unexpected file {file}");
                    break;
            }
        }
    }

    private static Child Start(string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Backprop.Cli.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Child(process);
    }

    private sealed record Child(Process Process)
    {
        public int Finish()
        {
            Process.WaitForExit();
            var code = Process.ExitCode;
            Process.Dispose();
            return code;
        }

        public void Kill()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.WaitForExit();
            Process.Dispose();
        }
    }
}
