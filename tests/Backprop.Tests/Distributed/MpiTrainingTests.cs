using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Backprop.Cli.Training;
using Backprop.IO;
using Xunit.Abstractions;

namespace Backprop.Tests.Distributed;

/// <summary>
/// `mpiexec -n 2 backprop train --distributed` on this machine: over shared memory and over TCP loopback,
/// the same weights as one process with the same global batch, a killed rank, a stopped rank, and ranks
/// started with different options.
/// </summary>
public sealed partial class MpiTrainingTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("backprop-mpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>20 steps of W2's MLP and optimizer: 2,560 samples in batches of 128.</summary>
    private static string[] TwentySteps(string outDir) =>
        ["train", "--limit", "2560", "--epochs", "1", "--batch-size", "128", "--threads", "1", "--data", TrainingData.DefaultMnistDirectory(), "--out", outDir];

    [MpiFact]
    public void TwoRanksOverSharedMemoryEndWithTheWeightsOfOneProcess()
    {
        var single = Path.Combine(_dir, "single");
        var (code, text) = CliProcess(TwentySteps(single));
        Assert.True(code == 0, text);
        var two = Path.Combine(_dir, "two");
        var (mpiCode, mpiText) = Mpiexec.Run(Mpiexec.Arguments(2, [.. TwentySteps(two), "--distributed"]), Limit);
        output.WriteLine(mpiText);
        Assert.True(mpiCode == 0, mpiText);
        Assert.Contains("(2 ranks)", Flat(mpiText), StringComparison.Ordinal);
        Assert.Contains("samples/s in total over 2 ranks", Flat(mpiText), StringComparison.Ordinal);
        AssertSameWeights(Path.Combine(single, Trainer.ModelFileName), Path.Combine(two, Trainer.ModelFileName), 1e-5);
        Assert.Equal(
            File.ReadAllLines(Path.Combine(single, Trainer.HistoryFileName)).Skip(1).Select(l => string.Join(',', l.Split(',').Take(5).Select(Round))),
            File.ReadAllLines(Path.Combine(two, Trainer.HistoryFileName)).Skip(1).Select(l => string.Join(',', l.Split(',').Take(5).Select(Round))));
    }

    [MpiFact]
    public void TwoRanksTrainOverTcpLoopback()
    {
        var dir = Path.Combine(_dir, "tcp");
        var (code, text) = Mpiexec.Run(Mpiexec.Arguments(2, [.. TwentySteps(dir), "--distributed"]), Limit, Mpiexec.TcpLoopback);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Matches(@"test accuracy \d+\.\d\d%", text);
        Assert.True(File.Exists(Path.Combine(dir, Trainer.ModelFileName)));
    }

    [MpiFact(TwoHosts = true)]
    public void TwoHostsTrainOverTheNetworkBetweenThemLikeOneProcess()
    {
        var single = Path.Combine(_dir, "one-host");
        var (code, text) = CliProcess(TwentySteps(single));
        Assert.True(code == 0, text);
        using var hosts = new TwoHosts();
        var before = hosts.SentBytes(1);
        var dir = Path.Combine(_dir, "two-hosts");
        string[] tcp = ["/usr/bin/env", "MPIR_CVAR_NOLOCAL=1", "UCX_TLS=tcp", $"UCX_NET_DEVICES={TwoHosts.Device}"];
        var (mpiCode, mpiText) = hosts.Run([.. tcp, .. Mpiexec.Cli([.. TwentySteps(dir), "--distributed"])], Limit);
        output.WriteLine(mpiText);
        Assert.True(mpiCode == 0, mpiText);

        // 20 all-reduces of the 0.94 MB gradient went over the link, and the weights are one process's.
        var sent = hosts.SentBytes(1) - before;
        output.WriteLine($"host 2 sent {sent:N0} bytes on {TwoHosts.Device}");
        Assert.True(sent > 15_000_000, $"only {sent:N0} bytes crossed the link");
        AssertSameWeights(Path.Combine(single, Trainer.ModelFileName), Path.Combine(dir, Trainer.ModelFileName), 1e-5);
    }

    [MpiFact]
    public void AKilledRankStopsTheOtherWithinTheTimeoutAndNoFileIsHalfWritten()
    {
        var dir = Path.Combine(_dir, "killed");
        using var run = Mpiexec.Start(Mpiexec.Arguments(2, [.. LongRun(dir), "--distributed", "--timeout", "20"]));
        run.WaitFor("Training", Limit);
        var pid = RankPid(run.Output, 1);
        Thread.Sleep(1500);
        var watch = Stopwatch.StartNew();
        Process.GetProcessById(pid).Kill();
        var (code, text) = run.Finish(TimeSpan.FromSeconds(60));
        output.WriteLine($"ended {watch.Elapsed.TotalSeconds:F1} s after the kill, exit code {code}:\n{text}");
        Assert.NotEqual(0, code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"the job took {watch.Elapsed.TotalSeconds:F1} s to stop");

        // The launcher names a process it lost (the killed one, or rank 0 when that one's abort is reported first);
        // the start-up line names their ranks.
        var other = RankPid(run.Output, 0);
        var report = text.Replace($"rank 1 pid {pid}", "", StringComparison.Ordinal).Replace($"rank 0 pid {other}", "", StringComparison.Ordinal);
        Assert.True(
            report.Contains(pid.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) || report.Contains(other.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            $"the launcher named neither rank's process ({pid}, {other})");
        Assert.Contains($"rank 1 pid {pid}", text, StringComparison.Ordinal);
        AssertWholeFiles(dir);
    }

    [MpiFact]
    public void AStoppedRankIsNamedByTheOthersOnceTheTimeoutPasses()
    {
        var dir = Path.Combine(_dir, "stopped");
        using var run = Mpiexec.Start(Mpiexec.Arguments(2, [.. LongRun(dir), "--distributed", "--timeout", "3"]));
        run.WaitFor("Training", Limit);
        var pid = RankPid(run.Output, 1);
        try
        {
            Thread.Sleep(500);
            var watch = Stopwatch.StartNew();
            Assert.Equal(0, Signal("STOP", pid));
            var (code, text) = run.Finish(TimeSpan.FromSeconds(60));
            output.WriteLine($"ended {watch.Elapsed.TotalSeconds:F1} s after the stop, exit code {code}:\n{text}");
            Assert.NotEqual(0, code);
            Assert.Contains("rank 1 did not answer", Flat(text), StringComparison.Ordinal);
            Assert.Contains("error: rank 0 of 2:", Flat(text), StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3 + 2 + 10), $"the job took {watch.Elapsed.TotalSeconds:F1} s to stop");
            AssertWholeFiles(dir);
        }
        finally
        {
            _ = Signal("KILL", pid);
        }
    }

    [MpiFact]
    public void RanksStartedWithDifferentOptionsAreToldBeforeTraining()
    {
        var dir = Path.Combine(_dir, "mismatch");
        List<string> arguments = [.. Mpiexec.Flags(), "-n", "1", .. Mpiexec.Cli([.. TwentySteps(dir), "--distributed"]), ":", "-n", "1", .. Mpiexec.Cli([.. TwentySteps(dir), "--distributed", "--lr", "0.01"])];
        var (code, text) = Mpiexec.Run(arguments, Limit);
        output.WriteLine(text);
        Assert.NotEqual(0, code);
        Assert.Contains("The ranks disagree on the training options", Flat(text), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, Trainer.ModelFileName)));
    }

    [MpiFact]
    public void RanksStartedWithoutDistributedAreToldToAddIt()
    {
        var (code, text) = Mpiexec.Run(Mpiexec.Arguments(2, TwentySteps(Path.Combine(_dir, "plain"))), Limit);
        Assert.NotEqual(0, code);
        Assert.Contains("add --distributed", Flat(text), StringComparison.Ordinal);
    }

    [MpiFact]
    public void TwoRanksTrainTheGptLikeOneProcess()
    {
        string[] gpt = ["train", "--model", "gpt", "--steps", "6", "--eval-interval", "3", "--width", "32", "--depth", "1", "--heads", "2", "--context", "16", "--threads", "1"];
        var single = Path.Combine(_dir, "gpt1");
        var (code, text) = CliProcess([.. gpt, "--out", single]);
        Assert.True(code == 0, text);
        var two = Path.Combine(_dir, "gpt2");
        var (mpiCode, mpiText) = Mpiexec.Run(Mpiexec.Arguments(2, [.. gpt, "--out", two, "--distributed"]), Limit);
        output.WriteLine(mpiText);
        Assert.True(mpiCode == 0, mpiText);
        Assert.Contains("2 ranks of 6 windows each", Flat(mpiText), StringComparison.Ordinal);
        var losses = (File.ReadAllLines(Path.Combine(single, GptTrainer.HistoryFileName)), File.ReadAllLines(Path.Combine(two, GptTrainer.HistoryFileName)));
        Assert.Equal(losses.Item1.Length, losses.Item2.Length);
        foreach (var (a, b) in losses.Item1.Skip(1).Zip(losses.Item2.Skip(1)))
        {
            // step, train loss, validation loss: AdamW divides by the gradients' size, so summation order shows a little more than with SGD.
            var (x, y) = (a.Split(','), b.Split(','));
            Assert.Equal(x[0], y[0]);
            Assert.Equal(double.Parse(x[2], CultureInfo.InvariantCulture), double.Parse(y[2], CultureInfo.InvariantCulture), 3);
        }
    }

    [MpiFact]
    public void SyncBatchNormTrainsAResidualNetworkLikeOneProcess()
    {
        string[] resnet = ["train", "--model", "resnet-mini", "--optimizer", "sgd", "--lr", "0.05", "--limit", "512", "--epochs", "1", "--batch-size", "64", "--threads", "1", "--data", TrainingData.DefaultMnistDirectory()];
        var single = Path.Combine(_dir, "resnet1");
        var (code, text) = CliProcess([.. resnet, "--out", single]);
        Assert.True(code == 0, text);
        var synced = Path.Combine(_dir, "resnet-sync");
        var (syncCode, syncText) = Mpiexec.Run(Mpiexec.Arguments(2, [.. resnet, "--out", synced, "--distributed", "--sync-batchnorm"]), Limit);
        Assert.True(syncCode == 0, syncText);
        var local = Path.Combine(_dir, "resnet-local");
        var (localCode, localText) = Mpiexec.Run(Mpiexec.Arguments(2, [.. resnet, "--out", local, "--distributed"]), Limit);
        Assert.True(localCode == 0, localText);

        // Pooled statistics give one process's weights; each rank's own statistics (of 32 images) do not.
        var withSync = WorstDifference(Path.Combine(single, Trainer.ModelFileName), Path.Combine(synced, Trainer.ModelFileName));
        var withoutSync = WorstDifference(Path.Combine(single, Trainer.ModelFileName), Path.Combine(local, Trainer.ModelFileName));
        output.WriteLine($"worst difference: {withSync:G3} with SyncBatchNorm, {withoutSync:G3} without");
        Assert.True(withSync <= 3e-3, $"{withSync:G3}");
        Assert.True(withoutSync > 5 * withSync, $"{withoutSync:G3} against {withSync:G3}");
    }

    [MpiFact]
    public void AnInterruptedRunResumesOnEveryRankToTheWeightsOfAnUnbrokenOne()
    {
        string[] run = ["train", "--limit", "20000", "--epochs", "4", "--threads", "1", "--data", TrainingData.DefaultMnistDirectory(), "--distributed"];
        var straight = Path.Combine(_dir, "straight");
        var (code, text) = Mpiexec.Run(Mpiexec.Arguments(2, [.. run, "--out", straight]), Limit);
        Assert.True(code == 0, text);
        var broken = Path.Combine(_dir, "broken");
        using (var interrupted = Mpiexec.Start(Mpiexec.Arguments(2, [.. run, "--out", broken])))
        {
            interrupted.WaitFor("epoch 2/4", Limit);
            Assert.Equal(0, Signal("INT", RankPid(interrupted.Output, 0)));
            var (stopped, stoppedText) = interrupted.Finish(Limit);
            output.WriteLine(stoppedText);
            Assert.NotEqual(0, stopped);
            Assert.Contains("Interrupted at epoch", Flat(stoppedText), StringComparison.Ordinal);
        }

        var (resumed, resumedText) = Mpiexec.Run(Mpiexec.Arguments(2, ["train", "--resume", Path.Combine(broken, Trainer.CheckpointFileName), "--distributed"]), Limit);
        output.WriteLine(resumedText);
        Assert.True(resumed == 0, resumedText);
        Assert.Contains("Resuming at epoch", Flat(resumedText), StringComparison.Ordinal);
        AssertSameWeights(Path.Combine(straight, Trainer.ModelFileName), Path.Combine(broken, Trainer.ModelFileName), 1e-6);
    }

    /// <summary>A run long enough to be killed in the middle: W2's MLP on 20,000 samples for 20 epochs.</summary>
    private static string[] LongRun(string outDir) =>
        ["train", "--limit", "20000", "--epochs", "20", "--threads", "1", "--data", TrainingData.DefaultMnistDirectory(), "--out", outDir];

    /// <summary>The output with the console's line wrapping undone: every run of white space one space.</summary>
    private static string Flat(string text) => Spaces().Replace(text, " ");

    private static string Round(string value) => double.TryParse(value, CultureInfo.InvariantCulture, out var d) ? d.ToString("G6", CultureInfo.InvariantCulture) : value;

    private static int RankPid(string text, int rank)
    {
        var match = RankLine().Matches(Flat(text)).FirstOrDefault(m => m.Groups["rank"].Value == rank.ToString(CultureInfo.InvariantCulture));
        Assert.True(match is not null, $"no start-up line for rank {rank}:\n{text}");
        return int.Parse(match.Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    private static int Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        return kill.ExitCode;
    }

    private static (int Code, string Output) CliProcess(string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in Mpiexec.Cli(args).Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        using var started = new Mpiexec.Started(Process.Start(info)!);
        return started.Finish(Limit);
    }

    private static void AssertSameWeights(string expectedPath, string actualPath, double tolerance)
    {
        var expected = Safetensors.Load(expectedPath).Tensors;
        var actual = Safetensors.Load(actualPath).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            var (e, a) = (tensor.ToArray(), actual[name].ToArray());
            var scale = Math.Max(1e-3, e.Max(v => Math.Abs(v)));
            var worst = e.Zip(a).Max(p => Math.Abs(p.First - p.Second)) / scale;
            Assert.True(worst <= tolerance, $"{name}: relative difference {worst:G3}");
        }
    }

    /// <summary>The largest difference between two model files' tensors, relative to each tensor's largest value (at least 1).</summary>
    private static double WorstDifference(string expectedPath, string actualPath)
    {
        var expected = Safetensors.Load(expectedPath).Tensors;
        var actual = Safetensors.Load(actualPath).Tensors;
        return expected.Where(e => e.Value.DType == DType.Float32).Max(e =>
        {
            var (x, y) = (e.Value.ToArray(), actual[e.Key].ToArray());
            return x.Zip(y).Max(p => Math.Abs(p.First - p.Second)) / Math.Max(1.0, x.Max(v => Math.Abs(v)));
        });
    }

    /// <summary>
    /// Every file in the run folder is whole: each model or checkpoint loads, and a temporary file is left only
    /// by a process that was killed while writing it (the launcher ends every rank), which the next write of
    /// that file removes.
    /// </summary>
    private static void AssertWholeFiles(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var temp in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            var parts = Path.GetFileName(temp).Split('.');   // "", NAME..., PID, GUID, "tmp"
            var pid = int.Parse(parts[^3], CultureInfo.InvariantCulture);
            Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
            var final = Path.Combine(dir, string.Join('.', parts[1..^3]));
            var existed = File.Exists(final);
            AtomicFile.Write(final, s => s.Write(existed ? File.ReadAllBytes(final) : []));
            Assert.False(File.Exists(temp), $"{temp} outlived the next write of {final}");
            if (!existed)
            {
                File.Delete(final);
            }
        }

        Assert.Empty(Directory.EnumerateFiles(dir, "*.tmp"));
        foreach (var file in Directory.EnumerateFiles(dir, "*.safetensors"))
        {
            Assert.NotEmpty(Safetensors.Load(file).Tensors);
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"rank (?<rank>\d+) pid (?<pid>\d+) on")]
    private static partial Regex RankLine();
}
